//===- Patterns.h - the lowerings of each op family into linalg -*- C++ -*-===//
//
// convert-nn-to-linalg (passes/ConvertNNToLinalg.cpp) is the sum of these:
// one file per family of nn ops, each adding its conversion patterns (one per
// op) to the set, as Triton's conversions do (ElementwiseOpToLLVM.cpp, ...).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_NNTOLINALG_PATTERNS_H
#define NNC_PASSES_NNTOLINALG_PATTERNS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"

namespace nn {

/// Elementwise.cpp: arithmetic, activations, comparisons, casts.
void populateElementwiseLoweringPatterns(mlir::RewritePatternSet &patterns);
/// LinearAlgebra.cpp: constants, matmul, transpose, reshape, concat, slice,
/// broadcast_like.
void populateLinearAlgebraLoweringPatterns(mlir::RewritePatternSet &patterns);
/// Reductions.cpp: reduce_sum/mean/max, argmax, softmax and the losses.
void populateReductionLoweringPatterns(mlir::RewritePatternSet &patterns);
/// Convolution.cpp: conv2d and its two gradients, as im2col and matmuls.
void populateConvolutionLoweringPatterns(mlir::RewritePatternSet &patterns);
/// Pooling.cpp: max_pool, avg_pool and their gradients.
void populatePoolingLoweringPatterns(mlir::RewritePatternSet &patterns);
/// Dropout.cpp: dropout, its masks drawn in the generated code.
void populateDropoutLoweringPatterns(mlir::RewritePatternSet &patterns);

/// Declares the runtime's dropout key (support/ProgramABI.h) in a module that
/// has a dropout, for the lowered dropouts to read.
void declareDropoutKey(mlir::ModuleOp module);

} // namespace nn

#endif // NNC_PASSES_NNTOLINALG_PATTERNS_H
