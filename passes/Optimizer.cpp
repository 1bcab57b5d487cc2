//===- Optimizer.cpp - the optimizer as variable updates ------------------===//
//
// nn-optimizer: turns the gradients nn-autodiff produced into the update
// rules of TensorFlow 1.x's optimizers (lr = learning_rate, g = dL/dw):
//
//   sgd       w -= lr g
//   momentum  a = m a + g;  w -= lr a                          (a starts at 0)
//   adagrad   s += g^2;  w -= lr g / sqrt(s)                   (s starts at 0.1)
//   adam      lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)
//             m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//             w -= lr_t m / (sqrt(v) + eps)                    (m, v start at 0)
//             with b1^t, b2^t kept as variables that start at b1, b2 and are
//             multiplied by b1, b2 after each step, as TensorFlow does.
//
// State variables are named after their variable (`w.adam_m`), marked
// `nn.optimizer_state`, and saved in checkpoints. The ops of each update say
// in their location which variable they update and by which rule
// (ir/Provenance.h), which --emit=grad prints. Every nn.assign comes after
// every computation, so a step reads only the values from before it. The
// function's `nn.optimizer` is consumed: the updates are in the IR now.
//
//===----------------------------------------------------------------------===//

#include "ir/NNAttributes.h"
#include "ir/NNDialect.h"
#include "ir/Provenance.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/BitVector.h"

namespace nn {
#define GEN_PASS_DEF_NNOPTIMIZERPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

struct OptimizerExpansion {
  ModuleOp module;
  func::FuncOp func;
  DictionaryAttr config;
  OpBuilder b;
  Location loc;
  SmallVector<std::pair<std::string, Value>> assigns;
  bool failed = false;

  double param(StringRef name, double fallback) {
    if (auto f = config.getAs<FloatAttr>(name))
      return f.getValueAsDouble();
    return fallback;
  }
  /// `OpT` of `operands` (braced, so built left to right: the IR reads in
  /// the order of the formulas above).
  template <typename OpT> Value make(std::initializer_list<Value> operands) {
    Value v = nn::createInferred<OpT>(b, loc, ValueRange(operands), ArrayRef<NamedAttribute>{});
    failed |= !v;
    return v;
  }
  Value scalar(double v) {
    auto type = RankedTensorType::get({}, b.getF32Type());
    return b.create<nn::ConstantOp>(loc, DenseElementsAttr::get(type, (float)v));
  }
  /// Declares optimizer state `name` like `type`, filled with `init`, and
  /// returns its current value.
  Value state(StringRef name, RankedTensorType type, double init) {
    if (!SymbolTable::lookupSymbolIn(module, name)) {
      OpBuilder mb(module.getBodyRegion());
      mb.setInsertionPoint(func);
      NamedAttrList params;
      StringRef kind = init == 0.0 ? "zeros" : "fill";
      if (init != 0.0)
        params.set("value", mb.getF64FloatAttr(init));
      auto var = mb.create<nn::VariableOp>(loc, mb.getStringAttr(name), TypeAttr::get(type),
                                           mb.getStringAttr(kind),
                                           params.getDictionary(b.getContext()), mb.getUnitAttr());
      nn::setOptimizerState(var);
    }
    return b.create<nn::ReadOp>(loc, type, FlatSymbolRefAttr::get(b.getContext(), name));
  }
  Value read(StringRef name, Type type) {
    return b.create<nn::ReadOp>(loc, type, FlatSymbolRefAttr::get(b.getContext(), name));
  }

  /// The location of each assign, by variable: its update's (explain).
  llvm::StringMap<Location> assignLocs;

  /// Tags the ops built since `before` with what they update and the rule,
  /// written from those ops: one statement per variable assigned since
  /// assigns[firstAssign], over the variables' values (by name: the old one
  /// before its statement, the new one after) and the gradient `g`, `gName`.
  void explain(StringRef from, Operation *before, size_t firstAssign, Value g, StringRef gName) {
    Operation *end = &*b.getInsertionPoint();
    llvm::DenseSet<Operation *> built = nn::opsBuiltSince(before, end);
    llvm::DenseMap<Value, std::string> leaves;
    if (g)
      leaves[g] = gName.str();
    std::string rule;
    for (auto &[name, value] : llvm::ArrayRef(assigns).drop_front(firstAssign)) {
      rule += (rule.empty() ? "" : "; ") + name + " = " +
              nn::formula(value, leaves, [&](Operation *x) { return built.contains(x); });
      leaves[value] = name; // later statements use the new value by name
    }
    Location tagged = nn::optimizerLocation(loc, from, rule);
    for (Operation *made : built)
      made->setLoc(tagged);
    for (auto &[name, value] : llvm::ArrayRef(assigns).drop_front(firstAssign))
      assignLocs.insert_or_assign(name, tagged);
  }

  void update(StringRef w, Value g) {
    std::string kind = config.getAs<StringAttr>("name").str();
    Operation *before = b.getInsertionPoint()->getPrevNode();
    size_t firstAssign = assigns.size();
    auto type = cast<RankedTensorType>(g.getType());
    Value weight = read(w, type);
    Value lr = scalar(param("learning_rate", 0.001));
    Value newWeight;
    if (kind == "sgd") {
      newWeight = make<nn::SubOp>({weight, make<nn::MulOp>({lr, g})});
    } else if (kind == "momentum") {
      Value a = state((w + ".momentum").str(), type, 0.0);
      Value newA = make<nn::AddOp>({make<nn::MulOp>({scalar(param("momentum", 0.9)), a}), g});
      assigns.push_back({(w + ".momentum").str(), newA});
      newWeight = make<nn::SubOp>({weight, make<nn::MulOp>({lr, newA})});
    } else if (kind == "adagrad") {
      Value s = state((w + ".adagrad").str(), type, 0.1);
      Value newS = make<nn::AddOp>({s, make<nn::SquareOp>({g})});
      assigns.push_back({(w + ".adagrad").str(), newS});
      newWeight = make<nn::SubOp>(
          {weight, make<nn::DivOp>({make<nn::MulOp>({lr, g}), make<nn::SqrtOp>({newS})})});
    } else { // adam
      double b1 = param("beta1", 0.9), b2 = param("beta2", 0.999), eps = param("epsilon", 1e-8);
      auto scalarType = RankedTensorType::get({}, b.getF32Type());
      Value b1t = state("adam.beta1_power", scalarType, b1);
      Value b2t = state("adam.beta2_power", scalarType, b2);
      Value lrT = make<nn::DivOp>(
          {make<nn::MulOp>({lr, make<nn::SqrtOp>({make<nn::SubOp>({scalar(1.0), b2t})})}),
           make<nn::SubOp>({scalar(1.0), b1t})});
      Value m = state((w + ".adam_m").str(), type, 0.0);
      Value v = state((w + ".adam_v").str(), type, 0.0);
      Value newM = make<nn::AddOp>(
          {make<nn::MulOp>({scalar(b1), m}), make<nn::MulOp>({scalar(1.0 - b1), g})});
      Value newV = make<nn::AddOp>({make<nn::MulOp>({scalar(b2), v}),
                                    make<nn::MulOp>({scalar(1.0 - b2), make<nn::SquareOp>({g})})});
      assigns.push_back({(w + ".adam_m").str(), newM});
      assigns.push_back({(w + ".adam_v").str(), newV});
      newWeight = make<nn::SubOp>(
          {weight, make<nn::DivOp>({make<nn::MulOp>({lrT, newM}),
                                    make<nn::AddOp>({make<nn::SqrtOp>({newV}), scalar(eps)})})});
    }
    assigns.push_back({w.str(), newWeight});
    explain(kind + " update of " + w.str(), before, firstAssign, g, ("d" + w).str());
  }

  void finishAdam() {
    if (config.getAs<StringAttr>("name").getValue() != "adam")
      return;
    auto scalarType = RankedTensorType::get({}, b.getF32Type());
    Operation *before = b.getInsertionPoint()->getPrevNode();
    size_t firstAssign = assigns.size();
    for (auto [name, beta] :
         {std::pair<const char *, double>{"adam.beta1_power", param("beta1", 0.9)},
          {"adam.beta2_power", param("beta2", 0.999)}})
      assigns.push_back({name, make<nn::MulOp>({read(name, scalarType), scalar(beta)})});
    explain("adam's powers of beta1 and beta2, for the next step's lr_t", before, firstAssign,
            Value(), "");
  }
};

struct Optimizer : nn::impl::NNOptimizerPassBase<Optimizer> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      DictionaryAttr config = nn::getOptimizer(func);
      if (!config)
        continue;
      auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
      OptimizerExpansion expansion{module, func, config, OpBuilder(ret), func.getLoc()};
      llvm::BitVector gradients(func.getNumResults());
      for (unsigned i = 0; i < func.getNumResults(); ++i) {
        StringAttr name = nn::getGradientOf(func, i);
        if (!name)
          continue;
        gradients.set(i);
        Value g = ret.getOperand(i);
        expansion.loc = g.getDefiningOp() ? g.getDefiningOp()->getLoc() : func.getLoc();
        expansion.update(name.getValue(), g);
      }
      expansion.finishAdam();
      if (expansion.failed)
        return signalPassFailure();
      // Every write after every read.
      for (auto &[name, value] : expansion.assigns)
        expansion.b.create<nn::AssignOp>(expansion.assignLocs.find(name)->second,
                                         FlatSymbolRefAttr::get(&getContext(), name), value);
      SmallVector<Value> kept;
      for (unsigned i = 0; i < ret.getNumOperands(); ++i)
        if (!gradients.test(i))
          kept.push_back(ret.getOperand(i));
      expansion.b.create<func::ReturnOp>(ret.getLoc(), kept);
      ret.erase();
      func.eraseResults(gradients);
      nn::removeOptimizer(func); // expanded: a second run changes nothing
    }
  }
};

} // namespace
