//===- Builders.cpp - what the nn-to-linalg lowerings share ---------------===//

#include "passes/NNToLinalg/Builders.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

using namespace mlir;

namespace nn::lowering {

RankedTensorType tensorTypeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

Value constantFloat(OpBuilder &b, Location loc, double value) {
  return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(value));
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type, Value value) {
  return b.create<linalg::FillOp>(loc, value, emptyTensor(b, loc, type)).getResult(0);
}

AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operand, ArrayRef<int64_t> result) {
  SmallVector<AffineExpr> exprs;
  int64_t offset = result.size() - operand.size();
  for (auto [i, size] : llvm::enumerate(operand)) {
    int64_t loop = offset + i;
    if (size == 1 && result[loop] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(loop, ctx));
  }
  return AffineMap::get(result.size(), 0, exprs, ctx);
}

AffineMap droppingMap(MLIRContext *ctx, unsigned rank, ArrayRef<int64_t> dropped) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < rank; ++d)
    if (!llvm::is_contained(dropped, d))
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

AffineMap im2colMap(MLIRContext *ctx, int64_t sy, int64_t sx, int64_t top, int64_t left) {
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  return AffineMap::get(6, 0, {d(0), d(1) * sy + d(3) + top, d(2) * sx + d(4) + left, d(5)}, ctx);
}

Value buildMap(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
               ArrayRef<AffineMap> inputMaps, BodyFn body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(), utils::IteratorType::parallel);
  (void)ctx;
  auto generic = b.create<linalg::GenericOp>(
      loc, resultType, inputs, emptyTensor(b, loc, resultType), maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
                       BodyFn body) {
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(
        broadcastMap(b.getContext(), tensorTypeOf(in).getShape(), resultType.getShape()));
  return buildMap(b, loc, resultType, inputs, maps, body);
}

Value buildReduction(OpBuilder &b, Location loc, ValueRange inputs, ArrayRef<int64_t> axes,
                     Value init,
                     function_ref<Value(OpBuilder &, Location, ValueRange, Value)> combine,
                     ArrayRef<AffineMap> inputMaps) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType inType = tensorTypeOf(inputs.front());
  unsigned rank = inType.getRank();
  SmallVector<int64_t> outShape;
  SmallVector<utils::IteratorType> iterators;
  for (unsigned d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, d);
    iterators.push_back(reduced ? utils::IteratorType::reduction : utils::IteratorType::parallel);
    if (!reduced)
      outShape.push_back(inType.getDimSize(d));
  }
  auto outType = RankedTensorType::get(outShape, init.getType());
  SmallVector<AffineMap> maps(inputMaps);
  for (size_t i = maps.size(); i < inputs.size(); ++i)
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  maps.push_back(droppingMap(ctx, rank, axes));
  auto generic = b.create<linalg::GenericOp>(
      loc, outType, inputs, filledTensor(b, loc, outType, init), maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, combine(nb, nloc, args.drop_back(), args.back()));
      });
  return generic.getResult(0);
}

Value expandToType(OpBuilder &b, Location loc, Value value, RankedTensorType type) {
  RankedTensorType from = tensorTypeOf(value);
  if (from == type)
    return value;
  auto reassociation = getReassociationIndicesForReshape(from, type);
  assert(reassociation && "keepdims only inserts unit dimensions");
  return b.create<tensor::ExpandShapeOp>(loc, type, value, *reassociation);
}

Value addf(OpBuilder &b, Location loc, Value x, Value y) {
  return b.create<arith::AddFOp>(loc, x, y);
}

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return b.create<arith::ConstantIndexOp>(loc, v);
}

Value placeInZeros(OpBuilder &b, Location loc, Value x, int64_t outerH, int64_t outerW, int64_t top,
                   int64_t left, int64_t sy, int64_t sx, double fill) {
  RankedTensorType type = tensorTypeOf(x);
  SmallVector<int64_t> shape(type.getShape());
  if (shape[1] == outerH && shape[2] == outerW && sy == 1 && sx == 1)
    return x;
  shape[1] = outerH;
  shape[2] = outerW;
  Value zeros = filledTensor(b, loc, RankedTensorType::get(shape, type.getElementType()),
                             constantFloat(b, loc, fill));
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(top), b.getIndexAttr(left),
                                       b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes,
      strides = {b.getIndexAttr(1), b.getIndexAttr(sy), b.getIndexAttr(sx), b.getIndexAttr(1)};
  for (int64_t d : type.getShape())
    sizes.push_back(b.getIndexAttr(d));
  return b.create<tensor::InsertSliceOp>(loc, x, zeros, offsets, sizes, strides);
}

Value padImage(OpBuilder &b, Location loc, Value x, const Window &w, double fill) {
  return placeInZeros(b, loc, x, w.paddedH(), w.paddedW(), w.top, w.left, 1, 1, fill);
}

} // namespace nn::lowering
