//===- CPUPipeline.h - from the nn dialect to the LLVM dialect --*- C++ -*-===//
//
// The CPU code generation pipeline as a list of named stages. `nnc` runs them
// one by one (so `--emit=` can stop after any and `--dump-dir` can write each),
// and nn-opt registers the whole list as `nn-cpu-pipeline`.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_CPU_CPUPIPELINE_H
#define NNC_CODEGEN_CPU_CPUPIPELINE_H

#include "codegen/Pipeline.h"

namespace nn {

struct CPUPipelineOptions {
  int64_t batch = 1; // the size of the batch dimension `?`
  std::string cpu;   // LLVM's name of the CPU to build for ("": the host)
};

/// The stages from the nn dialect as parsed to the LLVM dialect, in order:
/// the graph stages (codegen/Pipeline.h), then loops and mlir-llvm.
std::vector<PipelineStage> buildCPUPipeline(const CPUPipelineOptions &options);

/// Registers `nn-cpu-pipeline` (all stages) for nn-opt.
void registerCPUPipeline();

} // namespace nn

#endif // NNC_CODEGEN_CPU_CPUPIPELINE_H
