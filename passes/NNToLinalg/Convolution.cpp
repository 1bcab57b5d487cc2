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

/// The flipped filter of one phase: flipped[j, i, o, c] =
/// w[ay + sy*(JY-1-j), ax + sx*(JX-1-i), c, o], for j < JY, i < JX: the filter
/// rows ay, ay + sy, ... (and columns) of the phase, in reverse order, its
/// channels swapped. With (ay, ax) = (0, 0), strides 1 and all the filter's
/// taps, the whole filter flipped in space.
Value flippedFilter(OpBuilder &b, Location loc, Value w, int64_t ay, int64_t ax, int64_t JY,
                    int64_t JX, int64_t sy, int64_t sx) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType wType = tensorTypeOf(w);
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto type = RankedTensorType::get({JY, JX, wType.getDimSize(3), wType.getDimSize(2)},
                                    wType.getElementType());
  AffineMap map = AffineMap::get(4, 0,
                                 {getAffineConstantExpr(ay + sy * (JY - 1), ctx) - d(0) * sy,
                                  getAffineConstantExpr(ax + sx * (JX - 1), ctx) - d(1) * sx, d(3),
                                  d(2)},
                                 ctx);
  return buildMap(b, loc, type, w, {map}, [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

/// image[n, y, x, c] = sum over j < JY, i < JX, o of
///   padded[n, y + top + j, x + left + i, o] * flipped[j, i, o, c]
/// for the filter taps of flippedFilter(w, ay, ax, JY, JX, sy, sx): one
/// convolution of the input gradient, an image of `type` ([N, rows, cols, C]),
/// as im2col and a matmul.
Value flippedConvolution(OpBuilder &b, Location loc, Value padded, Value w, int64_t ay, int64_t ax,
                         int64_t JY, int64_t JX, int64_t sy, int64_t sx, int64_t top, int64_t left,
                         RankedTensorType type) {
  Value flipped = flippedFilter(b, loc, w, ay, ax, JY, JX, sy, sx);
  Value patches =
      im2col(b, loc, padded, type.getDimSize(1), type.getDimSize(2), JY, JX, 1, 1, top, left);
  Value rows = matmulOf(b, loc, patches, filterMatrix(b, loc, flipped));
  return rowsToImage(b, loc, rows, type);
}

/// One phase of a strided convolution's input gradient along one dimension
/// (rows; columns alike). Forward, out[oy] reads padded row oy*s + a for
/// the filter rows a < K, so the gradient of padded row P = iy + top is
/// the sum of g[oy] * w[a] over oy*s + a = P. Write P = q*s + p (0 <= p < s):
/// then a = p + s*j and oy = q - j, so
///     dP[q*s + p] = sum_{j < J} g[q - j] * w[p + s*j],   J = ceil((K - p) / s):
/// for each phase p, a stride-1 convolution of g (padded by J-1 zeros in
/// front) with the filter rows p, p + s, ... flipped; no zeros of a spread
/// gradient are multiplied. The image rows of phase p are iy = q*s + p - top.
struct Phase {
  int64_t p;      // (iy + top) mod s
  int64_t taps;   // J: the filter rows of the phase
  int64_t qFirst; // q of its first image row
  int64_t rows;   // its image rows: iy = first, first + s, ...
  int64_t first;
};

SmallVector<Phase> phasesOf(int64_t size, int64_t K, int64_t s, int64_t top) {
  SmallVector<Phase> phases;
  for (int64_t p = 0; p < s; ++p) {
    int64_t taps = p < K ? (K - p + s - 1) / s : 0;
    int64_t qFirst = top > p ? (top - p + s - 1) / s : 0;
    int64_t lastP = top + size - 1 - p; // the last image row's P - p
    int64_t rows = lastP < 0 ? 0 : lastP / s - qFirst + 1;
    if (taps > 0 && rows > 0) // else the phase's rows get no gradient: zeros
      phases.push_back({p, taps, qFirst, rows, qFirst * s + p - top});
  }
  return phases;
}

/// dx. Stride 1: the gradient, after KH-1 rows and KW-1 columns of zeros, is
/// convolved with the filter flipped in space and its channels swapped;
/// only the positions of the image proper are wanted, so the patches start
/// at the padding's (top, left) and cover H x W. Stride s > 1: one such
/// convolution per phase (py, px) of Phase, each on the gradient itself
/// with a flipped sub-filter of ceil(K/s) or fewer taps, its result placed
/// every s rows and columns of dx; spreading g with zeros between its
/// positions instead would multiply s*s - 1 zeros for every value.
struct Conv2DBackpropInputLowering : OpConversionPattern<nn::Conv2DBackpropInputOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::Conv2DBackpropInputOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType(), wType = op.getW().getType();
    int64_t kh = wType.getDimSize(0), kw = wType.getDimSize(1);
    ArrayRef<int64_t> s = op.getStrides();
    Window window(type, kh, kw, s, op.getPadding());
    Value g = adaptor.getG();
    if (s[0] == 1 && s[1] == 1) {
      Value padded = placeInZeros(rewriter, loc, g, window.paddedH() + kh - 1,
                                  window.paddedW() + kw - 1, kh - 1, kw - 1);
      rewriter.replaceOp(op, flippedConvolution(rewriter, loc, padded, adaptor.getW(), 0, 0, kh, kw,
                                                1, 1, window.top, window.left, type));
      return success();
    }
    int64_t N = type.getDimSize(0), C = type.getDimSize(3);
    Value dx = filledTensor(rewriter, loc, type, constantFloat(rewriter, loc, 0.0));
    for (const Phase &y : phasesOf(window.H, kh, s[0], window.top)) {
      for (const Phase &x : phasesOf(window.W, kw, s[1], window.left)) {
        // g with J-1 zeros in front, long enough for the last window.
        int64_t outerH = std::max(window.OH, y.qFirst + y.rows) + y.taps - 1;
        int64_t outerW = std::max(window.OW, x.qFirst + x.rows) + x.taps - 1;
        Value padded = placeInZeros(rewriter, loc, g, outerH, outerW, y.taps - 1, x.taps - 1);
        auto phaseType = RankedTensorType::get({N, y.rows, x.rows, C}, type.getElementType());
        Value image = flippedConvolution(rewriter, loc, padded, adaptor.getW(), y.p, x.p, y.taps,
                                         x.taps, s[0], s[1], y.qFirst, x.qFirst, phaseType);
        SmallVector<OpFoldResult> offsets = {rewriter.getIndexAttr(0), rewriter.getIndexAttr(y.first),
                                             rewriter.getIndexAttr(x.first),
                                             rewriter.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(N), rewriter.getIndexAttr(y.rows),
                                           rewriter.getIndexAttr(x.rows), rewriter.getIndexAttr(C)};
        SmallVector<OpFoldResult> strides = {rewriter.getIndexAttr(1), rewriter.getIndexAttr(s[0]),
                                             rewriter.getIndexAttr(s[1]), rewriter.getIndexAttr(1)};
        dx = rewriter.create<tensor::InsertSliceOp>(loc, image, dx, offsets, sizes, strides);
      }
    }
    rewriter.replaceOp(op, dx);
    return success();
  }
};

} // namespace

void nn::populateConvolutionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2DLowering, Conv2DBackpropFilterLowering, Conv2DBackpropInputLowering>(
      patterns.getContext());
}
