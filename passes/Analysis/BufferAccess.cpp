//===- BufferAccess.cpp - who touches a buffer, and when ------------------===//
//
// See BufferAccess.h.
//
//===----------------------------------------------------------------------===//

#include "passes/Analysis/BufferAccess.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace nn {

llvm::DenseMap<Operation *, int64_t> numberOps(Block &block) {
  llvm::DenseMap<Operation *, int64_t> index;
  int64_t i = 0;
  for (Operation &op : block)
    index[&op] = i++;
  return index;
}

/// A use that only makes another view of the same memory is not an access.
static bool isViewSource(OpOperand &use) {
  auto view = dyn_cast<ViewLikeOpInterface>(use.getOwner());
  return view && view.getViewSource() == use.get();
}

llvm::SmallVector<Value> collectAliases(Value root) {
  llvm::SmallVector<Value> aliases{root};
  for (size_t i = 0; i < aliases.size(); ++i)
    for (OpOperand &use : aliases[i].getUses())
      if (isViewSource(use))
        for (Value result : use.getOwner()->getResults())
          if (isa<BaseMemRefType>(result.getType()))
            aliases.push_back(result);
  return aliases;
}

llvm::SmallVector<BufferAccess>
collectAccesses(ArrayRef<Value> aliases, Block &block,
                const llvm::DenseMap<Operation *, int64_t> &index, bool *escapes) {
  llvm::SmallVector<BufferAccess> accesses;
  for (Value alias : aliases) {
    for (OpOperand &use : alias.getUses()) {
      if (isViewSource(use))
        continue;
      Operation *user = use.getOwner();
      Operation *top = block.findAncestorOpInBlock(*user);
      if (!top || isa<func::ReturnOp, func::CallOp>(user)) {
        if (escapes)
          *escapes = true;
        if (!top)
          continue;
      }
      BufferAccess access{top, index.lookup(top), true, true, alias};
      // A top-level op that states its effects per operand (linalg ops,
      // memref.copy, loads and stores) says exactly whether it reads or
      // writes this alias; anything else is assumed to do both.
      auto effects = dyn_cast<MemoryEffectOpInterface>(user);
      if (user == top && effects) {
        SmallVector<MemoryEffects::EffectInstance> all;
        effects.getEffects(all);
        access.reads = access.writes = false;
        for (const MemoryEffects::EffectInstance &effect : all) {
          if (effect.getValue() != alias)
            continue;
          if (isa<MemoryEffects::Read>(effect.getEffect()))
            access.reads = true;
          else
            access.writes = true; // write, allocate or free
        }
      }
      accesses.push_back(access);
    }
  }
  llvm::sort(accesses, [](const BufferAccess &a, const BufferAccess &b) {
    return a.index < b.index;
  });
  return accesses;
}

} // namespace nn
