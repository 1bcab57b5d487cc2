//===- MLIRGen.cpp - from the AST to the nn dialect -----------------------===//
//
// Walks the checked AST and builds nn ops, in the spirit of MLIR's Toy
// tutorial (Ch2 MLIRGen.cpp):
//
//  1. Find what the program needs: the names its outputs depend on.
//  2. Declare those variables as `nn.variable` symbols with their
//     initializers (`load("F.npy")` is read now and becomes a constant).
//  3. Create the function; its arguments are the placeholders needed.
//  4. Build each needed definition, in source order. Every op is created
//     through the dialect's shape rule, which reports mismatches at the
//     op's source location.
//  5. Return the outputs.
//
// After both programs, checkUnused() builds what neither uses (a
// definition, variable or const that no loss, report or output reaches)
// into a module it throws away: its errors are reported as any other's,
// and it gets a warning that it is unused.
//
//===----------------------------------------------------------------------===//

#include "frontend/MLIRGen.h"
#include "frontend/Sema.h"
#include "ir/NNAttributes.h"
#include "ir/NNDialect.h"
#include "ir/Provenance.h"
#include "ir/Shapes.h"
#include "support/Error.h"
#include "support/NPY.h"
#include "support/ProgramABI.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopedHashTable.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cmath>

using namespace mlir;

namespace nn {

namespace {

namespace abi = nn::abi;

class MLIRGen {
public:
  MLIRGen(MLIRContext &context, const Module &ast) : ctx(context), builder(&context), ast(ast) {}

  /// One function of a program: its outputs and its batch size. The train
  /// step minimizes its first output with `optimizer`; only it drops out.
  struct FunctionSpec {
    std::string name;
    std::vector<NameRef> outputs;
    int64_t batch;
    SourceLoc loc;
    DictionaryAttr optimizer = {}; // set: this is the train step
    bool isInfer = false;          // outputs may be tensors, not only scalars
  };

  OwningOpRef<ModuleOp> genInfer() {
    if (!ast.infer) {
      emitError(UnknownLoc::get(&ctx), "the file has no infer block");
      return nullptr;
    }
    int64_t batch = ast.infer->batch.value_or(1);
    std::vector<FunctionSpec> specs = {
        {abi::kInfer, ast.infer->outputs, batch, ast.infer->loc, {}, true}};
    // A batch-1 twin for the items after the last full batch (one image).
    if (batch != 1)
      specs.push_back({abi::kInferOne, ast.infer->outputs, 1, ast.infer->loc, {}, true});
    // The train block's reported values, over the infer program's data, when
    // each is a sum or a mean of the items (as for `on test`).
    std::vector<std::string> settings;
    if (ast.train && !ast.train->report.empty() &&
        addEvaluation(ast.train->report, batch, ast.infer->loc, /*required=*/false, specs,
                      settings)) {
      settings.push_back(reportSetting(ast.train->report));
    }
    return genProgram(abi::kInferProgram, specs, settings);
  }

  OwningOpRef<ModuleOp> genTrain() {
    const TrainBlock &t = *ast.train;
    int64_t batch = t.batch.value_or(1);
    // train_step returns the loss first, then the other reported values.
    std::vector<NameRef> outputs = {*t.minimize};
    for (const NameRef &r : t.report)
      if (r.name != t.minimize->name)
        outputs.push_back(r);
    NamedAttrList optimizer;
    optimizer.set("name", builder.getStringAttr(t.optimizer->text));
    for (const KeywordArg &k : t.optimizer->kwargs)
      optimizer.set(k.name, builder.getF64FloatAttr(evalNumber(k.value.get())));
    std::vector<FunctionSpec> specs = {
        {abi::kTrainStep, outputs, batch, t.loc, optimizer.getDictionary(&ctx)}};

    std::vector<std::string> settings = {
        setting(abi::kStepsSetting, std::to_string(t.steps.value_or(1))),
        setting(abi::kShuffleSetting, t.shuffle ? "1" : "0"),
        setting(abi::kReportEverySetting, std::to_string(t.reportEvery)),
        setting(abi::kReportOnTestSetting, t.reportOnTest ? "1" : "0"), reportSetting(t.report)};
    if (t.reportOnTest &&
        !addEvaluation(t.report, batch, t.loc, /*required=*/true, specs, settings))
      return nullptr;
    return genProgram(abi::kTrainProgram, specs, settings);
  }

  /// Step 6; see the header. False after an error.
  bool checkUnused() {
    std::vector<NameRef> roots;
    if (ast.train) {
      if (ast.train->minimize)
        roots.push_back(*ast.train->minimize);
      roots.insert(roots.end(), ast.train->report.begin(), ast.train->report.end());
    }
    if (ast.infer)
      roots.insert(roots.end(), ast.infer->outputs.begin(), ast.infer->outputs.end());
    llvm::StringSet<> used;
    collectNeeded(roots, used);
    std::vector<NameRef> unused;
    for (auto [kind, index] : ast.order) {
      NameRef r;
      if (kind == Module::DeclKind::Definition)
        r = {ast.definitions[index].name, ast.definitions[index].loc};
      else if (kind == Module::DeclKind::Variable)
        r = {ast.variables[index].name, ast.variables[index].loc};
      else
        continue;
      if (used.contains(r.name))
        continue;
      emitWarning(fileLoc(r.loc)) << "'" << r.name
                                  << "' is not used by the loss, a reported value or an output";
      unused.push_back(r);
    }
    if (unused.empty())
      return true;
    int64_t batch = ast.train && ast.train->batch   ? *ast.train->batch
                    : ast.infer && ast.infer->batch ? *ast.infer->batch
                                                    : 1;
    FunctionSpec check{"nnc_unused", unused, batch, unused.front().loc, {}, /*isInfer=*/true};
    return (bool)genProgram("check", {check}, {});
  }

  OwningOpRef<ModuleOp> genProgram(llvm::StringRef program, const std::vector<FunctionSpec> &specs,
                                   const std::vector<std::string> &extraSettings) {
    module = ModuleOp::create(fileLoc({1, 1}));
    setModuleAttributes(program, extraSettings);
    std::vector<NameRef> roots;
    for (const FunctionSpec &f : specs)
      roots.insert(roots.end(), f.outputs.begin(), f.outputs.end());
    collectNeeded(roots, needed);
    if (!genVariables())
      return nullptr;
    for (const FunctionSpec &f : specs)
      if (!genFunction(f))
        return nullptr;
    if (failed(verify(*module)))
      return nullptr;
    return std::move(module);
  }

  /// Adds `evaluate` (batch `batch`) and `evaluate_1` (batch 1) returning the
  /// reported values, and how each combines over many batches
  /// ("aggregate.NAME=sum|mean"): the test set is evaluated in full batches
  /// and its last items one at a time, so that every item counts once. A
  /// value that is neither a sum nor a mean of the items is an error when
  /// `required`, else the evaluation is silently left out (returns false).
  bool addEvaluation(const std::vector<NameRef> &report, int64_t batch, SourceLoc loc,
                     bool required, std::vector<FunctionSpec> &specs,
                     std::vector<std::string> &settings) {
    std::vector<std::string> aggregates;
    for (const NameRef &r : report) {
      std::string how = aggregation(r.name);
      if (how.empty()) {
        if (required)
          emitError(fileLoc(r.loc))
              << "'" << r.name << "' cannot be reported on test: a value over the "
              << "whole test set must be a sum (reduce_sum, a cross-entropy) or a "
              << "mean (reduce_mean, mean_squared_error) of the items";
        return false;
      }
      aggregates.push_back(setting(abi::aggregateSetting(r.name), how));
    }
    settings.insert(settings.end(), aggregates.begin(), aggregates.end());
    specs.push_back({abi::kEvaluate, report, batch, loc});
    specs.push_back({abi::kEvaluateOne, report, 1, loc});
    return true;
  }

  static std::string setting(const std::string &key, const std::string &value) {
    return key + "=" + value;
  }
  /// The reported values' names, comma-separated.
  static std::string reportSetting(const std::vector<NameRef> &report) {
    std::string names;
    for (const NameRef &r : report)
      names += (names.empty() ? "" : ",") + r.name;
    return setting(abi::kReportSetting, names);
  }

  /// How a reported value over many batches combines: "sum", "mean", or ""
  /// when it is neither (a ratio of sums, say).
  std::string aggregation(const std::string &name) {
    for (const Definition &d : ast.definitions)
      if (d.name == name)
        return aggregation(*d.value);
    return "";
  }
  std::string aggregation(const Expr &e) {
    switch (e.kind) {
    case Expr::Name:
      return aggregation(e.text);
    case Expr::Unary:
      return aggregation(*e.args[0]);
    case Expr::Binary: {
      // sum * 2, mean / 3: scaling keeps the kind; sum + sum is a sum.
      bool leftNumber = e.args[0]->kind == Expr::Number;
      bool rightNumber = e.args[1]->kind == Expr::Number;
      if ((e.op == '*' && leftNumber))
        return aggregation(*e.args[1]);
      if ((e.op == '*' || e.op == '/') && rightNumber)
        return aggregation(*e.args[0]);
      if (e.op == '+' || e.op == '-') {
        std::string a = aggregation(*e.args[0]), b = aggregation(*e.args[1]);
        return a == b ? a : "";
      }
      return "";
    }
    case Expr::Call: {
      // Reducing what is already one number for the batch (reduce_mean of a
      // summed cross-entropy, say) changes nothing: it keeps that kind.
      bool reduce = e.text == "reduce_sum" || e.text == "reduce_mean";
      if (reduce && !e.kwarg("axis") && !e.args.empty()) {
        std::string inner = aggregation(*e.args[0]);
        if (!inner.empty())
          return inner;
      }
      if (e.text == "reduce_sum" || e.text == "softmax_cross_entropy" ||
          e.text == "sigmoid_cross_entropy")
        return e.kwarg("axis") ? "" : "sum";
      if (e.text == "reduce_mean" || e.text == "mean_squared_error")
        return e.kwarg("axis") ? "" : "mean";
      return "";
    }
    default:
      return "";
    }
  }

  bool genFunction(const FunctionSpec &spec) {
    // The placeholders this function needs become its arguments.
    llvm::StringSet<> mine;
    collectNeeded(spec.outputs, mine);
    values.clear();
    // Dropout drops only while training: evaluation and inference see x.
    dropoutActive = (bool)spec.optimizer;
    SmallVector<Type> argTypes;
    std::vector<const Placeholder *> args;
    for (const Placeholder &p : ast.placeholders)
      if (mine.contains(p.name)) {
        args.push_back(&p);
        argTypes.push_back(tensorType(p.type));
      }
    builder.setInsertionPointToEnd(module->getBody());
    auto func = builder.create<func::FuncOp>(fileLoc(spec.loc), spec.name,
                                             builder.getFunctionType(argTypes, {}));
    setBatch(func, spec.batch);
    if (spec.optimizer) {
      setMinimizedResult(func, 0); // the loss comes first
      setOptimizer(func, spec.optimizer);
    }
    Block *entry = func.addEntryBlock();
    for (auto [i, p] : llvm::enumerate(args)) {
      setPlaceholderName(func, i, p->name);
      values[p->name] = entry->getArgument(i);
    }
    builder.setInsertionPointToStart(entry);

    // The definitions, in source order.
    bool ok = true;
    for (auto [kind, index] : ast.order) {
      if (kind != Module::DeclKind::Definition)
        continue;
      const Definition &d = ast.definitions[index];
      if (!mine.contains(d.name))
        continue;
      layerName = d.name; // a layer is a whole definition (Sema): its variables' prefix
      Value v = gen(*d.value);
      if (!v) {
        ok = false;
        continue;
      }
      nameDefinition(v, d.name);
      values[d.name] = v;
    }
    if (!ok)
      return false;

    // The outputs; a reported value must be a scalar.
    SmallVector<Value> results;
    for (const NameRef &o : spec.outputs) {
      Value v = lookup(o.name, o.loc);
      if (!v)
        return false;
      if (!spec.isInfer && cast<RankedTensorType>(v.getType()).getRank() != 0) {
        emitError(fileLoc(o.loc)) << "'" << o.name << "' must be a scalar to be "
                                  << (&o == &spec.outputs[0] && spec.optimizer ? "minimized"
                                                                               : "reported")
                                  << ", but it has shape "
                                  << formatShape(cast<RankedTensorType>(v.getType()).getShape());
        return false;
      }
      results.push_back(v);
    }
    if (spec.optimizer && !checkLossHasGradient(results[0], spec.outputs[0]))
      return false;
    builder.create<func::ReturnOp>(fileLoc(spec.loc), results);
    func.setType(builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
    for (auto [i, o] : llvm::enumerate(spec.outputs))
      setOutputName(func, i, o.name);
    return true;
  }

  /// Whether some trainable variable reaches the loss through ops whose
  /// gradient rules pass a gradient on (nn::passesGradient); else an error
  /// at the loss. Autodiff would find no gradient to apply; the learner
  /// learns why here, at the source line, whether the loss uses no variable
  /// at all or uses them only through piecewise-constant ops (argmax, step,
  /// comparisons), whose gradient is zero.
  bool checkLossHasGradient(Value loss, const NameRef &minimize) {
    bool readsVariable = false;
    // Each value is visited at most twice: once on a path that carries a
    // gradient (then everything it reads is visited as well as it can be)
    // and once on a path that does not.
    llvm::DenseSet<Value> seen, seenWithGradient;
    SmallVector<std::pair<Value, bool>> work = {{loss, true}}; // (value, a gradient reaches it)
    while (!work.empty()) {
      auto [v, differentiable] = work.pop_back_val();
      if (differentiable ? !seenWithGradient.insert(v).second : seen.contains(v))
        continue;
      seen.insert(v);
      Operation *def = v.getDefiningOp();
      if (!def)
        continue; // a placeholder
      if (auto read = dyn_cast<ReadOp>(def)) {
        auto var = SymbolTable::lookupNearestSymbolFrom<VariableOp>(read, read.getVariableAttr());
        if (var && !var.getIsConst()) {
          if (differentiable)
            return true;
          readsVariable = true;
        }
        continue;
      }
      for (auto [i, operand] : llvm::enumerate(def->getOperands()))
        work.push_back({operand, differentiable && passesGradient(def, i)});
    }
    Location at = loss.getDefiningOp() ? loss.getDefiningOp()->getLoc() : fileLoc(minimize.loc);
    if (readsVariable)
      emitError(at) << "the loss has no gradient: it depends on the variables only through "
                       "argmax, step or comparisons, which are piecewise constant (their "
                       "gradient is zero), so training could not change them";
    else
      emitError(at) << "the loss does not depend on any variable, so there is nothing to train";
    return false;
  }

private:
  MLIRContext &ctx;
  OpBuilder builder;
  const Module &ast;
  OwningOpRef<ModuleOp> module;
  llvm::StringSet<> needed;
  llvm::StringMap<Value> values;
  bool dropoutActive = false;
  llvm::StringMap<const Variable *> variables;
  std::string layerName; // the definition being generated

  /// Marks the op that computes definition `name` with it (ir/Provenance.h):
  /// printed IR calls its result %name, and autodiff's rules cite it. An
  /// alias (`h2 = h1`) keeps the first name; reads keep their variable's.
  void nameDefinition(Value v, llvm::StringRef name) {
    Operation *op = v.getDefiningOp();
    if (op && !isa<ReadOp>(op) && !sourceName(op->getLoc()))
      op->setLoc(namedLocation(name, op->getLoc()));
  }

  Location fileLoc(SourceLoc loc) {
    return FileLineColLoc::get(&ctx, ast.filename, loc.line, loc.col);
  }

  RankedTensorType tensorType(const TypeSpec &t) {
    SmallVector<int64_t> shape;
    for (int64_t d : t.dims)
      shape.push_back(d < 0 ? ShapedType::kDynamic : d);
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  void setModuleAttributes(llvm::StringRef program, const std::vector<std::string> &extraSettings) {
    std::string model = ast.model ? ast.model->name : llvm::sys::path::stem(ast.filename).str();
    setModelName(*module, model);
    setSourceFile(*module, ast.filename);
    std::vector<std::string> settings = {setting(abi::kProgramSetting, program.str())};
    // Data paths may be relative to the .nn file (examples/data/...).
    llvm::SmallString<256> dir(llvm::sys::path::parent_path(ast.filename));
    llvm::sys::fs::make_absolute(dir);
    llvm::sys::path::remove_dots(dir, /*remove_dot_dot=*/true);
    settings.push_back(setting(abi::kSourceDirSetting, std::string(dir)));
    for (const DataBlock &block : ast.data)
      for (const DataEntry &e : block.entries)
        settings.push_back(
            setting(abi::dataSourceSetting(block.kind, e.name), dataSourceSpec(*e.source)));
    settings.insert(settings.end(), extraSettings.begin(), extraSettings.end());
    setSettings(*module, settings);
  }

  // Step 1: the transitive closure of names used by `roots`.
  void collectNeeded(const std::vector<NameRef> &roots, llvm::StringSet<> &needed) {
    llvm::StringMap<const Expr *> definitions;
    for (const Definition &d : ast.definitions)
      definitions[d.name] = d.value.get();
    std::vector<std::string> work;
    for (const NameRef &r : roots)
      work.push_back(r.name);
    while (!work.empty()) {
      std::string name = work.back();
      work.pop_back();
      if (!needed.insert(name).second)
        continue;
      if (const Expr *e = definitions.lookup(name))
        collectNames(*e, work);
    }
  }
  void collectNames(const Expr &e, std::vector<std::string> &out) {
    if (e.kind == Expr::Name)
      out.push_back(e.text);
    for (const ExprPtr &a : e.args)
      collectNames(*a, out);
    for (const KeywordArg &k : e.kwargs)
      collectNames(*k.value, out);
  }

  // Step 2: variables and their initializers.
  bool genVariables() {
    bool ok = true;
    builder.setInsertionPointToEnd(module->getBody());
    for (const Variable &v : ast.variables) {
      variables[v.name] = &v;
      if (!needed.contains(v.name))
        continue;
      RankedTensorType type = tensorType(v.type);
      std::string kind;
      NamedAttrList params;
      if (!initializerOf(*v.init, type, kind, params)) {
        ok = false;
        continue;
      }
      builder.create<VariableOp>(fileLoc(v.loc), builder.getStringAttr(v.name), TypeAttr::get(type),
                                 builder.getStringAttr(kind), params.getDictionary(&ctx),
                                 v.isConst ? builder.getUnitAttr() : UnitAttr());
    }
    return ok;
  }

  /// The kind and parameters of initializer `init` (Sema checked its form)
  /// for a variable of `type`; the data of constant(...) and load(...) is
  /// checked against the type. False after an error.
  bool initializerOf(const Expr &init, RankedTensorType type, std::string &kind,
                     NamedAttrList &params) {
    kind = init.text;
    auto number = [&](const Expr *e) { return builder.getF64FloatAttr(evalNumber(e)); };
    if (kind == "fill")
      params.set("value", number(init.args[0].get()));
    else if (kind == "truncated_normal" || kind == "normal")
      params.set("stddev", number(init.kwarg("stddev")));
    else if (kind == "uniform") {
      params.set("low", number(init.kwarg("low")));
      params.set("high", number(init.kwarg("high")));
    } else if (kind == "constant" || kind == "load") {
      std::vector<float> data;
      if (kind == "constant" ? !constantData(*init.args[0], type, data)
                             : !loadData(*init.args[0], type, data))
        return false;
      params.set("value", DenseElementsAttr::get(type, llvm::ArrayRef<float>(data)));
      kind = "constant";
    }
    return true;
  }

  double evalNumber(const Expr *e) {
    if (e->kind == Expr::Unary)
      return -evalNumber(e->args[0].get());
    return e->number;
  }

  /// Flattens a nested list literal, checking it against `type`'s shape.
  bool constantData(const Expr &e, RankedTensorType type, std::vector<float> &data) {
    SmallVector<int64_t> shape;
    if (!flatten(e, shape, 0, data))
      return false;
    if (llvm::ArrayRef<int64_t>(shape) != type.getShape()) {
      emitError(fileLoc(e.loc)) << "constant of shape " << formatShape(shape)
                                << " does not match the declared shape "
                                << formatShape(type.getShape());
      return false;
    }
    return true;
  }
  bool flatten(const Expr &e, SmallVector<int64_t> &shape, size_t depth, std::vector<float> &data) {
    if (e.kind == Expr::Number || (e.kind == Expr::Unary && e.args[0]->kind == Expr::Number)) {
      if (depth != shape.size()) {
        emitError(fileLoc(e.loc)) << "ragged constant: a number where a list was expected";
        return false;
      }
      data.push_back((float)evalNumber(&e));
      return true;
    }
    if (e.kind != Expr::List) {
      emitError(fileLoc(e.loc)) << "constant(...) takes numbers and nested lists";
      return false;
    }
    if (depth == shape.size() && depth == 0 && data.empty())
      shape.push_back(e.args.size());
    else if (depth == shape.size() && data.empty())
      shape.push_back(e.args.size());
    if (depth >= shape.size() || shape[depth] != (int64_t)e.args.size()) {
      emitError(fileLoc(e.loc)) << "ragged constant: rows of different lengths";
      return false;
    }
    for (const ExprPtr &a : e.args)
      if (!flatten(*a, shape, depth + 1, data))
        return false;
    return true;
  }

  /// load("F.npy"): read at compile time, relative to the .nn file.
  bool loadData(const Expr &file, RankedTensorType type, std::vector<float> &data) {
    llvm::SmallString<256> path(file.text);
    if (!llvm::sys::path::is_absolute(path)) {
      path = llvm::sys::path::parent_path(ast.filename);
      llvm::sys::path::append(path, file.text);
    }
    try {
      NpyArray ds = readNPY(std::string(path));
      if ((int64_t)ds.values.size() != type.getNumElements()) {
        emitError(fileLoc(file.loc))
            << path << " holds " << ds.values.size() << " values, the variable needs "
            << type.getNumElements() << " " << formatShape(type.getShape());
        return false;
      }
      data = std::move(ds.values);
      return true;
    } catch (const Error &e) {
      emitError(fileLoc(file.loc)) << e.what();
      return false;
    }
  }

  Value lookup(const std::string &name, SourceLoc loc) {
    auto it = values.find(name);
    if (it != values.end())
      return it->second;
    if (const Variable *v = variables.lookup(name)) {
      // Variables are read where the function starts.
      OpBuilder::InsertionGuard guard(builder);
      Block *entry = builder.getInsertionBlock();
      builder.setInsertionPointToStart(entry);
      Value read = builder.create<ReadOp>(fileLoc(v->loc), tensorType(v->type),
                                          FlatSymbolRefAttr::get(&ctx, name));
      values[name] = read;
      return read;
    }
    emitError(fileLoc(loc)) << "'" << name << "' has no value here";
    return nullptr;
  }

  Value scalar(double v, SourceLoc loc) {
    auto type = RankedTensorType::get({}, builder.getF32Type());
    return builder.create<ConstantOp>(fileLoc(loc), DenseElementsAttr::get(type, (float)v));
  }

  /// Creates `OpT` at `loc` with the type its shape rule computes; null after
  /// the rule reported a shape error at `loc`.
  template <typename OpT, typename... Args> Value build(SourceLoc loc, Args &&...args) {
    return createInferred<OpT>(builder, fileLoc(loc), std::forward<Args>(args)...);
  }

  /// Ops on numbers reject indices (i64) and truth values (i1) with a hint.
  bool needFloats(llvm::StringRef op, SourceLoc loc, ValueRange operands) {
    for (Value v : operands) {
      Type element = cast<RankedTensorType>(v.getType()).getElementType();
      if (!element.isF32()) {
        emitError(fileLoc(loc)) << "'" << op << "' needs f32 values, but an argument has "
                                << (element.isInteger(1) ? "truth values (i1)" : "indices (i64)")
                                << "; use cast(x, f32)";
        return false;
      }
    }
    return true;
  }

  Value gen(const Expr &e) {
    switch (e.kind) {
    case Expr::Number:
      return scalar(e.number, e.loc);
    case Expr::Name:
      return lookup(e.text, e.loc);
    case Expr::Unary: {
      if (e.args[0]->kind == Expr::Number)
        return scalar(-e.args[0]->number, e.loc);
      Value x = gen(*e.args[0]);
      if (!x || !needFloats("-", e.loc, x))
        return nullptr;
      return build<NegOp>(e.loc, x);
    }
    case Expr::Binary: {
      Value a = gen(*e.args[0]), b = gen(*e.args[1]);
      if (!a || !b)
        return nullptr;
      std::string op(1, e.op);
      if (!needFloats(op, e.loc, {a, b}))
        return nullptr;
      switch (e.op) {
      case '+':
        return build<AddOp>(e.loc, a, b);
      case '-':
        return build<SubOp>(e.loc, a, b);
      case '*':
        return build<MulOp>(e.loc, a, b);
      default:
        return build<DivOp>(e.loc, a, b);
      }
    }
    case Expr::Call:
      return genCall(e);
    case Expr::List:
      emitError(fileLoc(e.loc)) << "a list is not a tensor value here";
      return nullptr;
    case Expr::String:
      emitError(fileLoc(e.loc)) << "a string is not a tensor value";
      return nullptr;
    }
    return nullptr;
  }

  /// An integer literal (possibly negative), or an error.
  /// Within +-kMaxTensorElements: an axis, a size, a stride or a class
  /// count larger than any tensor is an error, not a number wrapped into
  /// int64_t ("axis -9223372036854775808").
  std::optional<int64_t> intLiteral(const Expr *e, llvm::StringRef what) {
    const Expr *number = e && e->kind == Expr::Unary ? e->args[0].get() : e;
    if (!number || number->kind != Expr::Number || !number->isInteger) {
      emitError(fileLoc(e->loc)) << what << " must be an integer";
      return std::nullopt;
    }
    if (number->number > (double)kMaxTensorElements) {
      emitError(fileLoc(e->loc)) << what << " is out of range: at most " << kMaxTensorElements
                                 << " in size";
      return std::nullopt;
    }
    int64_t v = (int64_t)number->number;
    return number == e ? v : -v;
  }
  std::optional<SmallVector<int64_t>> intList(const Expr *e, llvm::StringRef what) {
    if (e->kind != Expr::List) {
      emitError(fileLoc(e->loc)) << what << " must be a list of integers like [1, 0]";
      return std::nullopt;
    }
    SmallVector<int64_t> result;
    for (const ExprPtr &a : e->args) {
      auto v = intLiteral(a.get(), what);
      if (!v)
        return std::nullopt;
      result.push_back(*v);
    }
    return result;
  }
  std::optional<int64_t> axisOf(const Expr *e, int64_t rank) {
    auto axis = intLiteral(e, "axis");
    if (!axis)
      return std::nullopt;
    auto normalized = normalizeAxis(*axis, rank);
    if (!normalized)
      emitError(fileLoc(e->loc)) << "axis " << *axis << " is out of range for a rank-" << rank
                                 << " tensor";
    return normalized;
  }
  std::optional<bool> boolLiteral(const Expr *e) {
    if (e->kind == Expr::Name && (e->text == "true" || e->text == "false"))
      return e->text == "true";
    emitError(fileLoc(e->loc)) << "expected true or false";
    return std::nullopt;
  }

  //===--------------------------------------------------------------------===//
  // Calls: one table entry per op of the language
  //===--------------------------------------------------------------------===//

  /// The ops that are one nn op of one or two tensors, with no options.
  template <typename OpT> static Value unary(MLIRGen &g, SourceLoc loc, Value x) {
    return g.build<OpT>(loc, x);
  }
  template <typename OpT> static Value binary(MLIRGen &g, SourceLoc loc, Value x, Value y) {
    return g.build<OpT>(loc, x, y);
  }
  using UnaryBuilder = Value (*)(MLIRGen &, SourceLoc, Value);
  using BinaryBuilder = Value (*)(MLIRGen &, SourceLoc, Value, Value);
  static const llvm::StringMap<UnaryBuilder> &unaryOps() {
    static const llvm::StringMap<UnaryBuilder> ops = {
        {"neg", unary<NegOp>},   {"abs", unary<AbsOp>},         {"square", unary<SquareOp>},
        {"sqrt", unary<SqrtOp>}, {"exp", unary<ExpOp>},         {"log", unary<LogOp>},
        {"relu", unary<ReluOp>}, {"sigmoid", unary<SigmoidOp>}, {"tanh", unary<TanhOp>},
        {"step", unary<StepOp>}, {"softmax", unary<SoftmaxOp>}};
    return ops;
  }
  /// Binary ops; all but the comparisons need f32 operands.
  static const llvm::StringMap<BinaryBuilder> &binaryOps() {
    static const llvm::StringMap<BinaryBuilder> ops = {
        {"pow", binary<PowOp>},
        {"maximum", binary<MaximumOp>},
        {"minimum", binary<MinimumOp>},
        {"matmul", binary<MatmulOp>},
        {"softmax_cross_entropy", binary<SoftmaxCrossEntropyOp>},
        {"sigmoid_cross_entropy", binary<SigmoidCrossEntropyOp>},
        {"mean_squared_error", binary<MeanSquaredErrorOp>},
        {"equal", binary<EqualOp>},
        {"greater", binary<GreaterOp>},
        {"less", binary<LessOp>}};
    return ops;
  }
  static bool isComparison(llvm::StringRef op) {
    return op == "equal" || op == "greater" || op == "less";
  }

  /// The ops with options, each built by its own method from the call and
  /// its first argument (already built).
  using CallBuilder = Value (MLIRGen::*)(const Expr &, Value);
  static const llvm::StringMap<CallBuilder> &callsWithOptions() {
    static const llvm::StringMap<CallBuilder> ops = {{"conv2d", &MLIRGen::genWindowed},
                                                     {"max_pool", &MLIRGen::genWindowed},
                                                     {"avg_pool", &MLIRGen::genWindowed},
                                                     {"dropout", &MLIRGen::genDropout},
                                                     {"transpose", &MLIRGen::genTranspose},
                                                     {"reshape", &MLIRGen::genReshape},
                                                     {"reduce_sum", &MLIRGen::genReduction},
                                                     {"reduce_mean", &MLIRGen::genReduction},
                                                     {"reduce_max", &MLIRGen::genReduction},
                                                     {"argmax", &MLIRGen::genArgmax},
                                                     {"cast", &MLIRGen::genCast}};
    return ops;
  }

  Value genCall(const Expr &e) {
    llvm::StringRef op = e.text;
    if (op == "concat")
      return genConcat(e);
    Value x = gen(*e.args[0]);
    if (!x)
      return nullptr;
    if (op == "dense" || op == "conv" || op == "flatten")
      return genLayer(e, x);
    if (auto it = unaryOps().find(op); it != unaryOps().end()) {
      if (!needFloats(op, e.loc, x))
        return nullptr;
      if (op == "softmax" && rankOf(x) == 0) {
        emitError(fileLoc(e.loc))
            << "softmax needs at least one dimension (it is over the last axis)";
        return nullptr;
      }
      return it->second(*this, e.loc, x);
    }
    if (auto it = binaryOps().find(op); it != binaryOps().end()) {
      Value y = gen(*e.args[1]);
      if (!y || (!isComparison(op) && !needFloats(op, e.loc, {x, y})))
        return nullptr;
      return it->second(*this, e.loc, x, y);
    }
    if (auto it = callsWithOptions().find(op); it != callsWithOptions().end())
      return (this->*it->second)(e, x);
    emitError(fileLoc(e.loc)) << "'" << op << "' is not supported here";
    return nullptr;
  }

  static int64_t rankOf(Value v) { return cast<RankedTensorType>(v.getType()).getRank(); }

  /// concat([a, b, ...], axis=K)
  Value genConcat(const Expr &e) {
    const Expr &list = *e.args[0];
    if (list.kind != Expr::List || list.args.empty()) {
      emitError(fileLoc(list.loc)) << "concat takes a list of tensors: concat([a, b], axis=K)";
      return nullptr;
    }
    SmallVector<Value> inputs;
    for (const ExprPtr &a : list.args) {
      Value v = gen(*a);
      if (!v)
        return nullptr;
      inputs.push_back(v);
    }
    int64_t axis = 0;
    if (const Expr *k = e.kwarg("axis")) {
      auto a = axisOf(k, rankOf(inputs[0]));
      if (!a)
        return nullptr;
      axis = *a;
    }
    return build<ConcatOp>(e.loc, ValueRange(inputs), (uint64_t)axis);
  }

  /// conv2d(x, w, strides=[sy, sx], padding="SAME"|"VALID"), and
  /// max_pool / avg_pool(x, ksize=[ky, kx], strides=..., padding=...).
  Value genWindowed(const Expr &e, Value x) {
    llvm::StringRef op = e.text;
    SmallVector<Value> operands = {x};
    if (op == "conv2d") {
      Value w = gen(*e.args[1]);
      if (!w)
        return nullptr;
      operands.push_back(w);
    }
    if (!needFloats(op, e.loc, operands))
      return nullptr;
    auto listOption = [&](const char *key, bool required) -> std::optional<SmallVector<int64_t>> {
      if (const Expr *given = e.kwarg(key))
        return intList(given, key);
      if (required) {
        emitError(fileLoc(e.loc)) << op << " needs " << key << "=[ky, kx]";
        return std::nullopt;
      }
      return SmallVector<int64_t>{1, 1};
    };
    auto strides = listOption("strides", false);
    if (!strides)
      return nullptr;
    std::optional<SmallVector<int64_t>> ksize;
    if (op != "conv2d" && !(ksize = listOption("ksize", true)))
      return nullptr;
    const Expr *padding = e.kwarg("padding");
    if (!padding || padding->kind != Expr::String) {
      emitError(fileLoc(padding ? padding->loc : e.loc))
          << op << " needs padding=\"SAME\" or padding=\"VALID\"";
      return nullptr;
    }
    if (op == "conv2d")
      return build<Conv2DOp>(e.loc, x, operands[1], ArrayRef<int64_t>(*strides),
                             StringRef(padding->text));
    if (op == "max_pool")
      return build<MaxPoolOp>(e.loc, x, ArrayRef<int64_t>(*ksize), ArrayRef<int64_t>(*strides),
                              StringRef(padding->text));
    return build<AvgPoolOp>(e.loc, x, ArrayRef<int64_t>(*ksize), ArrayRef<int64_t>(*strides),
                            StringRef(padding->text));
  }

  /// dropout(x, keep_prob=K): the identity outside a train step.
  Value genDropout(const Expr &e, Value x) {
    double k = evalNumber(e.kwarg("keep_prob")); // Sema checked: a number in (0, 1]
    if (!needFloats(e.text, e.loc, x))
      return nullptr;
    if (!dropoutActive || k == 1.0)
      return x;
    // The stream tells this dropout from the model's others: its position.
    uint32_t stream = abi::dropoutStream(e.loc.line, e.loc.col);
    return build<DropoutOp>(e.loc, x, builder.getF64FloatAttr(k),
                            builder.getI64IntegerAttr(stream));
  }

  /// transpose(x), which reverses the dimensions, or transpose(x, perm=[...]).
  Value genTranspose(const Expr &e, Value x) {
    SmallVector<int64_t> perm;
    if (const Expr *p = e.kwarg("perm")) {
      auto list = intList(p, "perm");
      if (!list)
        return nullptr;
      perm = *list;
    } else {
      for (int64_t i = rankOf(x) - 1; i >= 0; --i)
        perm.push_back(i);
    }
    return build<TransposeOp>(e.loc, x, ArrayRef<int64_t>(perm));
  }

  /// reshape(x, [d0, d1, ...]), one -1 allowed.
  //===--------------------------------------------------------------------===//
  // Layers (docs/language.md, "Layers"): dense, conv and flatten, Keras'
  // layers, expanded here into the variables and ops a learner would write
  // by hand. `h = dense(x, units=N, activation=relu)` declares h.kernel
  // [in, N] and h.bias [N] and computes relu(matmul(x, h.kernel) + h.bias);
  // --emit=nn shows the expansion, checkpoints the names.
  //===--------------------------------------------------------------------===//

  Value genLayer(const Expr &e, Value x) {
    if (!needFloats(e.text, e.loc, x))
      return nullptr;
    auto shape = cast<RankedTensorType>(x.getType()).getShape();
    if (e.text == "flatten") { // [batch, d1, d2, ...] -> [batch, d1 * d2 * ...]
      if (shape.size() < 2) {
        emitError(fileLoc(e.loc)) << "flatten needs a batch and at least one more dimension, "
                                  << "but its input has shape " << formatShape(shape);
        return nullptr;
      }
      int64_t features = 1;
      for (int64_t d : shape.drop_front())
        features *= d;
      return build<ReshapeOp>(e.loc, x, ArrayRef<int64_t>{-1, features});
    }
    bool dense = e.text == "dense";
    if (shape.size() != (dense ? 2u : 4u)) {
      emitError(fileLoc(e.loc)) << e.text << " needs a "
                                << (dense ? "2-D input [batch, features]"
                                          : "4-D input "
                                            "[batch, height, width, channels]")
                                << ", but its input has shape " << formatShape(shape)
                                << (dense ? "; flatten(x) makes one"
                                          : "; reshape(x, [-1, H, W, C]) makes one");
      return nullptr;
    }
    std::optional<int64_t> units =
        intLiteral(e.kwarg(dense ? "units" : "filters"), dense ? "units" : "filters");
    if (!units)
      return nullptr;
    // Keras' default kernel initializer, Glorot's uniform: U(-l, l) with
    // l = sqrt(6 / (fan_in + fan_out)), which keeps the variance of the
    // activations and of the gradients alike from layer to layer.
    SmallVector<int64_t> kernelShape;
    Value y;
    if (dense) {
      kernelShape = {shape[1], *units};
    } else {
      auto ksize = intList(e.kwarg("ksize"), "ksize");
      if (!ksize)
        return nullptr;
      kernelShape = {(*ksize)[0], (*ksize)[1], shape[3], *units};
    }
    int64_t receptive = dense ? 1 : kernelShape[0] * kernelShape[1];
    double limit = std::sqrt(
        6.0 / (double)(receptive * kernelShape[kernelShape.size() - 2] + receptive * *units));
    Value kernel = layerVariable("kernel", kernelShape, e.kwarg("kernel_initializer"), limit, e);
    if (!kernel)
      return nullptr;
    if (dense) {
      y = build<MatmulOp>(e.loc, x, kernel);
    } else {
      SmallVector<int64_t> strides = {1, 1};
      if (const Expr *given = e.kwarg("strides")) {
        auto list = intList(given, "strides");
        if (!list)
          return nullptr;
        strides = *list;
      }
      const Expr *padding = e.kwarg("padding");
      y = build<Conv2DOp>(e.loc, x, kernel, ArrayRef<int64_t>(strides),
                          StringRef(padding ? padding->text : "VALID"));
    }
    const Expr *useBias = e.kwarg("use_bias");
    if (y && !(useBias && useBias->text == "false")) {
      Value bias = layerVariable("bias", {*units}, e.kwarg("bias_initializer"), 0.0, e);
      y = bias ? build<AddOp>(e.loc, y, bias) : nullptr;
    }
    const Expr *activation = e.kwarg("activation");
    if (!y || !activation || activation->text == "linear")
      return y;
    return unaryOps().find(activation->text)->second(*this, e.loc, y); // Sema checked the name
  }

  /// The layer's variable `layerName.role` of `shape`, read in the current
  /// function; declared in the module by the first function that uses it,
  /// initialised by `init` when given, else uniformly in [-limit, limit]
  /// (zeros when limit is 0: Keras' biases).
  Value layerVariable(llvm::StringRef role, ArrayRef<int64_t> shape, const Expr *init, double limit,
                      const Expr &call) {
    std::string name = layerName + "." + role.str();
    auto type = RankedTensorType::get(shape, builder.getF32Type());
    if (auto it = values.find(name); it != values.end())
      return it->second;
    if (!module->lookupSymbol(name)) {
      OpBuilder::InsertionGuard guard(builder);
      auto functions = module->getOps<func::FuncOp>();
      if (functions.empty())
        builder.setInsertionPointToEnd(module->getBody());
      else
        builder.setInsertionPoint(*functions.begin());
      std::string kind = limit > 0 ? "uniform" : "zeros";
      NamedAttrList params;
      if (init) {
        if (!initializerOf(*init, type, kind, params))
          return nullptr;
      } else if (limit > 0) {
        params.set("low", builder.getF64FloatAttr(-limit));
        params.set("high", builder.getF64FloatAttr(limit));
      }
      builder.create<VariableOp>(fileLoc(call.loc), builder.getStringAttr(name),
                                 TypeAttr::get(type), builder.getStringAttr(kind),
                                 params.getDictionary(&ctx), UnitAttr());
    }
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(builder.getInsertionBlock());
    Value read =
        builder.create<ReadOp>(fileLoc(call.loc), type, FlatSymbolRefAttr::get(&ctx, name));
    values[name] = read;
    return read;
  }

  Value genReshape(const Expr &e, Value x) {
    auto shape = intList(e.args[1].get(), "the shape of reshape");
    if (!shape)
      return nullptr;
    return build<ReshapeOp>(e.loc, x, ArrayRef<int64_t>(*shape));
  }

  /// reduce_sum / reduce_mean / reduce_max(x, axis=K or [..], keepdims=true).
  Value genReduction(const Expr &e, Value x) {
    if (!needFloats(e.text, e.loc, x))
      return nullptr;
    SmallVector<int64_t> axes;
    if (const Expr *a = e.kwarg("axis")) {
      SmallVector<const Expr *> items;
      if (a->kind == Expr::List)
        for (const ExprPtr &i : a->args)
          items.push_back(i.get());
      else
        items.push_back(a);
      for (const Expr *i : items) {
        auto axis = axisOf(i, rankOf(x));
        if (!axis)
          return nullptr;
        if (llvm::is_contained(axes, *axis)) {
          emitError(fileLoc(i->loc)) << "axis " << *axis << " is listed twice";
          return nullptr;
        }
        axes.push_back(*axis);
      }
      llvm::sort(axes);
    }
    bool keepdims = false;
    if (const Expr *k = e.kwarg("keepdims")) {
      auto keep = boolLiteral(k);
      if (!keep)
        return nullptr;
      keepdims = *keep;
    }
    ArrayRef<int64_t> reduced(axes);
    if (e.text == "reduce_sum")
      return build<ReduceSumOp>(e.loc, x, reduced, keepdims);
    if (e.text == "reduce_mean")
      return build<ReduceMeanOp>(e.loc, x, reduced, keepdims);
    return build<ReduceMaxOp>(e.loc, x, reduced, keepdims);
  }

  /// argmax(x, K) or argmax(x, axis=K).
  Value genArgmax(const Expr &e, Value x) {
    if (!needFloats(e.text, e.loc, x))
      return nullptr;
    const Expr *axisExpr = e.args.size() > 1 ? e.args[1].get() : e.kwarg("axis");
    int64_t axis = 0;
    if (axisExpr) {
      auto a = axisOf(axisExpr, rankOf(x));
      if (!a)
        return nullptr;
      axis = *a;
    }
    if (rankOf(x) == 0) {
      emitError(fileLoc(e.loc)) << "argmax of a scalar";
      return nullptr;
    }
    return build<ArgmaxOp>(e.loc, x, (uint64_t)axis);
  }

  /// cast(x, f32).
  Value genCast(const Expr &e, Value x) {
    const Expr &to = *e.args[1];
    if (to.kind != Expr::Name || to.text != "f32") {
      emitError(fileLoc(to.loc)) << "cast converts to f32: cast(x, f32)";
      return nullptr;
    }
    return build<CastOp>(e.loc, x, TypeAttr::get(builder.getF32Type()));
  }
};

} // namespace

OwningOpRef<ModuleOp> mlirGenInfer(MLIRContext &context, const Module &module) {
  context.getOrLoadDialect<NNDialect>();
  context.getOrLoadDialect<func::FuncDialect>();
  return MLIRGen(context, module).genInfer();
}

bool checkUnused(MLIRContext &context, const Module &module) {
  context.getOrLoadDialect<NNDialect>();
  context.getOrLoadDialect<func::FuncDialect>();
  return MLIRGen(context, module).checkUnused();
}

OwningOpRef<ModuleOp> mlirGenTrain(MLIRContext &context, const Module &module) {
  context.getOrLoadDialect<NNDialect>();
  context.getOrLoadDialect<func::FuncDialect>();
  return MLIRGen(context, module).genTrain();
}

} // namespace nn
