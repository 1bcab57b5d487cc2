//===- FuseAdjacentElementwise.cpp - one loop nest for neighbouring updates ===//
//
// nn-fuse-adjacent-elementwise: after bufferization and nn-update-in-place,
// Adam's update of one weight matrix is three loop nests over the same
// elements, each reading and writing whole matrices (3.2 MB each for the
// 784 x 1024 layer):
//
//   m = b1 m + (1 - b1) g               ins(m, g)          outs(m)
//   v = b2 v + (1 - b2) g^2             ins(v, g)          outs(v)
//   w = w - lr m / (sqrt(v) + eps)      ins(w, lr, m, v)   outs(w)
//
// Tensor-level fusion (nn-fuse-elementwise) cannot merge them: m and v have
// two uses each (the weight update and the optimizer's state). On buffers it
// is simple: two neighbouring linalg.generic ops with the same parallel
// iteration space, every operand read or written at the element of the
// iteration (identity maps), can run as one loop that does, for each
// element, the first op's work and then the second's. The fused loop reads
// g, m, v, w once and writes m, v, w once: 7 passes over memory instead of
// 10.
//
// Why the order of work may change: with identity maps, element i of either
// op touches only element i of each buffer, so what the second op sees at i
// (the first op's result at i, an input at i) is the same whether the first
// op has also finished elements i+1, ... or not. A value the second op reads
// from the first op's output is taken from the first op's body directly (a
// linalg.generic reads its inputs before it writes). Operands read at other
// elements (the scalar learning rate, a broadcast bias) must not be written
// by either op, and no buffer may be written through two different values,
// as far as the roots of the buffers (allocations, globals) tell.
//
// The pass runs before nn-plan-memory, so the plan sees the fused op.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace nn {
#define GEN_PASS_DEF_NNFUSEADJACENTELEMENTWISEPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// The buffer a memref value is a view of: an allocation, a global, an
/// argument. Values with different roots never share memory.
Value rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  if (auto global = v.getDefiningOp<memref::GetGlobalOp>())
    return global; // (two get_global of one symbol are told apart below)
  return v;
}

bool sameMemory(Value a, Value b) {
  Value ra = rootOf(a), rb = rootOf(b);
  if (ra == rb)
    return true;
  auto ga = ra.getDefiningOp<memref::GetGlobalOp>();
  auto gb = rb.getDefiningOp<memref::GetGlobalOp>();
  return ga && gb && ga.getName() == gb.getName();
}

bool elementwise(linalg::GenericOp op) {
  return op.hasPureBufferSemantics() && op.getNumParallelLoops() == op.getNumLoops();
}

/// Whether `first` then `second` may run as one loop (see the header).
bool canFuse(linalg::GenericOp first, linalg::GenericOp second) {
  if (!elementwise(first) || !elementwise(second) ||
      first.getStaticLoopRanges() != second.getStaticLoopRanges() ||
      llvm::any_of(first.getStaticLoopRanges(), ShapedType::isDynamic))
    return false;
  SmallVector<OpOperand *> operands;
  for (linalg::GenericOp op : {first, second})
    for (OpOperand &operand : op->getOpOperands())
      operands.push_back(&operand);
  auto mapOf = [&](OpOperand *operand) {
    return cast<linalg::GenericOp>(operand->getOwner()).getMatchingIndexingMap(operand);
  };
  for (OpOperand *written : operands) {
    auto writer = cast<linalg::GenericOp>(written->getOwner());
    if (!writer.isDpsInit(written))
      continue;
    if (!mapOf(written).isIdentity())
      return false;
    for (OpOperand *other : operands) {
      if (other == written || !sameMemory(other->get(), written->get()))
        continue;
      // The same memory: only as the very same value, at the same element,
      // and not written by both ops.
      auto otherOp = cast<linalg::GenericOp>(other->getOwner());
      if (other->get() != written->get() || !mapOf(other).isIdentity() ||
          (otherOp != writer && otherOp.isDpsInit(other)))
        return false;
    }
  }
  return true;
}

/// The fused op: inputs of both, outputs of both, the bodies one after the
/// other.
void fuse(linalg::GenericOp first, linalg::GenericOp second) {
  OpBuilder b(second);
  SmallVector<Value> inputs(first.getDpsInputs()), outputs(first.getDpsInits());
  llvm::append_range(inputs, second.getDpsInputs());
  llvm::append_range(outputs, second.getDpsInits());
  SmallVector<AffineMap> maps;
  for (auto [op, part] : {std::pair{first, 0}, {second, 0}, {first, 1}, {second, 1}})
    for (OpOperand &operand : op->getOpOperands())
      if (op.isDpsInit(&operand) == (part == 1))
        maps.push_back(op.getMatchingIndexingMap(&operand));
  auto fused = b.create<linalg::GenericOp>(
      second.getLoc(), TypeRange{}, inputs, outputs, maps, first.getIteratorTypesArray(),
      [&](OpBuilder &nested, Location loc, ValueRange args) {
        size_t firstIns = first.getNumDpsInputs(), secondIns = second.getNumDpsInputs();
        size_t firstOuts = first.getNumDpsInits();
        IRMapping mapping;
        Block *firstBody = first.getBody(), *secondBody = second.getBody();
        for (size_t i = 0; i < firstIns; ++i)
          mapping.map(firstBody->getArgument(i), args[i]);
        for (size_t i = 0; i < firstOuts; ++i)
          mapping.map(firstBody->getArgument(firstIns + i), args[firstIns + secondIns + i]);
        for (Operation &op : firstBody->without_terminator())
          nested.clone(op, mapping);
        SmallVector<Value> yielded;
        for (Value v : firstBody->getTerminator()->getOperands())
          yielded.push_back(mapping.lookupOrDefault(v));
        // The second op's arguments; one that reads an output of the first
        // takes the value the first has just computed for this element.
        IRMapping secondMapping;
        auto argumentFor = [&](Value buffer, Value arg) {
          for (size_t o = 0; o < firstOuts; ++o)
            if (first.getDpsInits()[o] == buffer)
              return yielded[o];
          return arg;
        };
        for (size_t i = 0; i < secondIns; ++i)
          secondMapping.map(secondBody->getArgument(i),
                            argumentFor(second.getDpsInputs()[i], args[firstIns + i]));
        for (size_t i = 0; i < second.getNumDpsInits(); ++i)
          secondMapping.map(secondBody->getArgument(secondIns + i),
                            argumentFor(second.getDpsInits()[i],
                                        args[firstIns + secondIns + firstOuts + i]));
        for (Operation &op : secondBody->without_terminator())
          nested.clone(op, secondMapping);
        for (Value v : secondBody->getTerminator()->getOperands())
          yielded.push_back(secondMapping.lookupOrDefault(v));
        nested.create<linalg::YieldOp>(loc, yielded);
      });
  fused->setLoc(FusedLoc::get(b.getContext(), {first.getLoc(), second.getLoc()}));
  first.erase();
  second.erase();
}

struct FuseAdjacentElementwise
    : nn::impl::NNFuseAdjacentElementwisePassBase<FuseAdjacentElementwise> {
  void runOnOperation() override {
    getOperation().walk([&](func::FuncOp function) {
      for (Block &block : function.getBody())
        while (fuseOnePair(block)) {
        }
    });
  }

  /// Fuses the first pair of generics with only side-effect-free ops (views,
  /// constants) between them; those move above the first.
  bool fuseOnePair(Block &block) {
    for (Operation &op : block) {
      auto first = dyn_cast<linalg::GenericOp>(op);
      if (!first)
        continue;
      SmallVector<Operation *> between;
      Operation *next = first->getNextNode();
      while (next && !isa<linalg::GenericOp>(next) && isMemoryEffectFree(next) &&
             next->getNumRegions() == 0) {
        between.push_back(next);
        next = next->getNextNode();
      }
      auto second = dyn_cast_or_null<linalg::GenericOp>(next);
      if (!second || !canFuse(first, second))
        continue;
      for (Operation *moved : between)
        moved->moveBefore(first);
      fuse(first, second);
      return true;
    }
    return false;
  }
};

} // namespace
