//===- NNOps.cpp - the nn dialect and its ops -----------------------------===//
//
// Registers the dialect and implements, for every op, the shape rule that
// gives its result type (`inferReturnTypes`). Each rule reports what is wrong
// with the operands' shapes; the frontend builds ops through these rules, so a
// learner's shape error in a .nn file is reported by the same code that
// verifies hand-written IR.
//
//===----------------------------------------------------------------------===//

#include "ir/NNDialect.h"
#include "ir/Shapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace nn;

#include "ir/NNOpsDialect.cpp.inc"
#include "ir/NNOpsEnums.cpp.inc"
#include "ir/NNInterfaces.cpp.inc"
#include "mlir/IR/Verifier.h"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "ir/NNOps.cpp.inc"
      >();
}

Operation *NNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  if (auto elements = llvm::dyn_cast<ElementsAttr>(value))
    return builder.create<ConstantOp>(loc, elements);
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static RankedTensorType tensorType(Value v) {
  return llvm::cast<RankedTensorType>(v.getType());
}

static Type f32(MLIRContext *ctx) { return Float32Type::get(ctx); }

//===----------------------------------------------------------------------===//
// Constants and variables
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getValue().getShapedType());
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

static const char *const kInitializers[] = {
    "zeros", "ones", "fill", "constant", "truncated_normal", "normal", "uniform"};

LogicalResult VariableOp::verify() {
  auto type = llvm::dyn_cast<RankedTensorType>(getType());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return emitOpError("needs a statically shaped f32 tensor type, got ")
           << getType();
  if (!llvm::is_contained(kInitializers, getInitializer()))
    return emitOpError("unknown initializer '") << getInitializer() << "'";
  auto params = getParams();
  auto needFloat = [&](StringRef name) -> LogicalResult {
    if (!llvm::isa_and_nonnull<FloatAttr>(params.get(name)))
      return emitOpError("initializer '")
             << getInitializer() << "' needs a float parameter '" << name << "'";
    return success();
  };
  StringRef init = getInitializer();
  if (init == "fill")
    return needFloat("value");
  if (init == "truncated_normal" || init == "normal")
    return needFloat("stddev");
  if (init == "uniform")
    return success(succeeded(needFloat("low")) && succeeded(needFloat("high")));
  if (init == "constant") {
    auto value = llvm::dyn_cast_or_null<DenseElementsAttr>(params.get("value"));
    if (!value)
      return emitOpError("initializer 'constant' needs a dense 'value'");
    if (value.getType() != type)
      return emitOpError("constant value of type ")
             << value.getType() << " does not match the variable's " << type;
  }
  return success();
}

/// Finds the variable a read or an assign names and checks its type.
static LogicalResult verifyVariableUse(Operation *op, FlatSymbolRefAttr name,
                                       Type type,
                                       SymbolTableCollection &symbolTable) {
  auto variable = symbolTable.lookupNearestSymbolFrom<VariableOp>(op, name);
  if (!variable)
    return op->emitOpError("refers to ") << name << ", which is not a variable";
  if (variable.getType() != type)
    return op->emitOpError("type ") << type << " does not match variable "
                                    << name << " of type " << variable.getType();
  return success();
}

LogicalResult ReadOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyVariableUse(*this, getVariableAttr(), getType(), symbolTable);
}

LogicalResult AssignOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyVariableUse(*this, getVariableAttr(), getValue().getType(),
                           symbolTable);
}

//===----------------------------------------------------------------------===//
// The program table
//===----------------------------------------------------------------------===//

LogicalResult ExportTensorOp::verify() {
  bool inFunction = isa<ExportFunctionOp>((*this)->getParentOp());
  bool functionRole = getRole() == TensorRole::input || getRole() == TensorRole::output;
  if (getRole() == TensorRole::scratch && !getType().getElementType().isInteger(8))
    return emitOpError("the scratch memory is bytes, got ") << getType();
  if (inFunction != functionRole)
    return emitOpError("a tensor of role '")
           << stringifyTensorRole(getRole()) << "' belongs "
           << (functionRole ? "inside an nn.export_function" : "at the module's top level");
  if (!getType().hasStaticShape())
    return emitOpError("needs a static shape, got ") << getType();
  if (getBatched() && getType().getRank() == 0)
    return emitOpError("a scalar has no batch dimension");
  return success();
}

/// The storage or entry point a record names must exist in the module.
static LogicalResult verifyExportedSymbol(Operation *op, FlatSymbolRefAttr name,
                                          SymbolTableCollection &symbolTable) {
  if (!symbolTable.lookupNearestSymbolFrom(op, name))
    return op->emitOpError("refers to ") << name << ", which is not defined";
  return success();
}

LogicalResult ExportTensorOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyExportedSymbol(*this, getStorageAttr(), symbolTable);
}

LogicalResult ExportFunctionOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyExportedSymbol(*this, getEntryAttr(), symbolTable);
}

void ExportFunctionOp::build(OpBuilder &builder, OperationState &state, StringRef name,
                             FlatSymbolRefAttr entry, int64_t batch) {
  state.addAttribute(getFunctionNameAttrName(state.name), builder.getStringAttr(name));
  state.addAttribute(getEntryAttrName(state.name), entry);
  state.addAttribute(getBatchAttrName(state.name), builder.getI64IntegerAttr(batch));
  state.addRegion()->emplaceBlock();
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

/// The broadcast shape of a binary op's operands, with `elementType`.
static LogicalResult inferBroadcast(std::optional<Location> loc, StringRef opName,
                                    Value lhs, Value rhs, Type elementType,
                                    SmallVectorImpl<Type> &types) {
  RankedTensorType a = tensorType(lhs), b = tensorType(rhs);
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "'", opName, "' operands have different element types (",
                             a.getElementType(), " and ", b.getElementType(),
                             "); use cast(x, f32)");
  auto shape = broadcastShapes(a.getShape(), b.getShape());
  if (!shape)
    return emitOptionalError(loc, "shapes ", formatShape(a.getShape()), " and ",
                             formatShape(b.getShape()), " do not broadcast in '",
                             opName, "'");
  types.push_back(RankedTensorType::get(*shape, elementType));
  return success();
}

#define NN_FLOAT_BINARY_INFER(OP, NAME)                                        \
  LogicalResult OP::inferReturnTypes(MLIRContext *ctx,                         \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferBroadcast(loc, NAME, adaptor.getLhs(), adaptor.getRhs(),       \
                          f32(ctx), types);                                    \
  }
NN_FLOAT_BINARY_INFER(AddOp, "+")
NN_FLOAT_BINARY_INFER(SubOp, "-")
NN_FLOAT_BINARY_INFER(MulOp, "*")
NN_FLOAT_BINARY_INFER(DivOp, "/")
NN_FLOAT_BINARY_INFER(PowOp, "pow")
NN_FLOAT_BINARY_INFER(MaximumOp, "maximum")
NN_FLOAT_BINARY_INFER(MinimumOp, "minimum")
#undef NN_FLOAT_BINARY_INFER

#define NN_COMPARE_INFER(OP, NAME)                                             \
  LogicalResult OP::inferReturnTypes(MLIRContext *ctx,                         \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferBroadcast(loc, NAME, adaptor.getLhs(), adaptor.getRhs(),       \
                          IntegerType::get(ctx, 1), types);                    \
  }
NN_COMPARE_INFER(EqualOp, "equal")
NN_COMPARE_INFER(GreaterOp, "greater")
NN_COMPARE_INFER(LessOp, "less")
#undef NN_COMPARE_INFER

LogicalResult CastOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  Type to = adaptor.getTo();
  if (!to.isF32() && !to.isInteger(64) && !to.isInteger(1))
    return emitOptionalError(loc, "cannot cast to ", to,
                             "; the element types are f32, i64 and i1");
  types.push_back(tensorType(adaptor.getX()).clone(to));
  return success();
}

//===----------------------------------------------------------------------===//
// Activations with structure, linear algebra and shapes
//===----------------------------------------------------------------------===//

LogicalResult DropoutOp::verify() {
  double keep = getKeepProb().convertToDouble();
  if (!(keep > 0.0 && keep <= 1.0))
    return emitOpError("keep_prob must be in (0, 1], got ") << keep;
  if (getStream() < 0 || getStream() > 0xffffffffLL)
    return emitOpError("stream must fit in 32 bits");
  return success();
}

LogicalResult SoftmaxOp::verify() {
  if (getType().getRank() < 1)
    return emitOpError("needs at least one dimension (softmax is over the last axis)");
  return success();
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType a = tensorType(adaptor.getLhs()), b = tensorType(adaptor.getRhs());
  if (a.getRank() != 2 || b.getRank() != 2)
    return emitOptionalError(loc, "matmul needs two 2-D tensors, got ",
                             formatShape(a.getShape()), " and ",
                             formatShape(b.getShape()));
  // [m, k] x [k, n] -> [m, n]: the inner dimensions must agree.
  if (a.getDimSize(1) != b.getDimSize(0))
    return emitOptionalError(loc, "matmul of ", formatShape(a.getShape()), " by ",
                             formatShape(b.getShape()), ": inner dimensions differ (",
                             formatShape(a.getShape().drop_front()), " vs ",
                             formatShape(b.getShape().take_front()), ")");
  types.push_back(
      RankedTensorType::get({a.getDimSize(0), b.getDimSize(1)}, f32(ctx)));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  RankedTensorType x = tensorType(adaptor.getX());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if ((int64_t)perm.size() != x.getRank())
    return emitOptionalError(loc, "transpose of a rank-", x.getRank(),
                             " tensor needs ", x.getRank(), " entries in perm, got ",
                             perm.size());
  llvm::SmallVector<bool> seen(perm.size(), false);
  llvm::SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= x.getRank() || seen[p])
      return emitOptionalError(loc, "perm ", formatShape(perm),
                               " is not a permutation of 0..", x.getRank() - 1);
    seen[p] = true;
    shape.push_back(x.getDimSize(p));
  }
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  RankedTensorType x = tensorType(adaptor.getX());
  ArrayRef<int64_t> target = adaptor.getShape();
  int64_t inferred = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == -1) {
      if (inferred != -1)
        return emitOptionalError(loc, "reshape allows only one -1, got ",
                                 formatShape(target));
      inferred = i;
    } else if (d <= 0) {
      return emitOptionalError(loc, "reshape dimensions must be positive or -1, got ",
                               formatShape(target));
    } else if (d > (int64_t(1) << 40) / known) { // no wrapped products
      return emitOptionalError(loc, "reshape target ", formatShape(target),
                               " has more than 2^40 elements");
    } else {
      known *= d;
    }
  }
  llvm::SmallVector<int64_t> shape(target);
  if (!x.hasStaticShape()) {
    // Only the batch (first) dimension can be `?`; it must stay the first
    // dimension so that every row of the result still belongs to one item.
    int64_t perItem = 1;
    for (int64_t d : x.getShape().drop_front())
      perItem *= d;
    if (inferred != 0 || known != perItem)
      return emitOptionalError(
          loc, "reshape of ", formatShape(x.getShape()), " to ",
          formatShape(target),
          " must keep the batch: write -1 first and keep ", perItem,
          " elements per item");
    shape[0] = ShapedType::kDynamic;
  } else {
    int64_t total = x.getNumElements();
    if (inferred >= 0) {
      if (total % known != 0)
        return emitOptionalError(loc, "cannot reshape ", formatShape(x.getShape()),
                                 " (", total, " elements) to ", formatShape(target));
      shape[inferred] = total / known;
    } else if (known != total) {
      return emitOptionalError(loc, "cannot reshape ", formatShape(x.getShape()),
                               " (", total, " elements) to ", formatShape(target),
                               " (", known, " elements)");
    }
  }
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(loc, "concat needs at least one tensor");
  RankedTensorType first = tensorType(inputs.front());
  int64_t axis = (int64_t)adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "concat axis ", axis, " is out of range for rank ",
                             first.getRank());
  llvm::SmallVector<int64_t> shape(first.getShape());
  for (Value v : inputs.drop_front()) {
    RankedTensorType t = tensorType(v);
    if (t.getElementType() != first.getElementType() ||
        t.getRank() != first.getRank())
      return emitOptionalError(loc, "concat operands differ in rank or element type: ",
                               first, " and ", t);
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if (d == axis)
        continue;
      if (t.getDimSize(d) != first.getDimSize(d))
        return emitOptionalError(loc, "concat of ", formatShape(first.getShape()),
                                 " and ", formatShape(t.getShape()), " along axis ",
                                 axis, ": dimension ", d, " differs");
    }
    if (ShapedType::isDynamic(t.getDimSize(axis)) ||
        ShapedType::isDynamic(shape[axis]))
      shape[axis] = ShapedType::kDynamic;
    else
      shape[axis] += t.getDimSize(axis);
  }
  types.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  RankedTensorType x = tensorType(adaptor.getX());
  ArrayRef<int64_t> offsets = adaptor.getOffsets(), sizes = adaptor.getSizes();
  if ((int64_t)offsets.size() != x.getRank() || (int64_t)sizes.size() != x.getRank())
    return emitOptionalError(loc, "slice of a rank-", x.getRank(),
                             " tensor needs ", x.getRank(), " offsets and sizes");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < x.getRank(); ++d) {
    int64_t dim = x.getDimSize(d);
    if (sizes[d] == -1) { // the whole dimension
      if (offsets[d] != 0)
        return emitOptionalError(loc, "a whole-dimension slice (-1) starts at 0");
      shape.push_back(dim);
      continue;
    }
    if (offsets[d] < 0 || sizes[d] < 1 ||
        (!ShapedType::isDynamic(dim) && offsets[d] + sizes[d] > dim))
      return emitOptionalError(loc, "slice [", offsets[d], ", ", offsets[d] + sizes[d],
                               ") is outside dimension ", d, " of size ",
                               formatShape({dim}));
    shape.push_back(sizes[d]);
  }
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult BroadcastLikeOp::inferReturnTypes(MLIRContext *ctx,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  RankedTensorType x = tensorType(adaptor.getX()), like = tensorType(adaptor.getLike());
  auto shape = broadcastShapes(x.getShape(), like.getShape());
  if (!shape || ArrayRef<int64_t>(*shape) != like.getShape())
    return emitOptionalError(loc, "cannot broadcast ", formatShape(x.getShape()),
                             " to ", formatShape(like.getShape()));
  types.push_back(like.clone(f32(ctx)));
  return success();
}

std::optional<std::array<int64_t, 3>> nn::convWindow(int64_t in, int64_t k, int64_t s,
                                                     bool same) {
  if (same) {
    int64_t out = (in + s - 1) / s;
    int64_t total = std::max<int64_t>((out - 1) * s + k - in, 0);
    return std::array<int64_t, 3>{out, total / 2, total - total / 2};
  }
  if (in < k)
    return std::nullopt;
  return std::array<int64_t, 3>{(in - k) / s + 1, 0, 0};
}

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  RankedTensorType x = tensorType(adaptor.getX()), w = tensorType(adaptor.getW());
  ArrayRef<int64_t> strides = adaptor.getStrides();
  StringRef padding = adaptor.getPadding();
  if (x.getRank() != 4 || w.getRank() != 4)
    return emitOptionalError(loc, "conv2d needs an NHWC image and an HWIO filter, got ",
                             formatShape(x.getShape()), " and ", formatShape(w.getShape()));
  if (padding != "SAME" && padding != "VALID")
    return emitOptionalError(loc, "padding must be \"SAME\" or \"VALID\", got \"",
                             padding, "\"");
  if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1)
    return emitOptionalError(loc, "strides must be two positive integers [sy, sx]");
  if (x.getDimSize(3) != w.getDimSize(2))
    return emitOptionalError(loc, "conv2d of an image with ", x.getDimSize(3),
                             " channels by a filter for ", w.getDimSize(2), " channels (",
                             formatShape(x.getShape()), " and ", formatShape(w.getShape()), ")");
  SmallVector<int64_t> shape = {x.getDimSize(0), 0, 0, w.getDimSize(3)};
  for (int d = 0; d < 2; ++d) {
    auto window = convWindow(x.getDimSize(1 + d), w.getDimSize(d), strides[d], padding == "SAME");
    if (!window)
      return emitOptionalError(loc, "a ", w.getDimSize(0), "x", w.getDimSize(1),
                               " filter does not fit a ", x.getDimSize(1), "x",
                               x.getDimSize(2), " image without padding");
    shape[1 + d] = (*window)[0];
  }
  types.push_back(RankedTensorType::get(shape, f32(ctx)));
  return success();
}

LogicalResult Conv2DBackpropInputOp::inferReturnTypes(MLIRContext *ctx,
                                                     std::optional<Location> loc,
                                                     Adaptor adaptor,
                                                     SmallVectorImpl<Type> &types) {
  RankedTensorType g = tensorType(adaptor.getG()), w = tensorType(adaptor.getW());
  ArrayRef<int64_t> size = adaptor.getInputSize();
  if (g.getRank() != 4 || w.getRank() != 4 || size.size() != 2)
    return emitOptionalError(loc, "conv2d_backprop_input needs 4-D g and w and [H, W]");
  types.push_back(RankedTensorType::get(
      {g.getDimSize(0), size[0], size[1], w.getDimSize(2)}, f32(ctx)));
  return success();
}

LogicalResult Conv2DBackpropFilterOp::inferReturnTypes(MLIRContext *ctx,
                                                      std::optional<Location> loc,
                                                      Adaptor adaptor,
                                                      SmallVectorImpl<Type> &types) {
  RankedTensorType x = tensorType(adaptor.getX()), g = tensorType(adaptor.getG());
  ArrayRef<int64_t> size = adaptor.getKernelSize();
  if (x.getRank() != 4 || g.getRank() != 4 || size.size() != 2)
    return emitOptionalError(loc, "conv2d_backprop_filter needs 4-D x and g and [KH, KW]");
  types.push_back(RankedTensorType::get(
      {size[0], size[1], x.getDimSize(3), g.getDimSize(3)}, f32(ctx)));
  return success();
}

/// The output shape of a pooling window over an NHWC image.
static LogicalResult inferPool(std::optional<Location> loc, RankedTensorType x,
                               ArrayRef<int64_t> ksize, ArrayRef<int64_t> strides,
                               StringRef padding, SmallVectorImpl<Type> &types) {
  if (x.getRank() != 4)
    return emitOptionalError(loc, "pooling needs an NHWC image, got ", formatShape(x.getShape()));
  if (padding != "SAME" && padding != "VALID")
    return emitOptionalError(loc, "padding must be \"SAME\" or \"VALID\", got \"", padding, "\"");
  if (ksize.size() != 2 || strides.size() != 2 || ksize[0] < 1 || ksize[1] < 1 ||
      strides[0] < 1 || strides[1] < 1)
    return emitOptionalError(loc, "ksize and strides must be two positive integers each");
  SmallVector<int64_t> shape(x.getShape());
  for (int d = 0; d < 2; ++d) {
    auto window = convWindow(x.getDimSize(1 + d), ksize[d], strides[d], padding == "SAME");
    if (!window)
      return emitOptionalError(loc, "a ", ksize[0], "x", ksize[1], " window does not fit a ",
                               x.getDimSize(1), "x", x.getDimSize(2), " image without padding");
    shape[1 + d] = (*window)[0];
  }
  types.push_back(x.clone(shape));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor a, SmallVectorImpl<Type> &types) {
  return inferPool(loc, tensorType(a.getX()), a.getKsize(), a.getStrides(), a.getPadding(), types);
}
LogicalResult AvgPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor a, SmallVectorImpl<Type> &types) {
  return inferPool(loc, tensorType(a.getX()), a.getKsize(), a.getStrides(), a.getPadding(), types);
}
LogicalResult MaxPoolGradOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                              Adaptor a, SmallVectorImpl<Type> &types) {
  types.push_back(tensorType(a.getX()));
  return success();
}
LogicalResult AvgPoolGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                              Adaptor a, SmallVectorImpl<Type> &types) {
  RankedTensorType g = tensorType(a.getG());
  if (g.getRank() != 4 || a.getInputSize().size() != 2)
    return emitOptionalError(loc, "avg_pool_grad needs a 4-D g and [H, W]");
  types.push_back(g.clone({g.getDimSize(0), a.getInputSize()[0], a.getInputSize()[1],
                           g.getDimSize(3)}));
  return success();
}

std::array<int64_t, 4> Conv2DOp::getPads() {
  std::array<int64_t, 4> pads{};
  for (int d = 0; d < 2; ++d) {
    auto window = convWindow(getX().getType().getDimSize(1 + d), getW().getType().getDimSize(d),
                             getStrides()[d], getPadding() == "SAME");
    pads[d] = (*window)[1];     // top, left
    pads[2 + d] = (*window)[2]; // bottom, right
  }
  return pads;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Shape after reducing `axes` (all when empty), removing them or keeping them
/// as 1.
static LogicalResult inferReduction(std::optional<Location> loc,
                                    RankedTensorType x, ArrayRef<int64_t> axes,
                                    bool keepdims, Type elementType,
                                    SmallVectorImpl<Type> &types) {
  llvm::SmallVector<bool> reduced(x.getRank(), axes.empty());
  for (int64_t a : axes) {
    if (a < 0 || a >= x.getRank())
      return emitOptionalError(loc, "axis ", a, " is out of range for a tensor of shape ",
                               formatShape(x.getShape()));
    if (reduced[a])
      return emitOptionalError(loc, "axis ", a, " is reduced twice");
    reduced[a] = true;
  }
  llvm::SmallVector<int64_t> shape;
  for (int64_t d = 0; d < x.getRank(); ++d) {
    if (!reduced[d])
      shape.push_back(x.getDimSize(d));
    else if (keepdims)
      shape.push_back(1);
  }
  types.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

#define NN_REDUCE_OP(OP)                                                       \
  LogicalResult OP::inferReturnTypes(MLIRContext *ctx,                         \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferReduction(loc, tensorType(adaptor.getX()), adaptor.getAxes(),  \
                          adaptor.getKeepdims(), f32(ctx), types);             \
  }                                                                            \
  SmallVector<int64_t> OP::getReducedAxes() {                                  \
    if (!getAxes().empty())                                                    \
      return SmallVector<int64_t>(getAxes());                                  \
    return llvm::to_vector(llvm::seq<int64_t>(0, getX().getType().getRank())); \
  }
NN_REDUCE_OP(ReduceSumOp)
NN_REDUCE_OP(ReduceMeanOp)
NN_REDUCE_OP(ReduceMaxOp)
#undef NN_REDUCE_OP

LogicalResult ArgmaxOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  int64_t axis = (int64_t)adaptor.getAxis();
  return inferReduction(loc, tensorType(adaptor.getX()), {axis},
                        /*keepdims=*/false, IntegerType::get(ctx, 64), types);
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

static LogicalResult inferLoss(MLIRContext *ctx, std::optional<Location> loc,
                               StringRef name, Value lhs, Value rhs,
                               bool needsClassAxis, SmallVectorImpl<Type> &types) {
  RankedTensorType a = tensorType(lhs), b = tensorType(rhs);
  if (a.getShape() != b.getShape())
    return emitOptionalError(loc, name, " needs operands of the same shape, got ",
                             formatShape(a.getShape()), " and ",
                             formatShape(b.getShape()));
  if (needsClassAxis && a.getRank() < 1)
    return emitOptionalError(loc, name, " needs a class axis (the last)");
  types.push_back(RankedTensorType::get({}, f32(ctx)));
  return success();
}

LogicalResult SoftmaxCrossEntropyOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  return inferLoss(ctx, loc, "softmax_cross_entropy", adaptor.getLhs(),
                   adaptor.getRhs(), true, types);
}

LogicalResult SigmoidCrossEntropyOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  return inferLoss(ctx, loc, "sigmoid_cross_entropy", adaptor.getLhs(),
                   adaptor.getRhs(), false, types);
}

LogicalResult MeanSquaredErrorOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  return inferLoss(ctx, loc, "mean_squared_error", adaptor.getLhs(),
                   adaptor.getRhs(), false, types);
}

//===----------------------------------------------------------------------===//
// Building ops through their shape rules
//===----------------------------------------------------------------------===//

Value nn::detail::createVerified(OpBuilder &builder, OperationState &state,
                                ArrayRef<Type> types) {
  state.types.assign(types.begin(), types.end());
  Operation *op = builder.create(state);
  if (failed(verify(op))) {
    op->erase();
    return nullptr;
  }
  return op->getResult(0);
}

#define GET_OP_CLASSES
#include "ir/NNOps.cpp.inc"
