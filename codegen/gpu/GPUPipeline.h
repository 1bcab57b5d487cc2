//===- GPUPipeline.h - from the nn dialect to kernels and host code -*- C++ -*-===//
//
// The NVIDIA GPU target's pipeline as a list of named stages, continuing the
// graph stages every target shares (codegen/Pipeline.h). `nnc --target=cuda`
// runs them one by one; nn-opt registers the whole list as
// `nn-gpu-pipeline`. What comes after the LLVM dialect (PTX, and the kernels
// compiled for the emulator) is codegen/gpu/KernelEmitter.h.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_GPU_GPUPIPELINE_H
#define NNC_CODEGEN_GPU_GPUPIPELINE_H

#include "codegen/Pipeline.h"

namespace nn {

struct GPUPipelineOptions {
  int64_t batch = 1;       // the size of the batch dimension `?`
  int64_t blockSize = 256; // threads per block of the elementwise kernels
};

/// The stages from the nn dialect as parsed to the LLVM dialect, in order:
/// the graph stages, then gpu, kernels, nvvm and mlir-llvm.
std::vector<PipelineStage> buildGPUPipeline(const GPUPipelineOptions &options);

/// Registers `nn-gpu-pipeline` (all stages) for nn-opt.
void registerGPUPipeline();

/// What the graph stages need to know of GPU ops when they see them again
/// (IR printed after the gpu stage, read back): a gpu.launch_func reads and
/// writes the buffers it is given, a gpu.barrier orders all memory.
void registerGPUExternalModels(mlir::DialectRegistry &registry);

} // namespace nn

#endif // NNC_CODEGEN_GPU_GPUPIPELINE_H
