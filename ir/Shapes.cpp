//===- Shapes.cpp - shape rules shared by the nn ops ----------------------===//
//
// NumPy broadcasting, shape printing and axis normalisation.
//
//===----------------------------------------------------------------------===//

#include "ir/Shapes.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"

using namespace mlir;

namespace nn {

std::optional<llvm::SmallVector<int64_t>> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                                          llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  llvm::SmallVector<int64_t> result(rank);
  // Walk from the last dimension; a missing leading dimension counts as 1.
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    int64_t &out = result[rank - 1 - i];
    if (da == db)
      out = da;
    else if (da == 1)
      out = db;
    else if (db == 1)
      out = da;
    else
      return std::nullopt; // 3 vs 4, or the batch `?` vs a fixed size.
  }
  return result;
}

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(shape[i]) ? "?" : std::to_string(shape[i]);
  }
  return s + "]";
}

std::string formatDims(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return "";
  if (tensor.getRank() == 0)
    return "scalar";
  std::string s;
  for (auto [i, d] : llvm::enumerate(tensor.getShape()))
    s += (i ? "x" : "") + (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d));
  return s;
}

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return std::nullopt;
  return axis;
}

} // namespace nn
