//===- ConvertNNToLinalg.cpp - nn compute ops to linalg on tensors --------===//
//
// convert-nn-to-linalg: one rewrite per nn op, into linalg on tensors. Named
// linalg ops where they exist (matmul, transpose, fill), `linalg.generic`
// otherwise; reshapes, concatenation and slices become tensor ops. The
// rewrites live in passes/NNToLinalg/, one file per family of ops
// (Patterns.h), with the builders they share in Builders.h (which also
// explains how a linalg.generic reads). This file is the pass: static shapes
// in, every compute op converted, variables left for nn-state-to-globals.
//
//===----------------------------------------------------------------------===//

#include "ir/NNDialect.h"
#include "passes/NNToLinalg/Patterns.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace nn {
#define GEN_PASS_DEF_CONVERTNNTOLINALGPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

struct ConvertNNToLinalg : nn::impl::ConvertNNToLinalgPassBase<ConvertNNToLinalg> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Shapes must be static: linalg ops here are built from the sizes.
    WalkResult dynamic = getOperation().walk([](Operation *op) {
      for (Type t : op->getResultTypes())
        if (auto tensor = dyn_cast<RankedTensorType>(t); tensor && !tensor.hasStaticShape()) {
          op->emitError("convert-nn-to-linalg needs static shapes; run "
                        "nn-specialize-batch first");
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    if (dynamic.wasInterrupted())
      return signalPassFailure();

    // Dropout reads the runtime's (seed, step): declare it once.
    nn::declareDropoutKey(getOperation());

    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect, math::MathDialect,
                           tensor::TensorDialect, func::FuncDialect, memref::MemRefDialect>();
    target.addIllegalDialect<nn::NNDialect>();
    // State stays for nn-state-to-globals, records for nn-build-program-table.
    target.addLegalOp<nn::VariableOp, nn::ReadOp, nn::AssignOp, nn::ExportTensorOp,
                      nn::ExportFunctionOp>();

    // One family of ops after the other (passes/NNToLinalg/).
    RewritePatternSet patterns(ctx);
    nn::populateElementwiseLoweringPatterns(patterns);
    nn::populateLinearAlgebraLoweringPatterns(patterns);
    nn::populateReductionLoweringPatterns(patterns);
    nn::populateConvolutionLoweringPatterns(patterns);
    nn::populatePoolingLoweringPatterns(patterns);
    nn::populateDropoutLoweringPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
