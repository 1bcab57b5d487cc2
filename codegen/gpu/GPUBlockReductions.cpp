//===- GPUBlockReductions.cpp - reductions as block-level tree reductions -===//
//
// nn-gpu-block-reductions: each linalg.generic on buffers that reduces whole
// axes into one output (a row max or sum of softmax, a bias gradient's
// column sums, the loss, the count of right answers), out[o] = out[o] (+)
// f(inputs at (o, r)) for r over the reduced axes, becomes a gpu.launch in
// which a group of threads, the lanes of an output, shares the work of
// each output:
//
//   1. lane l of output o folds f(o, r) for r = l, l + L, l + 2L, ... into a
//      partial value in a register (starting from the identity of (+): 0 for
//      a sum, -inf for a max);
//   2. every thread stores its partial into the block's shared memory, and
//      the block waits at a barrier;
//   3. a tree: for s = L/2, L/4, ..., 1, lane l < s replaces its slot with
//      slot(l) (+) slot(l + s), then the block waits again;
//   4. lane 0 writes out[o] (+) slot(0).
//
// The order of every (+) is fixed by the block's shape, not by timing, and
// there are no atomics: a run gives the same bits every time (not the CPU's
// bits: the CPU adds in another order).
//
// A block holds G outputs of L lanes each (G * L <= max-threads, both powers
// of two). Which of the two is the fast thread index follows the memory of
// the reduced input, so that a warp reads consecutive addresses:
//
//   along rows (the innermost axis is reduced: softmax, the loss)
//     L = the reduced length rounded up to a power of two (at most
//     max-threads), lanes fastest: the threads of a warp read one row;
//   across columns (an outer axis is reduced: the bias gradient's sum over
//     the batch) G = 32 outputs fastest, L = the rest: a warp reads 32
//     consecutive columns of one row.
//
//   row sums of a 100 x 10 matrix: L = 16, G = 16, 7 blocks of 256 threads
//   column sums of 100 x 1024:     G = 32, L = 8, 32 blocks of 256 threads
//
// Left to the one-thread-per-output mapping (nn-gpu-map-parallel-loops):
// window reductions (pooling: a reduced index is part of a sum such as
// 2 * h + dh, a few elements per output), reductions with several outputs
// (argmax's value and index), and combiners without an identity.
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/KernelBuilder.h"
#include "codegen/gpu/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Transforms/RegionUtils.h"

namespace nn {
#define GEN_PASS_DEF_NNGPUBLOCKREDUCTIONSPASS
#include "codegen/gpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// One reduction to build a kernel for, and the block shape chosen for it.
struct Reduction {
  linalg::GenericOp op;
  Operation *combiner = nullptr; // (+): acc = combiner(acc, value)
  TypedAttr identity;            // x (+) identity = x
  SmallVector<int64_t> sizes;    // the loop ranges
  SmallVector<unsigned> parallelDims, reducedDims;
  int64_t outputs = 1, length = 1; // how many outputs; elements folded into each
  int64_t groups = 1, lanes = 1;   // outputs per block; threads per output
  bool alongRows = true;           // lanes are the fast thread index
};

/// Whether every result of `map` that uses a reduced dimension is that
/// dimension alone (an axis reduction, not a window).
bool reducesWholeAxes(AffineMap map, ArrayRef<unsigned> reducedDims) {
  for (AffineExpr e : map.getResults()) {
    if (isa<AffineDimExpr>(e))
      continue;
    for (unsigned d : reducedDims)
      if (e.isFunctionOfDim(d))
        return false;
  }
  return true;
}

std::optional<Reduction> asReduction(linalg::GenericOp op, int64_t maxThreads) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return std::nullopt;
  Reduction red;
  red.op = op;
  red.sizes = op.getStaticLoopRanges();
  if (llvm::any_of(red.sizes, ShapedType::isDynamic))
    return std::nullopt;
  op.getParallelDims(red.parallelDims);
  op.getReductionDims(red.reducedDims);
  Value init = op.getDpsInitOperand(0)->get();
  for (OpOperand *in : op.getDpsInputOperands())
    if (in->get() == init || !reducesWholeAxes(op.getMatchingIndexingMap(in), red.reducedDims))
      return std::nullopt;
  SmallVector<Operation *> combiners;
  if (!matchReduction(op.getRegionOutputArgs(), 0, combiners) || combiners.size() != 1)
    return std::nullopt;
  red.combiner = combiners.front();
  if (red.combiner->getNumOperands() != 2 ||
      red.combiner->getOperand(0) == red.combiner->getOperand(1))
    return std::nullopt;
  std::optional<TypedAttr> identity = arith::getNeutralElement(red.combiner);
  if (!identity)
    return std::nullopt;
  red.identity = *identity;
  for (unsigned d : red.parallelDims)
    red.outputs *= red.sizes[d];
  for (unsigned d : red.reducedDims)
    red.length *= red.sizes[d];
  if (red.length < 2 || red.outputs == 0)
    return std::nullopt;

  // Along rows when the largest input's innermost index is a reduced one.
  OpOperand *largest = nullptr;
  int64_t largestSize = -1;
  for (OpOperand *in : op.getDpsInputOperands())
    if (auto type = dyn_cast<MemRefType>(in->get().getType());
        type && type.getRank() > 0 && type.getNumElements() > largestSize)
      largest = in, largestSize = type.getNumElements();
  if (largest) {
    AffineExpr last = op.getMatchingIndexingMap(largest).getResults().back();
    auto dim = dyn_cast<AffineDimExpr>(last);
    red.alongRows = dim && llvm::is_contained(red.reducedDims, dim.getPosition());
  }
  auto pow2 = [](int64_t v) { return static_cast<int64_t>(llvm::PowerOf2Ceil(v)); };
  if (red.alongRows) {
    red.lanes = std::min(maxThreads, pow2(red.length));
    red.groups = std::min(maxThreads / red.lanes, pow2(red.outputs));
  } else {
    red.groups = std::min<int64_t>({32, maxThreads, pow2(red.outputs)});
    red.lanes = std::min(maxThreads / red.groups, pow2(red.length));
  }
  return red;
}

struct GPUBlockReductions : nn::impl::NNGPUBlockReductionsPassBase<GPUBlockReductions> {
  using NNGPUBlockReductionsPassBase::NNGPUBlockReductionsPassBase;

  void runOnOperation() override {
    if (maxThreads < 2 || !llvm::isPowerOf2_64(maxThreads)) {
      getOperation().emitError("nn-gpu-block-reductions: max-threads must be a power of two");
      return signalPassFailure();
    }
    std::vector<Reduction> reductions;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<Reduction> red = asReduction(op, maxThreads))
        reductions.push_back(*red);
    });
    for (Reduction &red : reductions) {
      buildKernel(red);
      red.op->erase();
    }
  }

  void buildKernel(Reduction &red);
};

/// Index values for the loop dimensions `dims` (the last the fastest) from
/// a linear number `linear` below the product of their sizes.
void delinearize(OpBuilder &b, Location loc, Value linear, ArrayRef<unsigned> dims,
                 ArrayRef<int64_t> sizes, SmallVectorImpl<Value> &ivs) {
  int64_t stride = 1;
  for (unsigned d : llvm::reverse(dims)) {
    Value q = stride == 1 ? linear
                          : b.create<arith::DivUIOp>(loc, linear,
                                                     b.create<arith::ConstantIndexOp>(loc, stride))
                                .getResult();
    ivs[d] = d == dims.front()
                 ? q
                 : b.create<arith::RemUIOp>(loc, q, b.create<arith::ConstantIndexOp>(loc, sizes[d]))
                       .getResult();
    stride *= sizes[d];
  }
}

/// The element of `buffer` that `map` picks at the loop indices `ivs`.
SmallVector<Value> indicesAt(OpBuilder &b, Location loc, AffineMap map, ArrayRef<Value> ivs) {
  SmallVector<Value> indices;
  for (unsigned i = 0; i < map.getNumResults(); ++i) {
    AffineExpr e = map.getResult(i);
    if (auto dim = dyn_cast<AffineDimExpr>(e))
      indices.push_back(ivs[dim.getPosition()]);
    else if (auto c = dyn_cast<AffineConstantExpr>(e))
      indices.push_back(b.create<arith::ConstantIndexOp>(loc, c.getValue()));
    else
      indices.push_back(b.create<affine::AffineApplyOp>(loc, map.getSubMap({i}), ivs));
  }
  return indices;
}

/// The kernel of one reduction, in place of the linalg op; see the header.
void GPUBlockReductions::buildKernel(Reduction &red) {
  MLIRContext *ctx = &getContext();
  linalg::GenericOp op = red.op;
  Location loc = op.getLoc();
  OpBuilder host(op);
  auto index = [&](OpBuilder &b, int64_t v) -> Value {
    return b.create<arith::ConstantIndexOp>(loc, v);
  };
  const int64_t G = red.groups, L = red.lanes, threads = G * L;
  Value one = index(host, 1);
  auto launch = host.create<gpu::LaunchOp>(loc, index(host, (red.outputs + G - 1) / G), one, one,
                                           index(host, threads), one, one);
  OpOperand *init = op.getDpsInitOperand(0);
  Type elementType = getElementTypeOrSelf(init->get().getType());
  auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  Value slots = launch.addWorkgroupAttribution(
      MemRefType::get({threads}, elementType, MemRefLayoutAttrInterface(), workgroup), loc);

  OpBuilder b = OpBuilder::atBlockBegin(&launch.getBody().front());
  nn::ValueSinker sinker;
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(op.getRegion(), captured);
  for (Value v : captured)
    sinker.mapping().map(v, sinker.sink(v, b));
  SmallVector<Value> buffers;
  for (OpOperand &operand : op->getOpOperands())
    buffers.push_back(sinker.sink(operand.get(), b));

  // Which output and which lane this thread is.
  Value tid = launch.getThreadIds().x;
  Value lane = red.alongRows ? b.create<arith::RemUIOp>(loc, tid, index(b, L)).getResult()
                             : b.create<arith::DivUIOp>(loc, tid, index(b, G)).getResult();
  Value group = red.alongRows ? b.create<arith::DivUIOp>(loc, tid, index(b, L)).getResult()
                              : b.create<arith::RemUIOp>(loc, tid, index(b, G)).getResult();
  Value output = b.create<arith::AddIOp>(
      loc, b.create<arith::MulIOp>(loc, launch.getBlockIds().x, index(b, G)), group);
  Value isOutput =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, output, index(b, red.outputs));
  Value identity = b.create<arith::ConstantOp>(loc, red.identity);
  auto combine = [&](OpBuilder &ob, Value x, Value y) {
    IRMapping m;
    m.map(red.combiner->getOperand(0), x);
    m.map(red.combiner->getOperand(1), y);
    return ob.clone(*red.combiner, m)->getResult(0);
  };
  SmallVector<Value> ivs(red.sizes.size());
  Block &body = op.getRegion().front();

  // 1. The lane's partial value over r = lane, lane + L, ...
  auto guard = b.create<scf::IfOp>(loc, TypeRange{elementType}, isOutput, true);
  {
    OpBuilder then = guard.getThenBodyBuilder();
    delinearize(then, loc, output, red.parallelDims, red.sizes, ivs);
    auto loop =
        then.create<scf::ForOp>(loc, lane, index(then, red.length), index(then, L), identity);
    OpBuilder in = OpBuilder::atBlockBegin(loop.getBody());
    delinearize(in, loc, loop.getInductionVar(), red.reducedDims, red.sizes, ivs);
    IRMapping m = sinker.mapping();
    for (OpOperand *operand : op.getDpsInputOperands()) {
      Value buffer = buffers[operand->getOperandNumber()];
      Value v =
          isa<MemRefType>(buffer.getType())
              ? in.create<memref::LoadOp>(
                      loc, buffer, indicesAt(in, loc, op.getMatchingIndexingMap(operand), ivs))
                    .getResult()
              : buffer;
      m.map(op.getMatchingBlockArgument(operand), v);
    }
    m.map(op.getRegionOutputArgs()[0], loop.getRegionIterArgs()[0]);
    for (Operation &bodyOp : body.without_terminator()) {
      if (auto idx = dyn_cast<linalg::IndexOp>(bodyOp))
        m.map(idx.getResult(), ivs[idx.getDim()]);
      else
        in.clone(bodyOp, m);
    }
    in.create<scf::YieldOp>(loc, m.lookup(body.getTerminator()->getOperand(0)));
    then.create<scf::YieldOp>(loc, loop.getResult(0));
    guard.getElseBodyBuilder().create<scf::YieldOp>(loc, identity);
  }

  // 2. Every partial into the block's shared memory.
  b.create<memref::StoreOp>(loc, guard.getResult(0), slots, tid);
  b.create<gpu::BarrierOp>(loc);

  // 3. The tree: lane < s folds in the slot s lanes on; lanes are 1 slot
  // apart along rows, G slots across columns.
  const int64_t laneStride = red.alongRows ? 1 : G;
  for (int64_t s = L / 2; s >= 1; s /= 2) {
    Value active = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, lane, index(b, s));
    auto step = b.create<scf::IfOp>(loc, active, false);
    OpBuilder then = step.getThenBodyBuilder();
    Value other = then.create<arith::AddIOp>(loc, tid, index(then, s * laneStride));
    Value sum = combine(then, then.create<memref::LoadOp>(loc, slots, tid),
                        then.create<memref::LoadOp>(loc, slots, other));
    then.create<memref::StoreOp>(loc, sum, slots, tid);
    if (s > 1) // lane 0 reads only its own slot after the last step
      b.create<gpu::BarrierOp>(loc);
  }

  // 4. Lane 0 folds the block's value into the output.
  Value first = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, lane, index(b, 0));
  auto write = b.create<scf::IfOp>(loc, b.create<arith::AndIOp>(loc, first, isOutput), false);
  {
    OpBuilder then = write.getThenBodyBuilder();
    delinearize(then, loc, output, red.parallelDims, red.sizes, ivs);
    SmallVector<Value> at = indicesAt(then, loc, op.getMatchingIndexingMap(init), ivs);
    Value out = buffers[init->getOperandNumber()];
    Value old = then.create<memref::LoadOp>(loc, out, at);
    Value total = then.create<memref::LoadOp>(loc, slots, tid);
    then.create<memref::StoreOp>(loc, combine(then, old, total), out, at);
  }
  b.create<gpu::TerminatorOp>(loc);
}

} // namespace
