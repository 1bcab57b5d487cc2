//===- Convolution.cpp - conv2d and its gradients as im2col and matmuls ---===//
//
// Convolutions become matrix multiplications (im2col, as Caffe and cuDNN's
// implicit GEMM do): every window of the image is laid out as one row of a
// "patches" matrix, the filter as a matrix of KH*KW*C rows and F columns, and
// their product is the output. The matmul then runs on the micro-kernel of
// nn-matmul-microkernel, which is where nearly all of a CNN's flops go.
//
//===----------------------------------------------------------------------===//

#include "passes/NNToLinalg/Builders.h"
#include "passes/NNToLinalg/Patterns.h"

using namespace mlir;
using namespace nn::lowering;

namespace {

/// patches[n*OH*OW + y*OW + x, (a*KW + b)*C + c] =
///     img[n, y*sy + top + a, x*sx + left + b, c]
/// for y < OH, x < OW, a < KH, b < KW: one row per window of `img` (already
/// padded; `top`/`left` skip rows and columns of it).
Value im2col(OpBuilder &b, Location loc, Value img, int64_t OH, int64_t OW, int64_t KH, int64_t KW,
             int64_t sy, int64_t sx, int64_t top = 0, int64_t left = 0) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorTypeOf(img);
  int64_t N = type.getDimSize(0), C = type.getDimSize(3);
  auto windowsType = RankedTensorType::get({N, OH, OW, KH, KW, C}, type.getElementType());
  Value windows = buildMap(b, loc, windowsType, img, {im2colMap(ctx, sy, sx, top, left)},
                           [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  return b.create<tensor::CollapseShapeOp>(loc, windows,
                                           ArrayRef<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
}

/// A [KH, KW, C, F] filter as the [KH*KW*C, F] matrix im2col's rows multiply.
Value filterMatrix(OpBuilder &b, Location loc, Value w) {
  return b.create<tensor::CollapseShapeOp>(loc, w, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
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
  LogicalResult matchAndRewrite(nn::Conv2DOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType wType = op.getW().getType();
    Window window(op.getX().getType(), wType.getDimSize(0), wType.getDimSize(1), op.getStrides(),
                  op.getPadding());
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
  LogicalResult matchAndRewrite(nn::Conv2DBackpropFilterOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> k = op.getKernelSize();
    Window window(op.getX().getType(), k[0], k[1], op.getStrides(), op.getPadding());
    Value xp = padImage(rewriter, loc, adaptor.getX(), window);
    Value patches =
        im2col(rewriter, loc, xp, window.OH, window.OW, window.ky, window.kx, window.sy, window.sx);
    Value g = rewriter.create<tensor::CollapseShapeOp>(
        loc, adaptor.getG(), ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
    RankedTensorType type = op.getType();
    auto matrixType = RankedTensorType::get({k[0] * k[1] * type.getDimSize(2), type.getDimSize(3)},
                                            type.getElementType());
    Value zeros = filledTensor(rewriter, loc, matrixType, constantFloat(rewriter, loc, 0.0));
    Value dw =
        rewriter.create<linalg::MatmulTransposeAOp>(loc, ValueRange{patches, g}, ValueRange{zeros})
            .getResult(0);
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
  LogicalResult matchAndRewrite(nn::Conv2DBackpropInputOp op, OpAdaptor adaptor,
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
    auto flippedType = RankedTensorType::get({kh, kw, wType.getDimSize(3), wType.getDimSize(2)},
                                             rewriter.getF32Type());
    Value flipped =
        buildMap(rewriter, loc, flippedType, adaptor.getW(),
                 {AffineMap::get(4, 0,
                                 {getAffineConstantExpr(kh - 1, ctx) - d(0),
                                  getAffineConstantExpr(kw - 1, ctx) - d(1), d(3), d(2)},
                                 ctx)},
                 [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    Value patches = im2col(rewriter, loc, spread, type.getDimSize(1), type.getDimSize(2), kh, kw, 1,
                           1, window.top, window.left);
    Value rows = matmulOf(rewriter, loc, patches, filterMatrix(rewriter, loc, flipped));
    rewriter.replaceOp(op, rowsToImage(rewriter, loc, rows, type));
    return success();
  }
};

} // namespace

void nn::populateConvolutionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2DLowering, Conv2DBackpropFilterLowering, Conv2DBackpropInputLowering>(
      patterns.getContext());
}
