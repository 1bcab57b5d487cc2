//===- Initializers.cpp - initial values of variables ---------------------===//
//
// truncated_normal follows tf.truncated_normal: values further than two
// standard deviations from the mean are drawn again.
//
//===----------------------------------------------------------------------===//

#include "runtime/Initializers.h"
#include "support/Random.h"

#include <cmath>
#include <sstream>

namespace nnrt {

using nn::RandomStream;
using nn::streamId;

namespace {

/// "uniform low=-1 high=1" -> kind "uniform", params {low: -1, high: 1}.
struct Spec {
  std::string kind;
  std::map<std::string, double> params;
  double get(const std::string &key, const std::string &variable) const {
    auto it = params.find(key);
    if (it == params.end())
      throw Error("initializer of '" + variable + "' lacks '" + key + "'");
    return it->second;
  }
};

Spec parseSpec(const std::string &text) {
  Spec spec;
  std::istringstream in(text);
  in >> spec.kind;
  std::string param;
  while (in >> param) {
    size_t eq = param.find('=');
    if (eq != std::string::npos)
      spec.params[param.substr(0, eq)] = std::stod(param.substr(eq + 1));
  }
  return spec;
}

} // namespace

void initializeVariable(const Tensor &variable, uint64_t seed) {
  Spec spec = parseSpec(variable.desc->init);
  float *data = variable.f32();
  int64_t n = variable.numElements();
  RandomStream random(seed, streamId(variable.name()));
  const std::string name = variable.name();
  if (spec.kind == "constant")
    return;
  if (spec.kind == "zeros" || spec.kind == "ones" || spec.kind == "fill") {
    float value = spec.kind == "zeros" ? 0.0f
                  : spec.kind == "ones" ? 1.0f
                                        : (float)spec.get("value", name);
    for (int64_t i = 0; i < n; ++i)
      data[i] = value;
  } else if (spec.kind == "normal") {
    float stddev = spec.get("stddev", name);
    for (int64_t i = 0; i < n; ++i)
      data[i] = stddev * random.normal();
  } else if (spec.kind == "truncated_normal") {
    float stddev = spec.get("stddev", name);
    for (int64_t i = 0; i < n; ++i) {
      float z;
      do
        z = random.normal();
      while (std::fabs(z) > 2.0f);
      data[i] = stddev * z;
    }
  } else if (spec.kind == "uniform") {
    float low = spec.get("low", name), high = spec.get("high", name);
    for (int64_t i = 0; i < n; ++i)
      data[i] = low + (high - low) * random.uniform();
  } else {
    throw Error("unknown initializer '" + spec.kind + "' for '" + name + "'");
  }
}

} // namespace nnrt
