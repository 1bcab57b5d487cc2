//===- Pipeline.h - a target's pipeline as a list of named stages -*- C++ -*-===//
//
// Every target's code generation is a list of stages, each a flat list of
// passes with a name and one line for learners. `nnc` runs them one by one
// (so that `--emit=` can stop after any and `--dump-dir` can write each), and
// nn-opt registers each target's list whole (`nn-cpu-pipeline`,
// `nn-gpu-pipeline`). The first stages are the same for every target: the
// graph of one program, its gradients, linalg, fusion and buffers.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_PIPELINE_H
#define NNC_CODEGEN_PIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <functional>
#include <string>
#include <vector>

namespace nn {

struct PipelineStage {
  std::string name;        // "linalg", ... (--emit= and the file names of --dump-dir)
  std::string description; // one line for learners
  std::function<void(mlir::OpPassManager &)> addPasses;
};

/// The stages every target starts with, in order: specialized, grad,
/// linalg, fused, bufferized (after which every buffer has its place in the
/// static memory plan). `targetTensorPasses`, when given, adds a target's
/// own passes on tensors at the end of the fused stage, before buffers are
/// placed (the CPU's direct convolutions).
std::vector<PipelineStage>
buildGraphStages(int64_t batch,
                 std::function<void(mlir::OpPassManager &)> targetTensorPasses = nullptr);

/// The passes from the LLVM dialect's point of view that host code needs on
/// every target: strided metadata, affine, SCF, math, vector, arith,
/// memrefs, functions and branches to the LLVM dialect.
void addHostLoweringToLLVM(mlir::OpPassManager &pm);

} // namespace nn

#endif // NNC_CODEGEN_PIPELINE_H
