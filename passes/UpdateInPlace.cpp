//===- UpdateInPlace.cpp - remove the copies bufferization leaves ----------===//
//
// nn-update-in-place: after one-shot bufferization a train step copies every
// variable it updates twice. At the top, a snapshot:
//
//   %w0 = memref.alloc();  memref.copy @nn_var_w -> %w0     (the old value)
//
// because bufferization cannot see that the reads of the old value and the
// final write of the new one are the same global; and at the bottom, a
// write-back of the new value, computed into a temporary:
//
//   linalg.generic ins(%w0, %m, %v) outs(%new)  { w - lr * m / (sqrt v + eps) }
//   memref.copy %new -> @nn_var_w
//
// For the 1024-unit network with Adam that is six 3.2 MB copies a step. This
// pass removes them, each only where it is provably safe, with the accesses of
// BufferAccess.h (index = position in the straight-line body):
//
// 1. Copy forwarding: `copy %src -> %dst`, where %dst is a fresh buffer that
//    is only read afterwards, can read %src instead, when nothing writes %src
//    between the copy and the last read of %dst.
// 2. Write-back: `copy %new -> %g` (%new a fresh buffer, %g a global) can
//    compute into %g directly, when nobody touches %g from the first write of
//    %new until the copy, except the op that first writes %new itself reading
//    %g at the same element it writes (an elementwise linalg.generic with
//    identity maps: element i of the old value is read before element i of
//    the new one is written, so w -= ... runs in place).
// 3. A copy of a buffer whose only content is a `linalg.fill` becomes a fill.
//
//===----------------------------------------------------------------------===//

#include "passes/Analysis/BufferAccess.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace nn {
#define GEN_PASS_DEF_NNUPDATEINPLACEPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;
using nn::BufferAccess;

namespace {

/// The block-level root of a buffer: a fresh allocation or a global.
enum class Root { Alloc, Global, Other };

Root rootKind(Value v, Block &body) {
  Operation *def = v.getDefiningOp();
  if (!def || def->getBlock() != &body)
    return Root::Other;
  if (isa<memref::AllocOp>(def))
    return Root::Alloc;
  if (isa<memref::GetGlobalOp>(def))
    return Root::Global;
  return Root::Other;
}

/// What the rewrites know of the body, computed once per change: each op's
/// position, and the memref.get_globals of each symbol.
struct BodyFacts {
  explicit BodyFacts(Block &body) : index(nn::numberOps(body)) {
    for (Operation &op : body)
      if (auto global = dyn_cast<memref::GetGlobalOp>(op))
        globals[global.getName()].push_back(global);
  }
  llvm::DenseMap<Operation *, int64_t> index;
  llvm::DenseMap<StringRef, SmallVector<memref::GetGlobalOp>> globals;
};

/// Every value of the function that names the memory of `root`: its views,
/// and for a global, every memref.get_global of the same symbol and theirs.
SmallVector<Value> memoryOf(Value root, const BodyFacts &facts) {
  auto global = root.getDefiningOp<memref::GetGlobalOp>();
  if (!global)
    return nn::collectAliases(root);
  SmallVector<Value> aliases;
  for (memref::GetGlobalOp other : facts.globals.lookup(global.getName()))
    llvm::append_range(aliases, nn::collectAliases(other.getResult()));
  return aliases;
}

bool hasIdentityLayout(Value v) {
  return cast<MemRefType>(v.getType()).getLayout().isIdentity();
}

/// The op reads `input` and writes `output` element by element at the same
/// index: a linalg.generic, all loops parallel, both operands the whole
/// buffer through identity maps.
bool readsThenWritesSameElement(Operation *op, Value input, Value output) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumParallelLoops() != generic.getNumLoops())
    return false;
  bool inputAligned = false, outputAligned = false;
  for (OpOperand *in : generic.getDpsInputOperands())
    if (in->get() == input)
      inputAligned = generic.getMatchingIndexingMap(in).isIdentity();
  for (OpOperand &out : generic.getDpsInitsMutable())
    if (out.get() == output)
      outputAligned = generic.getMatchingIndexingMap(&out).isIdentity();
  // The output must not also be read as an input at another index, and the
  // input must not be an output.
  return inputAligned && outputAligned && input.getType() == output.getType();
}

/// `copy %fresh -> %g` with %fresh a buffer allocated in the body and %g a
/// global of the same type: the copies rewrites 2 and 2b remove.
bool copiesFreshToGlobal(memref::CopyOp copy, Block &body) {
  Value fresh = copy.getSource(), global = copy.getTarget();
  return rootKind(fresh, body) == Root::Alloc && rootKind(global, body) == Root::Global &&
         fresh.getType() == global.getType();
}

/// Whether the global that `copy` writes can hold the new value from op
/// `from` (which writes `written`) on: nothing touches the global from
/// `from` until the copy, except `from` itself reading the global element
/// by element as it writes `written` (w -= ..., read before written).
bool untouchedUntilCopy(Block &body, BodyFacts &facts, memref::CopyOp copy, int64_t from,
                        Value written) {
  auto &index = facts.index;
  int64_t copyIndex = index[copy];
  for (const BufferAccess &access :
       nn::collectAccesses(memoryOf(copy.getTarget(), facts), body, index)) {
    if (access.op == copy.getOperation() || access.index < from || access.index > copyIndex)
      continue;
    if (!(access.index == from && !access.writes &&
          readsThenWritesSameElement(access.op, access.value, written)))
      return false;
  }
  return true;
}

struct UpdateInPlace : nn::impl::NNUpdateInPlacePassBase<UpdateInPlace> {
  void runOnOperation() override {
    getOperation().walk([&](func::FuncOp function) {
      if (function.isExternal() || !function.getBody().hasOneBlock())
        return;
      Block &body = function.getBody().front();
      // Rounds until nothing changes. In a round, each rewrite in turn
      // visits every copy in order; after a change, the facts (positions,
      // globals) are computed again before the next copy, since each
      // rewrite changes the accesses of others. (Restarting the scan from
      // the top after every change made this pass quadratic in the number
      // of copies: 0.23 s of a 64-layer network's compile.)
      using Rewrite = bool (UpdateInPlace::*)(memref::CopyOp, Block &, BodyFacts &);
      const Rewrite rewrites[] = {&UpdateInPlace::forwardCopy, &UpdateInPlace::writeBackCopy,
                                  &UpdateInPlace::retargetLastWriter,
                                  &UpdateInPlace::refillCopy};
      bool changed = true;
      while (changed) {
        changed = false;
        for (Rewrite rewrite : rewrites) {
          BodyFacts facts(body);
          // Each rewrite erases at most the copy it is given.
          for (auto copy : llvm::to_vector(body.getOps<memref::CopyOp>())) {
            if ((this->*rewrite)(copy, body, facts)) {
              changed = true;
              facts = BodyFacts(body);
            }
          }
        }
      }
    });
  }

  /// Rewrite 1: `copy %src -> %dst`, %dst fresh and only read afterwards.
  bool forwardCopy(memref::CopyOp copy, Block &body, BodyFacts &facts) {
    auto &index = facts.index;
    Value src = copy.getSource(), dst = copy.getTarget();
    if (rootKind(dst, body) != Root::Alloc || rootKind(src, body) == Root::Other ||
        src.getType() != dst.getType() || !hasIdentityLayout(src))
      return false;
    bool escapes = false;
    auto dstAccesses = nn::collectAccesses(nn::collectAliases(dst), body, index, &escapes);
    int64_t lastRead = index[copy];
    bool onlyRead = !escapes;
    for (const BufferAccess &access : dstAccesses) {
      if (access.op == copy.getOperation())
        continue;
      if (access.writes || access.index < index[copy])
        onlyRead = false;
      lastRead = std::max(lastRead, access.index);
    }
    if (!onlyRead)
      return false;
    bool srcStable = true;
    for (const BufferAccess &access :
         nn::collectAccesses(memoryOf(src, facts), body, index))
      if (access.writes && access.index > index[copy] && access.index <= lastRead)
        srcStable = false;
    if (!srcStable)
      return false;
    Operation *alloc = dst.getDefiningOp();
    copy.erase();
    dst.replaceAllUsesWith(src);
    alloc->erase();
    return true;
  }

  /// Rewrite 2: `copy %new -> %g`, computing %new in %g's memory.
  bool writeBackCopy(memref::CopyOp copy, Block &body, BodyFacts &facts) {
    auto &index = facts.index;
    if (!copiesFreshToGlobal(copy, body))
      return false;
    Value fresh = copy.getSource(), global = copy.getTarget();
    bool escapes = false;
    auto freshAccesses = nn::collectAccesses(nn::collectAliases(fresh), body, index, &escapes);
    int64_t copyIndex = index[copy];
    if (escapes || freshAccesses.front().index >= copyIndex ||
        llvm::any_of(freshAccesses, [&](const BufferAccess &a) {
          return a.index > copyIndex || (a.index == copyIndex && a.op != copy);
        }))
      return false;
    const BufferAccess &firstWrite = freshAccesses.front();
    if (!untouchedUntilCopy(body, facts, copy, firstWrite.index, fresh))
      return false;
    // The global must be visible where the fresh buffer was allocated.
    global.getDefiningOp()->moveBefore(&body.front());
    Operation *alloc = fresh.getDefiningOp();
    copy.erase();
    fresh.replaceAllUsesWith(global);
    alloc->erase();
    return true;
  }

  /// Rewrite 2b: `copy %buffer -> %g` where %buffer held other values
  /// before (bufferization reuses the gradient's buffer for the new weight):
  /// the op that writes its last value, if elementwise, writes %g instead,
  /// and the reads of that value before the copy read %g.
  bool retargetLastWriter(memref::CopyOp copy, Block &body, BodyFacts &facts) {
    auto &index = facts.index;
    if (!copiesFreshToGlobal(copy, body))
      return false;
    Value buffer = copy.getSource(), global = copy.getTarget();
    bool escapes = false;
    auto accesses = nn::collectAccesses(nn::collectAliases(buffer), body, index, &escapes);
    int64_t copyIndex = index[copy];
    const BufferAccess *lastWrite = nullptr;
    for (const BufferAccess &access : accesses)
      if (access.writes && access.index < copyIndex)
        lastWrite = &access;
    if (escapes || !lastWrite || lastWrite->value != buffer)
      return false;
    auto writer = dyn_cast<linalg::GenericOp>(lastWrite->op);
    if (!writer || writer.getNumParallelLoops() != writer.getNumLoops())
      return false;
    OpOperand *init = nullptr;
    for (OpOperand &out : writer.getDpsInitsMutable())
      if (out.get() == buffer && writer.getMatchingIndexingMap(&out).isIdentity() &&
          !writer.payloadUsesValueFromOperand(&out))
        init = &out;
    if (!init)
      return false;
    // After the writer: only direct reads, all before the copy.
    int64_t writerIndex = lastWrite->index;
    bool laterReadsOnly = llvm::all_of(accesses, [&](const BufferAccess &a) {
      if (a.index <= writerIndex || a.op == copy.getOperation())
        return true;
      return a.index < copyIndex && !a.writes && a.value == buffer;
    });
    if (!laterReadsOnly)
      return false;
    if (!untouchedUntilCopy(body, facts, copy, writerIndex, buffer))
      return false;
    global.getDefiningOp()->moveBefore(&body.front());
    init->set(global);
    for (OpOperand &use : llvm::make_early_inc_range(buffer.getUses())) {
      Operation *top = body.findAncestorOpInBlock(*use.getOwner());
      if (top && index[top] > writerIndex && index[top] < copyIndex)
        use.set(global);
    }
    copy.erase();
    return true;
  }

  /// Rewrite 3: `copy %filled -> %dst` where %filled holds one fill.
  bool refillCopy(memref::CopyOp copy, Block &body, BodyFacts &facts) {
    auto &index = facts.index;
    if (rootKind(copy.getSource(), body) != Root::Alloc)
      return false;
    Value filled = copy.getSource();
    auto accesses = nn::collectAccesses(nn::collectAliases(filled), body, index);
    auto fill = dyn_cast<linalg::FillOp>(accesses.front().op);
    int64_t fillIndex = accesses.front().index, copyIndex = index[copy];
    if (!fill || fill.getOutputs().front() != filled ||
        llvm::any_of(accesses, [&](const BufferAccess &a) {
          return a.writes && a.index > fillIndex && a.index <= copyIndex;
        }))
      return false;
    OpBuilder b(copy);
    b.create<linalg::FillOp>(copy.getLoc(), fill.getInputs(), ValueRange{copy.getTarget()});
    copy.erase();
    if (filled.hasOneUse() && filled.getUses().begin()->getOwner() == fill) {
      fill.erase();
      filled.getDefiningOp()->erase();
    }
    return true;
  }
};

} // namespace
