//===- Interpreter.h - a float64 reference interpreter of nn ----*- C++ -*-===//
//
// Evaluates a function of the nn dialect (static shapes) op by op, in double
// precision, straight from the IR: no lowering, no code generation. It is the
// independent reference of the gradient check (GradientCheck.h) and is small
// enough to read next to the ops' definitions.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_INTERP_INTERPRETER_H
#define NNC_INTERP_INTERPRETER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <map>
#include <string>
#include <vector>

namespace nn {

/// A dense row-major tensor of doubles; truth values are 0/1, indices whole.
struct DTensor {
  std::vector<int64_t> shape;
  std::vector<double> data;
  int64_t size() const;
};

/// The (seed, step) that dropout's masks are drawn from (support/ProgramABI.h,
/// section 5): a train program's --seed and step number.
struct DropoutKey {
  uint64_t seed = 0;
  uint64_t step = 1;
};

/// Runs `func` on `arguments` with variables from `variables` (by symbol
/// name) and dropout masks of `dropoutKey`; returns its results, or fails
/// with an error on the op.
mlir::FailureOr<std::vector<DTensor>>
interpret(mlir::func::FuncOp func, const std::vector<DTensor> &arguments,
          const std::map<std::string, DTensor> &variables, DropoutKey dropoutKey);

} // namespace nn

#endif // NNC_INTERP_INTERPRETER_H
