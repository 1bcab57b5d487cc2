//===- CPUPipeline.cpp - from the nn dialect to the LLVM dialect ----------===//
//
// The stages of CPU code generation. Each stage is a flat list of passes, one
// comment a line; `nnc --dump-dir DIR` writes the IR after every stage and
// `nnc --emit=linalg` / `--emit=llvm` stop after the named one.
//
//   specialized  the graph of one program: batch fixed, constants folded
//   grad         train programs: gradients (nn-autodiff), updates (nn-optimizer)
//   linalg       linalg on tensors; variables and buffers as memref.globals
//   fused        elementwise producers fused into their consumers
//   bufferized   tensors replaced by buffers (memrefs); variables updated in
//                place; temporaries planned into one static arena
//   loops        matmuls as vector micro-kernels, large loops split for the
//                runtime's threads, other linalg ops as scf.for loops
//   mlir-llvm    the LLVM dialect, with the program table the runtime reads:
//                a complete program, ready to translate to LLVM IR
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CPUPipeline.h"
#include "codegen/cpu/Passes.h"
#include "passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace nn {

std::vector<PipelineStage> buildCPUPipeline(const CPUPipelineOptions &options) {
  // Convolutions read their images in place instead of through im2col's
  // patch matrix (decided on tensors, so the plan never holds the patches).
  std::vector<PipelineStage> stages = buildGraphStages(options.batch, [](OpPassManager &pm) {
    pm.addPass(createNNDirectConvolutionsPass());
  });

  // The micro-kernel's register tile is chosen for the CPU built for
  // (codegen/cpu/CPUTarget.h): 8 x 32 with AVX-512, 6 x 16 with AVX2.
  NNMatmulMicrokernelPassOptions tiles;
  tiles.cpu = options.cpu;
  stages.push_back({"loops", "matmul micro-kernels, loops for the threads, scf.for loops",
                    [tiles](OpPassManager &pm) {
    pm.addPass(createNNExpandStridedCopiesPass());                 // strided copies -> linalg.copy
    pm.addPass(createNNMatmulMicrokernelPass(tiles));              // matmul: blocked vector FMAs
    pm.addPass(createNNFlattenElementwisePass());                  // narrow elementwise: one loop
    pm.addPass(createNNParallelizeLoopsPass());                    // large ops: split by threads
    pm.addPass(createNNOutlineParallelLoopsPass());                // scf.parallel -> thread pool
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass()); // linalg -> scf.for
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createNNOutlineLoopNestsPass()); // one function per nest: compile time
    pm.addPass(createNNUnrollSmallLoopsPass()); // 2x2, 5x5 windows written out
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createNNShareKernelsPass());     // one kernel per shape: compile time
  }});

  stages.push_back({"mlir-llvm", "the LLVM dialect, with the program table",
                    [](OpPassManager &pm) {
    addHostLoweringToLLVM(pm);                   // host code -> the LLVM dialect
    pm.addPass(createNNBuildProgramTablePass()); // nnrt_program_table and main()
  }});
  return stages;
}

namespace {
struct CPUPipelineCLOptions : public PassPipelineOptions<CPUPipelineCLOptions> {
  Option<int64_t> batch{*this, "batch", llvm::cl::desc("the batch size"), llvm::cl::init(1)};
  Option<std::string> cpu{*this, "cpu",
                          llvm::cl::desc("LLVM's name of the CPU to build for (default: the host)"),
                          llvm::cl::init("")};
};
} // namespace

void registerCPUPipeline() {
  PassPipelineRegistration<CPUPipelineCLOptions>(
      "nn-cpu-pipeline", "The whole CPU pipeline of nnc, from the nn dialect to the LLVM dialect",
      [](OpPassManager &pm, const CPUPipelineCLOptions &cl) {
        CPUPipelineOptions options;
        options.batch = cl.batch;
        options.cpu = cl.cpu;
        for (PipelineStage &stage : buildCPUPipeline(options))
          stage.addPasses(pm);
      });
}

} // namespace nn
