//===- MatmulLoopOrder.cpp - matmul loops in (i, k, j) order --------------===//
//
// nn-matmul-loop-order: generalizes each linalg.matmul to a linalg.generic
// and interchanges its loops from (i, j, k) to (i, k, j). The maths is the
// same sum; only the order of the loops changes, so that the innermost loop
// reads B and writes C contiguously.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace nn {
#define GEN_PASS_DEF_NNMATMULLOOPORDERPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

struct MatmulLoopOrder : nn::impl::NNMatmulLoopOrderPassBase<MatmulLoopOrder> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
    for (linalg::MatmulOp matmul : matmuls) {
      rewriter.setInsertionPoint(matmul);
      FailureOr<linalg::GenericOp> generic = linalg::generalizeNamedOp(rewriter, matmul);
      if (failed(generic))
        return signalPassFailure();
      // New loop d of the generic = old loop interchange[d]: (i, k, j).
      if (failed(linalg::interchangeGenericOp(rewriter, *generic, {0, 2, 1})))
        return signalPassFailure();
    }
  }
};

} // namespace
