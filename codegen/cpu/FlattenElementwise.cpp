//===- FlattenElementwise.cpp - narrow elementwise loops made one long loop ===//
//
// nn-flatten-elementwise: an elementwise op on a narrow tensor, such as
// Adam's update of a softmax regression's w : f32[784, 10] or a bias added
// to [100, 10] logits, becomes after convert-linalg-to-loops a loop of 784
// rows around a loop of 10 elements. LLVM vectorizes innermost loops, and a
// loop of 10 floats is less than one AVX-512 vector: it stayed scalar (one
// vsqrtss and one vdivss per weight of Adam's update, 9 % of a softmax
// regression's step). The elements are contiguous in every buffer the op
// touches, so the two loops are one loop over 7840 elements:
//
//   linalg.generic {(d0, d1) -> (d0, d1), ..., (d0, d1) -> ()}
//       ins(%g, %m, %v, %lr : memref<784x10xf32>, ..., memref<f32>) ...
//   ->
//   %g1 = memref.collapse_shape %g [[0, 1]] : memref<784x10xf32> into memref<7840xf32>
//   ...
//   linalg.generic {(d0) -> (d0), ..., (d0) -> ()} ins(%g1, %m1, %v1, %lr ...)
//
// which LLVM vectorizes 16 floats at a time. The pass takes every
// linalg.generic on buffers whose loops are all parallel, whose every
// operand is read and written at the loop's own element (identity maps) or
// is a scalar, and whose buffers are contiguous, when its innermost
// dimension is shorter than `max-inner` elements (wider ops vectorize as
// they are, and their outer loop is the one nn-parallelize-loops splits
// across threads) and it has at least that many in all. Every element is
// computed by the same operations as before, so results do not change.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace nn {
#define GEN_PASS_DEF_NNFLATTENELEMENTWISEPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// The one group of all `rank` loops, if `op` can be flattened: see the
/// file's header for the conditions.
std::optional<ReassociationIndices> flattenable(linalg::GenericOp op, int64_t maxInner) {
  if (!op.hasPureBufferSemantics() || op.getNumLoops() < 2 ||
      op.getNumParallelLoops() != op.getNumLoops())
    return std::nullopt;
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  if (llvm::any_of(bounds, ShapedType::isDynamic) || bounds.back() >= maxInner)
    return std::nullopt;
  int64_t elements = 1;
  for (int64_t bound : bounds)
    elements *= bound;
  if (elements < maxInner)
    return std::nullopt; // too few to vectorize either way (nn-unroll-small-loops writes it out)
  ReassociationIndices all = llvm::to_vector(llvm::seq<int64_t>(0, op.getNumLoops()));
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (map.getNumResults() == 0)
      continue; // a scalar (a 0-d buffer, a learning rate): read as it is
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!map.isIdentity() || !type ||
        !memref::CollapseShapeOp::isGuaranteedCollapsible(type, {all}))
      return std::nullopt;
  }
  return all;
}

struct FlattenElementwise : nn::impl::NNFlattenElementwisePassBase<FlattenElementwise> {
  using NNFlattenElementwisePassBase::NNFlattenElementwisePassBase;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, ReassociationIndices>> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<ReassociationIndices> all = flattenable(op, maxInner))
        ops.push_back({op, *all});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, all] : ops) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::CollapseResult> flat =
          linalg::collapseOpIterationDims(op, {all}, rewriter);
      if (failed(flat))
        continue; // left as it is: still correct, only slower
      rewriter.eraseOp(op); // on buffers the op has no results to replace
    }
  }
};

} // namespace
