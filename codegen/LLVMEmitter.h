//===- LLVMEmitter.h - LLVM dialect to LLVM IR to object code ---*- C++ -*-===//
//
// The last stages of nnc: translate the LLVM dialect (a complete program,
// its table included) to LLVM IR, optimise with LLVM's -O3 pipeline for the
// host CPU, and write an x86-64 object file through LLVM's TargetMachine.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_LLVMEMITTER_H
#define NNC_CODEGEN_LLVMEMITTER_H

#include "codegen/cpu/CPUTarget.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>

namespace nn {

/// A TargetMachine for `cpu` (the host's, or the one `nnc --cpu=NAME`
/// names): its instruction set (AVX2, FMA, AVX-512, ...) and scheduling.
std::unique_ptr<llvm::TargetMachine> createCPUTargetMachine(const CPUTarget &cpu);

/// Sets the back end's defaults for x86-64 code: LLVM's loop strength
/// reduction off (see LLVMEmitter.cpp), unless the command line set
/// `--disable-lsr` itself. A process-wide LLVM option, so nnc calls it only
/// for --target=cpu: the NVPTX back end keeps its own default.
void setCPUCodeGenDefaults();

/// Gives the module's large globals x86-64's large code model when its
/// static data would not fit in the small model's 2 GiB (translateToLLVMIR
/// calls it).
void placeLargeGlobals(llvm::Module &module);

/// LLVM dialect -> LLVM IR for `machine`'s triple and data layout.
std::unique_ptr<llvm::Module> translateToLLVMIR(mlir::ModuleOp module,
                                                llvm::LLVMContext &context,
                                                llvm::TargetMachine &machine);

/// Runs LLVM's default -O3 pipeline for `machine`.
void optimizeLLVMModule(llvm::Module &module, llvm::TargetMachine &machine);

/// Writes `module` as an object file at `path`.
mlir::LogicalResult writeObjectFile(llvm::Module &module,
                                    llvm::TargetMachine &machine,
                                    llvm::StringRef path);

} // namespace nn

#endif // NNC_CODEGEN_LLVMEMITTER_H
