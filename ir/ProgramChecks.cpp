//===- ProgramChecks.cpp - what nnc relies on in a program module ---------===//

#include "ir/ProgramChecks.h"
#include "ir/NNAttributes.h"
#include "support/ProgramABI.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"

#include <cmath>

using namespace mlir;

namespace nn {

namespace {

constexpr int64_t kMaxInteger = 2147483647; // as the .nn file's settings

/// Setting `key` as an integer in [low, kMaxInteger]; an error otherwise.
LogicalResult integerSetting(ModuleOp module, llvm::StringRef key, int64_t low) {
  std::string text = getSetting(module, key);
  int64_t value = 0;
  if (text.empty() || llvm::StringRef(text).getAsInteger(10, value) || value < low ||
      value > kMaxInteger)
    return module.emitError() << "the setting \"" << key << "=" << text << "\" must be an integer "
                              << low << " to " << kMaxInteger;
  return success();
}

LogicalResult flagSetting(ModuleOp module, llvm::StringRef key) {
  std::string text = getSetting(module, key);
  if (text != "0" && text != "1")
    return module.emitError() << "the setting \"" << key << "=" << text << "\" must be 0 or 1";
  return success();
}

/// An nn.optimizer: one of the four methods, with arguments in the ranges
/// frontend/Sema.cpp enforces on .nn files.
LogicalResult checkOptimizer(func::FuncOp func, DictionaryAttr optimizer) {
  auto name = optimizer.getAs<StringAttr>("name");
  static const llvm::StringRef methods[] = {"sgd", "momentum", "adagrad", "adam"};
  if (!name || !llvm::is_contained(methods, name.getValue()))
    return func.emitError() << "nn.optimizer names no optimizer (sgd, momentum, adagrad or adam): "
                            << optimizer;
  auto number = [&](llvm::StringRef key) -> std::optional<double> {
    if (auto f = optimizer.getAs<FloatAttr>(key))
      return f.getValueAsDouble();
    return std::nullopt;
  };
  auto check = [&](llvm::StringRef key, bool required, double low, bool openLow,
                   double high) -> LogicalResult {
    std::optional<double> v = number(key);
    if (!v)
      return required ? func.emitError() << "nn.optimizer of " << name << " needs " << key
                      : success();
    if (!std::isfinite(*v) || (openLow ? *v <= low : *v < low) || *v >= high)
      return func.emitError() << "nn.optimizer's " << key << " = " << *v << " is out of range";
    return success();
  };
  const double inf = INFINITY;
  return success(succeeded(check("learning_rate", true, 0, true, inf)) &&
                 succeeded(check("momentum", name.getValue() == "momentum", 0, false, 1)) &&
                 succeeded(check("beta1", false, 0, false, 1)) &&
                 succeeded(check("beta2", false, 0, false, 1)) &&
                 succeeded(check("epsilon", false, 0, true, inf)));
}

} // namespace

LogicalResult verifyProgramModule(ModuleOp module) {
  std::string kind = getSetting(module, abi::kProgramSetting);
  if (kind != abi::kTrainProgram && kind != abi::kInferProgram)
    return module.emitError() << "a module without \"program=train\" or \"program=infer\" in its "
                                 "nn.settings is not an nnc program";
  bool ok = true;
  if (kind == abi::kTrainProgram) {
    ok &= succeeded(integerSetting(module, abi::kStepsSetting, 1));
    ok &= succeeded(integerSetting(module, abi::kReportEverySetting, 0));
    ok &= succeeded(flagSetting(module, abi::kShuffleSetting));
    ok &= succeeded(flagSetting(module, abi::kReportOnTestSetting));
  }
  // The train step keeps its name until the linalg stage calls it
  // nnc_train_step; in the LLVM dialect it is an llvm.func.
  bool hasStep = module.lookupSymbol(abi::kTrainStep) ||
                 module.lookupSymbol(abi::entryPointSymbol(abi::kTrainStep));
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func->hasAttr("nn.batch")) {
      std::optional<int64_t> batch = getBatch(func);
      if (!batch || *batch < 1 || *batch > kMaxInteger) {
        func.emitError() << "nn.batch must be an integer 1 to " << kMaxInteger;
        ok = false;
      }
    }
    if (getMinimizedResult(func) && !getOptimizer(func)) {
      func.emitError() << "a function marked nn.minimize needs nn.optimizer: it would never train";
      ok = false;
    }
    if (DictionaryAttr optimizer = getOptimizer(func))
      ok &= succeeded(checkOptimizer(func, optimizer));
  }
  if (kind == abi::kTrainProgram && !hasStep) {
    module.emitError() << "a train program needs its function @" << abi::kTrainStep;
    ok = false;
  }
  return success(ok);
}

} // namespace nn
