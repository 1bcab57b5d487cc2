//===- ConvertNNToLinalg.cpp - nn compute ops to linalg on tensors --------===//
//
// convert-nn-to-linalg: one rewrite per nn op. Named linalg ops where they
// exist (matmul, transpose, fill), `linalg.generic` otherwise.
//
// The one idea to take from this file is how `linalg.generic` expresses a
// computation: a loop nest (its iterator types: parallel or reduction), one
// affine map per operand from the loop indices to the element it touches, and
// a body that computes one element. For example `a + b` with a: [100, 10] and
// b: [10] (NumPy broadcasting) is
//
//   loops (i, j), maps a: (i, j) -> (i, j), b: (i, j) -> (j), out: (i, j)
//   body  out = a + b
//
// and `reduce_sum(x, axis=1)` of x: [100, 10] is
//
//   loops (i, j: reduction), maps x: (i, j) -> (i, j), out: (i, j) -> (i)
//   body  out = out + x            (out starts as 0 via linalg.fill)
//
// Composite ops (softmax, the losses) are a few such generics in a row; the
// later fusion stage puts them back together where it pays.
//
//===----------------------------------------------------------------------===//

#include "ir/NNDialect.h"
#include "passes/Passes.h"
#include "support/ProgramABI.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Transforms/DialectConversion.h"

namespace nn {
#define GEN_PASS_DEF_CONVERTNNTOLINALGPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

RankedTensorType tensorTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

Value constantFloat(OpBuilder &b, Location loc, double value) {
  return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(value));
}

/// An uninitialised tensor of `type`, the destination of a linalg op.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
}

/// A tensor of `type` filled with `value`: the start of a reduction.
Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value value) {
  return b.create<linalg::FillOp>(loc, value, emptyTensor(b, loc, type))
      .getResult(0);
}

/// The map that reads an operand of shape `operand` inside a loop nest over
/// the broadcast shape `result` (NumPy: aligned on the right; a dimension of
/// size 1 against a larger one always reads index 0).
AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operand,
                       ArrayRef<int64_t> result) {
  SmallVector<AffineExpr> exprs;
  int64_t offset = result.size() - operand.size();
  for (auto [i, size] : llvm::enumerate(operand)) {
    int64_t loop = offset + i;
    if (size == 1 && result[loop] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(loop, ctx));
  }
  return AffineMap::get(result.size(), 0, exprs, ctx);
}

/// The map that reads a tensor that lacks the `dropped` loop dimensions (a
/// reduction's result, used again over the full loop nest).
AffineMap droppingMap(MLIRContext *ctx, unsigned rank,
                      ArrayRef<int64_t> dropped) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < rank; ++d)
    if (!llvm::is_contained(dropped, d))
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// A parallel linalg.generic over `resultType`: element `i` of the result is
/// `body(input_0[map_0(i)], input_1[map_1(i)], ...)`.
Value buildMap(OpBuilder &b, Location loc, RankedTensorType resultType,
               ValueRange inputs, ArrayRef<AffineMap> inputMaps, BodyFn body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  (void)ctx;
  auto generic = b.create<linalg::GenericOp>(
      loc, resultType, inputs, emptyTensor(b, loc, resultType), maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

/// Elementwise op with NumPy broadcasting of its inputs to `resultType`.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, BodyFn body) {
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastMap(b.getContext(), tensorTypeOf(in).getShape(),
                                resultType.getShape()));
  return buildMap(b, loc, resultType, inputs, maps, body);
}

/// Reduces `inputs` (all of one shape) over `axes` with
/// `acc = combine(acc, element...)`, starting from `init`. The result has the
/// reduced axes removed.
Value buildReduction(OpBuilder &b, Location loc, ValueRange inputs,
                     ArrayRef<int64_t> axes, Value init,
                     function_ref<Value(OpBuilder &, Location, ValueRange, Value)>
                         combine,
                     ArrayRef<AffineMap> inputMaps = {}) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType inType = tensorTypeOf(inputs.front());
  unsigned rank = inType.getRank();
  SmallVector<int64_t> outShape;
  SmallVector<utils::IteratorType> iterators;
  for (unsigned d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, d);
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (!reduced)
      outShape.push_back(inType.getDimSize(d));
  }
  auto outType = RankedTensorType::get(outShape, init.getType());
  SmallVector<AffineMap> maps(inputMaps);
  for (size_t i = maps.size(); i < inputs.size(); ++i)
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  maps.push_back(droppingMap(ctx, rank, axes));
  auto generic = b.create<linalg::GenericOp>(
      loc, outType, inputs, filledTensor(b, loc, outType, init), maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(
            nloc, combine(nb, nloc, args.drop_back(), args.back()));
      });
  return generic.getResult(0);
}

/// Inserts the size-1 dimensions that `keepdims` keeps.
Value expandToType(OpBuilder &b, Location loc, Value value,
                   RankedTensorType type) {
  RankedTensorType from = tensorTypeOf(value);
  if (from == type)
    return value;
  auto reassociation = getReassociationIndicesForReshape(from, type);
  assert(reassociation && "keepdims only inserts unit dimensions");
  return b.create<tensor::ExpandShapeOp>(loc, type, value, *reassociation);
}

Value addf(OpBuilder &b, Location loc, Value x, Value y) {
  return b.create<arith::AddFOp>(loc, x, y);
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

/// One pattern for every elementwise op: `body` computes one element.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using Body = std::function<Value(OpBuilder &, Location, ValueRange, OpTy)>;
  ElementwiseLowering(MLIRContext *ctx, Body body)
      : OpConversionPattern<OpTy>(ctx), body(std::move(body)) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return body(b, loc, args, op);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
  Body body;
};

template <typename OpTy>
void addElementwise(RewritePatternSet &patterns,
                    std::function<Value(OpBuilder &, Location, ValueRange)> fn) {
  patterns.add<ElementwiseLowering<OpTy>>(
      patterns.getContext(),
      [fn](OpBuilder &b, Location loc, ValueRange args, OpTy) {
        return fn(b, loc, args);
      });
}

/// `lhs <pred> rhs` on f32, i64 or i1 elements.
template <typename OpTy>
void addComparison(RewritePatternSet &patterns, arith::CmpFPredicate fpred,
                   arith::CmpIPredicate spred, arith::CmpIPredicate upred) {
  addElementwise<OpTy>(patterns, [=](OpBuilder &b, Location loc, ValueRange a) -> Value {
    Type t = a[0].getType();
    if (t.isF32())
      return b.create<arith::CmpFOp>(loc, fpred, a[0], a[1]);
    return b.create<arith::CmpIOp>(loc, t.isInteger(1) ? upred : spred, a[0], a[1]);
  });
}

/// tf.cast: bool -> 0/1, integer <-> float, anything -> bool is `!= 0`.
Value castElement(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  if (to.isInteger(1)) {
    if (from.isF32())
      return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, x,
                                     constantFloat(b, loc, 0.0));
    Value zero = b.create<arith::ConstantOp>(loc, b.getIntegerAttr(from, 0));
    return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, x, zero);
  }
  if (to.isF32())
    return from.isInteger(1) ? (Value)b.create<arith::UIToFPOp>(loc, to, x)
                             : (Value)b.create<arith::SIToFPOp>(loc, to, x);
  // to i64
  if (from.isF32())
    return b.create<arith::FPToSIOp>(loc, to, x);
  return b.create<arith::ExtUIOp>(loc, to, x);
}

void populateElementwisePatterns(RewritePatternSet &patterns) {
  using A = ValueRange;
  addElementwise<nn::AddOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<arith::AddFOp>(l, a[0], a[1]);
  });
  addElementwise<nn::SubOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<arith::SubFOp>(l, a[0], a[1]);
  });
  addElementwise<nn::MulOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<arith::MulFOp>(l, a[0], a[1]);
  });
  addElementwise<nn::DivOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<arith::DivFOp>(l, a[0], a[1]);
  });
  addElementwise<nn::PowOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<math::PowFOp>(l, a[0], a[1]);
  });
  addElementwise<nn::MaximumOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<arith::MaximumFOp>(l, a[0], a[1]);
  });
  addElementwise<nn::MinimumOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<arith::MinimumFOp>(l, a[0], a[1]);
  });
  addElementwise<nn::NegOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<arith::NegFOp>(l, a[0]);
  });
  addElementwise<nn::AbsOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<math::AbsFOp>(l, a[0]);
  });
  addElementwise<nn::SquareOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<arith::MulFOp>(l, a[0], a[0]);
  });
  addElementwise<nn::SqrtOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<math::SqrtOp>(l, a[0]);
  });
  addElementwise<nn::ExpOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<math::ExpOp>(l, a[0]);
  });
  addElementwise<nn::LogOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<math::LogOp>(l, a[0]);
  });
  // relu(x) = x > 0 ? x : 0
  addElementwise<nn::ReluOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    Value zero = constantFloat(b, l, 0.0);
    Value positive = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[0], zero);
    return b.create<arith::SelectOp>(l, positive, a[0], zero);
  });
  // sigmoid(x) = 1 / (1 + e^-x); for very negative x, e^-x = inf and the
  // quotient is 0, the right limit.
  addElementwise<nn::SigmoidOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    Value one = constantFloat(b, l, 1.0);
    Value e = b.create<math::ExpOp>(l, b.create<arith::NegFOp>(l, a[0]));
    return b.create<arith::DivFOp>(l, one, b.create<arith::AddFOp>(l, one, e));
  });
  addElementwise<nn::TanhOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    return b.create<math::TanhOp>(l, a[0]);
  });
  // step(x) = x > 0 ? 1 : 0
  addElementwise<nn::StepOp>(patterns, [](OpBuilder &b, Location l, A a) -> Value {
    Value positive = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[0],
                                             constantFloat(b, l, 0.0));
    return b.create<arith::SelectOp>(l, positive, constantFloat(b, l, 1.0),
                                     constantFloat(b, l, 0.0));
  });
  addComparison<nn::EqualOp>(patterns, arith::CmpFPredicate::OEQ,
                             arith::CmpIPredicate::eq, arith::CmpIPredicate::eq);
  addComparison<nn::GreaterOp>(patterns, arith::CmpFPredicate::OGT,
                               arith::CmpIPredicate::sgt, arith::CmpIPredicate::ugt);
  addComparison<nn::LessOp>(patterns, arith::CmpFPredicate::OLT,
                            arith::CmpIPredicate::slt, arith::CmpIPredicate::ult);
  patterns.add<ElementwiseLowering<nn::CastOp>>(
      patterns.getContext(),
      [](OpBuilder &b, Location l, ValueRange a, nn::CastOp op) -> Value {
        return castElement(b, l, a[0], op.getTo());
      });
}

//===----------------------------------------------------------------------===//
// Linear algebra and shapes
//===----------------------------------------------------------------------===//

struct ConstantLowering : OpConversionPattern<nn::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getValue());
    return success();
  }
};

/// The operand of `v = nn.transpose(x, perm = [1, 0])`, else null.
static Value transposedFrom(Value v, ConversionPatternRewriter &rewriter) {
  auto t = v.getDefiningOp<nn::TransposeOp>();
  if (!t || t.getPerm() != ArrayRef<int64_t>{1, 0})
    return nullptr;
  return rewriter.getRemappedValue(t.getX());
}

/// c = a x b: linalg.matmul accumulates into its output, so start from zeros.
/// A transposed operand (the backward pass's g x w^T and x^T x g) is read in
/// place by linalg.matmul_transpose_b / _a instead of being copied.
struct MatmulLowering : OpConversionPattern<nn::MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value zeros = filledTensor(rewriter, loc, op.getType(),
                               constantFloat(rewriter, loc, 0.0));
    if (Value b = transposedFrom(op.getRhs(), rewriter))
      rewriter.replaceOpWithNewOp<linalg::MatmulTransposeBOp>(
          op, ValueRange{adaptor.getLhs(), b}, ValueRange{zeros});
    else if (Value a = transposedFrom(op.getLhs(), rewriter))
      rewriter.replaceOpWithNewOp<linalg::MatmulTransposeAOp>(
          op, ValueRange{a, adaptor.getRhs()}, ValueRange{zeros});
    else
      rewriter.replaceOpWithNewOp<linalg::MatmulOp>(
          op, ValueRange{adaptor.getLhs(), adaptor.getRhs()}, ValueRange{zeros});
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<nn::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value init = emptyTensor(rewriter, op.getLoc(), op.getType());
    auto transpose = rewriter.create<linalg::TransposeOp>(
        op.getLoc(), adaptor.getX(), init, op.getPerm());
    rewriter.replaceOp(op, transpose->getResults());
    return success();
  }
};

/// Row-major reshape: tensor.reshape with the target shape as a constant.
struct ReshapeLowering : OpConversionPattern<nn::ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static shape");
    auto shapeType =
        RankedTensorType::get({type.getRank()}, rewriter.getI64Type());
    Value shape = rewriter.create<arith::ConstantOp>(
        op.getLoc(), DenseIntElementsAttr::get(shapeType, type.getShape()));
    rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(op, type, adaptor.getX(),
                                                   shape);
    return success();
  }
};

/// concat: an empty result, then each input inserted at its offset.
struct ConcatLowering : OpConversionPattern<nn::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t axis = op.getAxis();
    Value result = emptyTensor(rewriter, loc, type);
    int64_t offset = 0;
    for (Value input : adaptor.getInputs()) {
      RankedTensorType inType = tensorTypeOf(input);
      SmallVector<OpFoldResult> offsets(type.getRank(), rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes, strides(type.getRank(), rewriter.getIndexAttr(1));
      for (int64_t d : inType.getShape())
        sizes.push_back(rewriter.getIndexAttr(d));
      offsets[axis] = rewriter.getIndexAttr(offset);
      result = rewriter.create<tensor::InsertSliceOp>(loc, input, result, offsets,
                                                      sizes, strides);
      offset += inType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// `x` (NHWC) inside a zero tensor of `outer` spatial size, placed at
/// (top, left) and spread by `stride` (1 = contiguous): zero padding, and for
/// the input gradient also the zeros between strided positions.
Value placeInZeros(OpBuilder &b, Location loc, Value x, int64_t outerH, int64_t outerW,
                   int64_t top, int64_t left, int64_t sy = 1, int64_t sx = 1,
                   double fill = 0.0) {
  RankedTensorType type = tensorTypeOf(x);
  SmallVector<int64_t> shape(type.getShape());
  if (shape[1] == outerH && shape[2] == outerW && sy == 1 && sx == 1)
    return x;
  shape[1] = outerH;
  shape[2] = outerW;
  Value zeros = filledTensor(b, loc, RankedTensorType::get(shape, type.getElementType()),
                             constantFloat(b, loc, fill));
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(top),
                                       b.getIndexAttr(left), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes, strides = {b.getIndexAttr(1), b.getIndexAttr(sy),
                                              b.getIndexAttr(sx), b.getIndexAttr(1)};
  for (int64_t d : type.getShape())
    sizes.push_back(b.getIndexAttr(d));
  return b.create<tensor::InsertSliceOp>(loc, x, zeros, offsets, sizes, strides);
}

/// A window (a filter or a pooling window) of ky x kx every (sy, sx) over an
/// NHWC image of H x W, with TensorFlow's output size and padding.
struct Window {
  int64_t H, W, OH, OW, ky, kx, sy, sx, top, left, bottom, right;
  Window(RankedTensorType image, int64_t kernelH, int64_t kernelW, ArrayRef<int64_t> s,
         StringRef padding) {
    bool same = padding == "SAME";
    auto rows = *nn::convWindow(image.getDimSize(1), kernelH, s[0], same);
    auto cols = *nn::convWindow(image.getDimSize(2), kernelW, s[1], same);
    H = image.getDimSize(1), W = image.getDimSize(2), OH = rows[0], OW = cols[0];
    ky = kernelH, kx = kernelW, sy = s[0], sx = s[1];
    top = rows[1], bottom = rows[2], left = cols[1], right = cols[2];
  }
  int64_t paddedH() const { return H + top + bottom; }
  int64_t paddedW() const { return W + left + right; }
};

/// The image inside its padding, filled with `fill` (0, or -inf for a maximum).
Value padImage(OpBuilder &b, Location loc, Value x, const Window &w, double fill = 0.0) {
  return placeInZeros(b, loc, x, w.paddedH(), w.paddedW(), w.top, w.left, 1, 1, fill);
}

// Convolutions become matrix multiplications (im2col, as Caffe and cuDNN's
// implicit GEMM do): every window of the image is laid out as one row of a
// "patches" matrix, the filter as a matrix of KH*KW*C rows and F columns, and
// their product is the output. The matmul then runs on the micro-kernel of
// nn-matmul-microkernel, which is where nearly all of a CNN's flops go.

/// patches[n*OH*OW + y*OW + x, (a*KW + b)*C + c] =
///     img[n, y*sy + top + a, x*sx + left + b, c]
/// for y < OH, x < OW, a < KH, b < KW: one row per window of `img` (already
/// padded; `top`/`left` skip rows and columns of it).
Value im2col(OpBuilder &b, Location loc, Value img, int64_t OH, int64_t OW, int64_t KH,
             int64_t KW, int64_t sy, int64_t sx, int64_t top = 0, int64_t left = 0) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorTypeOf(img);
  int64_t N = type.getDimSize(0), C = type.getDimSize(3);
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto windowsType = RankedTensorType::get({N, OH, OW, KH, KW, C}, type.getElementType());
  Value windows = buildMap(
      b, loc, windowsType, img,
      {AffineMap::get(6, 0, {d(0), d(1) * sy + d(3) + top, d(2) * sx + d(4) + left, d(5)}, ctx)},
      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  return b.create<tensor::CollapseShapeOp>(loc, windows,
                                           ArrayRef<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
}

/// A [KH, KW, C, F] filter as the [KH*KW*C, F] matrix im2col's rows multiply.
Value filterMatrix(OpBuilder &b, Location loc, Value w) {
  return b.create<tensor::CollapseShapeOp>(loc, w,
                                           ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
}

/// [N*H*W, C] rows back to an NHWC image of `type`.
Value rowsToImage(OpBuilder &b, Location loc, Value rows, RankedTensorType type) {
  return b.create<tensor::ExpandShapeOp>(loc, type, rows,
                                         ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
}

/// rows x matrix with linalg.matmul (which accumulates, so into zeros).
Value matmulOf(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  RankedTensorType l = tensorTypeOf(lhs), r = tensorTypeOf(rhs);
  auto type = RankedTensorType::get({l.getDimSize(0), r.getDimSize(1)}, l.getElementType());
  Value zeros = filledTensor(b, loc, type, constantFloat(b, loc, 0.0));
  return b.create<linalg::MatmulOp>(loc, ValueRange{lhs, rhs}, ValueRange{zeros}).getResult(0);
}

/// conv2d: y = patches(x padded) x filter, one row per output position.
struct Conv2DLowering : OpConversionPattern<nn::Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType wType = op.getW().getType();
    Window window(op.getX().getType(), wType.getDimSize(0), wType.getDimSize(1),
                  op.getStrides(), op.getPadding());
    Value padded = padImage(rewriter, loc, adaptor.getX(), window);
    Value patches = im2col(rewriter, loc, padded, window.OH, window.OW, window.ky, window.kx,
                           window.sy, window.sx);
    Value rows = matmulOf(rewriter, loc, patches, filterMatrix(rewriter, loc, adaptor.getW()));
    rewriter.replaceOp(op, rowsToImage(rewriter, loc, rows, op.getType()));
    return success();
  }
};

/// dw[kh, kw, c, f] = sum_{n, i, j} xp[n, i*sy + kh, j*sx + kw, c] * g[n, i, j, f]
/// = patches^T x g: the forward pass's patches (CSE shares them), transposed
/// inside linalg.matmul_transpose_a, times g as [N*OH*OW, F] rows.
struct Conv2DBackpropFilterLowering : OpConversionPattern<nn::Conv2DBackpropFilterOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::Conv2DBackpropFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> k = op.getKernelSize();
    Window window(op.getX().getType(), k[0], k[1], op.getStrides(), op.getPadding());
    Value xp = padImage(rewriter, loc, adaptor.getX(), window);
    Value patches = im2col(rewriter, loc, xp, window.OH, window.OW, window.ky, window.kx,
                           window.sy, window.sx);
    Value g = rewriter.create<tensor::CollapseShapeOp>(
        loc, adaptor.getG(), ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
    RankedTensorType type = op.getType();
    auto matrixType = RankedTensorType::get(
        {k[0] * k[1] * type.getDimSize(2), type.getDimSize(3)}, type.getElementType());
    Value zeros = filledTensor(rewriter, loc, matrixType, constantFloat(rewriter, loc, 0.0));
    Value dw = rewriter.create<linalg::MatmulTransposeAOp>(loc, ValueRange{patches, g},
                                                           ValueRange{zeros}).getResult(0);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, type, dw, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
    return success();
  }
};

/// dx: the gradient spread back over the padded image is a stride-1
/// convolution of g, placed every s positions (zeros between) after KH-1 rows
/// and KW-1 columns of zeros, with the filter flipped in space and its
/// channels swapped. Only the positions of the image proper are wanted, so the
/// patches start at the padding's (top, left) and cover H x W.
struct Conv2DBackpropInputLowering : OpConversionPattern<nn::Conv2DBackpropInputOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::Conv2DBackpropInputOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType(), wType = op.getW().getType();
    int64_t kh = wType.getDimSize(0), kw = wType.getDimSize(1);
    ArrayRef<int64_t> s = op.getStrides();
    Window window(type, kh, kw, s, op.getPadding());
    int64_t hp = window.paddedH(), wp = window.paddedW();
    Value spread = placeInZeros(rewriter, loc, adaptor.getG(), hp + kh - 1, wp + kw - 1, kh - 1,
                                kw - 1, s[0], s[1]);
    // flipped[a, b, o, c] = w[kh-1-a, kw-1-b, c, o]
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    auto flippedType = RankedTensorType::get(
        {kh, kw, wType.getDimSize(3), wType.getDimSize(2)}, rewriter.getF32Type());
    Value flipped = buildMap(
        rewriter, loc, flippedType, adaptor.getW(),
        {AffineMap::get(4, 0, {getAffineConstantExpr(kh - 1, ctx) - d(0),
                               getAffineConstantExpr(kw - 1, ctx) - d(1), d(3), d(2)},
                        ctx)},
        [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    Value patches = im2col(rewriter, loc, spread, type.getDimSize(1), type.getDimSize(2), kh, kw,
                           1, 1, window.top, window.left);
    Value rows = matmulOf(rewriter, loc, patches, filterMatrix(rewriter, loc, flipped));
    rewriter.replaceOp(op, rowsToImage(rewriter, loc, rows, type));
    return success();
  }
};

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return b.create<arith::ConstantIndexOp>(loc, v);
}

/// The runtime's (seed, step) that dropout masks are drawn from.
const llvm::StringRef kDropoutKey = nn::abi::kDropoutKeySymbol;

/// y = keep ? x / keep_prob : 0 per element, `keep` from Philox4x32-10 on
/// the counter (element index, stream, step) under the key seed: the same
/// function as nnrt::dropoutKeeps, written in arith ops. mului_extended gives
/// the low and high halves of a 32 x 32 -> 64-bit product, which is all a
/// Philox round needs besides xor.
struct DropoutLowering : OpConversionPattern<nn::DropoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::DropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type i32 = rewriter.getI32Type(), i64 = rewriter.getI64Type();
    // (seed, step), read once per step.
    auto keyType = MemRefType::get({2}, i64);
    Value key = rewriter.create<memref::GetGlobalOp>(loc, keyType, kDropoutKey);
    Value seed = rewriter.create<memref::LoadOp>(loc, key, ValueRange{indexConst(rewriter, loc, 0)});
    Value step = rewriter.create<memref::LoadOp>(loc, key, ValueRange{indexConst(rewriter, loc, 1)});
    auto lo = [&](OpBuilder &b, Value v) { return b.create<arith::TruncIOp>(loc, i32, v).getResult(); };
    auto hi = [&](OpBuilder &b, Value v) {
      return lo(b, b.create<arith::ShRUIOp>(loc, v, b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(32))));
    };
    Value seedLo = lo(rewriter, seed), seedHi = hi(rewriter, seed);
    Value stepLo = lo(rewriter, step), stepHi = hi(rewriter, step);
    // round(keep_prob * 2^24), as nnrt::keepThreshold: integers compare exactly.
    auto threshold = (uint32_t)std::llround(op.getKeepProb().convertToDouble() * 16777216.0);
    float scale = (float)(1.0 / op.getKeepProb().convertToDouble());
    int64_t stream = op.getStream();
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (int64_t d = type.getRank() - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * type.getDimSize(d + 1);

    Value y = buildMap(
        rewriter, loc, type, adaptor.getX(), {AffineMap::getMultiDimIdentityMap(type.getRank(), rewriter.getContext())},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          auto u32 = [&](uint32_t v) {
            return b.create<arith::ConstantOp>(l, b.getI32IntegerAttr((int32_t)v)).getResult();
          };
          // The element's row-major index.
          Value index = indexConst(b, l, 0);
          for (int64_t d = 0; d < type.getRank(); ++d)
            index = b.create<arith::AddIOp>(
                l, index, b.create<arith::MulIOp>(l, b.create<linalg::IndexOp>(l, d),
                                                  indexConst(b, l, strides[d])));
          Value c[4] = {b.create<arith::IndexCastUIOp>(l, i32, index), u32((uint32_t)stream),
                        stepLo, stepHi};
          Value k[2] = {seedLo, seedHi};
          for (int round = 0; round < 10; ++round) {
            auto p0 = b.create<arith::MulUIExtendedOp>(l, u32(0xD2511F53), c[0]);
            auto p1 = b.create<arith::MulUIExtendedOp>(l, u32(0xCD9E8D57), c[2]);
            Value next[4] = {
                b.create<arith::XOrIOp>(l, b.create<arith::XOrIOp>(l, p1.getHigh(), c[1]), k[0]),
                p1.getLow(),
                b.create<arith::XOrIOp>(l, b.create<arith::XOrIOp>(l, p0.getHigh(), c[3]), k[1]),
                p0.getLow()};
            std::copy(next, next + 4, c);
            k[0] = b.create<arith::AddIOp>(l, k[0], u32(0x9E3779B9));
            k[1] = b.create<arith::AddIOp>(l, k[1], u32(0xBB67AE85));
          }
          Value bits = b.create<arith::ShRUIOp>(l, c[0], u32(8));
          Value keep = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::ult, bits, u32(threshold));
          Value scaled = b.create<arith::MulFOp>(l, a[0], constantFloat(b, l, scale));
          return b.create<arith::SelectOp>(l, keep, scaled, constantFloat(b, l, 0.0));
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// The number of image elements in the window at output position (i, j):
/// (min(i*sy - top + ky, H) - max(i*sy - top, 0)) times the same for columns.
Value windowCount(OpBuilder &b, Location loc, const Window &p, Value i, Value j) {
  auto extent = [&](Value o, int64_t s, int64_t pad, int64_t k, int64_t size) {
    Value start = b.create<arith::SubIOp>(loc, b.create<arith::MulIOp>(loc, o, indexConst(b, loc, s)),
                                          indexConst(b, loc, pad));
    Value end = b.create<arith::MinSIOp>(loc, b.create<arith::AddIOp>(loc, start, indexConst(b, loc, k)),
                                         indexConst(b, loc, size));
    return b.create<arith::SubIOp>(loc, end, b.create<arith::MaxSIOp>(loc, start, indexConst(b, loc, 0)));
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
template <typename OpTy, bool isMax>
struct PoolLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Window p(op.getX().getType(), op.getKsize()[0], op.getKsize()[1], op.getStrides(), op.getPadding());
    double fill = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
    Value padded = padImage(rewriter, loc, adaptor.getX(), p, fill);
    auto type = cast<RankedTensorType>(op.getType());
    Value init = filledTensor(rewriter, loc, type, constantFloat(rewriter, loc, fill));
    Value pooled = windowReduction(rewriter, loc, padded, p, type, init,
                                   [](OpBuilder &b, Location l, ValueRange a) {
      Value r = isMax ? (Value)b.create<arith::MaximumFOp>(l, a[2], a[0])
                      : (Value)b.create<arith::AddFOp>(l, a[2], a[0]);
      b.create<linalg::YieldOp>(l, r);
    }).getResult(0);
    if (!isMax)
      pooled = buildElementwise(rewriter, loc, type, pooled,
                                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
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
          Value inRange = nb.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, w,
                                                   indexConst(nb, l, outSize));
          valid = nb.create<arith::AndIOp>(l, nonNegative, nb.create<arith::AndIOp>(l, exact, inRange));
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
        nb.create<linalg::YieldOp>(l, ValueRange{nb.create<arith::AddFOp>(l, args[1], contribution)});
      });
  return generic.getResult(0);
}

struct MaxPoolGradLowering : OpConversionPattern<nn::MaxPoolGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::MaxPoolGradOp op, OpAdaptor adaptor,
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
    Value bestIndex = filledTensor(rewriter, loc, indexType,
                                   rewriter.create<arith::ConstantOp>(loc, rewriter.getI64IntegerAttr(0)));
    int64_t kx = p.kx;
    Value argmax = windowReduction(
        rewriter, loc, padded, p, TypeRange{pooledType, indexType}, ValueRange{bestValue, bestIndex},
        [kx](OpBuilder &b, Location l, ValueRange a) {
          Value here = b.create<arith::AddIOp>(
              l, b.create<arith::MulIOp>(l, b.create<linalg::IndexOp>(l, 3),
                                         b.create<arith::ConstantIndexOp>(l, kx)),
              b.create<linalg::IndexOp>(l, 4));
          Value better = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[0], a[2]);
          Value value = b.create<arith::SelectOp>(l, better, a[0], a[2]);
          Value index = b.create<arith::SelectOp>(
              l, better, b.create<arith::IndexCastOp>(l, b.getI64Type(), here), a[3]);
          b.create<linalg::YieldOp>(l, ValueRange{value, index});
        }).getResult(1);
    rewriter.replaceOp(op, poolGradient(rewriter, loc, op.getType(), adaptor.getG(), argmax, p));
    return success();
  }
};

struct AvgPoolGradLowering : OpConversionPattern<nn::AvgPoolGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::AvgPoolGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Window p(op.getType(), op.getKsize()[0], op.getKsize()[1], op.getStrides(), op.getPadding());
    rewriter.replaceOp(op, poolGradient(rewriter, op.getLoc(), op.getType(), adaptor.getG(),
                                        Value(), p));
    return success();
  }
};

/// slice: tensor.extract_slice with static offsets and sizes.
struct SliceLowering : OpConversionPattern<nn::SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      offsets.push_back(rewriter.getIndexAttr(op.getOffsets()[d]));
      sizes.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
      strides.push_back(rewriter.getIndexAttr(1));
    }
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, type, adaptor.getX(),
                                                        offsets, sizes, strides);
    return success();
  }
};

/// broadcast_like: an elementwise copy whose input map broadcasts.
struct BroadcastLikeLowering : OpConversionPattern<nn::BroadcastLikeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::BroadcastLikeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = buildElementwise(rewriter, op.getLoc(), op.getType(), adaptor.getX(),
                                    [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

enum class ReduceKind { Sum, Mean, Max };

template <typename OpTy, ReduceKind kind>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<int64_t> axes = op.getReducedAxes();
    Value init = constantFloat(
        rewriter, loc,
        kind == ReduceKind::Max ? -std::numeric_limits<double>::infinity() : 0.0);
    Value result = buildReduction(
        rewriter, loc, adaptor.getX(), axes, init,
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
      result = buildElementwise(
          rewriter, loc, tensorTypeOf(result), result,
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
  LogicalResult
  matchAndRewrite(nn::ArgmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getX();
    unsigned rank = tensorTypeOf(x).getRank();
    int64_t axis = op.getAxis();
    RankedTensorType indexType = op.getType();
    auto valueType = indexType.clone(rewriter.getF32Type());
    Value bestValue = filledTensor(
        rewriter, loc, valueType,
        constantFloat(rewriter, loc, -std::numeric_limits<double>::infinity()));
    Value bestIndex = filledTensor(
        rewriter, loc, indexType,
        rewriter.create<arith::ConstantOp>(loc, rewriter.getI64IntegerAttr(0)));
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    AffineMap outMap = droppingMap(ctx, rank, {axis});
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{valueType, indexType}, ValueRange{x},
        ValueRange{bestValue, bestIndex},
        ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx), outMap,
                            outMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value here = b.create<arith::IndexCastOp>(
              l, b.getI64Type(), b.create<linalg::IndexOp>(l, axis));
          // The first element always wins (the start value is -inf, and a NaN
          // or -inf first element must still give index 0 a value).
          Value better = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT,
                                                 args[0], args[1]);
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
std::pair<Value, Value> buildMaxAndLogSumExp(OpBuilder &b, Location loc,
                                             Value x) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = tensorTypeOf(x).getRank();
  int64_t last = rank - 1;
  Value max = buildReduction(
      b, loc, x, {last},
      constantFloat(b, loc, -std::numeric_limits<double>::infinity()),
      [](OpBuilder &nb, Location l, ValueRange in, Value acc) -> Value {
        return nb.create<arith::MaximumFOp>(l, acc, in[0]);
      });
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap rowMap = droppingMap(ctx, rank, {last});
  Value sum = buildReduction(
      b, loc, ValueRange{x, max}, {last}, constantFloat(b, loc, 0.0),
      [](OpBuilder &nb, Location l, ValueRange in, Value acc) -> Value {
        Value e = nb.create<math::ExpOp>(l, nb.create<arith::SubFOp>(l, in[0], in[1]));
        return nb.create<arith::AddFOp>(l, acc, e);
      },
      {identity, rowMap});
  Value lse = buildElementwise(
      b, loc, tensorTypeOf(max), ValueRange{max, sum},
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return nb.create<arith::AddFOp>(l, a[0], nb.create<math::LogOp>(l, a[1]));
      });
  return {max, lse};
}

/// softmax(x) = e^(x - lse(x)) and log_softmax(x) = x - lse(x), over the
/// last axis: one generic reading x and the row's lse.
template <typename OpTy, bool exponentiate>
struct LogSumExpLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto type = cast<RankedTensorType>(op.getType());
    unsigned rank = type.getRank();
    MLIRContext *ctx = rewriter.getContext();
    Value lse = buildMaxAndLogSumExp(rewriter, loc, x).second;
    Value result = buildMap(
        rewriter, loc, type, ValueRange{x, lse},
        {AffineMap::getMultiDimIdentityMap(rank, ctx),
         droppingMap(ctx, rank, {(int64_t)rank - 1})},
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
Value buildTotal(OpBuilder &b, Location loc, ValueRange inputs,
                 ArrayRef<AffineMap> maps, BodyFn term) {
  unsigned rank = tensorTypeOf(inputs.front()).getRank();
  return buildReduction(
      b, loc, inputs, llvm::to_vector(llvm::seq<int64_t>(0, rank)),
      constantFloat(b, loc, 0.0),
      [&](OpBuilder &nb, Location l, ValueRange in, Value acc) -> Value {
        return nb.create<arith::AddFOp>(l, acc, term(nb, l, in));
      },
      maps);
}

/// softmax_cross_entropy(l, t) = sum_b sum_c t[b,c] * (lse(l[b,:]) - l[b,c]),
/// which is -sum t * log(softmax(l)) without ever taking the log of a 0.
struct SoftmaxCrossEntropyLowering
    : OpConversionPattern<nn::SoftmaxCrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::SoftmaxCrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value logits = adaptor.getLhs(), labels = adaptor.getRhs();
    unsigned rank = tensorTypeOf(logits).getRank();
    Value lse = buildMaxAndLogSumExp(rewriter, loc, logits).second;
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    Value total = buildTotal(
        rewriter, loc, ValueRange{logits, labels, lse},
        {identity, identity, droppingMap(ctx, rank, {(int64_t)rank - 1})},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<arith::MulFOp>(l, a[1],
                                         b.create<arith::SubFOp>(l, a[2], a[0]));
        });
    rewriter.replaceOp(op, total);
    return success();
  }
};

/// sigmoid_cross_entropy(x, z) = sum max(x, 0) - x*z + log(1 + e^-|x|):
/// TensorFlow's stable form of -z*log(sigmoid(x)) - (1-z)*log(1-sigmoid(x)).
struct SigmoidCrossEntropyLowering
    : OpConversionPattern<nn::SigmoidCrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::SigmoidCrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    unsigned rank = op.getLhs().getType().getRank();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    Value total = buildTotal(
        rewriter, loc, ValueRange{adaptor.getLhs(), adaptor.getRhs()},
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
  LogicalResult
  matchAndRewrite(nn::MeanSquaredErrorOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getLhs().getType();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(type.getRank(), ctx);
    Value total = buildTotal(
        rewriter, loc, ValueRange{adaptor.getLhs(), adaptor.getRhs()},
        {identity, identity}, [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value d = b.create<arith::SubFOp>(l, a[0], a[1]);
          return b.create<arith::MulFOp>(l, d, d);
        });
    Value scale = constantFloat(rewriter, loc, 1.0 / (double)type.getNumElements());
    Value mean = buildElementwise(
        rewriter, loc, op.getType(), total,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<arith::MulFOp>(l, a[0], scale);
        });
    rewriter.replaceOp(op, mean);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct ConvertNNToLinalg
    : nn::impl::ConvertNNToLinalgPassBase<ConvertNNToLinalg> {
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
    ModuleOp module = getOperation();
    bool hasDropout = false;
    module.walk([&](nn::DropoutOp) { hasDropout = true; });
    if (hasDropout && !module.lookupSymbol(kDropoutKey)) {
      OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
      b.create<memref::GlobalOp>(module.getLoc(), kDropoutKey, /*sym_visibility=*/StringAttr(),
                                 MemRefType::get({2}, b.getI64Type()), Attribute(),
                                 /*constant=*/false, IntegerAttr());
    }

    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect,
                           func::FuncDialect, memref::MemRefDialect>();
    target.addIllegalDialect<nn::NNDialect>();
    // State stays for nn-state-to-globals, records for nn-build-program-table.
    target.addLegalOp<nn::VariableOp, nn::ReadOp, nn::AssignOp, nn::ExportTensorOp,
                      nn::ExportFunctionOp>();

    RewritePatternSet patterns(ctx);
    populateElementwisePatterns(patterns);
    patterns.add<ConstantLowering, MatmulLowering, TransposeLowering,
                 ReshapeLowering, ConcatLowering, SliceLowering, Conv2DLowering,
                 Conv2DBackpropFilterLowering, Conv2DBackpropInputLowering, DropoutLowering,
                 PoolLowering<nn::MaxPoolOp, true>, PoolLowering<nn::AvgPoolOp, false>,
                 MaxPoolGradLowering, AvgPoolGradLowering,
                 BroadcastLikeLowering, ArgmaxLowering,
                 SoftmaxLowering, LogSoftmaxLowering, SoftmaxCrossEntropyLowering,
                 SigmoidCrossEntropyLowering, MeanSquaredErrorLowering,
                 ReduceLowering<nn::ReduceSumOp, ReduceKind::Sum>,
                 ReduceLowering<nn::ReduceMeanOp, ReduceKind::Mean>,
                 ReduceLowering<nn::ReduceMaxOp, ReduceKind::Max>>(ctx);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
