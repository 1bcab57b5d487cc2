//===- Simplify.cpp - fold what is obvious in the nn graph ----------------===//
//
// nn-simplify: a few rewrite patterns, applied greedily, then CSE.
//
//  1. log(softmax(x)) -> log_softmax(x). Course code writes
//     `-reduce_sum(t * log(softmax(f)))`; computed literally, a softmax that
//     underflows to 0 gives log(0) = -inf and its gradient divides by 0.
//     log_softmax is x - lse(x): finite, and its gradient with respect to f
//     is p - t for one-hot labels, the textbook result.
//  2. Arithmetic on two scalar constants becomes a constant (float32, as the
//     program would compute it).
//  3. Multiplying or dividing by 1 and adding or subtracting 0 are removed
//     where they do not broadcast.
//
//===----------------------------------------------------------------------===//

#include "ir/NNDialect.h"
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

namespace nn {
#define GEN_PASS_DEF_NNSIMPLIFYPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// The value of a splat f32 constant, if `v` is one.
std::optional<float> splatValue(Value v) {
  auto c = v.getDefiningOp<nn::ConstantOp>();
  if (!c)
    return std::nullopt;
  auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
  if (!dense || !dense.isSplat() || !dense.getElementType().isF32())
    return std::nullopt;
  return dense.getSplatValue<float>();
}

struct LogOfSoftmax : OpRewritePattern<nn::LogOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::LogOp log, PatternRewriter &rewriter) const override {
    auto softmax = log.getX().getDefiningOp<nn::SoftmaxOp>();
    if (!softmax)
      return failure();
    rewriter.replaceOpWithNewOp<nn::LogSoftmaxOp>(log, softmax.getX());
    return success();
  }
};

/// (1) and (2) for one binary op, with `apply` its arithmetic.
template <typename OpTy>
struct FoldBinary : OpRewritePattern<OpTy> {
  FoldBinary(MLIRContext *ctx, float (*apply)(float, float), std::optional<float> rightUnit,
             std::optional<float> leftUnit)
      : OpRewritePattern<OpTy>(ctx), apply(apply), rightUnit(rightUnit), leftUnit(leftUnit) {}

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    std::optional<float> a = splatValue(op.getLhs()), b = splatValue(op.getRhs());
    if (a && b) {
      rewriter.replaceOpWithNewOp<nn::ConstantOp>(
          op, DenseElementsAttr::get(type, apply(*a, *b)));
      return success();
    }
    if (rightUnit && b == rightUnit && op.getLhs().getType() == type) {
      rewriter.replaceOp(op, op.getLhs());
      return success();
    }
    if (leftUnit && a == leftUnit && op.getRhs().getType() == type) {
      rewriter.replaceOp(op, op.getRhs());
      return success();
    }
    return failure();
  }
  float (*apply)(float, float);
  std::optional<float> rightUnit, leftUnit;
};

struct Simplify : nn::impl::NNSimplifyPassBase<Simplify> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<LogOfSoftmax>(ctx);
    patterns.add<FoldBinary<nn::AddOp>>(ctx, [](float a, float b) { return a + b; }, 0.0f, 0.0f);
    patterns.add<FoldBinary<nn::SubOp>>(ctx, [](float a, float b) { return a - b; }, 0.0f,
                                        std::nullopt);
    patterns.add<FoldBinary<nn::MulOp>>(ctx, [](float a, float b) { return a * b; }, 1.0f, 1.0f);
    patterns.add<FoldBinary<nn::DivOp>>(ctx, [](float a, float b) { return a / b; }, 1.0f,
                                        std::nullopt);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
