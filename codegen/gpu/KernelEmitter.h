//===- KernelEmitter.h - the kernels as PTX and as CPU code -----*- C++ -*-===//
//
// After the GPU pipeline, a program is host code in the LLVM dialect plus one
// gpu.module, @nnc_kernels, in the NVVM and LLVM dialects. The driver takes
// the kernels out and translates them to LLVM IR once; from that one module
// come both
//   - the PTX module (LLVM's NVPTX back end, with libdevice's math), which
//     the program embeds as `nnrt_device_code` for the CUDA driver, and
//   - the same kernels compiled for the host CPU, for `--device emu`: each
//     special register a call into the runtime's emulator, each barrier a
//     switch of execution context, each shared-memory access recorded for
//     the race check (support/ProgramABI.h, section 6).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_GPU_KERNELEMITTER_H
#define NNC_CODEGEN_GPU_KERNELEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <memory>
#include <string>

namespace nn {

struct KernelTarget {
  std::string arch = "sm_75"; // --gpu-arch
  std::string libdevice;      // libdevice.10.bc; "" when CUDA was not found at build time
};

/// The default --gpu-arch: sm_75, the oldest architecture CUDA 13 supports.
/// Its PTX is compiled by the driver for whatever newer GPU runs it.
const char *defaultGPUArch();
/// libdevice as found when nnc was built ("" if it was not).
const char *builtinLibdevicePath();

/// Takes @nnc_kernels out of `program` (erasing it there) and translates it
/// to LLVM IR for NVPTX. Null, with an error printed, on failure; a program
/// without kernels gives an empty module.
std::unique_ptr<llvm::Module> takeKernels(mlir::ModuleOp program, llvm::LLVMContext &context);

/// The PTX text of `kernels` (left unchanged) for `target`.
mlir::FailureOr<std::string> emitPTX(const llvm::Module &kernels, const KernelTarget &target);

/// The kernels compiled for the CPU, with the records the runtime's
/// emulator reads (`nnrt_emu_<kernel>`) and the PTX (`nnrt_device_code`):
/// a module to link into the program's host module, whose triple and data
/// layout it takes.
mlir::FailureOr<std::unique_ptr<llvm::Module>>
buildEmulatedKernels(const llvm::Module &kernels, llvm::StringRef ptx, const llvm::Module &host);

} // namespace nn

#endif // NNC_CODEGEN_GPU_KERNELEMITTER_H
