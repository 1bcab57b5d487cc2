//===- Interpreter.cpp - a float64 reference interpreter of nn ------------===//
//
// One case per op, written as directly as the maths: loops over flat indices
// with explicit index arithmetic, no cleverness, so that it can serve as the
// reference the compiled code and the gradients are checked against.
//
//===----------------------------------------------------------------------===//

#include "interp/Interpreter.h"
#include "ir/NNDialect.h"
#include "support/Random.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace nn {

int64_t DTensor::size() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

namespace {

std::vector<int64_t> shapeOf(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return std::vector<int64_t>(t.getShape().begin(), t.getShape().end());
}

std::vector<int64_t> stridesOf(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = (int64_t)shape.size() - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// The multi-index of flat position `flat` in `shape`.
std::vector<int64_t> unflatten(int64_t flat, const std::vector<int64_t> &shape) {
  std::vector<int64_t> index(shape.size());
  for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}

/// The element of `t` that NumPy broadcasting pairs with `index` of `out`.
double broadcastAt(const DTensor &t, const std::vector<int64_t> &index,
                   const std::vector<int64_t> &out) {
  int64_t offset = out.size() - t.shape.size(), flat = 0;
  for (size_t d = 0; d < t.shape.size(); ++d)
    flat = flat * t.shape[d] + (t.shape[d] == 1 ? 0 : index[offset + d]);
  return t.data[flat];
}

DTensor binary(const DTensor &a, const DTensor &b, const std::vector<int64_t> &out,
               double (*f)(double, double)) {
  DTensor r{out, {}};
  r.data.resize(r.size());
  for (int64_t i = 0; i < r.size(); ++i) {
    auto index = unflatten(i, out);
    r.data[i] = f(broadcastAt(a, index, out), broadcastAt(b, index, out));
  }
  return r;
}

DTensor unary(const DTensor &a, double (*f)(double)) {
  DTensor r = a;
  for (double &v : r.data)
    v = f(v);
  return r;
}

/// Reduces over `axes` with `combine` from `init`; the result keeps the
/// reduced axes as 1 (`keep`) or drops them.
DTensor reduce(const DTensor &x, const std::vector<int64_t> &axes, bool keep, double init,
               double (*combine)(double, double)) {
  std::vector<int64_t> kept = x.shape, out;
  for (int64_t a : axes)
    kept[a] = 1;
  for (size_t d = 0; d < x.shape.size(); ++d)
    if (keep || std::find(axes.begin(), axes.end(), (int64_t)d) == axes.end())
      out.push_back(kept[d]);
  DTensor r{out, std::vector<double>(1, init)};
  int64_t n = 1;
  for (int64_t d : kept)
    n *= d;
  r.data.assign(n, init);
  auto strides = stridesOf(kept);
  for (int64_t i = 0; i < x.size(); ++i) {
    auto index = unflatten(i, x.shape);
    int64_t flat = 0;
    for (size_t d = 0; d < index.size(); ++d)
      flat += (kept[d] == 1 ? 0 : index[d]) * strides[d];
    r.data[flat] = combine(r.data[flat], x.data[i]);
  }
  return r;
}

std::vector<int64_t> allAxes(size_t rank) {
  std::vector<int64_t> axes(rank);
  for (size_t d = 0; d < rank; ++d)
    axes[d] = d;
  return axes;
}

double add(double a, double b) { return a + b; }
double maxOf(double a, double b) { return std::max(a, b); }

/// log(sum(exp(x))) over the last axis, kept as size 1.
DTensor logSumExp(const DTensor &x) {
  int64_t last = x.shape.size() - 1;
  DTensor m = reduce(x, {last}, true, -INFINITY, maxOf);
  DTensor e = binary(x, m, x.shape, [](double a, double b) { return std::exp(a - b); });
  DTensor s = reduce(e, {last}, true, 0.0, add);
  return binary(m, s, m.shape, [](double a, double b) { return a + std::log(b); });
}

/// Every multiply of a convolution: calls tap(x index, w index, y index) for
/// each output element, filter element and channel pair whose image element
/// lies inside the image (padding contributes zeros, so it is skipped). The
/// forward pass and both gradients are the same sum read three ways.
template <typename Tap>
void forEachTap(const std::vector<int64_t> &x, const std::vector<int64_t> &w,
                const std::vector<int64_t> &y, ArrayRef<int64_t> strides, StringRef padding,
                Tap tap) {
  int64_t N = x[0], H = x[1], W = x[2], C = x[3];
  int64_t KH = w[0], KW = w[1], CO = w[3], OH = y[1], OW = y[2];
  bool same = padding == "SAME";
  int64_t top = (*convWindow(H, KH, strides[0], same))[1];
  int64_t left = (*convWindow(W, KW, strides[1], same))[1];
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j)
        for (int64_t kh = 0; kh < KH; ++kh)
          for (int64_t kw = 0; kw < KW; ++kw) {
            int64_t h = i * strides[0] + kh - top, v = j * strides[1] + kw - left;
            if (h < 0 || h >= H || v < 0 || v >= W)
              continue;
            for (int64_t c = 0; c < C; ++c)
              for (int64_t co = 0; co < CO; ++co)
                tap(((n * H + h) * W + v) * C + c, ((kh * KW + kw) * C + c) * CO + co,
                    ((n * OH + i) * OW + j) * CO + co);
          }
}

/// max_pool / avg_pool: each window over the image elements it covers.
DTensor pool(const DTensor &x, ArrayRef<int64_t> k, ArrayRef<int64_t> s, StringRef padding,
             bool max) {
  int64_t N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3];
  auto rows = *convWindow(H, k[0], s[0], padding == "SAME");
  auto cols = *convWindow(W, k[1], s[1], padding == "SAME");
  int64_t OH = rows[0], OW = cols[0];
  DTensor r{{N, OH, OW, C}, std::vector<double>(N * OH * OW * C)};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j)
        for (int64_t c = 0; c < C; ++c) {
          double acc = max ? -INFINITY : 0.0;
          int64_t count = 0;
          for (int64_t a = 0; a < k[0]; ++a)
            for (int64_t b = 0; b < k[1]; ++b) {
              int64_t h = i * s[0] + a - rows[1], v = j * s[1] + b - cols[1];
              if (h < 0 || h >= H || v < 0 || v >= W)
                continue;
              double e = x.data[((n * H + h) * W + v) * C + c];
              acc = max ? std::max(acc, e) : acc + e;
              ++count;
            }
          r.data[((n * OH + i) * OW + j) * C + c] = max ? acc : acc / count;
        }
  return r;
}

/// The gradients of pooling, by scattering each window's gradient: to the
/// first maximum (max) or equally to the window's image elements (avg).
DTensor poolGrad(const DTensor &x, const DTensor &g, ArrayRef<int64_t> k, ArrayRef<int64_t> s,
                 StringRef padding, bool max) {
  int64_t N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3];
  auto rows = *convWindow(H, k[0], s[0], padding == "SAME");
  auto cols = *convWindow(W, k[1], s[1], padding == "SAME");
  int64_t OH = rows[0], OW = cols[0];
  DTensor r{x.shape, std::vector<double>(x.size(), 0.0)};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j)
        for (int64_t c = 0; c < C; ++c) {
          std::vector<int64_t> cells;
          int64_t best = -1;
          for (int64_t a = 0; a < k[0]; ++a)
            for (int64_t b = 0; b < k[1]; ++b) {
              int64_t h = i * s[0] + a - rows[1], v = j * s[1] + b - cols[1];
              if (h < 0 || h >= H || v < 0 || v >= W)
                continue;
              int64_t at = ((n * H + h) * W + v) * C + c;
              cells.push_back(at);
              if (best < 0 || x.data[at] > x.data[best])
                best = at;
            }
          double gv = g.data[((n * OH + i) * OW + j) * C + c];
          if (max)
            r.data[best] += gv;
          else
            for (int64_t at : cells)
              r.data[at] += gv / (double)cells.size();
        }
  return r;
}

} // namespace

namespace {

/// Runs one function: `env` holds the value of every SSA value computed so
/// far. Each group of ops below is one TypeSwitch; `evaluate` tries them in
/// turn. `r` is the result being computed, `out` its shape.
class Evaluator {
public:
  Evaluator(const std::map<std::string, DTensor> &variables, DropoutKey key)
      : variables(variables), key(key) {}

  FailureOr<std::vector<DTensor>> run(func::FuncOp func, const std::vector<DTensor> &arguments) {
    for (auto [arg, value] : llvm::zip(func.getArguments(), arguments))
      env[arg] = value;
    for (Operation &op : func.getBody().front()) {
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        std::vector<DTensor> results;
        for (Value v : ret.getOperands())
          results.push_back(get(v));
        return results;
      }
      if (isa<AssignOp>(op))
        continue; // the reference evaluates one call: nothing reads the new value
      if (op.getNumResults() != 1)
        return op.emitError("the interpreter does not run this op");
      std::optional<DTensor> r = evaluate(op);
      if (!r)
        return op.emitError("the interpreter cannot evaluate this op");
      r->shape = shapeOf(op.getResult(0));
      env[op.getResult(0)] = std::move(*r);
    }
    return func.emitError("function without a return");
  }

private:
  const std::map<std::string, DTensor> &variables;
  DropoutKey key;
  llvm::DenseMap<Value, DTensor> env;

  const DTensor &get(Value v) { return env[v]; }

  std::optional<DTensor> evaluate(Operation &op) {
    std::vector<int64_t> out = shapeOf(op.getResult(0));
    for (auto group :
         {&Evaluator::state, &Evaluator::binaryElementwise, &Evaluator::unaryElementwise,
          &Evaluator::structuredElementwise, &Evaluator::linearAlgebra,
          &Evaluator::convolutionAndPooling, &Evaluator::reductionsAndLosses})
      if (std::optional<DTensor> r = (this->*group)(&op, out))
        return r;
    return std::nullopt;
  }

  std::optional<DTensor> state(Operation *op, const std::vector<int64_t> &out) {
    DTensor r;
    return llvm::TypeSwitch<Operation *, std::optional<DTensor>>(op)
        .Case([&](ConstantOp c) {
          r.shape = out;
          for (APFloat f : cast<DenseElementsAttr>(c.getValue()).getValues<APFloat>())
            r.data.push_back(f.convertToDouble());
          if ((int64_t)r.data.size() == 1 && r.size() > 1)
            r.data.assign(r.size(), r.data[0]); // a splat
          return r;
        })
        .Case([&](ReadOp read) -> std::optional<DTensor> {
          auto it = variables.find(read.getVariable().str());
          if (it == variables.end())
            return std::nullopt;
          return it->second;
        })
        .Default([](Operation *) { return std::nullopt; });
  }

  /// Elementwise ops of two tensors, with NumPy broadcasting.
  std::optional<DTensor> binaryElementwise(Operation *op, const std::vector<int64_t> &out) {
    DTensor r;
    return llvm::TypeSwitch<Operation *, std::optional<DTensor>>(op)
        .Case([&](AddOp o) {
          r = binary(get(o.getLhs()), get(o.getRhs()), out, add);
          return r;
        })
        .Case([&](SubOp o) {
          r = binary(get(o.getLhs()), get(o.getRhs()), out,
                     [](double a, double b) { return a - b; });
          return r;
        })
        .Case([&](MulOp o) {
          r = binary(get(o.getLhs()), get(o.getRhs()), out,
                     [](double a, double b) { return a * b; });
          return r;
        })
        .Case([&](DivOp o) {
          r = binary(get(o.getLhs()), get(o.getRhs()), out,
                     [](double a, double b) { return a / b; });
          return r;
        })
        .Case([&](PowOp o) {
          r = binary(get(o.getLhs()), get(o.getRhs()), out,
                     [](double a, double b) { return std::pow(a, b); });
          return r;
        })
        .Case([&](MaximumOp o) {
          r = binary(get(o.getLhs()), get(o.getRhs()), out, maxOf);
          return r;
        })
        .Case([&](MinimumOp o) {
          r = binary(get(o.getLhs()), get(o.getRhs()), out,
                     [](double a, double b) { return std::min(a, b); });
          return r;
        })
        .Case([&](EqualOp o) {
          r = binary(get(o.getLhs()), get(o.getRhs()), out,
                     [](double a, double b) { return a == b ? 1.0 : 0.0; });
          return r;
        })
        .Case([&](GreaterOp o) {
          r = binary(get(o.getLhs()), get(o.getRhs()), out,
                     [](double a, double b) { return a > b ? 1.0 : 0.0; });
          return r;
        })
        .Case([&](LessOp o) {
          r = binary(get(o.getLhs()), get(o.getRhs()), out,
                     [](double a, double b) { return a < b ? 1.0 : 0.0; });
          return r;
        })
        .Default([](Operation *) { return std::nullopt; });
  }

  /// Elementwise functions of one tensor.
  std::optional<DTensor> unaryElementwise(Operation *op, const std::vector<int64_t> &out) {
    DTensor r;
    return llvm::TypeSwitch<Operation *, std::optional<DTensor>>(op)
        .Case([&](NegOp o) {
          r = unary(get(o.getX()), [](double a) { return -a; });
          return r;
        })
        .Case([&](AbsOp o) {
          r = unary(get(o.getX()), [](double a) { return std::fabs(a); });
          return r;
        })
        .Case([&](SquareOp o) {
          r = unary(get(o.getX()), [](double a) { return a * a; });
          return r;
        })
        .Case([&](SqrtOp o) {
          r = unary(get(o.getX()), [](double a) { return std::sqrt(a); });
          return r;
        })
        .Case([&](ExpOp o) {
          r = unary(get(o.getX()), [](double a) { return std::exp(a); });
          return r;
        })
        .Case([&](LogOp o) {
          r = unary(get(o.getX()), [](double a) { return std::log(a); });
          return r;
        })
        .Case([&](ReluOp o) {
          r = unary(get(o.getX()), [](double a) { return a > 0 ? a : 0.0; });
          return r;
        })
        .Case([&](SigmoidOp o) {
          r = unary(get(o.getX()), [](double a) { return 1.0 / (1.0 + std::exp(-a)); });
          return r;
        })
        .Case([&](TanhOp o) {
          r = unary(get(o.getX()), [](double a) { return std::tanh(a); });
          return r;
        })
        .Case([&](StepOp o) {
          r = unary(get(o.getX()), [](double a) { return a > 0 ? 1.0 : 0.0; });
          return r;
        })
        .Default([](Operation *) { return std::nullopt; });
  }

  /// Softmax, dropout and casts.
  std::optional<DTensor> structuredElementwise(Operation *op, const std::vector<int64_t> &out) {
    DTensor r;
    return llvm::TypeSwitch<Operation *, std::optional<DTensor>>(op)
        .Case([&](DropoutOp o) {
          // The masks of step `key.step` of a run seeded `key.seed`.
          double keep = o.getKeepProb().convertToDouble();
          uint32_t threshold = keepThreshold(keep);
          r = get(o.getX());
          for (int64_t i = 0; i < r.size(); ++i)
            r.data[i] =
                dropoutKeeps(key.seed, key.step, (uint32_t)o.getStream(), (uint32_t)i, threshold)
                    ? r.data[i] / keep
                    : 0.0;
          return r;
        })
        .Case([&](CastOp o) {
          r = get(o.getX());
          if (o.getTo().isInteger(64))
            r = unary(r, [](double a) { return std::trunc(a); });
          else if (o.getTo().isInteger(1))
            r = unary(r, [](double a) { return a != 0 ? 1.0 : 0.0; });
          return r;
        })
        .Case([&](SoftmaxOp o) {
          const DTensor &x = get(o.getX());
          DTensor lse = logSumExp(x);
          r = binary(x, lse, out, [](double a, double b) { return std::exp(a - b); });
          return r;
        })
        .Case([&](LogSoftmaxOp o) {
          const DTensor &x = get(o.getX());
          r = binary(x, logSumExp(x), out, [](double a, double b) { return a - b; });
          return r;
        })
        .Default([](Operation *) { return std::nullopt; });
  }

  /// Matmul and the ops that move elements: transpose, reshape, concat, slice.
  std::optional<DTensor> linearAlgebra(Operation *op, const std::vector<int64_t> &out) {
    DTensor r;
    return llvm::TypeSwitch<Operation *, std::optional<DTensor>>(op)
        .Case([&](MatmulOp o) {
          const DTensor &a = get(o.getLhs()), &b = get(o.getRhs());
          int64_t m = a.shape[0], k = a.shape[1], n = b.shape[1];
          r = {out, std::vector<double>(m * n, 0.0)};
          for (int64_t i = 0; i < m; ++i)
            for (int64_t l = 0; l < k; ++l)
              for (int64_t j = 0; j < n; ++j)
                r.data[i * n + j] += a.data[i * k + l] * b.data[l * n + j];
          return r;
        })
        .Case([&](TransposeOp o) {
          const DTensor &x = get(o.getX());
          r = {out, std::vector<double>(x.size())};
          auto strides = stridesOf(x.shape);
          for (int64_t i = 0; i < r.size(); ++i) {
            auto index = unflatten(i, out);
            int64_t flat = 0;
            for (size_t d = 0; d < index.size(); ++d)
              flat += index[d] * strides[o.getPerm()[d]];
            r.data[i] = x.data[flat];
          }
          return r;
        })
        .Case([&](ReshapeOp o) {
          r = {out, get(o.getX()).data};
          return r;
        })
        .Case([&](ConcatOp o) {
          r = {out, std::vector<double>()};
          r.data.resize(r.size());
          int64_t axis = o.getAxis(), offset = 0;
          auto outStrides = stridesOf(out);
          for (Value in : o.getInputs()) {
            const DTensor &x = get(in);
            for (int64_t i = 0; i < x.size(); ++i) {
              auto index = unflatten(i, x.shape);
              index[axis] += offset;
              int64_t flat = 0;
              for (size_t d = 0; d < index.size(); ++d)
                flat += index[d] * outStrides[d];
              r.data[flat] = x.data[i];
            }
            offset += x.shape[axis];
          }
          return r;
        })
        .Case([&](SliceOp o) {
          const DTensor &x = get(o.getX());
          r = {out, std::vector<double>()};
          r.data.resize(r.size());
          auto strides = stridesOf(x.shape);
          for (int64_t i = 0; i < r.size(); ++i) {
            auto index = unflatten(i, out);
            int64_t flat = 0;
            for (size_t d = 0; d < index.size(); ++d)
              flat += (index[d] + o.getOffsets()[d]) * strides[d];
            r.data[i] = x.data[flat];
          }
          return r;
        })
        .Case([&](BroadcastLikeOp o) {
          DTensor ones{out, std::vector<double>(1, 1.0)};
          ones.data.assign(ones.size(), 1.0);
          r = binary(get(o.getX()), ones, out, [](double a, double) { return a; });
          return r;
        })
        .Default([](Operation *) { return std::nullopt; });
  }

  /// conv2d, pooling and their gradients.
  std::optional<DTensor> convolutionAndPooling(Operation *op, const std::vector<int64_t> &out) {
    DTensor r;
    return llvm::TypeSwitch<Operation *, std::optional<DTensor>>(op)
        .Case([&](Conv2DOp o) {
          const DTensor &x = get(o.getX()), &w = get(o.getW());
          r = {out, std::vector<double>(DTensor{out, {}}.size(), 0.0)};
          forEachTap(
              x.shape, w.shape, out, o.getStrides(), o.getPadding(),
              [&](int64_t xi, int64_t wi, int64_t yi) { r.data[yi] += x.data[xi] * w.data[wi]; });
          return r;
        })
        .Case([&](Conv2DBackpropInputOp o) {
          const DTensor &g = get(o.getG()), &w = get(o.getW());
          r = {out, std::vector<double>(DTensor{out, {}}.size(), 0.0)};
          // Each output gradient flows back to the image elements it read.
          forEachTap(
              out, w.shape, g.shape, o.getStrides(), o.getPadding(),
              [&](int64_t xi, int64_t wi, int64_t yi) { r.data[xi] += g.data[yi] * w.data[wi]; });
          return r;
        })
        .Case([&](Conv2DBackpropFilterOp o) {
          const DTensor &x = get(o.getX()), &g = get(o.getG());
          r = {out, std::vector<double>(DTensor{out, {}}.size(), 0.0)};
          forEachTap(
              x.shape, out, g.shape, o.getStrides(), o.getPadding(),
              [&](int64_t xi, int64_t wi, int64_t yi) { r.data[wi] += x.data[xi] * g.data[yi]; });
          return r;
        })
        .Case([&](MaxPoolOp o) {
          r = pool(get(o.getX()), o.getKsize(), o.getStrides(), o.getPadding(), true);
          return r;
        })
        .Case([&](AvgPoolOp o) {
          r = pool(get(o.getX()), o.getKsize(), o.getStrides(), o.getPadding(), false);
          return r;
        })
        .Case([&](MaxPoolGradOp o) {
          r = poolGrad(get(o.getX()), get(o.getG()), o.getKsize(), o.getStrides(), o.getPadding(),
                       true);
          return r;
        })
        .Case([&](AvgPoolGradOp o) {
          DTensor shapeOnly{out, std::vector<double>(1, 0.0)};
          shapeOnly.data.assign(shapeOnly.size(), 0.0);
          r = poolGrad(shapeOnly, get(o.getG()), o.getKsize(), o.getStrides(), o.getPadding(),
                       false);
          return r;
        })
        .Default([](Operation *) { return std::nullopt; });
  }

  /// Reductions, argmax and the losses.
  std::optional<DTensor> reductionsAndLosses(Operation *op, const std::vector<int64_t> &out) {
    DTensor r;
    return llvm::TypeSwitch<Operation *, std::optional<DTensor>>(op)
        .Case([&](ReduceSumOp o) {
          auto axes = o.getReducedAxes();
          r = reduce(get(o.getX()), {axes.begin(), axes.end()}, o.getKeepdims(), 0.0, add);
          return r;
        })
        .Case([&](ReduceMeanOp o) {
          auto axes = o.getReducedAxes();
          r = reduce(get(o.getX()), {axes.begin(), axes.end()}, o.getKeepdims(), 0.0, add);
          double count = (double)get(o.getX()).size() / (double)r.size();
          for (double &v : r.data)
            v /= count;
          return r;
        })
        .Case([&](ReduceMaxOp o) {
          auto axes = o.getReducedAxes();
          r = reduce(get(o.getX()), {axes.begin(), axes.end()}, o.getKeepdims(), -INFINITY, maxOf);
          return r;
        })
        .Case([&](ArgmaxOp o) {
          const DTensor &x = get(o.getX());
          int64_t axis = o.getAxis();
          DTensor best = reduce(x, {axis}, false, -INFINITY, maxOf);
          r = {out, std::vector<double>(best.size(), -1.0)};
          auto outStrides = stridesOf(out);
          for (int64_t i = 0; i < x.size(); ++i) {
            auto index = unflatten(i, x.shape);
            int64_t flat = 0, k = 0;
            for (size_t d = 0; d < index.size(); ++d)
              if ((int64_t)d != axis)
                flat += index[d] * outStrides[k++];
            if (r.data[flat] < 0 && x.data[i] == best.data[flat])
              r.data[flat] = index[axis]; // the first maximum
          }
          return r;
        })
        .Case([&](SoftmaxCrossEntropyOp o) {
          const DTensor &l = get(o.getLhs()), &t = get(o.getRhs());
          DTensor lse = logSumExp(l);
          DTensor terms =
              binary(t, binary(lse, l, l.shape, [](double a, double b) { return a - b; }), l.shape,
                     [](double a, double b) { return a * b; });
          r = reduce(terms, allAxes(l.shape.size()), false, 0.0, add);
          return r;
        })
        .Case([&](SigmoidCrossEntropyOp o) {
          DTensor terms = binary(
              get(o.getLhs()), get(o.getRhs()), get(o.getLhs()).shape, [](double x, double z) {
                return std::max(x, 0.0) - x * z + std::log1p(std::exp(-std::fabs(x)));
              });
          r = reduce(terms, allAxes(terms.shape.size()), false, 0.0, add);
          return r;
        })
        .Case([&](MeanSquaredErrorOp o) {
          DTensor terms = binary(get(o.getLhs()), get(o.getRhs()), get(o.getLhs()).shape,
                                 [](double a, double b) { return (a - b) * (a - b); });
          r = reduce(terms, allAxes(terms.shape.size()), false, 0.0, add);
          r.data[0] /= (double)terms.size();
          return r;
        })
        .Default([](Operation *) { return std::nullopt; });
  }
};

} // namespace

FailureOr<std::vector<DTensor>> interpret(func::FuncOp func, const std::vector<DTensor> &arguments,
                                          const std::map<std::string, DTensor> &variables,
                                          DropoutKey dropoutKey) {
  return Evaluator(variables, dropoutKey).run(func, arguments);
}

} // namespace nn
