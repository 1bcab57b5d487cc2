//===- UnrollSmallLoops.cpp - short constant loops written out in full ----===//
//
// nn-unroll-small-loops: after convert-linalg-to-loops, pooling windows
// (2 x 2), convolution windows (5 x 5) and channel loops of extent 1 are
// scf.for loops with a handful of iterations. Run as loops they cost a
// compare and a branch per element, and, worse, they sit innermost, so the
// loop LLVM would vectorize (the 32 or 64 channels around them) is not the
// innermost one. Written out in full, the window disappears and the channel
// loop is innermost:
//
//   scf.for %c = 0 to 32 {                scf.for %c = 0 to 32 {
//     scf.for %i = 0 to 2 {                 %v0 = ... window (0, 0)
//       scf.for %j = 0 to 2 {      ->       %v1 = ... window (0, 1)
//         ... window (i, j)                 %v2 = ... window (1, 0)
//                                           %v3 = ... window (1, 1)
//
// The pass visits loops innermost first and unrolls a loop completely when
// its bounds are constants, it has at most `max-trip-count` iterations, it
// holds no other loop, and the unrolled body stays under `max-ops`
// operations. LLVM's own unroller (off in nnc's LLVM pipeline, because on
// the big straight-line functions of a train step it took most of the
// compile time) is not needed for these loops any more, and the `loops`
// stage shows the unrolled code.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"

namespace nn {
#define GEN_PASS_DEF_NNUNROLLSMALLLOOPSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// Number of operations in the body of `loop`, nested ones included.
int64_t bodySize(scf::ForOp loop) {
  int64_t ops = 0;
  loop.getBody()->walk([&](Operation *) { ++ops; });
  return ops;
}

struct UnrollSmallLoops : nn::impl::NNUnrollSmallLoopsPassBase<UnrollSmallLoops> {
  using NNUnrollSmallLoopsPassBase::NNUnrollSmallLoopsPassBase;

  void runOnOperation() override {
    // Post-order: inner loops are visited (and unrolled) before the loops
    // around them, so a 2 x 2 window unrolls both of its loops.
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops) {
      std::optional<int64_t> trips = constantTripCount(loop.getLowerBound(),
                                                       loop.getUpperBound(), loop.getStep());
      if (!trips || *trips < 1 || *trips > maxTripCount)
        continue;
      bool holdsLoop = false;
      loop.getBody()->walk([&](LoopLikeOpInterface) { holdsLoop = true; });
      if (holdsLoop || *trips * bodySize(loop) > maxOps)
        continue;
      if (failed(loopUnrollByFactor(loop, *trips)))
        continue; // left as a loop
    }
  }
};

} // namespace
