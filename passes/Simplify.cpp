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
// What was simplified stays visible: log_softmax's location says what it
// replaced (ir/Provenance.h), a folded constant carries `nn.folded = "1 - 0.9
// = 0.1"`, and --emit=grad prints both as comments.
//
//===----------------------------------------------------------------------===//

#include "ir/NNAttributes.h"
#include "ir/NNDialect.h"
#include "ir/Provenance.h"
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/Format.h"

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

/// ", in grad of neg loss (model.nn:14:8)": where a folded op came from,
/// when a pass made it.
std::string origin(Operation *op) {
  std::string from = nn::provenanceOf(op->getLoc()).from;
  return from.empty() ? "" : ", in " + from;
}

struct LogOfSoftmax : OpRewritePattern<nn::LogOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::LogOp log, PatternRewriter &rewriter) const override {
    auto softmax = log.getX().getDefiningOp<nn::SoftmaxOp>();
    if (!softmax)
      return failure();
    Location loc = nn::simplifiedLocation(
        getContext(), {log.getLoc(), softmax.getLoc()},
        "log(softmax(x)) became log_softmax(x) = x - logsumexp(x): finite where softmax "
        "underflows to 0");
    rewriter.replaceOpWithNewOp<nn::LogSoftmaxOp>(log, softmax.getX()).getOperation()->setLoc(loc);
    return success();
  }
};

/// (1) and (2) for one binary op, with `apply` its arithmetic.
template <typename OpTy> struct FoldBinary : OpRewritePattern<OpTy> {
  FoldBinary(MLIRContext *ctx, const char *symbol, float (*apply)(float, float),
             std::optional<float> rightUnit, std::optional<float> leftUnit)
      : OpRewritePattern<OpTy>(ctx), symbol(symbol), apply(apply), rightUnit(rightUnit),
        leftUnit(leftUnit) {}

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    std::optional<float> a = splatValue(op.getLhs()), b = splatValue(op.getRhs());
    if (a && b) {
      float value = apply(*a, *b);
      std::string note, from = origin(op); // before op is replaced
      llvm::raw_string_ostream(note) << llvm::format("%g %s %g = %g", *a, symbol, *b, value);
      auto folded =
          rewriter.replaceOpWithNewOp<nn::ConstantOp>(op, DenseElementsAttr::get(type, value));
      nn::setFolded(folded, note + from);
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
  const char *symbol;
  float (*apply)(float, float);
  std::optional<float> rightUnit, leftUnit;
};

/// -c for a scalar constant c (autodiff's seed of `loss = -...` is -1).
struct FoldNegation : OpRewritePattern<nn::NegOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::NegOp neg, PatternRewriter &rewriter) const override {
    std::optional<float> c = splatValue(neg.getX());
    if (!c)
      return failure();
    std::string note, from = origin(neg); // before neg is replaced
    llvm::raw_string_ostream(note) << llvm::format("-(%g) = %g", *c, -*c);
    auto folded = rewriter.replaceOpWithNewOp<nn::ConstantOp>(
        neg, DenseElementsAttr::get(cast<RankedTensorType>(neg.getType()), -*c));
    nn::setFolded(folded, note + from);
    return success();
  }
};

struct Simplify : nn::impl::NNSimplifyPassBase<Simplify> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<LogOfSoftmax, FoldNegation>(ctx);
    patterns.add<FoldBinary<nn::AddOp>>(
        ctx, "+", [](float a, float b) { return a + b; }, 0.0f, 0.0f);
    patterns.add<FoldBinary<nn::SubOp>>(
        ctx, "-", [](float a, float b) { return a - b; }, 0.0f, std::nullopt);
    patterns.add<FoldBinary<nn::MulOp>>(
        ctx, "*", [](float a, float b) { return a * b; }, 1.0f, 1.0f);
    patterns.add<FoldBinary<nn::DivOp>>(
        ctx, "/", [](float a, float b) { return a / b; }, 1.0f, std::nullopt);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
