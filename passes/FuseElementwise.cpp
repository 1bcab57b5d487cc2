//===- FuseElementwise.cpp - elementwise fusion that keeps matmuls whole --===//
//
// nn-fuse-elementwise: upstream's elementwise fusion of linalg on tensors
// (a producer `linalg.generic` whose every loop is parallel is inlined into
// its consumer, so `relu(matmul + b)` makes one loop nest after the matmul
// instead of two with a temporary between), and the propagation of
// tensor.expand_shape / collapse_shape through generics that makes more of
// them fusable.
//
// One difference from `linalg-fuse-elementwise-ops`: a named op, the matmul
// above all, is never rewritten. Upstream's reshape propagation would turn
// `collapse_shape(im2col patches)` feeding a `linalg.matmul` into a 9-loop
// generic (a direct convolution), which the matmul micro-kernel cannot take
// and which runs some fifty times slower as scalar loops.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nn {
#define GEN_PASS_DEF_NNFUSEELEMENTWISEPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// A linalg op other than linalg.generic: matmul, fill, transpose, ...
bool isNamedLinalgOp(Operation *op) {
  return op && isa<linalg::LinalgOp>(op) && !isa<linalg::GenericOp>(op);
}

struct FuseElementwise : nn::impl::NNFuseElementwisePassBase<FuseElementwise> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Fuse when the producer has one use (no work is duplicated) and
    // neither side is a named op.
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      Operation *consumer = fused->getOwner();
      return producer && producer->hasOneUse() && !isNamedLinalgOp(producer) &&
             !isNamedLinalgOp(consumer);
    };
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    // What upstream's pass also folds away between fusions.
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
