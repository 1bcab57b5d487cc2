//===- Shapes.h - shape rules shared by the nn ops --------------*- C++ -*-===//
//
// NumPy broadcasting and axis normalisation: used by the ops' type inference
// (NNOps.cpp) and by the lowering to linalg (which needs the same alignment of
// dimensions to build its indexing maps).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_IR_SHAPES_H
#define NNC_IR_SHAPES_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace nn {

/// NumPy broadcasting: align `a` and `b` on the right; each pair of dimensions
/// must be equal or one of them 1, and the result takes the larger. A dynamic
/// dimension (the batch `?`) pairs with itself or with 1. Returns std::nullopt
/// when the shapes do not broadcast.
std::optional<llvm::SmallVector<int64_t>> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                                          llvm::ArrayRef<int64_t> b);

/// `[2, ?, 3]` for error messages (the batch dimension prints as `?`).
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// `100x784` (`?x784`, `scalar`) for pictures and tables: a tensor type's
/// shape; "" for what is not a ranked tensor.
std::string formatDims(mlir::Type type);

/// Maps a possibly negative axis (`-1` is the last) into [0, rank); returns
/// std::nullopt when it is out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

} // namespace nn

#endif // NNC_IR_SHAPES_H
