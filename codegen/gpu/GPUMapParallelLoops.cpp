//===- GPUMapParallelLoops.cpp - parallel loops as grids of GPU threads ---===//
//
// nn-gpu-map-parallel-loops: after convert-linalg-to-parallel-loops, every
// linalg op of a function is an scf.parallel over its parallel dimensions
// (its reduction dimensions are scf.for loops inside). This pass makes each
// outermost scf.parallel a gpu.launch with one GPU thread per iteration:
//
//   scf.parallel (%i, %j) = (%c0, %c0) to (%c100, %c10) step (%c1, %c1) {
//     body(%i, %j)
//   }
//     becomes
//   gpu.launch blocks(%bx, %by, %bz) in (%gx = 4, 1, 1)
//              threads(%tx, %ty, %tz) in (%sx = 256, 1, 1) {
//     %k = %bx * 256 + %tx                  // this thread's iteration
//     scf.if %k < 1000 {                    // the last block is not full
//       %i = %k / 10, %j = %k mod 10        // back to the loop's indices
//       body(%i, %j)
//     }
//     gpu.terminator
//   }
//
// Consecutive threads take consecutive iterations of the innermost loop, so
// a warp reads and writes consecutive elements (coalesced). What the body
// uses from outside the loop, other than the buffers themselves, is computed
// again inside the launch: constants, and the views (memref.view, subviews,
// reshapes) of a buffer. So a kernel's arguments are the buffers it touches,
// each with its own static shape, and the scalars computed on the host (the
// dropout key).
//
// What is left at the top of a function that touches the device (the loops
// of a reduction to one value, such as the loss; the fill of a rank-0
// buffer) becomes a kernel of one thread, one per run of such ops between
// launches. After the pass the host part of a function only launches
// kernels, and computes the scalars they take.
//
// This is the first, plain mapping: one thread per output element, the sums
// of a matmul or a reduction in that thread's loop. Tiling through shared
// memory and block-level reductions come as their own passes.
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/KernelBuilder.h"
#include "codegen/gpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

namespace nn {
#define GEN_PASS_DEF_NNGPUMAPPARALLELLOOPSPASS
#include "codegen/gpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// Whether `v` is memory on the device: a view of a global with storage
/// (the program's tensors and the arena; an external global such as the
/// runtime's dropout key is the host's).
bool onDevice(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto get = dyn_cast<memref::GetGlobalOp>(def)) {
      auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(def, get.getNameAttr());
      return global && !global.isExternal();
    }
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      return true; // an allocation, or anything else: assume the device
    v = view.getViewSource();
  }
  return true;
}

/// Whether `op`, at the top of a host function, reads or writes memory on
/// the device (an op with regions is assumed to).
bool touchesDevice(Operation &op) {
  if (op.getNumRegions() > 0)
    return true;
  auto effects = dyn_cast<MemoryEffectOpInterface>(&op);
  if (!effects)
    return !isPure(&op);
  SmallVector<MemoryEffects::EffectInstance> list;
  effects.getEffects(list);
  return llvm::any_of(list, [](MemoryEffects::EffectInstance &e) {
    return (isa<MemoryEffects::Read>(e.getEffect()) || isa<MemoryEffects::Write>(e.getEffect())) &&
           (!e.getValue() || onDevice(e.getValue()));
  });
}

/// A gpu.launch of `grid` blocks of `block` threads before `at`, and a
/// builder inside an `scf.if` that skips the threads past `total`; `k` is the
/// thread's global number, blockIdx.x * blockDim.x + threadIdx.x.
struct Kernel {
  gpu::LaunchOp launch;
  Value k;
  OpBuilder body;
};

Kernel createKernel(Operation *at, int64_t grid, int64_t block, int64_t total) {
  OpBuilder b(at);
  Location loc = at->getLoc();
  auto index = [&](OpBuilder &ib, int64_t v) -> Value {
    return ib.create<arith::ConstantIndexOp>(loc, v);
  };
  Value one = index(b, 1);
  auto launch = b.create<gpu::LaunchOp>(loc, index(b, grid), one, one, index(b, block), one, one);
  OpBuilder in = OpBuilder::atBlockBegin(&launch.getBody().front());
  Value k = in.create<arith::AddIOp>(
      loc, in.create<arith::MulIOp>(loc, launch.getBlockIds().x, index(in, block)),
      launch.getThreadIds().x);
  Value inRange = in.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, k, index(in, total));
  auto guard = in.create<scf::IfOp>(loc, inRange, /*withElseRegion=*/false);
  in.create<gpu::TerminatorOp>(loc);
  return {launch, k, guard.getThenBodyBuilder()};
}

/// Clones `ops` into the kernel's body; what they use from outside is
/// computed again inside when it can be (constants, views), else it becomes
/// a kernel argument (a buffer, a host scalar).
void cloneInto(Kernel &kernel, ArrayRef<Operation *> ops, nn::ValueSinker &sinker) {
  llvm::SetVector<Value> captured;
  llvm::SmallPtrSet<Operation *, 8> inside(ops.begin(), ops.end());
  for (Operation *op : ops) {
    for (Value v : op->getOperands())
      if (!v.getDefiningOp() || !inside.contains(v.getDefiningOp()))
        captured.insert(v);
    for (Region &region : op->getRegions())
      getUsedValuesDefinedAbove(region, captured);
  }
  for (Value v : captured)
    if (!sinker.mapping().contains(v))
      sinker.mapping().map(v, sinker.sink(v, kernel.body));
  for (Operation *op : ops)
    kernel.body.clone(*op, sinker.mapping());
}

struct GPUMapParallelLoops : nn::impl::NNGPUMapParallelLoopsPassBase<GPUMapParallelLoops> {
  using NNGPUMapParallelLoopsPassBase::NNGPUMapParallelLoopsPassBase;

  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      SmallVector<scf::ParallelOp> loops;
      for (Operation &op : func.getBody().front())
        if (auto loop = dyn_cast<scf::ParallelOp>(op))
          loops.push_back(loop);
      for (scf::ParallelOp loop : loops)
        if (failed(mapToThreads(loop)))
          return signalPassFailure();
      if (failed(mapSerialCode(func)))
        return signalPassFailure();
    }
  }

  /// The trip count of each dimension of `loop`, which must be static.
  FailureOr<SmallVector<int64_t>> tripCounts(scf::ParallelOp loop) {
    SmallVector<int64_t> counts;
    for (auto [lb, ub, step] :
         llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      std::optional<int64_t> l = getConstantIntValue(lb), u = getConstantIntValue(ub),
                             s = getConstantIntValue(step);
      if (!l || !u || !s || *s <= 0)
        return loop.emitOpError("nn-gpu-map-parallel-loops needs static bounds"), failure();
      counts.push_back(std::max<int64_t>(0, (*u - *l + *s - 1) / *s));
    }
    return counts;
  }

  LogicalResult mapToThreads(scf::ParallelOp loop) {
    if (loop.getNumReductions() != 0)
      return loop.emitOpError("a parallel loop with reductions cannot be mapped to threads");
    FailureOr<SmallVector<int64_t>> counts = tripCounts(loop);
    if (failed(counts))
      return failure();
    int64_t total = 1;
    for (int64_t c : *counts)
      total *= c;
    if (total == 0)
      return loop.erase(), success();
    int64_t block = std::min<int64_t>(blockSize, total);
    Kernel kernel = createKernel(loop, (total + block - 1) / block, block, total);
    OpBuilder &body = kernel.body;
    Location loc = loop.getLoc();
    auto index = [&](int64_t v) -> Value { return body.create<arith::ConstantIndexOp>(loc, v); };
    nn::ValueSinker sinker;
    // k -> (i0, i1, ...), the last dimension the fastest: i_d = lb_d + step_d *
    // ((k / stride_d) mod count_d).
    int64_t stride = 1;
    for (int64_t d = counts->size() - 1; d >= 0; --d) {
      Value q = body.create<arith::DivUIOp>(loc, kernel.k, index(stride));
      Value r = d == 0 ? q : body.create<arith::RemUIOp>(loc, q, index((*counts)[d]));
      Value lb = sinker.sink(loop.getLowerBound()[d], body);
      Value step = sinker.sink(loop.getStep()[d], body);
      sinker.mapping().map(
          loop.getInductionVars()[d],
          body.create<arith::AddIOp>(loc, lb, body.create<arith::MulIOp>(loc, r, step)));
      stride *= (*counts)[d];
    }
    SmallVector<Operation *> ops;
    for (Operation &op : loop.getBody()->without_terminator())
      ops.push_back(&op);
    cloneInto(kernel, ops, sinker);
    loop.erase();
    return success();
  }

  /// What is left at the top of a function after the parallel loops are
  /// kernels, and touches the device: the loops of a reduction to a single
  /// value (the loss), a fill of a rank-0 buffer. Each run of such ops
  /// between two launches becomes a kernel of one thread. Pure ops stay on
  /// the host (cloned into kernels where used), as do reads of the host's
  /// memory (the dropout key), unless they compute from a value of the run.
  LogicalResult mapSerialCode(func::FuncOp func) {
    SmallVector<SmallVector<Operation *>> runs(1);
    llvm::SmallPtrSet<Operation *, 16> inRun;
    for (Operation &op : func.getBody().front()) {
      if (op.hasTrait<OpTrait::IsTerminator>() || isa<gpu::LaunchOp, gpu::LaunchFuncOp>(op)) {
        runs.emplace_back();
        continue;
      }
      bool usesRun = llvm::any_of(op.getOperands(), [&](Value v) {
        return v.getDefiningOp() && inRun.contains(v.getDefiningOp());
      });
      if (!usesRun && !touchesDevice(op))
        continue;
      runs.back().push_back(&op);
      inRun.insert(&op);
    }
    for (ArrayRef<Operation *> run : runs) {
      if (!llvm::any_of(run, [](Operation *op) { return touchesDevice(*op); }))
        continue;
      llvm::SmallPtrSet<Operation *, 8> members(run.begin(), run.end());
      for (Operation *op : run)
        for (Operation *user : op->getUsers())
          if (!members.contains(func.getBody().front().findAncestorOpInBlock(*user)))
            return user->emitOpError("uses a value computed on the device, on the host");
      if (llvm::any_of(run, [](Operation *op) { return isa<memref::AllocOp>(op); }))
        return run.front()->emitOpError(
            "allocates device memory outside the static memory plan: not supported "
            "on the GPU");
      Kernel kernel = createKernel(run.front(), 1, 1, 1);
      nn::ValueSinker sinker;
      cloneInto(kernel, run, sinker);
      for (Operation *op : llvm::reverse(run))
        op->erase();
    }
    return success();
  }
};

} // namespace
