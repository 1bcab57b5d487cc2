//===- Passes.h - the CPU target's passes -----------------------*- C++ -*-===//
//
// Declarations generated from codegen/cpu/Passes.td: create functions,
// options and registration (registerNNCPUPasses) of the CPU-only passes.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_CPU_PASSES_H
#define NNC_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace nn {

#define GEN_PASS_DECL
#include "codegen/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/cpu/Passes.h.inc"

} // namespace nn

#endif // NNC_CODEGEN_CPU_PASSES_H
