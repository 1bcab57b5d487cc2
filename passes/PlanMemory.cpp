//===- PlanMemory.cpp - every temporary of a step in one static arena -----===//
//
// nn-plan-memory: static memory planning, as XLA's buffer assignment and
// TensorFlow Lite's arena planner do it. After bufferization each temporary
// of a function is a `memref.alloc` with a static shape. Instead of calling
// malloc and free for each, every step, the compiler decides now where each
// lives in one arena, a `memref.global` (zero-initialised storage that the
// program gets from the loader once):
//
//   %t = memref.alloc() : memref<100x1024xf32>
//     becomes
//   %t = memref.view %arena[%c409600][] : memref<Nxi8> to memref<100x1024xf32>
//
// 1. Liveness. The body is straight-line code, so a buffer is live from the
//    index of the first op that touches it (through any view) to the index of
//    the last one (BufferAccess.h). Two buffers may share bytes only if these
//    intervals do not intersect; an op that reads one and writes the other
//    has both live at its index, so they never share.
// 2. Placement, "greedy by size": the largest buffer first, each at the
//    lowest offset (a multiple of 64 bytes, a cache line and an AVX-512
//    vector) that does not overlap a placed buffer whose life intersects its
//    own. The arena is the largest end; the lower bound on any plan is the
//    largest total of bytes live at one op, and the report shows both.
// 3. The functions of a program run one at a time, so they share the arena:
//    its size is that of the largest plan.
//
// The results of the plan stay on the IR (`nn.offset`, `nn.bytes`,
// `nn.live` on each view) for `nnc --emit=memory` to print.
//
//===----------------------------------------------------------------------===//

#include "ir/NNAttributes.h"
#include "passes/Analysis/BufferAccess.h"
#include "passes/Analysis/MemoryPlan.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Format.h"

namespace nn {
#define GEN_PASS_DEF_NNPLANMEMORYPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace nn {

constexpr int64_t kArenaAlignment = 64;

int64_t bufferBytes(MemRefType type) {
  int64_t elementBytes = (type.getElementTypeBitWidth() + 7) / 8;
  return type.getNumElements() * elementBytes;
}

static int64_t alignUp(int64_t bytes) {
  return (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

namespace {

struct PlannedBuffer {
  memref::AllocOp alloc;
  int64_t bytes; // rounded up to the alignment
  int64_t first, last;
  int64_t offset = -1;
};

bool overlapInTime(const PlannedBuffer &a, const PlannedBuffer &b) {
  return a.first <= b.last && b.first <= a.last;
}

/// Greedy by size: biggest first, each at the lowest offset that is free in
/// every placed buffer's interval it overlaps. Returns the arena size.
int64_t placeBuffers(std::vector<PlannedBuffer> &buffers) {
  std::vector<PlannedBuffer *> order;
  for (PlannedBuffer &buffer : buffers)
    order.push_back(&buffer);
  llvm::stable_sort(order, [](PlannedBuffer *a, PlannedBuffer *b) {
    return a->bytes > b->bytes;
  });
  std::vector<PlannedBuffer *> placed;
  int64_t arena = 0;
  for (PlannedBuffer *buffer : order) {
    std::vector<std::pair<int64_t, int64_t>> taken; // [offset, end)
    for (PlannedBuffer *other : placed)
      if (overlapInTime(*buffer, *other))
        taken.push_back({other->offset, other->offset + other->bytes});
    llvm::sort(taken);
    int64_t offset = 0;
    for (auto [begin, end] : taken) {
      if (begin - offset >= buffer->bytes)
        break; // the gap before this one fits
      offset = std::max(offset, end);
    }
    buffer->offset = offset;
    arena = std::max(arena, offset + buffer->bytes);
    placed.push_back(buffer);
  }
  return arena;
}

struct PlanMemory : nn::impl::NNPlanMemoryPassBase<PlanMemory> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::vector<std::pair<func::FuncOp, std::vector<PlannedBuffer>>> plans;
    int64_t arenaBytes = 0;
    module.walk([&](func::FuncOp function) {
      if (function.isExternal() || !function.getBody().hasOneBlock())
        return;
      std::vector<PlannedBuffer> buffers = collectBuffers(function.getBody().front());
      if (buffers.empty())
        return;
      arenaBytes = std::max(arenaBytes, placeBuffers(buffers));
      plans.push_back({function, std::move(buffers)});
    });
    if (plans.empty())
      return;

    OpBuilder b(module.getBodyRegion());
    auto arenaType = MemRefType::get({arenaBytes}, b.getI8Type());
    b.create<memref::GlobalOp>(module.getLoc(), kArenaName, b.getStringAttr("private"),
                               arenaType, /*initial_value=*/b.getUnitAttr(),
                               /*constant=*/false,
                               b.getI64IntegerAttr(kArenaAlignment));
    for (auto &[function, buffers] : plans) {
      Block &body = function.getBody().front();
      b.setInsertionPointToStart(&body);
      Value arena = b.create<memref::GetGlobalOp>(function.getLoc(), arenaType, kArenaName);
      for (PlannedBuffer &buffer : buffers) {
        b.setInsertionPoint(buffer.alloc);
        Location loc = buffer.alloc.getLoc();
        Value offset = b.create<arith::ConstantIndexOp>(loc, buffer.offset);
        auto view = b.create<memref::ViewOp>(loc, buffer.alloc.getType(), arena, offset,
                                             ValueRange{});
        nn::setArenaPlacement(view, {buffer.offset, bufferBytes(buffer.alloc.getType()),
                                     buffer.first, buffer.last});
        buffer.alloc.replaceAllUsesWith(view.getResult());
        buffer.alloc.erase();
      }
    }
  }

  /// The allocations of a function body that can be planned: static shape,
  /// identity layout, never leaving the function.
  std::vector<PlannedBuffer> collectBuffers(Block &body) {
    auto index = numberOps(body);
    std::vector<PlannedBuffer> buffers;
    for (Operation &op : body) {
      auto alloc = dyn_cast<memref::AllocOp>(op);
      if (!alloc || !alloc.getType().hasStaticShape() ||
          !alloc.getType().getLayout().isIdentity() ||
          (alloc.getAlignment() && *alloc.getAlignment() > kArenaAlignment))
        continue;
      bool escapes = false;
      auto accesses = collectAccesses(collectAliases(alloc.getResult()), body, index, &escapes);
      // A dealloc would free arena memory: only plan buffers nobody frees.
      if (escapes || llvm::any_of(accesses, [](const BufferAccess &a) {
            return isa<memref::DeallocOp>(a.op);
          }))
        continue;
      int64_t at = index[alloc];
      PlannedBuffer buffer{alloc, alignUp(bufferBytes(alloc.getType())), at, at};
      if (!accesses.empty()) {
        buffer.first = accesses.front().index;
        buffer.last = accesses.back().index;
      }
      buffers.push_back(buffer);
    }
    return buffers;
  }
};

} // namespace
} // namespace nn
