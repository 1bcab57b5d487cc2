//===- Pooling.cpp - max_pool, avg_pool and their gradients to linalg -----===//
//
// Pooling is a reduction over windows (a linalg.generic with two reduction
// loops for the window), and its gradient a gather: each input element sums
// the gradients of the windows it belongs to. Windows follow TensorFlow's
// padding (Window in Builders.h); padding is never part of a window.
//
//===----------------------------------------------------------------------===//

#include "passes/NNToLinalg/Builders.h"
#include "passes/NNToLinalg/Patterns.h"

#include <limits>

using namespace mlir;
using namespace nn::lowering;

namespace {

/// The number of image elements in the window at output position (i, j):
/// (min(i*sy - top + ky, H) - max(i*sy - top, 0)) times the same for columns.
Value windowCount(OpBuilder &b, Location loc, const Window &p, Value i, Value j) {
  auto extent = [&](Value o, int64_t s, int64_t pad, int64_t k, int64_t size) {
    Value start = b.create<arith::SubIOp>(
        loc, b.create<arith::MulIOp>(loc, o, indexConst(b, loc, s)), indexConst(b, loc, pad));
    Value end = b.create<arith::MinSIOp>(
        loc, b.create<arith::AddIOp>(loc, start, indexConst(b, loc, k)), indexConst(b, loc, size));
    return b.create<arith::SubIOp>(loc, end,
                                   b.create<arith::MaxSIOp>(loc, start, indexConst(b, loc, 0)));
  };
  Value n = b.create<arith::MulIOp>(loc, extent(i, p.sy, p.top, p.ky, p.H),
                                    extent(j, p.sx, p.left, p.kx, p.W));
  return b.create<arith::SIToFPOp>(loc, b.getF32Type(),
                                   b.create<arith::IndexCastOp>(loc, b.getI64Type(), n));
}

/// A reduction over every window: loops (n, i, j | a, b | c) reading the
/// padded image at (n, i*sy + a, j*sx + b, c); `window` gives the loops a, b
/// their extent. The channel loop is innermost so that the loops become
/// contiguous vector loads and stores along c (with c outside the window
/// loops, LLVM vectorizes across windows with gathers).
linalg::GenericOp windowReduction(OpBuilder &b, Location loc, Value padded, const Window &p,
                                  TypeRange resultTypes, ValueRange inits,
                                  function_ref<void(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  Value window = b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{p.ky, p.kx}, b.getF32Type());
  SmallVector<AffineMap> maps = {
      AffineMap::get(6, 0, {d(0), d(1) * p.sy + d(3), d(2) * p.sx + d(4), d(5)}, ctx),
      AffineMap::get(6, 0, {d(3), d(4)}, ctx)};
  for (size_t k = 0; k < inits.size(); ++k)
    maps.push_back(AffineMap::get(6, 0, {d(0), d(1), d(2), d(5)}, ctx));
  using utils::IteratorType;
  SmallVector<IteratorType> iterators = {IteratorType::parallel,  IteratorType::parallel,
                                         IteratorType::parallel,  IteratorType::reduction,
                                         IteratorType::reduction, IteratorType::parallel};
  return b.create<linalg::GenericOp>(loc, resultTypes, ValueRange{padded, window}, inits, maps,
                                     iterators, body);
}

/// max_pool: the maximum over each window of the image padded with -inf.
/// avg_pool: the sum over each window of the zero-padded image, divided by
/// the window's count of image elements.
template <typename OpTy, bool isMax> struct PoolLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Window p(op.getX().getType(), op.getKsize()[0], op.getKsize()[1], op.getStrides(),
             op.getPadding());
    double fill = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
    Value padded = padImage(rewriter, loc, adaptor.getX(), p, fill);
    auto type = cast<RankedTensorType>(op.getType());
    Value init = filledTensor(rewriter, loc, type, constantFloat(rewriter, loc, fill));
    Value pooled = windowReduction(rewriter, loc, padded, p, type, init,
                                   [](OpBuilder &b, Location l, ValueRange a) {
                                     Value r =
                                         isMax ? (Value)b.create<arith::MaximumFOp>(l, a[2], a[0])
                                               : (Value)b.create<arith::AddFOp>(l, a[2], a[0]);
                                     b.create<linalg::YieldOp>(l, r);
                                   })
                       .getResult(0);
    if (!isMax)
      pooled = buildElementwise(
          rewriter, loc, type, pooled, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value count = windowCount(b, l, p, b.create<linalg::IndexOp>(l, 1),
                                      b.create<linalg::IndexOp>(l, 2));
            return b.create<arith::DivFOp>(l, a[0], count);
          });
    rewriter.replaceOp(op, pooled);
    return success();
  }
};

/// The gradients of pooling as a gather: dx[n, h, v, c] sums, over the window
/// offsets (a, b), the gradient of the window (i, j) = ((h + top - a) / sy,
/// (v + left - b) / sx) when that division is exact and in range, and (max)
/// when (a, b) is that window's first maximum or (avg) divided by its count.
/// `argmax` (max only) holds each window's first maximum as a * kx + b.
Value poolGradient(OpBuilder &b, Location loc, RankedTensorType type, Value g, Value argmax,
                   const Window &p) {
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  Value window = b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{p.ky, p.kx}, b.getF32Type());
  Value init = filledTensor(b, loc, type, constantFloat(b, loc, 0.0));
  SmallVector<AffineMap> maps = {AffineMap::get(6, 0, {d(4), d(5)}, ctx),
                                 AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, ctx)};
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.append(2, utils::IteratorType::reduction);
  auto generic = b.create<linalg::GenericOp>(
      loc, type, ValueRange{window}, init, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        auto idx = [&](int64_t dim) { return nb.create<linalg::IndexOp>(l, dim); };
        Value zero = indexConst(nb, l, 0);
        // The window index along one dimension, and whether it exists.
        auto windowOf = [&](Value pos, Value offset, int64_t pad, int64_t s, int64_t outSize,
                            Value &valid) {
          Value num = nb.create<arith::SubIOp>(
              l, nb.create<arith::AddIOp>(l, pos, indexConst(nb, l, pad)), offset);
          Value nonNegative = nb.create<arith::CmpIOp>(l, arith::CmpIPredicate::sge, num, zero);
          Value safe = nb.create<arith::SelectOp>(l, nonNegative, num, zero);
          Value exact = nb.create<arith::CmpIOp>(
              l, arith::CmpIPredicate::eq, nb.create<arith::RemSIOp>(l, safe, indexConst(nb, l, s)),
              zero);
          Value w = nb.create<arith::DivSIOp>(l, safe, indexConst(nb, l, s));
          Value inRange =
              nb.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, w, indexConst(nb, l, outSize));
          valid =
              nb.create<arith::AndIOp>(l, nonNegative, nb.create<arith::AndIOp>(l, exact, inRange));
          return nb.create<arith::SelectOp>(l, inRange, w, zero);
        };
        Value validI, validJ;
        Value a = idx(4), bb = idx(5);
        Value i = windowOf(idx(1), a, p.top, p.sy, p.OH, validI);
        Value j = windowOf(idx(2), bb, p.left, p.sx, p.OW, validJ);
        Value valid = nb.create<arith::AndIOp>(l, validI, validJ);
        SmallVector<Value> at = {idx(0), i, j, idx(3)};
        Value gv = nb.create<tensor::ExtractOp>(l, g, at);
        if (argmax) {
          Value here = nb.create<arith::AddIOp>(
              l, nb.create<arith::MulIOp>(l, a, indexConst(nb, l, p.kx)), bb);
          Value best = nb.create<arith::IndexCastOp>(l, nb.getIndexType(),
                                                     nb.create<tensor::ExtractOp>(l, argmax, at));
          valid = nb.create<arith::AndIOp>(
              l, valid, nb.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, here, best));
        } else {
          gv = nb.create<arith::DivFOp>(l, gv, windowCount(nb, l, p, i, j));
        }
        Value contribution = nb.create<arith::SelectOp>(l, valid, gv, constantFloat(nb, l, 0.0));
        nb.create<linalg::YieldOp>(l,
                                   ValueRange{nb.create<arith::AddFOp>(l, args[1], contribution)});
      });
  return generic.getResult(0);
}

struct MaxPoolGradLowering : OpConversionPattern<nn::MaxPoolGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::MaxPoolGradOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType xType = op.getX().getType();
    Window p(xType, op.getKsize()[0], op.getKsize()[1], op.getStrides(), op.getPadding());
    double negInf = -std::numeric_limits<double>::infinity();
    Value padded = padImage(rewriter, loc, adaptor.getX(), p, negInf);
    // Each window's first maximum, as a * kx + b (the strict > keeps the first).
    auto pooledType = cast<RankedTensorType>(op.getG().getType());
    auto indexType = pooledType.clone(rewriter.getI64Type());
    Value bestValue = filledTensor(rewriter, loc, pooledType, constantFloat(rewriter, loc, negInf));
    Value bestIndex =
        filledTensor(rewriter, loc, indexType,
                     rewriter.create<arith::ConstantOp>(loc, rewriter.getI64IntegerAttr(0)));
    int64_t kx = p.kx;
    Value argmax =
        windowReduction(
            rewriter, loc, padded, p, TypeRange{pooledType, indexType},
            ValueRange{bestValue, bestIndex},
            [kx](OpBuilder &b, Location l, ValueRange a) {
              Value here = b.create<arith::AddIOp>(
                  l,
                  b.create<arith::MulIOp>(l, b.create<linalg::IndexOp>(l, 3),
                                          b.create<arith::ConstantIndexOp>(l, kx)),
                  b.create<linalg::IndexOp>(l, 4));
              Value better = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[0], a[2]);
              Value value = b.create<arith::SelectOp>(l, better, a[0], a[2]);
              Value index = b.create<arith::SelectOp>(
                  l, better, b.create<arith::IndexCastOp>(l, b.getI64Type(), here), a[3]);
              b.create<linalg::YieldOp>(l, ValueRange{value, index});
            })
            .getResult(1);
    rewriter.replaceOp(op, poolGradient(rewriter, loc, op.getType(), adaptor.getG(), argmax, p));
    return success();
  }
};

struct AvgPoolGradLowering : OpConversionPattern<nn::AvgPoolGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::AvgPoolGradOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Window p(op.getType(), op.getKsize()[0], op.getKsize()[1], op.getStrides(), op.getPadding());
    rewriter.replaceOp(
        op, poolGradient(rewriter, op.getLoc(), op.getType(), adaptor.getG(), Value(), p));
    return success();
  }
};

} // namespace

void nn::populatePoolingLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<PoolLowering<nn::MaxPoolOp, true>, PoolLowering<nn::AvgPoolOp, false>,
               MaxPoolGradLowering, AvgPoolGradLowering>(patterns.getContext());
}
