//===- Reductions.cpp - reductions, softmax and the losses to linalg ------===//
//
// A reduction is a linalg.generic whose reduced loops are `reduction`
// iterators and whose output map drops them (Builders.h); it starts from a
// linalg.fill of 0 (sums) or -inf (maxima). Softmax and the losses are a few
// such generics in a row, in their numerically stable forms; the fusion
// stage puts them back together where it pays.
//
//===----------------------------------------------------------------------===//

#include "passes/NNToLinalg/Builders.h"
#include "passes/NNToLinalg/Patterns.h"

#include <limits>

using namespace mlir;
using namespace nn::lowering;

namespace {

enum class ReduceKind { Sum, Mean, Max };

template <typename OpTy, ReduceKind kind> struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<int64_t> axes = op.getReducedAxes();
    Value init = constantFloat(
        rewriter, loc, kind == ReduceKind::Max ? -std::numeric_limits<double>::infinity() : 0.0);
    Value result = buildReduction(rewriter, loc, adaptor.getX(), axes, init,
                                  [](OpBuilder &b, Location l, ValueRange in, Value acc) -> Value {
                                    if (kind == ReduceKind::Max)
                                      return b.create<arith::MaximumFOp>(l, acc, in[0]);
                                    return b.create<arith::AddFOp>(l, acc, in[0]);
                                  });
    if (kind == ReduceKind::Mean) {
      // mean = sum * (1 / count), count = product of the reduced sizes.
      int64_t count = 1;
      for (int64_t a : axes)
        count *= op.getX().getType().getDimSize(a);
      Value scale = constantFloat(rewriter, loc, 1.0 / (double)count);
      result = buildElementwise(rewriter, loc, tensorTypeOf(result), result,
                                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                  return b.create<arith::MulFOp>(l, a[0], scale);
                                });
    }
    rewriter.replaceOp(op, expandToType(rewriter, loc, result, op.getType()));
    return success();
  }
};

/// argmax: a reduction that carries (best value, its index); the strict `>`
/// keeps the first index among equal values, as TensorFlow does.
struct ArgmaxLowering : OpConversionPattern<nn::ArgmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::ArgmaxOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getX();
    unsigned rank = tensorTypeOf(x).getRank();
    int64_t axis = op.getAxis();
    RankedTensorType indexType = op.getType();
    auto valueType = indexType.clone(rewriter.getF32Type());
    Value bestValue =
        filledTensor(rewriter, loc, valueType,
                     constantFloat(rewriter, loc, -std::numeric_limits<double>::infinity()));
    Value bestIndex =
        filledTensor(rewriter, loc, indexType,
                     rewriter.create<arith::ConstantOp>(loc, rewriter.getI64IntegerAttr(0)));
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    AffineMap outMap = droppingMap(ctx, rank, {axis});
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{valueType, indexType}, ValueRange{x}, ValueRange{bestValue, bestIndex},
        ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx), outMap, outMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value here =
              b.create<arith::IndexCastOp>(l, b.getI64Type(), b.create<linalg::IndexOp>(l, axis));
          // The first element always wins (the start value is -inf, and a NaN
          // or -inf first element must still give index 0 a value).
          Value better = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, args[0], args[1]);
          Value newValue = b.create<arith::SelectOp>(l, better, args[0], args[1]);
          Value newIndex = b.create<arith::SelectOp>(l, better, here, args[2]);
          b.create<linalg::YieldOp>(l, ValueRange{newValue, newIndex});
        });
    rewriter.replaceOp(op, generic.getResult(1));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Softmax and the losses
//===----------------------------------------------------------------------===//

/// Over the last axis of `x`: m = max(x) and lse = m + log(sum(e^(x - m))).
/// Subtracting the maximum keeps every e^ at most 1, so nothing overflows.
std::pair<Value, Value> buildMaxAndLogSumExp(OpBuilder &b, Location loc, Value x) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = tensorTypeOf(x).getRank();
  int64_t last = rank - 1;
  Value max = buildReduction(b, loc, x, {last},
                             constantFloat(b, loc, -std::numeric_limits<double>::infinity()),
                             [](OpBuilder &nb, Location l, ValueRange in, Value acc) -> Value {
                               return nb.create<arith::MaximumFOp>(l, acc, in[0]);
                             });
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap rowMap = droppingMap(ctx, rank, {last});
  Value sum = buildReduction(b, loc, ValueRange{x, max}, {last}, constantFloat(b, loc, 0.0),
                             [](OpBuilder &nb, Location l, ValueRange in, Value acc) -> Value {
                               Value e = nb.create<math::ExpOp>(
                                   l, nb.create<arith::SubFOp>(l, in[0], in[1]));
                               return nb.create<arith::AddFOp>(l, acc, e);
                             },
                             {identity, rowMap});
  Value lse =
      buildElementwise(b, loc, tensorTypeOf(max), ValueRange{max, sum},
                       [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                         return nb.create<arith::AddFOp>(l, a[0], nb.create<math::LogOp>(l, a[1]));
                       });
  return {max, lse};
}

/// softmax(x) = e^(x - lse(x)) and log_softmax(x) = x - lse(x), over the
/// last axis: one generic reading x and the row's lse.
template <typename OpTy, bool exponentiate> struct LogSumExpLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto type = cast<RankedTensorType>(op.getType());
    unsigned rank = type.getRank();
    MLIRContext *ctx = rewriter.getContext();
    Value lse = buildMaxAndLogSumExp(rewriter, loc, x).second;
    Value result = buildMap(
        rewriter, loc, type, ValueRange{x, lse},
        {AffineMap::getMultiDimIdentityMap(rank, ctx), droppingMap(ctx, rank, {(int64_t)rank - 1})},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value shifted = b.create<arith::SubFOp>(l, a[0], a[1]);
          return exponentiate ? (Value)b.create<math::ExpOp>(l, shifted) : shifted;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
using SoftmaxLowering = LogSumExpLowering<nn::SoftmaxOp, true>;
using LogSoftmaxLowering = LogSumExpLowering<nn::LogSoftmaxOp, false>;

/// Sums `term(elements...)` over every element of same-shaped inputs into a
/// scalar tensor; `extraMaps` reads further inputs of other shapes.
Value buildTotal(OpBuilder &b, Location loc, ValueRange inputs, ArrayRef<AffineMap> maps,
                 BodyFn term) {
  unsigned rank = tensorTypeOf(inputs.front()).getRank();
  return buildReduction(
      b, loc, inputs, llvm::to_vector(llvm::seq<int64_t>(0, rank)), constantFloat(b, loc, 0.0),
      [&](OpBuilder &nb, Location l, ValueRange in, Value acc) -> Value {
        return nb.create<arith::AddFOp>(l, acc, term(nb, l, in));
      },
      maps);
}

/// softmax_cross_entropy(l, t) = sum_b sum_c t[b,c] * (lse(l[b,:]) - l[b,c]),
/// which is -sum t * log(softmax(l)) without ever taking the log of a 0.
struct SoftmaxCrossEntropyLowering : OpConversionPattern<nn::SoftmaxCrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::SoftmaxCrossEntropyOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value logits = adaptor.getLhs(), labels = adaptor.getRhs();
    unsigned rank = tensorTypeOf(logits).getRank();
    Value lse = buildMaxAndLogSumExp(rewriter, loc, logits).second;
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    Value total = buildTotal(rewriter, loc, ValueRange{logits, labels, lse},
                             {identity, identity, droppingMap(ctx, rank, {(int64_t)rank - 1})},
                             [](OpBuilder &b, Location l, ValueRange a) -> Value {
                               return b.create<arith::MulFOp>(
                                   l, a[1], b.create<arith::SubFOp>(l, a[2], a[0]));
                             });
    rewriter.replaceOp(op, total);
    return success();
  }
};

/// sigmoid_cross_entropy(x, z) = sum max(x, 0) - x*z + log(1 + e^-|x|):
/// TensorFlow's stable form of -z*log(sigmoid(x)) - (1-z)*log(1-sigmoid(x)).
struct SigmoidCrossEntropyLowering : OpConversionPattern<nn::SigmoidCrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::SigmoidCrossEntropyOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    unsigned rank = op.getLhs().getType().getRank();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    Value total =
        buildTotal(rewriter, loc, ValueRange{adaptor.getLhs(), adaptor.getRhs()},
                   {identity, identity}, [](OpBuilder &b, Location l, ValueRange a) -> Value {
                     Value x = a[0], z = a[1];
                     Value zero = constantFloat(b, l, 0.0);
                     Value relu = b.create<arith::MaximumFOp>(l, x, zero);
                     Value xz = b.create<arith::MulFOp>(l, x, z);
                     Value negAbs = b.create<arith::NegFOp>(l, b.create<math::AbsFOp>(l, x));
                     Value softplus = b.create<math::Log1pOp>(l, b.create<math::ExpOp>(l, negAbs));
                     return addf(b, l, b.create<arith::SubFOp>(l, relu, xz), softplus);
                   });
    rewriter.replaceOp(op, total);
    return success();
  }
};

/// mean_squared_error(p, t) = sum((p - t)^2) / count.
struct MeanSquaredErrorLowering : OpConversionPattern<nn::MeanSquaredErrorOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::MeanSquaredErrorOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getLhs().getType();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(type.getRank(), ctx);
    Value total =
        buildTotal(rewriter, loc, ValueRange{adaptor.getLhs(), adaptor.getRhs()},
                   {identity, identity}, [](OpBuilder &b, Location l, ValueRange a) -> Value {
                     Value d = b.create<arith::SubFOp>(l, a[0], a[1]);
                     return b.create<arith::MulFOp>(l, d, d);
                   });
    Value scale = constantFloat(rewriter, loc, 1.0 / (double)type.getNumElements());
    Value mean = buildElementwise(rewriter, loc, op.getType(), total,
                                  [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                    return b.create<arith::MulFOp>(l, a[0], scale);
                                  });
    rewriter.replaceOp(op, mean);
    return success();
  }
};

} // namespace

void nn::populateReductionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<nn::ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<nn::ReduceMeanOp, ReduceKind::Mean>,
               ReduceLowering<nn::ReduceMaxOp, ReduceKind::Max>, ArgmaxLowering, SoftmaxLowering,
               LogSoftmaxLowering, SoftmaxCrossEntropyLowering, SigmoidCrossEntropyLowering,
               MeanSquaredErrorLowering>(patterns.getContext());
}
