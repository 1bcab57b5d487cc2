//===- ParallelizeLoops.cpp - large loop nests split across threads -------===//
//
// nn-parallelize-loops: the matmul micro-kernel runs on every core, but after
// it the rest of a train step (im2col and its transpose for convolutions,
// pooling, bias gradients, the optimizer's updates, the activations) would
// still be one sequential scf.for nest per op. In the two-layer CNN that is a
// third of the step, and on two cores it is the part that does not get
// faster (Amdahl's law: with a serial third, two cores give at most 1.5x).
//
// For each linalg op on buffers whose iteration space has at least
// `min-iterations` points and a parallel outermost loop, the pass tiles
// that loop:
//
//   linalg.generic (d0 = 0..50, d1 = 0..1024) { ... }
//     becomes
//   scf.parallel (%i) = (0) to (50) step (1) {          -> the thread pool
//     %a = memref.subview ... [%i, 0] [1, 1024] ...
//     scf.for %j = 0 to 1024 { ... }                     the op on its piece
//   }
//
// The tile is the smallest divisor of the extent that leaves at most
// `max-chunks` pieces (so pieces are equal and their loops have static
// bounds, which LLVM vectorizes), or the rounded-up quotient when no divisor
// is small enough. The thread pool gives each thread a contiguous
// run of pieces.
//
// When the outermost loop is a sum (a bias gradient or a column sum, summed
// over the batch: d0 = reduction, d1 = parallel), the first parallel loop
// is split instead, in pieces of whole cache lines (at least 16 floats), so
// that each thread sums its own columns down the whole batch:
//
//   linalg.generic (d0 = 0..100 reduction, d1 = 0..1024) { db[d1] += g[d0, d1] }
//     becomes
//   scf.parallel (%j) = (0) to (1024) step (16) {
//     scf.for %i = 0 to 100 { scf.for %jj = 0 to 16 { ... } }
//   }
//
// Why this is exact: the loop is parallel, so different iterations write
// different output elements and no piece reads what another writes (linalg's
// semantics for parallel iterators). Reduction loops are not split: each sum
// runs whole, in the same order, inside one piece, so the results are the
// same bits for any number of threads.
//
// Small ops stay sequential: forking the thread team costs a few
// microseconds, as much as an elementwise op of some 10^4 elements.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace nn {
#define GEN_PASS_DEF_NNPARALLELIZELOOPSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// The loop to split: the outermost, if it is parallel and has at least two
/// iterations; else (the outermost is a sum) the first parallel loop with at
/// least two cache lines of iterations, in pieces of whole lines. A piece
/// of one column would give each thread a strided walk over the whole
/// input, slower than one thread walking it in order; a piece of 16 columns
/// reads whole 64-byte lines that no other thread reads.
///
/// Each piece reads the slice of every operand that its iterations touch,
/// which linalg's tiling computes from the first and last iteration: right
/// only where the operand's indices grow with the loop. A reversed index
/// (the flipped filter of a convolution's input gradient reads
/// w[KH-1-a, ...]) would give the piece the wrong slice, so such an op is
/// not split.
bool growsWithDim(AffineExpr e, unsigned dim) {
  if (!e.isFunctionOfDim(dim))
    return true;
  if (isa<AffineDimExpr>(e))
    return true;
  auto binary = dyn_cast<AffineBinaryOpExpr>(e);
  if (!binary)
    return false;
  if (e.getKind() == AffineExprKind::Add)
    return growsWithDim(binary.getLHS(), dim) && growsWithDim(binary.getRHS(), dim);
  if (e.getKind() == AffineExprKind::Mul)
    if (auto c = dyn_cast<AffineConstantExpr>(binary.getRHS()))
      return c.getValue() > 0 && growsWithDim(binary.getLHS(), dim);
  return false;
}

constexpr int64_t kLineFloats = 16; // a 64-byte cache line of f32

bool loopSplits(linalg::LinalgOp op, unsigned dim) {
  return llvm::all_of(op.getIndexingMapsArray(), [&](AffineMap map) {
    return llvm::all_of(map.getResults(), [&](AffineExpr e) { return growsWithDim(e, dim); });
  });
}

/// The smallest tile that splits `extent` into at most `maxChunks` equal
/// pieces, or ceil(extent / maxChunks) when no divisor does.
int64_t chunkSize(int64_t extent, int64_t maxChunks) {
  int64_t smallest = (extent + maxChunks - 1) / maxChunks;
  for (int64_t tile = smallest; tile <= extent; ++tile)
    if (extent % tile == 0 && tile <= 2 * smallest)
      return tile;
  return smallest;
}

/// The tile sizes that split `op` (0: a loop kept whole), or none.
std::optional<SmallVector<int64_t>> splitTiles(linalg::LinalgOp op, ArrayRef<int64_t> ranges,
                                               int64_t maxChunks) {
  auto iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> tiles(op.getNumLoops(), 0);
  if (iterators.empty())
    return std::nullopt;
  if (iterators[0] == utils::IteratorType::parallel) {
    if (ranges[0] < 2 || !loopSplits(op, 0))
      return std::nullopt;
    tiles[0] = chunkSize(ranges[0], maxChunks);
    return tiles;
  }
  for (unsigned d = 1; d < iterators.size(); ++d) {
    if (iterators[d] != utils::IteratorType::parallel)
      continue;
    if (ranges[d] < 2 * kLineFloats || !loopSplits(op, d))
      return std::nullopt;
    int64_t chunk = chunkSize(ranges[d], maxChunks);
    tiles[d] = (chunk + kLineFloats - 1) / kLineFloats * kLineFloats;
    return tiles;
  }
  return std::nullopt;
}

struct ParallelizeLoops : nn::impl::NNParallelizeLoopsPassBase<ParallelizeLoops> {
  using NNParallelizeLoopsPassBase::NNParallelizeLoopsPassBase;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, SmallVector<int64_t>>> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      // Already inside a parallel loop (the micro-kernel's) or not on buffers.
      if (!op.hasPureBufferSemantics() || op->getParentOfType<scf::ParallelOp>())
        return;
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (llvm::any_of(ranges, ShapedType::isDynamic))
        return;
      int64_t points = 1;
      for (int64_t r : ranges)
        points *= r;
      if (points < minIterations)
        return;
      if (std::optional<SmallVector<int64_t>> tiles = splitTiles(op, ranges, maxChunks))
        candidates.push_back({op, *tiles});
    });

    IRRewriter rewriter(&getContext());
    for (auto &[op, tiles] : candidates) {
      rewriter.setInsertionPoint(op);
      auto options = linalg::LinalgTilingOptions().setTileSizes(tiles).setLoopType(
          linalg::LinalgTilingLoopType::ParallelLoops);
      FailureOr<linalg::TiledLinalgOp> tiled = linalg::tileLinalgOp(rewriter, op, options);
      if (failed(tiled))
        continue; // left whole for convert-linalg-to-loops
      rewriter.eraseOp(op);
      // The piece becomes its sequential loop nest now, so the parallel
      // region holds plain loops when convert-scf-to-openmp outlines it.
      rewriter.setInsertionPoint(tiled->op);
      if (failed(linalg::linalgOpToLoops(rewriter, tiled->op))) {
        signalPassFailure();
        return;
      }
      rewriter.eraseOp(tiled->op);
    }
  }
};

} // namespace
