//===- DirectConvolutions.cpp - convolutions without a patch matrix -------===//
//
// nn-direct-convolutions: convert-nn-to-linalg writes every convolution as
// im2col and a matmul (passes/NNToLinalg/Convolution.cpp), which every target
// can run. The patch matrix is big, though: each pixel of the image is
// copied KH x KW times (31 MB for the course CNN's second layer, 63 MB for
// its input gradient), written once and read back by the matmul. On the
// CPU the micro-kernel can read the image where im2col would have copied
// from, so this pass turns the pair back into a convolution:
//
//   rows  = collapse(im2col(img))            conv = linalg.conv_2d_nhwc_hwcf
//   out   = linalg.matmul(rows, filter)  ->         (img, filter)
//   dw    = linalg.matmul_transpose_a(         dw = linalg.generic: the sum over
//             rows, collapse(g))                    pixels of img[...] * g[...]
//
// with the image cut to the window positions im2col reads (its padding
// offsets become a tensor.extract_slice, a view once bufferized). The
// input gradient is the forward convolution of the padded gradient with
// the flipped filter (one per phase for a strided convolution), so it is
// matched by the first form. nn-matmul-microkernel
// then runs both forms on its register tile (a direct convolution); what it
// cannot (f64, dynamic shapes) becomes loops. The patch matrices disappear
// from the memory plan. Runs on tensors, before bufferization: the GPU
// target keeps im2col, which its tiled matmul kernel runs.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/DirectConvolutions.h"
#include "codegen/cpu/Passes.h"
#include "ir/NNAttributes.h"
#include "passes/NNToLinalg/Builders.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace nn {
#define GEN_PASS_DEF_NNDIRECTCONVOLUTIONSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// An im2col copy: windows[n, y, x, a, b, c] = img[n, y*sy + a + top,
/// x*sx + b + left, c], collapsed to rows [[n, y, x], [a, b, c]].
struct Im2col {
  Value img;
  int64_t N, OH, OW, KH, KW, C;
  int64_t sy, sx, top, left;
};

/// `rows` as an im2col of an image, or nothing.
std::optional<Im2col> matchIm2col(Value rows) {
  auto collapse = rows.getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse)
    return std::nullopt;
  SmallVector<ReassociationIndices> groups = collapse.getReassociationIndices();
  if (groups.size() != 2 || groups[0] != ReassociationIndices{0, 1, 2} ||
      groups[1] != ReassociationIndices{3, 4, 5})
    return std::nullopt;
  auto copy = collapse.getSrc().getDefiningOp<linalg::GenericOp>();
  if (!copy || copy.getNumDpsInputs() != 1 || copy.getNumDpsInits() != 1 ||
      copy.getNumParallelLoops() != 6 || copy.getNumLoops() != 6)
    return std::nullopt;
  // The body only copies: yield of the input's element.
  Block &body = copy.getRegion().front();
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 || !yield || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != body.getArgument(0))
    return std::nullopt;
  SmallVector<AffineMap> maps = copy.getIndexingMapsArray();
  MLIRContext *ctx = copy.getContext();
  if (!maps[1].isIdentity() || maps[0].getNumResults() != 4)
    return std::nullopt;
  // Read the strides and offsets off the map at a few points, then check
  // that the map is exactly im2col's for them.
  auto at = [&](ArrayRef<int64_t> point) { return maps[0].compose(point); };
  SmallVector<int64_t> origin = at({0, 0, 0, 0, 0, 0});
  SmallVector<int64_t> y1 = at({0, 1, 0, 0, 0, 0}), x1 = at({0, 0, 1, 0, 0, 0});
  Im2col m;
  m.top = origin[1];
  m.left = origin[2];
  m.sy = y1[1] - m.top;
  m.sx = x1[2] - m.left;
  if (m.sy < 1 || m.sx < 1 || m.top < 0 || m.left < 0 ||
      maps[0] != nn::lowering::im2colMap(ctx, m.sy, m.sx, m.top, m.left))
    return std::nullopt;
  auto windows = cast<RankedTensorType>(copy.getResult(0).getType());
  auto img = dyn_cast<RankedTensorType>(copy.getDpsInputs()[0].getType());
  if (!windows.hasStaticShape() || !img || !img.hasStaticShape())
    return std::nullopt;
  m.img = copy.getDpsInputs()[0];
  ArrayRef<int64_t> s = windows.getShape();
  m.N = s[0], m.OH = s[1], m.OW = s[2], m.KH = s[3], m.KW = s[4], m.C = s[5];
  return m;
}

/// The image rows and columns the windows read, as a view of the image
/// (the whole image when im2col reads all of it).
Value windowsSource(OpBuilder &b, Location loc, const Im2col &m) {
  int64_t H = (m.OH - 1) * m.sy + m.KH, W = (m.OW - 1) * m.sx + m.KW;
  auto type = cast<RankedTensorType>(m.img.getType());
  if (m.top == 0 && m.left == 0 && type.getDimSize(1) == H && type.getDimSize(2) == W)
    return m.img;
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(m.top),
                                       b.getIndexAttr(m.left), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(m.N), b.getIndexAttr(H), b.getIndexAttr(W),
                                     b.getIndexAttr(m.C)};
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  return b.create<tensor::ExtractSliceOp>(loc, m.img, offsets, sizes, strides);
}

/// `matrix` (shape [a*b*..., z]) as a tensor of `shape`, through the
/// collapse that made it when there is one.
Value uncollapsed(OpBuilder &b, Location loc, Value matrix, ArrayRef<int64_t> shape,
                  ArrayRef<ReassociationIndices> groups) {
  if (auto collapse = matrix.getDefiningOp<tensor::CollapseShapeOp>())
    if (collapse.getSrcType().getShape() == shape)
      return collapse.getSrc();
  auto type = RankedTensorType::get(shape, cast<RankedTensorType>(matrix.getType()).getElementType());
  return b.create<tensor::ExpandShapeOp>(loc, type, matrix, groups);
}

/// The accumulator of the new op: zeros of `shape` when the matmul's was a
/// fill with zeros (so nn-matmul-microkernel sees the fill on the same
/// buffer and starts from registers of zeros), else the matmul's own.
Value accumulator(OpBuilder &b, Location loc, Value init, ArrayRef<int64_t> shape,
                  ArrayRef<ReassociationIndices> groups) {
  auto type = cast<RankedTensorType>(init.getType());
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat())) {
    Value empty = b.create<tensor::EmptyOp>(loc, shape, type.getElementType());
    return b.create<linalg::FillOp>(loc, fill.getInputs()[0], empty).getResult(0);
  }
  return uncollapsed(b, loc, init, shape, groups);
}

/// out[n, y, x, f] += img[n, y*sy + a, x*sx + b, c] * w[a, b, c, f].
void rewriteForward(linalg::MatmulOp matmul, const Im2col &m) {
  OpBuilder b(matmul);
  Location loc = matmul.getLoc();
  Value rhs = matmul.getDpsInputs()[1], init = matmul.getDpsInits()[0];
  int64_t F = cast<RankedTensorType>(rhs.getType()).getDimSize(1);
  SmallVector<ReassociationIndices> rowsGroups = {{0, 1, 2}, {3}};
  Value filter = uncollapsed(b, loc, rhs, {m.KH, m.KW, m.C, F}, rowsGroups);
  Value out = accumulator(b, loc, init, {m.N, m.OH, m.OW, F}, rowsGroups);
  auto conv = b.create<linalg::Conv2DNhwcHwcfOp>(
      loc, out.getType(), ValueRange{windowsSource(b, loc, m), filter}, ValueRange{out},
      b.getI64TensorAttr({m.sy, m.sx}), b.getI64TensorAttr({1, 1}));
  Value rows = b.create<tensor::CollapseShapeOp>(loc, conv.getResult(0), rowsGroups);
  matmul.getResult(0).replaceAllUsesWith(rows);
  matmul.erase();
}

/// dw[a, b, c, f] += sum over n, y, x of img[n, y*sy + a, x*sx + b, c] *
/// g[n, y, x, f]: loops (a, b, c, f) parallel, (n, y, x) summed.
void rewriteFilterGradient(linalg::MatmulTransposeAOp matmul, const Im2col &m) {
  OpBuilder b(matmul);
  Location loc = matmul.getLoc();
  Value gRows = matmul.getDpsInputs()[1], init = matmul.getDpsInits()[0];
  int64_t F = cast<RankedTensorType>(gRows.getType()).getDimSize(1);
  SmallVector<ReassociationIndices> rowsGroups = {{0, 1, 2}, {3}};
  Value g = uncollapsed(b, loc, gRows, {m.N, m.OH, m.OW, F}, rowsGroups);
  Value dw = accumulator(b, loc, init, {m.KH, m.KW, m.C, F}, rowsGroups);
  SmallVector<AffineMap> maps = nn::filterGradientMaps(b.getContext(), m.sy, m.sx);
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.append(3, utils::IteratorType::reduction);
  auto sum = b.create<linalg::GenericOp>(
      loc, dw.getType(), ValueRange{windowsSource(b, loc, m), g}, ValueRange{dw}, maps, iterators,
      [](OpBuilder &nb, Location l, ValueRange args) {
        Value product = nb.create<arith::MulFOp>(l, args[0], args[1]);
        nb.create<linalg::YieldOp>(l, ValueRange{nb.create<arith::AddFOp>(l, args[2], product)});
      });
  nn::setConvFilterGradient(sum, m.sy, m.sx);
  Value rows = b.create<tensor::CollapseShapeOp>(loc, sum.getResult(0), rowsGroups);
  matmul.getResult(0).replaceAllUsesWith(rows);
  matmul.erase();
}

struct DirectConvolutions : nn::impl::NNDirectConvolutionsPassBase<DirectConvolutions> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::MatmulOp, Im2col>> forward;
    SmallVector<std::pair<linalg::MatmulTransposeAOp, Im2col>> filterGradients;
    getOperation().walk([&](linalg::MatmulOp op) {
      if (op.hasPureTensorSemantics())
        if (std::optional<Im2col> m = matchIm2col(op.getDpsInputs()[0]))
          forward.push_back({op, *m});
    });
    getOperation().walk([&](linalg::MatmulTransposeAOp op) {
      if (op.hasPureTensorSemantics())
        if (std::optional<Im2col> m = matchIm2col(op.getDpsInputs()[0]))
          filterGradients.push_back({op, *m});
    });
    for (auto &[op, m] : forward)
      rewriteForward(op, m);
    for (auto &[op, m] : filterGradients)
      rewriteFilterGradient(op, m);
    // The im2col copies have no readers left; the canonicalizer after this
    // pass removes them.
  }
};

} // namespace
