//===- Sema.cpp - semantic checks of a parsed .nn file --------------------===//

#include "frontend/Sema.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace nn {

static const std::vector<OpSignature> &opTable() {
  static const std::vector<OpSignature> table = {
      // Arithmetic and activations: f(x).
      {"neg", 1, 1, {}, "neg(x)"},
      {"abs", 1, 1, {}, "abs(x)"},
      {"square", 1, 1, {}, "square(x)"},
      {"sqrt", 1, 1, {}, "sqrt(x)"},
      {"exp", 1, 1, {}, "exp(x)"},
      {"log", 1, 1, {}, "log(x)"},
      {"relu", 1, 1, {}, "relu(x)"},
      {"sigmoid", 1, 1, {}, "sigmoid(x)"},
      {"tanh", 1, 1, {}, "tanh(x)"},
      {"step", 1, 1, {}, "step(x)"},
      {"softmax", 1, 1, {}, "softmax(x)"},
      // Binary ops with broadcasting.
      {"pow", 2, 2, {}, "pow(x, y)"},
      {"maximum", 2, 2, {}, "maximum(a, b)"},
      {"minimum", 2, 2, {}, "minimum(a, b)"},
      {"equal", 2, 2, {}, "equal(a, b)"},
      {"greater", 2, 2, {}, "greater(a, b)"},
      {"less", 2, 2, {}, "less(a, b)"},
      // Linear algebra and shapes.
      {"matmul", 2, 2, {}, "matmul(a, b)"},
      {"max_pool",
       1,
       1,
       {"ksize", "strides", "padding"},
       "max_pool(x, ksize=[ky, kx], strides=[sy, sx], padding=\"SAME\"|\"VALID\")"},
      {"avg_pool",
       1,
       1,
       {"ksize", "strides", "padding"},
       "avg_pool(x, ksize=[ky, kx], strides=[sy, sx], padding=\"SAME\"|\"VALID\")"},
      {"dropout", 1, 1, {"keep_prob"}, "dropout(x, keep_prob=K)"},
      {"conv2d",
       2,
       2,
       {"strides", "padding"},
       "conv2d(x, w, strides=[sy, sx], padding=\"SAME\"|\"VALID\")"},
      {"transpose", 1, 1, {"perm"}, "transpose(x) or transpose(x, perm=[1, 0])"},
      {"reshape", 2, 2, {}, "reshape(x, [d0, d1, ...])"},
      {"concat", 1, 1, {"axis"}, "concat([a, b], axis=K)"},
      // Reductions.
      {"reduce_sum", 1, 1, {"axis", "keepdims"}, "reduce_sum(x, axis=K, keepdims=true)"},
      {"reduce_mean", 1, 1, {"axis", "keepdims"}, "reduce_mean(x, axis=K, keepdims=true)"},
      {"reduce_max", 1, 1, {"axis", "keepdims"}, "reduce_max(x, axis=K, keepdims=true)"},
      {"argmax", 1, 2, {"axis"}, "argmax(x, K)"},
      {"cast", 2, 2, {}, "cast(x, f32)"},
      // Layers (Keras-style; MLIRGen expands them): the whole right side of a
      // definition, whose name prefixes their variables.
      {"dense",
       1,
       1,
       {"units", "activation", "use_bias", "kernel_initializer", "bias_initializer"},
       "h = dense(x, units=N, activation=relu)"},
      {"conv",
       1,
       1,
       {"filters", "ksize", "strides", "padding", "activation", "use_bias", "kernel_initializer",
        "bias_initializer"},
       "h = conv(x, filters=N, ksize=[k, k], strides=[1, 1], padding=\"SAME\", activation=relu)"},
      {"flatten", 1, 1, {}, "flatten(x)"},
      // Losses.
      {"softmax_cross_entropy", 2, 2, {}, "softmax_cross_entropy(logits, labels)"},
      {"sigmoid_cross_entropy", 2, 2, {}, "sigmoid_cross_entropy(logits, labels)"},
      {"mean_squared_error", 2, 2, {}, "mean_squared_error(pred, target)"},
  };
  return table;
}

const OpSignature *lookupOp(llvm::StringRef name) {
  for (const OpSignature &op : opTable())
    if (op.name == name)
      return &op;
  return nullptr;
}

std::vector<llvm::StringRef> allOpNames() {
  std::vector<llvm::StringRef> names;
  for (const OpSignature &op : opTable())
    names.push_back(op.name);
  return names;
}

std::string dataSourceSpec(const Expr &e) {
  auto number = [](double v) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << llvm::format("%.9g", v);
    return s;
  };
  if (e.kind == Expr::Call && e.text == "one_hot")
    return dataSourceSpec(*e.args[0]) + "|one_hot:" + number(e.args[1]->number);
  if (e.kind == Expr::Call)
    return e.text + ":" + e.args[0]->text;
  return dataSourceSpec(*e.args[0]) + (e.op == '/' ? "|div:" : "|mul:") + number(e.args[1]->number);
}

namespace {

class Checker {
public:
  Checker(const Module &m, Diagnostics &diags) : m(m), diags(diags) {}

  /// The one expression that may be a dense or conv layer: the right side
  /// of the definition being checked.
  const Expr *layerAllowed = nullptr;

  void run() {
    for (const std::string &name : m.brokenNames)
      kinds[name] = "broken";
    for (auto [kind, index] : m.order) {
      switch (kind) {
      case Module::DeclKind::Placeholder: {
        const Placeholder &p = m.placeholders[index];
        checkType(p.type, /*allowBatch=*/true);
        declare(p.name, p.loc, "placeholder");
        break;
      }
      case Module::DeclKind::Variable: {
        const Variable &v = m.variables[index];
        checkType(v.type, /*allowBatch=*/false);
        checkInitializer(*v.init);
        declare(v.name, v.loc, v.isConst ? "const" : "variable");
        break;
      }
      case Module::DeclKind::Definition: {
        const Definition &d = m.definitions[index];
        layerAllowed = d.value.get();
        checkExpr(*d.value);
        declare(d.name, d.loc, "definition");
        break;
      }
      }
    }
    llvm::StringSet<> dataKinds;
    for (const DataBlock &block : m.data) {
      if (!dataKinds.insert(block.kind).second)
        diags.error(block.loc, "a second `data " + block.kind + "` block");
      llvm::StringSet<> names;
      for (const DataEntry &e : block.entries) {
        if (kinds.lookup(e.name) != "placeholder")
          diags.error(e.loc, "'" + e.name + "' is not a placeholder",
                      "a data block gives placeholders their data");
        else if (!names.insert(e.name).second)
          diags.error(e.loc, "'" + e.name + "' has two sources in this block");
        checkDataSource(*e.source);
      }
    }
    if (m.train)
      checkTrain(*m.train);
    if (m.infer)
      checkInfer(*m.infer);
  }

private:
  const Module &m;
  Diagnostics &diags;
  llvm::StringMap<std::string> kinds; // name -> placeholder | variable | ...
  llvm::StringMap<SourceLoc> where;

  void declare(const std::string &name, SourceLoc loc, const char *kind) {
    auto previous = where.find(name);
    if (previous != where.end()) {
      diags.error(loc, "'" + name + "' is already defined",
                  "its first definition is at line " + std::to_string(previous->second.line));
      return;
    }
    kinds[name] = kind;
    where[name] = loc;
  }

  void checkType(const TypeSpec &t, bool allowBatch) {
    if (t.elementType != "f32") {
      diags.error(t.loc, "unknown element type '" + t.elementType + "'",
                  "declared tensors are f32: write f32[...]");
      return;
    }
    for (size_t i = 0; i < t.dims.size(); ++i) {
      if (t.dims[i] == -1 && (!allowBatch || i != 0))
        diags.error(t.loc, allowBatch ? "'?' may only be the first (batch) dimension"
                                      : "'?' (the batch) is only allowed in placeholders");
      else if (t.dims[i] == 0)
        diags.error(t.loc, "dimensions must be positive");
    }
  }

  void unknownName(const Expr &e) {
    std::vector<llvm::StringRef> names;
    for (auto &entry : kinds)
      names.push_back(entry.getKey());
    std::string near = closestMatch(e.text, names);
    diags.error(e.loc, "unknown name '" + e.text + "'",
                near.empty() ? "names must be defined before they are used"
                             : "did you mean '" + near + "'?");
  }

  void checkExpr(const Expr &e) {
    switch (e.kind) {
    case Expr::Number:
      return;
    case Expr::String:
      diags.error(e.loc, "a string is not a value here");
      return;
    case Expr::Name:
      if (!kinds.count(e.text) && e.text != "true" && e.text != "false" && e.text != "f32")
        unknownName(e);
      return;
    case Expr::List:
    case Expr::Unary:
    case Expr::Binary:
      for (const ExprPtr &a : e.args)
        checkExpr(*a);
      return;
    case Expr::Call:
      checkCall(e);
      return;
    }
  }

  void checkCall(const Expr &e) {
    const OpSignature *op = lookupOp(e.text);
    if (!op) {
      std::string near = closestMatch(e.text, allOpNames());
      diags.error(e.loc, "unknown op '" + e.text + "'",
                  near.empty() ? "see docs/language.md for the list of ops"
                               : "did you mean '" + near + "'?");
      return;
    }
    if (e.args.size() < op->minArgs || e.args.size() > op->maxArgs) {
      std::string expected = op->minArgs == op->maxArgs ? std::to_string(op->minArgs)
                                                        : std::to_string(op->minArgs) + " or " +
                                                              std::to_string(op->maxArgs);
      diags.error(e.loc,
                  "'" + e.text + "' takes " + expected + " argument" +
                      (op->maxArgs == 1 ? "" : "s") + ", got " + std::to_string(e.args.size()),
                  "usage: " + op->usage.str());
    }
    llvm::StringSet<> seen;
    for (const KeywordArg &k : e.kwargs) {
      if (!llvm::is_contained(op->keywords, k.name))
        diags.error(k.loc, "'" + e.text + "' has no argument '" + k.name + "'",
                    "usage: " + op->usage.str());
      else if (!seen.insert(k.name).second)
        diags.error(k.loc, "argument '" + k.name + "' given twice");
      if (k.name == "padding" && k.value->kind == Expr::String)
        continue; // padding="SAME" is the one string argument
      if (k.name == "keep_prob" || k.name == "units" || k.name == "filters" ||
          k.name == "activation")
        continue; // checked below
      if (k.name == "kernel_initializer" || k.name == "bias_initializer") {
        checkInitializer(*k.value);
        continue;
      }
      checkExpr(*k.value);
    }
    for (const ExprPtr &a : e.args)
      checkExpr(*a);
    if (e.text == "dropout")
      checkKeepProb(e);
    if (e.text == "dense" || e.text == "conv")
      checkLayer(e);
  }

  /// A dense or conv layer: the whole right side of a definition, a positive
  /// whole number of units (filters), a known activation, a window for conv.
  void checkLayer(const Expr &e) {
    if (&e != layerAllowed)
      diags.error(e.loc, "a " + e.text + " layer must be the whole right side of a definition",
                  "write `h = " + e.text +
                      "(...)`: the name h names its variables, h.kernel "
                      "and h.bias");
    const char *count = e.text == "dense" ? "units" : "filters";
    const Expr *n = e.kwarg(count);
    if (!n)
      diags.error(e.loc, e.text + " needs " + count + "=N",
                  "usage: " + lookupOp(e.text)->usage.str());
    else if (n->kind != Expr::Number || !n->isInteger || n->number < 1)
      diags.error(n->loc, std::string(count) + " must be a positive whole number");
    if (e.text == "conv" && !e.kwarg("ksize"))
      diags.error(e.loc, "conv needs ksize=[ky, kx], the size of its window");
    if (const Expr *a = e.kwarg("activation")) {
      static const std::vector<llvm::StringRef> names = {"relu", "sigmoid", "tanh", "softmax",
                                                         "linear"};
      if (a->kind != Expr::Name || !llvm::is_contained(names, a->text))
        diags.error(a->loc, "activation must be relu, sigmoid, tanh, softmax or linear");
    }
    if (const Expr *b = e.kwarg("use_bias"))
      if (b->kind != Expr::Name || (b->text != "true" && b->text != "false"))
        diags.error(b->loc, "use_bias must be true or false");
  }

  /// keep_prob: a number literal in (0, 1] (1 keeps everything).
  void checkKeepProb(const Expr &e) {
    const Expr *keep = e.kwarg("keep_prob");
    if (!keep || !isNumber(keep)) {
      diags.error(keep ? keep->loc : e.loc, "dropout needs keep_prob=K, a number in (0, 1]");
      return;
    }
    double k = keep->kind == Expr::Unary ? -keep->args[0]->number : keep->number;
    if (!(k > 0.0 && k <= 1.0)) {
      char text[32];
      std::snprintf(text, sizeof text, "%g", k);
      diags.error(keep->loc, std::string("keep_prob must be in (0, 1], got ") + text);
    }
  }

  bool isNumber(const Expr *e) {
    if (e && e->kind == Expr::Unary && e->op == '-')
      return isNumber(e->args[0].get());
    return e && e->kind == Expr::Number;
  }
  /// The value of a number literal (isNumber), its minus signs applied.
  double numberValue(const Expr &e) {
    return e.kind == Expr::Unary ? -numberValue(*e.args[0]) : e.number;
  }
  static std::string spell(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    return text;
  }

  /// Keyword argument `name` of `call`, when it is a number, must lie in
  /// [low, high) (or (low, high) when `openLow`); `range` says which in
  /// words.
  void checkRange(const Expr &call, llvm::StringRef name, double low, double high, bool openLow,
                  llvm::StringRef range) {
    const Expr *arg = call.kwarg(name);
    if (!arg || !isNumber(arg))
      return;
    double v = numberValue(*arg);
    if ((openLow ? v <= low : v < low) || v >= high)
      diags.error(arg->loc, "'" + name.str() + "' of " + call.text + " is " + spell(v) +
                                "; it must be " + range.str());
  }

  /// A batch of `batch` items of each batched placeholder stays within
  /// kMaxTensorElements.
  void checkBatchSize(int64_t batch, SourceLoc loc) {
    for (const Placeholder &p : m.placeholders) {
      if (p.type.dims.empty() || p.type.dims[0] != -1)
        continue;
      int64_t item = 1;
      for (size_t i = 1; i < p.type.dims.size(); ++i)
        item *= std::max<int64_t>(1, p.type.dims[i]); // <= 2^28: checked by the parser
      if (batch > kMaxTensorElements / item) {
        diags.error(loc, "a batch of " + std::to_string(batch) + " items of '" + p.name +
                             "' has more than " + std::to_string(kMaxTensorElements) +
                             " elements (2^28), the most a tensor may have");
        return;
      }
    }
  }

  void checkInitializer(const Expr &init) {
    static const std::vector<llvm::StringRef> names = {
        "zeros", "ones", "fill", "constant", "truncated_normal", "normal", "uniform", "load"};
    if (init.kind != Expr::Call || !llvm::is_contained(names, init.text)) {
      std::string near = init.kind == Expr::Call ? closestMatch(init.text, names) : std::string();
      diags.error(init.loc,
                  "expected an initializer: zeros(), ones(), fill(V), "
                  "constant([...]), truncated_normal(stddev=S), "
                  "normal(stddev=S), uniform(low=A, high=B) or load(\"F.npy\")",
                  near.empty() ? "" : "did you mean '" + near + "'?");
      return;
    }
    llvm::StringRef name = init.text;
    auto expectArgs = [&](size_t positional, std::vector<llvm::StringRef> keywords,
                          llvm::StringRef usage) {
      bool ok = init.args.size() == positional;
      for (const KeywordArg &k : init.kwargs) {
        ok &= llvm::is_contained(keywords, k.name);
        ok &= isNumber(k.value.get());
      }
      for (llvm::StringRef k : keywords)
        ok &= init.kwarg(k) != nullptr;
      if (!ok)
        diags.error(init.loc, "malformed initializer", "usage: " + usage.str());
    };
    if (name == "zeros" || name == "ones")
      expectArgs(0, {}, (name + "()").str());
    else if (name == "fill") {
      if (init.args.size() != 1 || !isNumber(init.args[0].get()) || !init.kwargs.empty())
        diags.error(init.loc, "malformed initializer", "usage: fill(VALUE)");
    } else if (name == "constant") {
      if (init.args.size() != 1 || !init.kwargs.empty())
        diags.error(init.loc, "malformed initializer", "usage: constant([[1, 2], [3, 4]])");
    } else if (name == "truncated_normal" || name == "normal") {
      expectArgs(0, {"stddev"}, (name + "(stddev=S)").str());
      checkRange(init, "stddev", 0, std::numeric_limits<double>::infinity(), true, "positive");
    } else if (name == "uniform") {
      expectArgs(0, {"low", "high"}, "uniform(low=A, high=B)");
      const Expr *low = init.kwarg("low"), *high = init.kwarg("high");
      if (low && high && isNumber(low) && isNumber(high) &&
          !(numberValue(*low) < numberValue(*high)))
        diags.error(high->loc, "uniform needs low < high, not low=" + spell(numberValue(*low)) +
                                   ", high=" + spell(numberValue(*high)));
    } else if (name == "load") {
      if (init.args.size() != 1 || init.args[0]->kind != Expr::String || !init.kwargs.empty())
        diags.error(init.loc, "malformed initializer", "usage: load(\"FILE.npy\")");
    }
  }

  void checkDataSource(const Expr &e) {
    if (e.kind == Expr::Binary && (e.op == '/' || e.op == '*')) {
      checkDataSource(*e.args[0]);
      if (e.args[1]->kind != Expr::Number)
        diags.error(e.args[1]->loc, "a data source is scaled by a number");
      else if (e.op == '/' && e.args[1]->number == 0)
        diags.error(e.args[1]->loc, "division by zero");
      return;
    }
    if (e.kind == Expr::Call && e.text == "one_hot") {
      if (e.args.size() != 2 || !e.kwargs.empty() || e.args[1]->kind != Expr::Number ||
          !e.args[1]->isInteger || e.args[1]->number < 2) {
        diags.error(e.loc, "malformed one_hot", "usage: one_hot(SOURCE, CLASSES)");
        return;
      }
      checkDataSource(*e.args[0]);
      return;
    }
    if (e.kind == Expr::Call && (e.text == "idx" || e.text == "npy" || e.text == "csv")) {
      if (e.args.size() != 1 || e.args[0]->kind != Expr::String || !e.kwargs.empty())
        diags.error(e.loc, "malformed data source", "usage: " + e.text + "(\"FILE\")");
      return;
    }
    diags.error(e.loc, "expected a data source: idx(\"F\"), npy(\"F\"), csv(\"F\"), "
                       "one_hot(SOURCE, N), or SOURCE / NUMBER or * NUMBER");
  }

  void checkDefined(const NameRef &r) {
    if (!kinds.count(r.name)) {
      Expr e;
      e.kind = Expr::Name;
      e.text = r.name;
      e.loc = r.loc;
      unknownName(e);
    }
  }

  void checkTrain(const TrainBlock &t) {
    if (!t.minimize)
      diags.error(t.loc, "the train block needs `minimize: NAME`");
    else
      checkDefined(*t.minimize);
    if (!t.optimizer)
      diags.error(t.loc, "the train block needs `optimizer: ...`");
    else
      checkOptimizer(*t.optimizer);
    if (t.batch && *t.batch < 1)
      diags.error(t.batchLoc, "the batch size must be at least 1");
    else if (t.batch)
      checkBatchSize(*t.batch, t.batchLoc);
    if (t.steps && *t.steps < 1)
      diags.error(t.stepsLoc, "the number of steps must be at least 1");
    for (const NameRef &r : t.report)
      checkDefined(r);
    if (!t.report.empty() && t.reportEvery < 1 && !diags.hasErrorOnLine(t.reportEveryLoc.line))
      diags.error(t.reportEveryLoc, "`every K` needs K of at least 1");
  }

  void checkOptimizer(const Expr &e) {
    static const std::vector<llvm::StringRef> names = {"sgd", "momentum", "adagrad", "adam"};
    if (e.kind != Expr::Call || !llvm::is_contained(names, e.text)) {
      std::string near = e.kind == Expr::Call ? closestMatch(e.text, names) : "";
      diags.error(e.loc, "expected an optimizer: sgd, momentum, adagrad or adam",
                  near.empty() ? "" : "did you mean '" + near + "'?");
      return;
    }
    std::vector<llvm::StringRef> allowed = {"learning_rate"};
    if (e.text == "momentum")
      allowed.push_back("momentum");
    if (e.text == "adam")
      allowed.insert(allowed.end(), {"beta1", "beta2", "epsilon"});
    if (!e.args.empty())
      diags.error(e.loc, "optimizer arguments are named: " + e.text + "(learning_rate=R)");
    for (const KeywordArg &k : e.kwargs) {
      if (!llvm::is_contained(allowed, k.name))
        diags.error(k.loc, "'" + e.text + "' has no argument '" + k.name + "'");
      else if (!isNumber(k.value.get()))
        diags.error(k.value->loc, "'" + k.name + "' must be a number");
    }
    if (!e.kwarg("learning_rate"))
      diags.error(e.loc, "'" + e.text + "' needs learning_rate=R");
    if (e.text == "momentum" && !e.kwarg("momentum"))
      diags.error(e.loc, "'momentum' needs momentum=M");
    // The ranges in which each method is defined (docs/language.md).
    const double inf = std::numeric_limits<double>::infinity();
    checkRange(e, "learning_rate", 0, inf, true, "positive");
    checkRange(e, "momentum", 0, 1, false, "at least 0 and below 1");
    checkRange(e, "beta1", 0, 1, false, "at least 0 and below 1");
    checkRange(e, "beta2", 0, 1, false, "at least 0 and below 1");
    checkRange(e, "epsilon", 0, inf, true, "positive");
  }

  void checkInfer(const InferBlock &b) {
    if (b.outputs.empty())
      diags.error(b.loc, "the infer block needs `output: NAME`");
    llvm::StringSet<> listed;
    for (const NameRef &r : b.outputs) {
      checkDefined(r);
      // Each output is one tensor of the program table and one file column
      // group; a name listed twice would be two outputs of the same name.
      if (!listed.insert(r.name).second && !diags.hasErrorOnLine(r.loc.line))
        diags.error(r.loc, "'" + r.name + "' is listed twice in `output:`");
    }
    if (b.batch && *b.batch < 1)
      diags.error(b.batchLoc, "the batch size must be at least 1");
    else if (b.batch)
      checkBatchSize(*b.batch, b.batchLoc);
  }
};

} // namespace

bool checkModule(const Module &module, Diagnostics &diags) {
  unsigned before = diags.errorCount();
  Checker(module, diags).run();
  return diags.errorCount() == before;
}

} // namespace nn
