//===- DirectConvolutions.h - the filter gradient's form -------*- C++ -*-===//
//
// What nn-direct-convolutions writes and nn-matmul-microkernel reads back:
// the indexing maps of a convolution's filter gradient as a linalg.generic,
// defined once so that the writer and the reader cannot disagree.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_CPU_DIRECTCONVOLUTIONS_H
#define NNC_CODEGEN_CPU_DIRECTCONVOLUTIONS_H

#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/SmallVector.h"

namespace nn {

/// dw[a, b, c, f] += img[n, y*sy + a, x*sx + b, c] * g[n, y, x, f] over the
/// loops (a, b, c, f, n, y, x): the maps of img, g and dw, in that order.
inline llvm::SmallVector<mlir::AffineMap> filterGradientMaps(mlir::MLIRContext *ctx, int64_t sy,
                                                             int64_t sx) {
  auto d = [&](unsigned i) { return mlir::getAffineDimExpr(i, ctx); };
  return {mlir::AffineMap::get(7, 0, {d(4), d(5) * sy + d(0), d(6) * sx + d(1), d(2)}, ctx),
          mlir::AffineMap::get(7, 0, {d(4), d(5), d(6), d(3)}, ctx),
          mlir::AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx)};
}

} // namespace nn

#endif // NNC_CODEGEN_CPU_DIRECTCONVOLUTIONS_H
