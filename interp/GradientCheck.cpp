//===- GradientCheck.cpp - autodiff against finite differences ------------===//
//
//  1. Draw a point: placeholders and variables at random (away from the kinks
//     of relu and max at 0), consts at their values.
//  2. Evaluate the function once: the loss and every gradient dL/dw.
//  3. For sampled elements w_i: L(w_i + h) and L(w_i - h), with
//     h = 1e-5 * max(1, |w_i|); the central difference is exact up to
//     O(h^2) and rounding of about 1e-16 |L| / h.
//  4. Relative error |g - fd| / (|g| + |fd|), the worst per variable.
//
// Scalars in the IR are float32 constants (1/3 is 0.3333333433): with a batch
// that is a power of two the means' 1/N are exact, hence the default batch 4.
//
//===----------------------------------------------------------------------===//

#include "interp/GradientCheck.h"
#include "interp/Interpreter.h"
#include "ir/NNAttributes.h"
#include "ir/NNDialect.h"
#include "support/Random.h"

#include "llvm/Support/Format.h"

#include <cmath>

using namespace mlir;

namespace nn {

FailureOr<double> checkGradients(func::FuncOp func, int64_t lossIndex, uint64_t seed,
                                 int samples, llvm::raw_ostream &os) {
  auto module = func->getParentOfType<ModuleOp>();
  DropoutKey dropoutKey{seed, 1};

  // Step 1: the point.
  RandomStream random(seed, streamId("gradcheck"));
  auto randomTensor = [&](Type type, double low, double high) {
    auto t = cast<RankedTensorType>(type);
    DTensor r{std::vector<int64_t>(t.getShape().begin(), t.getShape().end()), {}};
    for (int64_t i = 0; i < r.size(); ++i)
      r.data.push_back(low + (high - low) * random.uniform());
    return r;
  };
  std::vector<DTensor> arguments;
  for (BlockArgument arg : func.getArguments())
    arguments.push_back(randomTensor(arg.getType(), 0.1, 1.0));
  std::map<std::string, DTensor> variables;
  for (auto var : module.getOps<VariableOp>()) {
    DTensor t = randomTensor(var.getType(), -0.5, 0.5);
    if (var.getIsConst()) {
      if (var.getInitializer() == "constant") {
        t.data.clear();
        for (APFloat f : cast<DenseElementsAttr>(var.getParams().get("value")).getValues<APFloat>())
          t.data.push_back(f.convertToDouble());
      } else if (var.getInitializer() == "fill" || var.getInitializer() == "ones" ||
                 var.getInitializer() == "zeros") {
        double v = var.getInitializer() == "zeros" ? 0.0
                   : var.getInitializer() == "ones"
                       ? 1.0
                       : cast<FloatAttr>(var.getParams().get("value")).getValueAsDouble();
        t.data.assign(t.size(), v);
      }
    }
    variables[var.getSymName().str()] = t;
  }

  // Step 2: the loss and the gradients.
  auto results = interpret(func, arguments, variables, dropoutKey);
  if (failed(results))
    return failure();
  auto loss = [&]() -> FailureOr<double> {
    auto r = interpret(func, arguments, variables, dropoutKey);
    if (failed(r))
      return failure();
    return (*r)[lossIndex].data[0];
  };

  // Steps 3 and 4.
  double worstOfAll = 0.0;
  os << "gradient check (float64, central differences) of result " << lossIndex
     << ", loss " << llvm::format("%.9g", (*results)[lossIndex].data[0]) << "\n";
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    StringAttr name = getGradientOf(func, i);
    if (!name)
      continue;
    const DTensor &grad = (*results)[i];
    DTensor &w = variables[name.str()];
    int64_t n = w.size(), count = std::min<int64_t>(n, samples);
    double worst = 0.0;
    for (int64_t s = 0; s < count; ++s) {
      // Spread the samples over the tensor, first and last included.
      int64_t e = count == 1 ? 0 : s * (n - 1) / (count - 1);
      double saved = w.data[e], h = 1e-5 * std::max(1.0, std::fabs(saved));
      w.data[e] = saved + h;
      auto up = loss();
      w.data[e] = saved - h;
      auto down = loss();
      w.data[e] = saved;
      if (failed(up) || failed(down))
        return failure();
      double fd = (*up - *down) / (2 * h), g = grad.data[e];
      double err = std::fabs(g - fd) / std::max(std::fabs(g) + std::fabs(fd), 1e-8);
      worst = std::max(worst, err);
    }
    worstOfAll = std::max(worstOfAll, worst);
    os << "  " << name.getValue() << ": max relative error "
       << llvm::format("%.2e", worst) << " over " << count << " of " << n << " elements\n";
  }
  return worstOfAll;
}

} // namespace nn
