//===- Passes.h - the NVIDIA GPU target's passes ----------------*- C++ -*-===//
//
// Declarations generated from codegen/gpu/Passes.td: create functions,
// options and registration (registerNNGPUPasses) of the GPU-only passes.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_GPU_PASSES_H
#define NNC_CODEGEN_GPU_PASSES_H

#include "ir/NNDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace nn {

#define GEN_PASS_DECL
#include "codegen/gpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/gpu/Passes.h.inc"

/// The gpu.module that holds every kernel of a program.
constexpr llvm::StringLiteral kKernelModuleName = "nnc_kernels";

} // namespace nn

#endif // NNC_CODEGEN_GPU_PASSES_H
