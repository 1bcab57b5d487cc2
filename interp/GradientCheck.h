//===- GradientCheck.h - autodiff against finite differences ----*- C++ -*-===//
//
// Checks the gradients nn-autodiff builds against central finite differences
// of the loss, both evaluated in float64 by the reference interpreter, so the
// comparison is sharp (errors near 1e-9, not 1e-3 as in float32).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_INTERP_GRADIENTCHECK_H
#define NNC_INTERP_GRADIENTCHECK_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace nn {

/// For `func`, whose result `lossIndex` is the loss and whose results marked
/// `nn.gradient` are its gradients (after nn-specialize-batch and
/// nn-autodiff): at a random point (placeholders uniform in [0.1, 1),
/// variables uniform in [-0.5, 0.5), consts at their value), compares each
/// variable's gradient with (L(w + h) - L(w - h)) / 2h on up to `samples`
/// elements, and prints the worst relative error per variable. Dropout draws
/// the masks of step 1 of a run seeded `seed`. Returns the worst error of
/// all, or failure if the IR cannot be evaluated.
mlir::FailureOr<double> checkGradients(mlir::func::FuncOp func, int64_t lossIndex,
                                       uint64_t seed, int samples, llvm::raw_ostream &os);

} // namespace nn

#endif // NNC_INTERP_GRADIENTCHECK_H
