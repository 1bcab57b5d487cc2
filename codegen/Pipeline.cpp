//===- Pipeline.cpp - the stages every target starts with -----------------===//
//
// The graph of one program, its gradients and optimizer, linalg on tensors,
// fusion, and buffers in one static arena: nothing here knows the target.
// codegen/cpu/CPUPipeline.cpp and codegen/gpu/GPUPipeline.cpp continue from
// the bufferized stage.
//
//===----------------------------------------------------------------------===//

#include "codegen/Pipeline.h"
#include "passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace nn {

std::vector<PipelineStage>
buildGraphStages(int64_t batch, std::function<void(OpPassManager &)> targetTensorPasses) {
  std::vector<PipelineStage> stages;
  stages.push_back(
      {"specialized", "the batch dimension fixed; constants folded", [batch](OpPassManager &pm) {
         NNSpecializeBatchPassOptions specialize;
         specialize.batch = batch;
         pm.addPass(createNNSpecializeBatchPass(specialize)); // ? -> batch, re-infer shapes
         pm.addPass(createCanonicalizerPass());               // fold constants
         pm.addPass(createCSEPass());                         // one copy of equal ops
       }});

  stages.push_back(
      {"grad", "gradients and optimizer updates (train programs)", [](OpPassManager &pm) {
         pm.addPass(createNNSimplifyPass());  // log(softmax) -> log_softmax, folds
         pm.addPass(createNNAutodiffPass());  // dL/dw for every variable, as nn ops
         pm.addPass(createNNOptimizerPass()); // w -= ... with the optimizer's state
         pm.addPass(createNNSimplifyPass());  // fold the constants of the updates
         pm.addPass(createCSEPass());
       }});

  stages.push_back(
      {"linalg", "linalg on tensors, state in memref.globals", [](OpPassManager &pm) {
         pm.addPass(createConvertNNToLinalgPass()); // nn ops -> linalg / tensor / arith
         pm.addPass(createNNStateToGlobalsPass());  // variables, inputs, outputs -> globals
         pm.addPass(createCanonicalizerPass());
         pm.addPass(createCSEPass());
       }});

  stages.push_back({"fused", "elementwise producers fused into consumers",
                    [targetTensorPasses](OpPassManager &pm) {
                      pm.addPass(createNNFuseElementwisePass()); // a + b then relu: one loop nest
                      if (targetTensorPasses)
                        targetTensorPasses(pm);
                      pm.addPass(createCanonicalizerPass());
                      pm.addPass(createCSEPass());
                    }});

  stages.push_back(
      {"bufferized", "tensors become buffers, placed in one arena", [](OpPassManager &pm) {
         bufferization::OneShotBufferizationOptions bufferize;
         bufferize.bufferizeFunctionBoundaries = true;
         bufferize.setFunctionBoundaryTypeConversion(
             bufferization::LayoutMapOption::IdentityLayoutMap);
         pm.addPass(bufferization::createOneShotBufferizePass(bufferize)); // tensor -> memref
         pm.addPass(createNNOrderConstantsPass());          // the same names every run
         pm.addPass(createNNUpdateInPlacePass());           // no copies around variable updates
         pm.addPass(createNNFuseAdjacentElementwisePass()); // Adam's m, v, w: one loop
         pm.addPass(createNNPlanMemoryPass());              // temporaries -> views of one arena
         bufferization::BufferDeallocationPipelineOptions dealloc;
         bufferization::buildBufferDeallocationPipeline(pm, dealloc); // free temporaries
         pm.addPass(createCanonicalizerPass());
       }});

  return stages;
}

void addHostLoweringToLLVM(OpPassManager &pm) {
  pm.addPass(memref::createExpandStridedMetadataPass()); // subviews -> offsets/strides
  pm.addPass(createLowerAffinePass());                   // affine.apply -> arith
  pm.addPass(createConvertSCFToCFPass());                // loops -> branches
  pm.addPass(createConvertMathToLLVMPass());             // exp, log, sqrt -> intrinsics
  pm.addPass(createConvertMathToLibmPass());             // tanh, ... -> libm calls
  pm.addPass(createConvertVectorToLLVMPass());           // vector ops -> LLVM vectors
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass()); // memrefs -> pointers
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

} // namespace nn
