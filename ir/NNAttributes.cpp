//===- NNAttributes.cpp - the attributes the stages pass on ---------------===//
//
// The typed accessors of NNAttributes.h, and the dialect's verifier of its
// discardable attributes: each must have its declared type and sit where the
// stages expect it (a function, an argument, a result, a variable, the
// module); an `nn.` name that is not declared is an error.
//
//===----------------------------------------------------------------------===//

#include "ir/NNAttributes.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace nn {

namespace {
// The names, from the helpers ODS generates for `discardableAttrs`.
using D = NNDialect;
constexpr StringLiteral kBatch = D::BatchAttrHelper::getNameStr();
constexpr StringLiteral kMinimize = D::MinimizeAttrHelper::getNameStr();
constexpr StringLiteral kOptimizer = D::OptimizerAttrHelper::getNameStr();
constexpr StringLiteral kPlaceholder = D::PlaceholderAttrHelper::getNameStr();
constexpr StringLiteral kOutput = D::OutputAttrHelper::getNameStr();
constexpr StringLiteral kGradient = D::GradientAttrHelper::getNameStr();
constexpr StringLiteral kBatched = D::BatchedAttrHelper::getNameStr();
constexpr StringLiteral kOptimizerState = D::OptimizerStateAttrHelper::getNameStr();
constexpr StringLiteral kFolded = D::FoldedAttrHelper::getNameStr();
constexpr StringLiteral kModel = D::ModelAttrHelper::getNameStr();
constexpr StringLiteral kCPU = D::CpuAttrHelper::getNameStr();
constexpr StringLiteral kSource = D::SourceAttrHelper::getNameStr();
constexpr StringLiteral kSettings = D::SettingsAttrHelper::getNameStr();
constexpr StringLiteral kOffset = D::OffsetAttrHelper::getNameStr();
constexpr StringLiteral kBytes = D::BytesAttrHelper::getNameStr();
constexpr StringLiteral kLive = D::LiveAttrHelper::getNameStr();
constexpr StringLiteral kConvFilterGradient = D::ConvFilterGradientAttrHelper::getNameStr();

IntegerAttr i64(MLIRContext *ctx, int64_t v) {
  return IntegerAttr::get(IntegerType::get(ctx, 64), v);
}
std::optional<int64_t> intValue(Operation *op, StringRef name) {
  if (auto attr = op->getAttrOfType<IntegerAttr>(name))
    return attr.getInt();
  return std::nullopt;
}
} // namespace

//===----------------------------------------------------------------------===//
// Accessors
//===----------------------------------------------------------------------===//

std::optional<int64_t> getBatch(Operation *function) { return intValue(function, kBatch); }
void setBatch(Operation *function, int64_t batch) {
  function->setAttr(kBatch, i64(function->getContext(), batch));
}

std::optional<int64_t> getMinimizedResult(Operation *function) {
  return intValue(function, kMinimize);
}
void setMinimizedResult(Operation *function, int64_t result) {
  function->setAttr(kMinimize, i64(function->getContext(), result));
}
void removeMinimizedResult(Operation *function) { function->removeAttr(kMinimize); }

DictionaryAttr getOptimizer(Operation *function) {
  return function->getAttrOfType<DictionaryAttr>(kOptimizer);
}
void setOptimizer(Operation *function, DictionaryAttr optimizer) {
  function->setAttr(kOptimizer, optimizer);
}
void removeOptimizer(Operation *function) { function->removeAttr(kOptimizer); }

StringAttr getPlaceholderName(FunctionOpInterface function, unsigned argument) {
  return function.getArgAttrOfType<StringAttr>(argument, kPlaceholder);
}
void setPlaceholderName(FunctionOpInterface function, unsigned argument, StringRef name) {
  function.setArgAttr(argument, kPlaceholder, StringAttr::get(function->getContext(), name));
}

StringAttr getOutputName(FunctionOpInterface function, unsigned result) {
  return function.getResultAttrOfType<StringAttr>(result, kOutput);
}
void setOutputName(FunctionOpInterface function, unsigned result, StringRef name) {
  function.setResultAttr(result, kOutput, StringAttr::get(function->getContext(), name));
}

StringAttr getGradientOf(FunctionOpInterface function, unsigned result) {
  return function.getResultAttrOfType<StringAttr>(result, kGradient);
}
DictionaryAttr gradientResultAttrs(MLIRContext *context, StringRef variable) {
  Builder b(context);
  return b.getDictionaryAttr(b.getNamedAttr(kGradient, b.getStringAttr(variable)));
}

bool isBatchedArgument(FunctionOpInterface function, unsigned argument) {
  return (bool)function.getArgAttr(argument, kBatched);
}
bool isBatchedResult(FunctionOpInterface function, unsigned result) {
  return (bool)function.getResultAttr(result, kBatched);
}
void setBatchedArgument(FunctionOpInterface function, unsigned argument) {
  function.setArgAttr(argument, kBatched, UnitAttr::get(function->getContext()));
}
void setBatchedResult(FunctionOpInterface function, unsigned result) {
  function.setResultAttr(result, kBatched, UnitAttr::get(function->getContext()));
}

bool isOptimizerState(VariableOp variable) { return variable->hasAttr(kOptimizerState); }
void setOptimizerState(VariableOp variable) {
  variable->setAttr(kOptimizerState, UnitAttr::get(variable->getContext()));
}

StringAttr getFolded(ConstantOp constant) { return constant->getAttrOfType<StringAttr>(kFolded); }
void setFolded(ConstantOp constant, StringRef what) {
  constant->setAttr(kFolded, StringAttr::get(constant->getContext(), what));
}

StringAttr getModelName(ModuleOp module) { return module->getAttrOfType<StringAttr>(kModel); }
void setModelName(ModuleOp module, StringRef name) {
  module->setAttr(kModel, StringAttr::get(module->getContext(), name));
}
void setCPUChoice(ModuleOp module, const CPUChoice &choice) {
  Builder b(module->getContext());
  auto integer = [&](StringRef key, int64_t v) {
    return b.getNamedAttr(key, b.getI64IntegerAttr(v));
  };
  auto integers = [&](StringRef key, ArrayRef<int64_t> v) {
    return b.getNamedAttr(key, b.getDenseI64ArrayAttr(v));
  };
  module->setAttr(kCPU, b.getDictionaryAttr(
                            {b.getNamedAttr("name", b.getStringAttr(choice.name)),
                             integer("vector_bits", choice.vectorBits),
                             integer("vector_registers", choice.vectorRegisters),
                             integers("caches", choice.caches),
                             b.getNamedAttr("caches_from", b.getStringAttr(choice.cachesFrom)),
                             integers("matmul_tile", choice.matmulTile),
                             integers("matmul_blocks", choice.matmulBlocks)}));
}
StringAttr getSourceFile(ModuleOp module) { return module->getAttrOfType<StringAttr>(kSource); }
void setSourceFile(ModuleOp module, StringRef file) {
  module->setAttr(kSource, StringAttr::get(module->getContext(), file));
}

ArrayAttr getSettings(ModuleOp module) { return module->getAttrOfType<ArrayAttr>(kSettings); }
void setSettings(ModuleOp module, ArrayRef<std::string> settings) {
  Builder b(module->getContext());
  SmallVector<Attribute> strings;
  for (const std::string &s : settings)
    strings.push_back(b.getStringAttr(s));
  module->setAttr(kSettings, b.getArrayAttr(strings));
}
std::string getSetting(ModuleOp module, StringRef key) {
  if (ArrayAttr settings = getSettings(module))
    for (Attribute a : settings) {
      auto [k, value] = cast<StringAttr>(a).getValue().split('=');
      if (k == key)
        return value.str();
    }
  return "";
}

std::optional<std::pair<int64_t, int64_t>> getConvFilterGradient(Operation *generic) {
  auto strides = generic->getAttrOfType<DenseI64ArrayAttr>(kConvFilterGradient);
  if (!strides || strides.size() != 2)
    return std::nullopt;
  return std::make_pair(strides[0], strides[1]);
}
void setConvFilterGradient(Operation *generic, int64_t sy, int64_t sx) {
  generic->setAttr(kConvFilterGradient, DenseI64ArrayAttr::get(generic->getContext(), {sy, sx}));
}

std::optional<ArenaPlacement> getArenaPlacement(Operation *view) {
  auto offset = intValue(view, kOffset), bytes = intValue(view, kBytes);
  auto live = view->getAttrOfType<DenseI64ArrayAttr>(kLive);
  if (!offset || !bytes || !live || live.size() != 2)
    return std::nullopt;
  return ArenaPlacement{*offset, *bytes, live[0], live[1]};
}
void setArenaPlacement(Operation *view, const ArenaPlacement &p) {
  MLIRContext *ctx = view->getContext();
  view->setAttr(kOffset, i64(ctx, p.offset));
  view->setAttr(kBytes, i64(ctx, p.bytes));
  view->setAttr(kLive, DenseI64ArrayAttr::get(ctx, {p.firstOp, p.lastOp}));
}

//===----------------------------------------------------------------------===//
// The verifier
//===----------------------------------------------------------------------===//

namespace {

/// Checks one attribute against its declaration: its kind of value and the
/// kind of op (or argument, result) it belongs on.
struct AttributeCheck {
  Operation *op;
  NamedAttribute attr;
  const char *where; // "an argument", "a result", or null for the op itself

  StringRef name() const { return attr.getName().getValue(); }
  InFlightDiagnostic error() {
    InFlightDiagnostic d = op->emitOpError() << "attribute '" << name() << "'";
    if (where)
      d << " on " << where;
    return d;
  }
  template <typename AttrT> LogicalResult expect(const char *kind) {
    if (isa<AttrT>(attr.getValue()))
      return success();
    return error() << " must be " << kind << ", got " << attr.getValue();
  }
  LogicalResult onlyOn(bool right, const char *what) {
    return right ? success() : error() << " belongs on " << what;
  }
  LogicalResult unknown(const char *declared) {
    return error() << " is not an attribute of the nn dialect here (declared"
                   << (where ? " for " : " ") << (where ? where : "") << (where ? ": " : "on ops: ")
                   << declared << ")";
  }
};

bool isInteger64(Attribute a) {
  auto i = dyn_cast<IntegerAttr>(a);
  return i && i.getType().isInteger(64);
}

} // namespace

LogicalResult NNDialect::verifyOperationAttribute(Operation *op, NamedAttribute attr) {
  AttributeCheck check{op, attr, nullptr};
  StringRef name = check.name();
  bool function = isa<FunctionOpInterface>(op);
  if (name == kBatch || name == kMinimize) {
    if (!isInteger64(attr.getValue()))
      return check.error() << " must be an i64 integer, got " << attr.getValue();
    return check.onlyOn(function, "a function");
  }
  if (name == kOptimizer) {
    if (failed(check.expect<DictionaryAttr>("a dictionary")))
      return failure();
    if (!cast<DictionaryAttr>(attr.getValue()).getAs<StringAttr>("name"))
      return check.error() << " needs the optimizer's name: {name = \"sgd\", ...}";
    return check.onlyOn(function, "a function");
  }
  if (name == kOptimizerState) {
    if (failed(check.expect<UnitAttr>("a unit attribute")))
      return failure();
    return check.onlyOn(isa<VariableOp>(op), "an nn.variable");
  }
  if (name == kFolded) {
    if (failed(check.expect<StringAttr>("a string")))
      return failure();
    return check.onlyOn(isa<ConstantOp>(op), "an nn.constant");
  }
  if (name == kModel || name == kSource) {
    if (failed(check.expect<StringAttr>("a string")))
      return failure();
    return check.onlyOn(isa<ModuleOp>(op), "the module");
  }
  if (name == kSettings) {
    auto settings = dyn_cast<ArrayAttr>(attr.getValue());
    if (!settings || !llvm::all_of(settings, [](Attribute a) {
          auto s = dyn_cast<StringAttr>(a);
          return s && s.getValue().contains('=');
        }))
      return check.error() << " must be an array of \"key=value\" strings";
    return check.onlyOn(isa<ModuleOp>(op), "the module");
  }
  if (name == kCPU) {
    if (failed(check.expect<DictionaryAttr>("a dictionary")))
      return failure();
    if (!cast<DictionaryAttr>(attr.getValue()).getAs<StringAttr>("name"))
      return check.error() << " needs the CPU's name: {name = \"znver4\", ...}";
    return check.onlyOn(isa<ModuleOp>(op), "the module");
  }
  if (name == kOffset || name == kBytes)
    return isInteger64(attr.getValue())
               ? success()
               : check.error() << " must be an i64 integer, got " << attr.getValue();
  if (name == kConvFilterGradient) {
    auto strides = dyn_cast<DenseI64ArrayAttr>(attr.getValue());
    if (!strides || strides.size() != 2 || strides[0] < 1 || strides[1] < 1)
      return check.error() << " must be array<i64: sy, sx> of positive strides";
    return check.onlyOn(op->getName().getStringRef() == "linalg.generic", "a linalg.generic");
  }
  if (name == kLive) {
    auto live = dyn_cast<DenseI64ArrayAttr>(attr.getValue());
    return live && live.size() == 2 ? success()
                                    : check.error() << " must be array<i64: first, last>";
  }
  return check.unknown(
      "nn.batch, nn.minimize, nn.optimizer on functions; "
      "nn.optimizer_state on variables; nn.folded on constants; nn.model, nn.source, "
      "nn.settings, nn.cpu on the module; nn.conv_filter_gradient on linalg.generic; "
      "nn.offset, nn.bytes, nn.live on views");
}

LogicalResult NNDialect::verifyRegionArgAttribute(Operation *op, unsigned region, unsigned argument,
                                                  NamedAttribute attr) {
  AttributeCheck check{op, attr, "an argument"};
  if (check.name() == kPlaceholder)
    return check.expect<StringAttr>("a string (the placeholder's name)");
  if (check.name() == kBatched)
    return check.expect<UnitAttr>("a unit attribute");
  return check.unknown("nn.placeholder, nn.batched");
}

LogicalResult NNDialect::verifyRegionResultAttribute(Operation *op, unsigned region,
                                                     unsigned result, NamedAttribute attr) {
  AttributeCheck check{op, attr, "a result"};
  if (check.name() == kOutput || check.name() == kGradient)
    return check.expect<StringAttr>("a string (a .nn name)");
  if (check.name() == kBatched)
    return check.expect<UnitAttr>("a unit attribute");
  return check.unknown("nn.output, nn.gradient, nn.batched");
}

} // namespace nn
