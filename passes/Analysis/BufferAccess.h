//===- BufferAccess.h - who touches a buffer, and when ----------*- C++ -*-===//
//
// The small analysis that nn-update-in-place and nn-plan-memory share. After
// bufferization a function body is one straight-line block: every op that
// touches memory is at the top level (a linalg op, a copy) or nested inside
// one that is (its uses are then counted at that top-level op). So "when" is
// just the index of the top-level op in the block, and a buffer's life is the
// interval from its first to its last access, over all its aliases (the
// subviews, reshapes and casts that view the same bytes).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_ANALYSIS_BUFFERACCESS_H
#define NNC_PASSES_ANALYSIS_BUFFERACCESS_H

#include "mlir/IR/Block.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

namespace nn {

/// One access to a buffer: the top-level op that makes it, its index in the
/// block, and whether it may read or write (both, when the op says nothing).
struct BufferAccess {
  mlir::Operation *op;
  int64_t index;
  bool reads;
  bool writes;
  mlir::Value value; // the alias the op uses
};

/// The index of every top-level op of `block`.
llvm::DenseMap<mlir::Operation *, int64_t> numberOps(mlir::Block &block);

/// `root` and every value that views its memory (ViewLikeOpInterface results,
/// transitively).
llvm::SmallVector<mlir::Value> collectAliases(mlir::Value root);

/// Every access to the memory of `aliases` by ops in `block`, in block order.
/// `escapes` is set when an alias leaves the block's knowledge (returned,
/// passed to a call, used by an op outside the block).
llvm::SmallVector<BufferAccess>
collectAccesses(llvm::ArrayRef<mlir::Value> aliases, mlir::Block &block,
                const llvm::DenseMap<mlir::Operation *, int64_t> &index,
                bool *escapes = nullptr);

} // namespace nn

#endif // NNC_PASSES_ANALYSIS_BUFFERACCESS_H
