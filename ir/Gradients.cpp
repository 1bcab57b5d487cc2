//===- Gradients.cpp - the vector-Jacobian product of every nn op ---------===//
//
// Reverse-mode autodiff (passes/Autodiff.cpp) walks the graph from the loss
// back to the variables. At each op it knows g = dL/dy, the gradient of the
// loss L with respect to the op's result y, and asks the op for dL/dx of each
// operand x: the vector-Jacobian product g^T (dy/dx). Each rule below builds
// it from other nn ops, so the backward graph is ordinary IR a learner can
// read and the rest of the compiler lowers like any other.
//
// Broadcasting: when x was broadcast to y's shape (b in a[100,10] + b[10]),
// every copy of x contributed to L, so dL/dx sums g over the broadcast
// dimensions (`sumToShape`).
//
// Autodiff runs after nn-specialize-batch: every shape here is static.
//
//===----------------------------------------------------------------------===//

#include "ir/NNDialect.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace nn;

namespace {

/// Whether an argument of an op to build is a missing operand (the op that
/// should have made it failed its shape rule).
template <typename T>
bool isMissing(const T &arg) {
  if constexpr (std::is_convertible_v<const T &, Value>)
    return !Value(arg);
  else if constexpr (std::is_convertible_v<const T &, ValueRange>)
    return llvm::any_of(ValueRange(arg), [](Value v) { return !v; });
  else
    return false;
}

/// Builds nn ops at one location; remembers if any failed its shape rule.
struct GradBuilder {
  OpBuilder &b;
  Location loc;
  bool failed = false;

  /// `OpT` from its builder's arguments, its type from its shape rule.
  template <typename OpT, typename... Args>
  Value make(Args &&...args) {
    if ((isMissing(args) || ...)) {
      failed = true;
      return nullptr;
    }
    Value v = createInferred<OpT>(b, loc, std::forward<Args>(args)...);
    failed |= !v;
    return v;
  }
  Value add(Value x, Value y) { return make<AddOp>(x, y); }
  Value sub(Value x, Value y) { return make<SubOp>(x, y); }
  Value mul(Value x, Value y) { return make<MulOp>(x, y); }
  Value div(Value x, Value y) { return make<DivOp>(x, y); }
  Value neg(Value x) { return make<NegOp>(x); }
  Value scalar(double v) {
    auto type = RankedTensorType::get({}, b.getF32Type());
    return b.create<ConstantOp>(loc, DenseElementsAttr::get(type, (float)v));
  }
  /// 1.0 where `truth` holds, else 0.0.
  Value mask(Value truth) { return make<CastOp>(truth, TypeAttr::get(b.getF32Type())); }
  Value reduceSum(Value x, ArrayRef<int64_t> axes, bool keepdims) {
    return make<ReduceSumOp>(x, axes, keepdims);
  }
  Value reshape(Value x, ArrayRef<int64_t> shape) { return make<ReshapeOp>(x, shape); }
  Value transpose(Value x, ArrayRef<int64_t> perm) { return make<TransposeOp>(x, perm); }

  /// Sums g (shaped like a broadcast result) back to `target`'s shape: over
  /// the leading dimensions target lacks, then over those where target is 1.
  Value sumToShape(Value g, Type target) {
    if (!g)
      return failed = true, nullptr;
    auto gType = cast<RankedTensorType>(g.getType());
    auto tType = cast<RankedTensorType>(target);
    int64_t lead = gType.getRank() - tType.getRank();
    if (lead > 0)
      g = reduceSum(g, llvm::to_vector(llvm::seq<int64_t>(0, lead)), false);
    if (!g)
      return nullptr;
    SmallVector<int64_t> ones;
    for (int64_t d = 0; d < tType.getRank(); ++d)
      if (tType.getDimSize(d) == 1 && cast<RankedTensorType>(g.getType()).getDimSize(d) != 1)
        ones.push_back(d);
    if (!ones.empty())
      g = reduceSum(g, ones, true);
    return g;
  }

  /// A reduction's gradient (or result) shaped like its input with the
  /// reduced axes kept as 1, then broadcast over them.
  Value keepDims(Value v, RankedTensorType input, ArrayRef<int64_t> axes) {
    SmallVector<int64_t> shape(input.getShape());
    for (int64_t a : axes)
      shape[a] = 1;
    if (cast<RankedTensorType>(v.getType()).getShape() == ArrayRef<int64_t>(shape))
      return v;
    return reshape(v, shape);
  }
  Value spread(Value v, Value like, ArrayRef<int64_t> axes) {
    return make<BroadcastLikeOp>(keepDims(v, cast<RankedTensorType>(like.getType()), axes),
                                 like);
  }

  /// m + log(sum(e^(x - m))) over the last axis, kept as size 1.
  Value logSumExp(Value x) {
    int64_t last = cast<RankedTensorType>(x.getType()).getRank() - 1;
    Value m = make<ReduceMaxOp>(x, ArrayRef<int64_t>{last}, /*keepdims=*/true);
    Value s = reduceSum(make<ExpOp>(sub(x, m)), {last}, true);
    return add(m, make<LogOp>(s));
  }

  LogicalResult result() { return success(!failed); }
};

} // namespace

// Each rule: `g` is dL/dy, `grads` receives dL/d(operand) in operand order.

// y = a + b:  da = g, db = g (each summed over its broadcast dimensions)
LogicalResult AddOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.sumToShape(g, getLhs().getType()));
  grads.push_back(gb.sumToShape(g, getRhs().getType()));
  return gb.result();
}

// y = a - b:  da = g, db = -g
LogicalResult SubOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.sumToShape(g, getLhs().getType()));
  grads.push_back(gb.sumToShape(gb.neg(g), getRhs().getType()));
  return gb.result();
}

// y = a * b:  da = g * b, db = g * a
LogicalResult MulOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.sumToShape(gb.mul(g, getRhs()), getLhs().getType()));
  grads.push_back(gb.sumToShape(gb.mul(g, getLhs()), getRhs().getType()));
  return gb.result();
}

// y = a / b:  da = g / b, db = -g * a / b^2 = -g * y / b
LogicalResult DivOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.sumToShape(gb.div(g, getRhs()), getLhs().getType()));
  grads.push_back(
      gb.sumToShape(gb.neg(gb.div(gb.mul(g, getResult()), getRhs())), getRhs().getType()));
  return gb.result();
}

// y = x^p:  dx = g * p * x^(p-1);  dp = g * y * ln(x), taken as 0 where
// x <= 0 (as TensorFlow does), where ln is undefined.
LogicalResult PowOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  Value x = getLhs(), p = getRhs();
  Value xPowPm1 = gb.make<PowOp>(x, gb.sub(p, gb.scalar(1.0)));
  grads.push_back(gb.sumToShape(gb.mul(g, gb.mul(p, xPowPm1)), x.getType()));
  Value positive = gb.mask(gb.make<GreaterOp>(x, gb.scalar(0.0)));
  Value safeLog = gb.make<LogOp>(gb.make<MaximumOp>(x, gb.scalar(1e-30)));
  Value dp = gb.mul(gb.mul(g, getResult()), gb.mul(safeLog, positive));
  grads.push_back(gb.sumToShape(dp, p.getType()));
  return gb.result();
}

/// Gives g to b where `toB` (a 0/1 mask) is 1 and to a elsewhere, each summed
/// back to its own shape: the gradient of a choice between two operands.
static LogicalResult routeBetween(GradBuilder &gb, Value g, Value toB, Value a, Value b,
                                  SmallVectorImpl<Value> &grads) {
  Value toA = gb.sub(gb.scalar(1.0), toB);
  grads.push_back(gb.sumToShape(gb.mul(g, toA), a.getType()));
  grads.push_back(gb.sumToShape(gb.mul(g, toB), b.getType()));
  return gb.result();
}

// y = max(a, b):  g goes to a where a >= b, else to b
LogicalResult MaximumOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  Value toB = gb.mask(gb.make<LessOp>(getLhs(), getRhs()));
  return routeBetween(gb, g, toB, getLhs(), getRhs(), grads);
}

// y = min(a, b):  g goes to a where a <= b, else to b
LogicalResult MinimumOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  Value toB = gb.mask(gb.make<LessOp>(getRhs(), getLhs()));
  return routeBetween(gb, g, toB, getLhs(), getRhs(), grads);
}

// Comparisons are piecewise constant: zero gradient.
LogicalResult EqualOp::buildGradients(OpBuilder &, Value, SmallVectorImpl<Value> &grads) {
  grads.append(2, Value());
  return success();
}
LogicalResult GreaterOp::buildGradients(OpBuilder &, Value, SmallVectorImpl<Value> &grads) {
  grads.append(2, Value());
  return success();
}
LogicalResult LessOp::buildGradients(OpBuilder &, Value, SmallVectorImpl<Value> &grads) {
  grads.append(2, Value());
  return success();
}

// y = -x:  dx = -g
LogicalResult NegOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.neg(g));
  return gb.result();
}

// y = |x|:  dx = g * sign(x)   (sign(0) = 0)
LogicalResult AbsOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  Value sign = gb.sub(gb.mask(gb.make<GreaterOp>(getX(), gb.scalar(0.0))),
                      gb.mask(gb.make<LessOp>(getX(), gb.scalar(0.0))));
  grads.push_back(gb.mul(g, sign));
  return gb.result();
}

// y = x^2:  dx = 2 x g
LogicalResult SquareOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.mul(g, gb.mul(gb.scalar(2.0), getX())));
  return gb.result();
}

// y = sqrt(x):  dx = g / (2 y)
LogicalResult SqrtOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.div(gb.mul(g, gb.scalar(0.5)), getResult()));
  return gb.result();
}

// y = e^x:  dx = g y
LogicalResult ExpOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.mul(g, getResult()));
  return gb.result();
}

// y = ln x:  dx = g / x
LogicalResult LogOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.div(g, getX()));
  return gb.result();
}

// y = max(x, 0):  dx = g where x > 0, else 0
LogicalResult ReluOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.mul(g, gb.mask(gb.make<GreaterOp>(getX(), gb.scalar(0.0)))));
  return gb.result();
}

// y = 1 / (1 + e^-x):  dx = g y (1 - y)
LogicalResult SigmoidOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  Value y = getResult();
  grads.push_back(gb.mul(g, gb.mul(y, gb.sub(gb.scalar(1.0), y))));
  return gb.result();
}

// y = tanh x:  dx = g (1 - y^2)
LogicalResult TanhOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  Value y = getResult();
  grads.push_back(gb.mul(g, gb.sub(gb.scalar(1.0), gb.mul(y, y))));
  return gb.result();
}

// step is piecewise constant: zero gradient.
LogicalResult StepOp::buildGradients(OpBuilder &, Value, SmallVectorImpl<Value> &grads) {
  grads.push_back(Value());
  return success();
}

// A cast to f32 of f32 is the identity; of truth values or indices it has no
// gradient (they are piecewise constant in anything upstream).
LogicalResult CastOp::buildGradients(OpBuilder &, Value g, SmallVectorImpl<Value> &grads) {
  grads.push_back(passesGradient(*this, 0) ? g : Value());
  return success();
}

// y = softmax(x) over the last axis:  dx = y * (g - sum(g * y))
LogicalResult SoftmaxOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  Value y = getResult();
  int64_t last = getType().getRank() - 1;
  Value dot = gb.reduceSum(gb.mul(g, y), {last}, true);
  grads.push_back(gb.mul(y, gb.sub(g, dot)));
  return gb.result();
}

// y = log_softmax(x) = x - lse(x):  dx = g - softmax(x) * sum(g)
LogicalResult LogSoftmaxOp::buildGradients(OpBuilder &b, Value g,
                                           SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  int64_t last = getType().getRank() - 1;
  Value p = gb.make<ExpOp>(getResult());
  grads.push_back(gb.sub(g, gb.mul(p, gb.reduceSum(g, {last}, true))));
  return gb.result();
}

// y = conv2d(x, w):  dx = conv2d_backprop_input(g, w),
//                    dw = conv2d_backprop_filter(x, g)   (see their descriptions)
LogicalResult Conv2DOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  auto xType = getX().getType();
  auto wType = getW().getType();
  SmallVector<int64_t> inputSize = {xType.getDimSize(1), xType.getDimSize(2)};
  SmallVector<int64_t> kernelSize = {wType.getDimSize(0), wType.getDimSize(1)};
  grads.push_back(gb.make<Conv2DBackpropInputOp>(g, getW(), ArrayRef<int64_t>(inputSize),
                                                 getStrides(), getPadding()));
  grads.push_back(gb.make<Conv2DBackpropFilterOp>(getX(), g, ArrayRef<int64_t>(kernelSize),
                                                  getStrides(), getPadding()));
  return gb.result();
}

// y = max_pool(x):  dx = g routed to each window's (first) maximum
LogicalResult MaxPoolOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.make<MaxPoolGradOp>(getX(), g, getKsize(), getStrides(), getPadding()));
  return gb.result();
}

// y = avg_pool(x):  dx = g / count shared by the window's image elements
LogicalResult AvgPoolOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  auto x = getX().getType();
  SmallVector<int64_t> inputSize = {x.getDimSize(1), x.getDimSize(2)};
  grads.push_back(gb.make<AvgPoolGradOp>(g, ArrayRef<int64_t>(inputSize), getKsize(),
                                         getStrides(), getPadding()));
  return gb.result();
}

// C = A B:  dA = g B^T,  dB = A^T g
LogicalResult MatmulOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.make<MatmulOp>(g, gb.transpose(getRhs(), {1, 0})));
  grads.push_back(gb.make<MatmulOp>(gb.transpose(getLhs(), {1, 0}), g));
  return gb.result();
}

// y = dropout(x) = x * mask / keep:  dx = g * mask / keep = dropout(g), the
// same op (same stream, same step) drawing the same mask.
LogicalResult DropoutOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.make<DropoutOp>(g, getKeepProbAttr(), getStreamAttr()));
  return gb.result();
}

// y = transpose(x, perm):  dx = transpose(g, inverse(perm))
LogicalResult TransposeOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  SmallVector<int64_t> inverse(getPerm().size());
  for (auto [i, p] : llvm::enumerate(getPerm()))
    inverse[p] = i;
  grads.push_back(gb.transpose(g, inverse));
  return gb.result();
}

// y = reshape(x):  dx = reshape(g, shape of x)
LogicalResult ReshapeOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.reshape(g, getX().getType().getShape()));
  return gb.result();
}

// y = concat(x0, x1, ...):  dx_i = the slice of g where x_i was put
LogicalResult ConcatOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  int64_t offset = 0, axis = getAxis();
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> offsets(type.getRank(), 0), sizes(type.getShape());
    offsets[axis] = offset;
    offset += type.getDimSize(axis);
    grads.push_back(passesGradient(*this, i) ? gb.make<SliceOp>(g, ArrayRef<int64_t>(offsets),
                                                                ArrayRef<int64_t>(sizes))
                                             : Value());
  }
  return gb.result();
}

// y = slice(x):  dx = g in the slice, 0 elsewhere (g padded with zeros by a
// concat with zero blocks on each side, along each sliced axis)
LogicalResult SliceOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  auto type = getX().getType();
  Value padded = g;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    auto current = cast<RankedTensorType>(padded.getType());
    int64_t before = getOffsets()[d];
    int64_t after = type.getDimSize(d) - before - current.getDimSize(d);
    SmallVector<Value> parts;
    auto zeros = [&](int64_t n) {
      SmallVector<int64_t> shape(current.getShape());
      shape[d] = n;
      auto zeroType = RankedTensorType::get(shape, b.getF32Type());
      return b.create<ConstantOp>(getLoc(), DenseElementsAttr::get(zeroType, 0.0f));
    };
    if (before > 0)
      parts.push_back(zeros(before));
    parts.push_back(padded);
    if (after > 0)
      parts.push_back(zeros(after));
    if (parts.size() > 1)
      padded = gb.make<ConcatOp>(ValueRange(parts), (uint64_t)d);
  }
  grads.push_back(padded);
  return gb.result();
}

// y = broadcast_like(x, like):  dx = g summed over the broadcast dimensions
LogicalResult BroadcastLikeOp::buildGradients(OpBuilder &b, Value g,
                                              SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.sumToShape(g, getX().getType()));
  grads.push_back(Value());
  return gb.result();
}

// y = sum(x over axes):  dx = g, repeated over the reduced axes
LogicalResult ReduceSumOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.spread(g, getX(), getReducedAxes()));
  return gb.result();
}

// y = mean(x over axes):  dx = g / count, repeated over the reduced axes
LogicalResult ReduceMeanOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  int64_t count = 1;
  for (int64_t a : getReducedAxes())
    count *= getX().getType().getDimSize(a);
  grads.push_back(gb.spread(gb.mul(g, gb.scalar(1.0 / (double)count)), getX(),
                            getReducedAxes()));
  return gb.result();
}

// y = max(x over axes):  g is shared equally by the elements equal to the
// maximum (TensorFlow's rule for ties): dx = g * [x == y] / #{x == y}
LogicalResult ReduceMaxOp::buildGradients(OpBuilder &b, Value g, SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  SmallVector<int64_t> axes = getReducedAxes();
  Value isMax = gb.mask(gb.make<EqualOp>(getX(), gb.spread(getResult(), getX(), axes)));
  Value count = gb.reduceSum(isMax, axes, true);
  Value share = gb.div(isMax, gb.make<BroadcastLikeOp>(count, getX()));
  grads.push_back(gb.mul(share, gb.spread(g, getX(), axes)));
  return gb.result();
}

// argmax is piecewise constant: zero gradient.
LogicalResult ArgmaxOp::buildGradients(OpBuilder &, Value, SmallVectorImpl<Value> &grads) {
  grads.push_back(Value());
  return success();
}

// L = sum_b sum_c -t log softmax(l):
//   dl = g (softmax(l) * sum_c t - t)   (= g (p - t) for one-hot rows)
//   dt = g (lse(l) - l)                 (= -g log softmax(l))
LogicalResult SoftmaxCrossEntropyOp::buildGradients(OpBuilder &b, Value g,
                                                    SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  Value l = getLhs(), t = getRhs();
  int64_t last = cast<RankedTensorType>(l.getType()).getRank() - 1;
  Value p = gb.make<SoftmaxOp>(l);
  Value rowMass = gb.reduceSum(t, {last}, true);
  grads.push_back(gb.mul(g, gb.sub(gb.mul(p, rowMass), t)));
  grads.push_back(gb.mul(g, gb.sub(gb.logSumExp(l), l)));
  return gb.result();
}

// L = sum max(x, 0) - x z + log(1 + e^-|x|):  dx = g (sigmoid(x) - z),  dz = -g x
LogicalResult SigmoidCrossEntropyOp::buildGradients(OpBuilder &b, Value g,
                                                    SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  grads.push_back(gb.mul(g, gb.sub(gb.make<SigmoidOp>(getLhs()), getRhs())));
  grads.push_back(gb.neg(gb.mul(g, getLhs())));
  return gb.result();
}

// L = mean((p - t)^2):  dp = g 2 (p - t) / N,  dt = -dp
LogicalResult MeanSquaredErrorOp::buildGradients(OpBuilder &b, Value g,
                                                 SmallVectorImpl<Value> &grads) {
  GradBuilder gb{b, getLoc()};
  double n = (double)getLhs().getType().getNumElements();
  Value dp = gb.mul(gb.mul(g, gb.scalar(2.0 / n)), gb.sub(getLhs(), getRhs()));
  grads.push_back(dp);
  grads.push_back(gb.neg(dp));
  return gb.result();
}

// Which operands the rules above give a gradient. Cast and concat ask it
// themselves, so that the rule and this answer cannot disagree.
bool nn::passesGradient(Operation *op, unsigned operand) {
  if (isa<EqualOp, GreaterOp, LessOp, StepOp, ArgmaxOp>(op))
    return false;
  if (auto castOp = dyn_cast<CastOp>(op))
    return castOp.getX().getType().getElementType().isF32() && castOp.getTo().isF32();
  if (isa<BroadcastLikeOp>(op))
    return operand == 0;
  if (isa<ConcatOp>(op))
    return cast<RankedTensorType>(op->getOperand(operand).getType()).getElementType().isF32();
  return isa<GradientOpInterface>(op);
}
