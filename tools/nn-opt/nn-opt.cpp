//===- nn-opt.cpp - MLIR's opt driver with nnc's dialect and passes -------===//
//
// For lit tests and for learners: runs any pass of nnc or of upstream MLIR on
// a .mlir file, e.g.
//
//   nn-opt model.mlir --nn-specialize-batch=batch=100 --convert-nn-to-linalg
//   nn-opt model.mlir --nn-cpu-pipeline=batch=1
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CPUPipeline.h"
#include "codegen/cpu/Passes.h"
#include "codegen/gpu/GPUPipeline.h"
#include "codegen/gpu/Passes.h"
#include "ir/NNDialect.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<nn::NNDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  nn::registerGPUExternalModels(registry);
  mlir::registerAllPasses();
  nn::registerNNPasses();
  nn::registerNNCPUPasses();
  nn::registerCPUPipeline();
  nn::registerNNGPUPasses();
  nn::registerGPUPipeline();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "nn-opt: nnc's passes and MLIR's\n", registry));
}
