//===- Builders.h - what the nn-to-linalg lowerings share -------*- C++ -*-===//
//
// The shared vocabulary of convert-nn-to-linalg (passes/ConvertNNToLinalg.cpp
// and its op families in this folder): empty and filled tensors, the affine
// maps of NumPy broadcasting and of reductions, `linalg.generic` loops that
// map or reduce, and the windows of convolutions and pooling with
// TensorFlow's padding.
//
// How `linalg.generic` expresses a computation: a loop nest (its iterator
// types: parallel or reduction), one affine map per operand from the loop
// indices to the element it touches, and a body that computes one element.
// `a + b` with a: [100, 10] and b: [10] (NumPy broadcasting) is
//
//   loops (i, j), maps a: (i, j) -> (i, j), b: (i, j) -> (j), out: (i, j)
//   body  out = a + b
//
// and `reduce_sum(x, axis=1)` of x: [100, 10] is
//
//   loops (i, j: reduction), maps x: (i, j) -> (i, j), out: (i, j) -> (i)
//   body  out = out + x            (out starts as 0 via linalg.fill)
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_NNTOLINALG_BUILDERS_H
#define NNC_PASSES_NNTOLINALG_BUILDERS_H

#include "ir/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace nn::lowering {

using llvm::ArrayRef;
using llvm::StringRef;
using mlir::AffineMap;
using mlir::Location;
using mlir::OpBuilder;
using mlir::RankedTensorType;
using mlir::Value;
using mlir::ValueRange;

/// Computes one element of a map from the elements of its inputs.
using BodyFn = llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

RankedTensorType tensorTypeOf(Value v);
Value constantFloat(OpBuilder &b, Location loc, double value);
Value indexConst(OpBuilder &b, Location loc, int64_t v);
Value addf(OpBuilder &b, Location loc, Value x, Value y);

/// An uninitialised tensor of `type`, the destination of a linalg op.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type);
/// A tensor of `type` filled with `value`: the start of a reduction.
Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type, Value value);

/// The map that reads an operand of shape `operand` inside a loop nest over
/// the broadcast shape `result` (NumPy: aligned on the right; a dimension of
/// size 1 against a larger one always reads index 0).
AffineMap broadcastMap(mlir::MLIRContext *ctx, llvm::ArrayRef<int64_t> operand,
                       llvm::ArrayRef<int64_t> result);
/// The map that reads a tensor that lacks the `dropped` loop dimensions (a
/// reduction's result, used again over the full loop nest).
AffineMap droppingMap(mlir::MLIRContext *ctx, unsigned rank, llvm::ArrayRef<int64_t> dropped);
/// The map of an im2col copy: windows[n, y, x, a, b, c] reads
/// img[n, y*sy + a + top, x*sx + b + left, c] (the CPU's
/// nn-direct-convolutions recognizes convolutions by it).
AffineMap im2colMap(mlir::MLIRContext *ctx, int64_t sy, int64_t sx, int64_t top, int64_t left);

/// A parallel linalg.generic over `resultType`: element `i` of the result is
/// `body(input_0[map_0(i)], input_1[map_1(i)], ...)`.
Value buildMap(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
               llvm::ArrayRef<AffineMap> inputMaps, BodyFn body);
/// Elementwise op with NumPy broadcasting of its inputs to `resultType`.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
                       BodyFn body);
/// Reduces `inputs` (all of one shape) over `axes` with
/// `acc = combine(acc, element...)`, starting from `init`. The result has the
/// reduced axes removed.
Value buildReduction(OpBuilder &b, Location loc, ValueRange inputs, llvm::ArrayRef<int64_t> axes,
                     Value init,
                     llvm::function_ref<Value(OpBuilder &, Location, ValueRange, Value)> combine,
                     llvm::ArrayRef<AffineMap> inputMaps = {});
/// Inserts the size-1 dimensions that `keepdims` keeps.
Value expandToType(OpBuilder &b, Location loc, Value value, RankedTensorType type);

/// A window (a filter or a pooling window) of ky x kx every (sy, sx) over an
/// NHWC image of H x W, with TensorFlow's output size and padding.
struct Window {
  int64_t H, W, OH, OW, ky, kx, sy, sx, top, left, bottom, right;
  Window(RankedTensorType image, int64_t kernelH, int64_t kernelW, ArrayRef<int64_t> s,
         StringRef padding) {
    bool same = padding == "SAME";
    auto rows = *nn::convWindow(image.getDimSize(1), kernelH, s[0], same);
    auto cols = *nn::convWindow(image.getDimSize(2), kernelW, s[1], same);
    H = image.getDimSize(1), W = image.getDimSize(2), OH = rows[0], OW = cols[0];
    ky = kernelH, kx = kernelW, sy = s[0], sx = s[1];
    top = rows[1], bottom = rows[2], left = cols[1], right = cols[2];
  }
  int64_t paddedH() const { return H + top + bottom; }
  int64_t paddedW() const { return W + left + right; }
};

/// `x` (NHWC) inside a tensor of `fill` of `outer` spatial size, placed at
/// (top, left) and spread by `stride` (1 = contiguous): zero padding, and for
/// the input gradient of a convolution also the zeros between strided
/// positions.
Value placeInZeros(OpBuilder &b, Location loc, Value x, int64_t outerH, int64_t outerW, int64_t top,
                   int64_t left, int64_t sy = 1, int64_t sx = 1, double fill = 0.0);
/// The image inside its padding, filled with `fill` (0, or -inf for a maximum).
Value padImage(OpBuilder &b, Location loc, Value x, const Window &w, double fill = 0.0);

} // namespace nn::lowering

#endif // NNC_PASSES_NNTOLINALG_BUILDERS_H
