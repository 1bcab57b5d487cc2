//===- LinearAlgebra.cpp - matmul and the shape ops to linalg and tensor --===//
//
// Named linalg ops where they exist (matmul, transpose, fill), tensor ops
// for reshapes, concatenation and slices, and a broadcasting copy.
//
//===----------------------------------------------------------------------===//

#include "passes/NNToLinalg/Builders.h"
#include "passes/NNToLinalg/Patterns.h"

using namespace mlir;
using namespace nn::lowering;

namespace {

struct ConstantLowering : OpConversionPattern<nn::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::ConstantOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getValue());
    return success();
  }
};

/// The operand of `v = nn.transpose(x, perm = [1, 0])`, else null.
Value transposedFrom(Value v, ConversionPatternRewriter &rewriter) {
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
  LogicalResult matchAndRewrite(nn::MatmulOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value zeros = filledTensor(rewriter, loc, op.getType(), constantFloat(rewriter, loc, 0.0));
    if (Value b = transposedFrom(op.getRhs(), rewriter))
      rewriter.replaceOpWithNewOp<linalg::MatmulTransposeBOp>(op, ValueRange{adaptor.getLhs(), b},
                                                              ValueRange{zeros});
    else if (Value a = transposedFrom(op.getLhs(), rewriter))
      rewriter.replaceOpWithNewOp<linalg::MatmulTransposeAOp>(op, ValueRange{a, adaptor.getRhs()},
                                                              ValueRange{zeros});
    else
      rewriter.replaceOpWithNewOp<linalg::MatmulOp>(
          op, ValueRange{adaptor.getLhs(), adaptor.getRhs()}, ValueRange{zeros});
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<nn::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::TransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Value init = emptyTensor(rewriter, op.getLoc(), op.getType());
    auto transpose =
        rewriter.create<linalg::TransposeOp>(op.getLoc(), adaptor.getX(), init, op.getPerm());
    rewriter.replaceOp(op, transpose->getResults());
    return success();
  }
};

/// Row-major reshape: tensor.reshape with the target shape as a constant.
struct ReshapeLowering : OpConversionPattern<nn::ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::ReshapeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static shape");
    auto shapeType = RankedTensorType::get({type.getRank()}, rewriter.getI64Type());
    Value shape = rewriter.create<arith::ConstantOp>(
        op.getLoc(), DenseIntElementsAttr::get(shapeType, type.getShape()));
    rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(op, type, adaptor.getX(), shape);
    return success();
  }
};

/// concat: an empty result, then each input inserted at its offset.
struct ConcatLowering : OpConversionPattern<nn::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::ConcatOp op, OpAdaptor adaptor,
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
      result = rewriter.create<tensor::InsertSliceOp>(loc, input, result, offsets, sizes, strides);
      offset += inType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// slice: tensor.extract_slice with static offsets and sizes.
struct SliceLowering : OpConversionPattern<nn::SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::SliceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      offsets.push_back(rewriter.getIndexAttr(op.getOffsets()[d]));
      sizes.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
      strides.push_back(rewriter.getIndexAttr(1));
    }
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, type, adaptor.getX(), offsets, sizes,
                                                        strides);
    return success();
  }
};

/// broadcast_like: an elementwise copy whose input map broadcasts.
struct BroadcastLikeLowering : OpConversionPattern<nn::BroadcastLikeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::BroadcastLikeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Value result = buildElementwise(rewriter, op.getLoc(), op.getType(), adaptor.getX(),
                                    [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void nn::populateLinearAlgebraLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, MatmulLowering, TransposeLowering, ReshapeLowering, ConcatLowering,
               SliceLowering, BroadcastLikeLowering>(patterns.getContext());
}
