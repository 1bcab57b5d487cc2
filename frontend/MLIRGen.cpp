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
//===----------------------------------------------------------------------===//

#include "frontend/MLIRGen.h"
#include "codegen/ProgramTable.h"
#include "frontend/Sema.h"
#include "ir/NNDialect.h"
#include "ir/Shapes.h"
#include "runtime/DataLoaders.h"
#include "runtime/Program.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopedHashTable.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace nn {

namespace {

class MLIRGen {
public:
  MLIRGen(MLIRContext &context, const Module &ast)
      : ctx(context), builder(&context), ast(ast) {}

  /// One function of a program: its outputs and its batch size.
  struct FunctionSpec {
    std::string name;
    std::vector<NameRef> outputs;
    int64_t batch;
    SourceLoc loc;
    NamedAttrList attributes;
  };

  OwningOpRef<ModuleOp> genInfer() {
    if (!ast.infer) {
      emitError(UnknownLoc::get(&ctx), "the file has no infer block");
      return nullptr;
    }
    int64_t batch = ast.infer->batch.value_or(1);
    std::vector<FunctionSpec> specs = {
        {"infer", ast.infer->outputs, batch, ast.infer->loc, {}}};
    // A batch-1 twin for the items after the last full batch (one image).
    if (batch != 1)
      specs.push_back({"infer_1", ast.infer->outputs, 1, ast.infer->loc, {}});
    // The train block's reported values, over the infer program's data, when
    // each is a sum or a mean of the items (as for `on test`).
    std::vector<std::string> settings;
    if (ast.train && !ast.train->report.empty() &&
        addEvaluation(ast.train->report, batch, ast.infer->loc, /*required=*/false, specs,
                      settings)) {
      std::string report;
      for (const NameRef &r : ast.train->report)
        report += (report.empty() ? "" : ",") + r.name;
      settings.push_back("report=" + report);
    }
    return genProgram("infer", specs, settings);
  }

  OwningOpRef<ModuleOp> genTrain() {
    const TrainBlock &t = *ast.train;
    int64_t batch = t.batch.value_or(1);
    // train_step returns the loss first, then the other reported values.
    std::vector<NameRef> outputs = {*t.minimize};
    for (const NameRef &r : t.report)
      if (r.name != t.minimize->name)
        outputs.push_back(r);
    NamedAttrList trainAttrs;
    trainAttrs.set("nn.minimize", builder.getI64IntegerAttr(0));
    NamedAttrList optimizer;
    optimizer.set("name", builder.getStringAttr(t.optimizer->text));
    for (const KeywordArg &k : t.optimizer->kwargs)
      optimizer.set(k.name, builder.getF64FloatAttr(evalNumber(k.value.get())));
    trainAttrs.set("nn.optimizer", optimizer.getDictionary(&ctx));
    std::vector<FunctionSpec> specs = {{"train_step", outputs, batch, t.loc, trainAttrs}};

    std::vector<std::string> settings = {
        "steps=" + std::to_string(t.steps.value_or(1)),
        "shuffle=" + std::string(t.shuffle ? "1" : "0"),
        "report_every=" + std::to_string(t.reportEvery),
        "report_on_test=" + std::string(t.reportOnTest ? "1" : "0")};
    std::string report;
    for (const NameRef &r : t.report)
      report += (report.empty() ? "" : ",") + r.name;
    settings.push_back("report=" + report);
    if (t.reportOnTest &&
        !addEvaluation(t.report, batch, t.loc, /*required=*/true, specs, settings))
      return nullptr;
    return genProgram("train", specs, settings);
  }

  OwningOpRef<ModuleOp> genProgram(llvm::StringRef program,
                                   const std::vector<FunctionSpec> &specs,
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
      aggregates.push_back("aggregate." + r.name + "=" + how);
    }
    settings.insert(settings.end(), aggregates.begin(), aggregates.end());
    specs.push_back({"evaluate", report, batch, loc, {}});
    specs.push_back({"evaluate_1", report, 1, loc, {}});
    return true;
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
      if ((e.op == '*' && leftNumber) )
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
    dropoutActive = spec.attributes.get("nn.minimize") != nullptr;
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
    func->setAttr("nn.batch", builder.getI64IntegerAttr(spec.batch));
    for (const NamedAttribute &a : spec.attributes)
      func->setAttr(a.getName(), a.getValue());
    Block *entry = func.addEntryBlock();
    for (auto [i, p] : llvm::enumerate(args)) {
      func.setArgAttr(i, kPlaceholderAttr, builder.getStringAttr(p->name));
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
      Value v = gen(*d.value);
      if (!v) {
        ok = false;
        continue;
      }
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
      bool isInfer = spec.name == "infer" || spec.name == "infer_1";
      if (!isInfer && cast<RankedTensorType>(v.getType()).getRank() != 0) {
        emitError(fileLoc(o.loc)) << "'" << o.name << "' must be a scalar to be "
                                  << (&o == &spec.outputs[0] && spec.name == "train_step"
                                          ? "minimized"
                                          : "reported")
                                  << ", but it has shape "
                                  << formatShape(cast<RankedTensorType>(v.getType()).getShape());
        return false;
      }
      results.push_back(v);
    }
    builder.create<func::ReturnOp>(fileLoc(spec.loc), results);
    func.setType(builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
    for (auto [i, o] : llvm::enumerate(spec.outputs))
      func.setResultAttr(i, kOutputAttr, builder.getStringAttr(o.name));
    return true;
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

  Location fileLoc(SourceLoc loc) {
    return FileLineColLoc::get(&ctx, ast.filename, loc.line, loc.col);
  }

  RankedTensorType tensorType(const TypeSpec &t) {
    SmallVector<int64_t> shape;
    for (int64_t d : t.dims)
      shape.push_back(d < 0 ? ShapedType::kDynamic : d);
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  void setModuleAttributes(llvm::StringRef program,
                           const std::vector<std::string> &extraSettings) {
    std::string model = ast.model ? ast.model->name
                                  : llvm::sys::path::stem(ast.filename).str();
    module.get()->setAttr(kModelAttr, builder.getStringAttr(model));
    module.get()->setAttr(kSourceAttr, builder.getStringAttr(ast.filename));
    SmallVector<Attribute> settings;
    settings.push_back(builder.getStringAttr("program=" + program));
    // Data paths may be relative to the .nn file (examples/data/...).
    llvm::SmallString<256> dir(llvm::sys::path::parent_path(ast.filename));
    llvm::sys::fs::make_absolute(dir);
    llvm::sys::path::remove_dots(dir, /*remove_dot_dot=*/true);
    settings.push_back(builder.getStringAttr("source_dir=" + std::string(dir)));
    for (const DataBlock &block : ast.data)
      for (const DataEntry &e : block.entries)
        settings.push_back(builder.getStringAttr("data." + block.kind + "." + e.name +
                                                 "=" + dataSourceSpec(*e.source)));
    for (const std::string &setting : extraSettings)
      settings.push_back(builder.getStringAttr(setting));
    module.get()->setAttr(kSettingsAttr, builder.getArrayAttr(settings));
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
      Location loc = fileLoc(v.loc);
      RankedTensorType type = tensorType(v.type);
      const Expr &init = *v.init;
      std::string kind = init.text;
      NamedAttrList params;
      auto number = [&](const Expr *e) { return evalNumber(e); };
      if (kind == "fill")
        params.set("value", builder.getF64FloatAttr(number(init.args[0].get())));
      else if (kind == "truncated_normal" || kind == "normal")
        params.set("stddev", builder.getF64FloatAttr(number(init.kwarg("stddev"))));
      else if (kind == "uniform") {
        params.set("low", builder.getF64FloatAttr(number(init.kwarg("low"))));
        params.set("high", builder.getF64FloatAttr(number(init.kwarg("high"))));
      } else if (kind == "constant" || kind == "load") {
        std::vector<float> data;
        if (kind == "constant" ? !constantData(*init.args[0], type, data)
                               : !loadData(*init.args[0], type, data)) {
          ok = false;
          continue;
        }
        params.set("value", DenseElementsAttr::get(type, llvm::ArrayRef<float>(data)));
        kind = "constant";
      }
      builder.create<VariableOp>(loc, builder.getStringAttr(v.name), TypeAttr::get(type),
                                 builder.getStringAttr(kind),
                                 params.getDictionary(&ctx),
                                 v.isConst ? builder.getUnitAttr() : UnitAttr());
    }
    return ok;
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
  bool flatten(const Expr &e, SmallVector<int64_t> &shape, size_t depth,
               std::vector<float> &data) {
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
      nnrt::Dataset ds = nnrt::loadNPY(std::string(path));
      if ((int64_t)ds.values.size() != type.getNumElements()) {
        emitError(fileLoc(file.loc)) << path << " holds " << ds.values.size()
                                     << " values, the variable needs "
                                     << type.getNumElements() << " "
                                     << formatShape(type.getShape());
        return false;
      }
      data = std::move(ds.values);
      return true;
    } catch (const nnrt::Error &e) {
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
    return builder.create<ConstantOp>(fileLoc(loc),
                                      DenseElementsAttr::get(type, (float)v));
  }

  /// Creates `nn.<name>` with the type its shape rule computes.
  Value build(llvm::StringRef name, SourceLoc loc, ValueRange operands,
              ArrayRef<NamedAttribute> attrs = {}) {
    return createInferred(builder, fileLoc(loc), name, operands, attrs);
  }

  /// Ops on numbers reject indices (i64) and truth values (i1) with a hint.
  bool needFloats(llvm::StringRef op, SourceLoc loc, ValueRange operands) {
    for (Value v : operands) {
      Type element = cast<RankedTensorType>(v.getType()).getElementType();
      if (!element.isF32()) {
        emitError(fileLoc(loc)) << "'" << op << "' needs f32 values, but an argument has "
                                << (element.isInteger(1) ? "truth values (i1)"
                                                         : "indices (i64)")
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
      return build("neg", e.loc, x);
    }
    case Expr::Binary: {
      Value a = gen(*e.args[0]), b = gen(*e.args[1]);
      if (!a || !b)
        return nullptr;
      std::string op(1, e.op);
      if (!needFloats(op, e.loc, {a, b}))
        return nullptr;
      const char *name = e.op == '+' ? "add" : e.op == '-' ? "sub" : e.op == '*' ? "mul" : "div";
      return build(name, e.loc, {a, b});
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
  std::optional<int64_t> intLiteral(const Expr *e, llvm::StringRef what) {
    if (e && e->kind == Expr::Unary && e->args[0]->kind == Expr::Number &&
        e->args[0]->isInteger)
      return -(int64_t)e->args[0]->number;
    if (e && e->kind == Expr::Number && e->isInteger)
      return (int64_t)e->number;
    emitError(fileLoc(e->loc)) << what << " must be an integer";
    return std::nullopt;
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
      emitError(fileLoc(e->loc)) << "axis " << *axis << " is out of range for a rank-"
                                 << rank << " tensor";
    return normalized;
  }
  std::optional<bool> boolLiteral(const Expr *e) {
    if (e->kind == Expr::Name && (e->text == "true" || e->text == "false"))
      return e->text == "true";
    emitError(fileLoc(e->loc)) << "expected true or false";
    return std::nullopt;
  }

  Value genCall(const Expr &e) {
    llvm::StringRef op = e.text;
    SourceLoc loc = e.loc;
    // Arguments that are tensors (the others are interpreted per op).
    auto tensorArg = [&](size_t i) -> Value { return gen(*e.args[i]); };
    int64_t rank = 0;
    auto rankOf = [](Value v) { return cast<RankedTensorType>(v.getType()).getRank(); };

    if (op == "concat") {
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
      return build("concat", loc, inputs,
                   {builder.getNamedAttr("axis", builder.getI64IntegerAttr(axis))});
    }

    Value x = tensorArg(0);
    if (!x)
      return nullptr;
    rank = rankOf(x);

    static const llvm::StringSet<> unary = {"neg", "abs", "square", "sqrt", "exp", "log",
                                            "relu", "sigmoid", "tanh", "step", "softmax"};
    static const llvm::StringSet<> binaryFloat = {
        "pow", "maximum", "minimum", "matmul", "softmax_cross_entropy",
        "sigmoid_cross_entropy", "mean_squared_error"};
    if (unary.contains(op)) {
      if (!needFloats(op, loc, x))
        return nullptr;
      if (op == "softmax" && rank == 0) {
        emitError(fileLoc(loc)) << "softmax needs at least one dimension (it is over the last axis)";
        return nullptr;
      }
      return build(op, loc, x);
    }
    if (binaryFloat.contains(op) || op == "equal" || op == "greater" || op == "less") {
      Value y = tensorArg(1);
      if (!y)
        return nullptr;
      if (binaryFloat.contains(op) && !needFloats(op, loc, {x, y}))
        return nullptr;
      return build(op, loc, {x, y});
    }
    if (op == "conv2d" || op == "max_pool" || op == "avg_pool") {
      SmallVector<Value> operands = {x};
      if (op == "conv2d") {
        Value w = tensorArg(1);
        if (!w)
          return nullptr;
        operands.push_back(w);
      }
      if (!needFloats(op, loc, operands))
        return nullptr;
      SmallVector<NamedAttribute> attrs;
      for (const char *key : {"strides", "ksize"}) {
        if (op == "conv2d" && StringRef(key) == "ksize")
          continue;
        SmallVector<int64_t> list = {1, 1};
        if (const Expr *given = e.kwarg(key)) {
          auto parsed = intList(given, key);
          if (!parsed)
            return nullptr;
          list = *parsed;
        } else if (StringRef(key) == "ksize") {
          emitError(fileLoc(loc)) << op << " needs ksize=[ky, kx]";
          return nullptr;
        }
        attrs.push_back(builder.getNamedAttr(key, builder.getDenseI64ArrayAttr(list)));
      }
      const Expr *padding = e.kwarg("padding");
      if (!padding || padding->kind != Expr::String) {
        emitError(fileLoc(padding ? padding->loc : loc))
            << op << " needs padding=\"SAME\" or padding=\"VALID\"";
        return nullptr;
      }
      attrs.push_back(builder.getNamedAttr("padding", builder.getStringAttr(padding->text)));
      return build(op, loc, operands, attrs);
    }
    if (op == "dropout") {
      double k = evalNumber(e.kwarg("keep_prob")); // Sema checked: a number in (0, 1]
      if (!needFloats(op, loc, x))
        return nullptr;
      if (!dropoutActive || k == 1.0)
        return x;
      // The stream tells this dropout from the model's others: its position.
      int64_t stream = ((int64_t)loc.line << 16) | (loc.col & 0xffff);
      return build(op, loc, x,
                   {builder.getNamedAttr("keep_prob", builder.getF64FloatAttr(k)),
                    builder.getNamedAttr("stream", builder.getI64IntegerAttr(stream))});
    }
    if (op == "transpose") {
      SmallVector<int64_t> perm;
      if (const Expr *p = e.kwarg("perm")) {
        auto list = intList(p, "perm");
        if (!list)
          return nullptr;
        perm = *list;
      } else {
        for (int64_t i = rank - 1; i >= 0; --i)
          perm.push_back(i); // the default reverses the dimensions
      }
      return build(op, loc, x,
                   {builder.getNamedAttr("perm", builder.getDenseI64ArrayAttr(perm))});
    }
    if (op == "reshape") {
      auto shape = intList(e.args[1].get(), "the shape of reshape");
      if (!shape)
        return nullptr;
      return build(op, loc, x,
                   {builder.getNamedAttr("shape", builder.getDenseI64ArrayAttr(*shape))});
    }
    if (op == "reduce_sum" || op == "reduce_mean" || op == "reduce_max") {
      if (!needFloats(op, loc, x))
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
          auto axis = axisOf(i, rank);
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
      SmallVector<NamedAttribute> attrs = {
          builder.getNamedAttr("axes", builder.getDenseI64ArrayAttr(axes))};
      if (const Expr *k = e.kwarg("keepdims")) {
        auto keep = boolLiteral(k);
        if (!keep)
          return nullptr;
        if (*keep)
          attrs.push_back(builder.getNamedAttr("keepdims", builder.getUnitAttr()));
      }
      return build(op, loc, x, attrs);
    }
    if (op == "argmax") {
      if (!needFloats(op, loc, x))
        return nullptr;
      const Expr *axisExpr = e.args.size() > 1 ? e.args[1].get() : e.kwarg("axis");
      int64_t axis = 0;
      if (axisExpr) {
        auto a = axisOf(axisExpr, rank);
        if (!a)
          return nullptr;
        axis = *a;
      }
      if (rank == 0) {
        emitError(fileLoc(loc)) << "argmax of a scalar";
        return nullptr;
      }
      return build(op, loc, x,
                   {builder.getNamedAttr("axis", builder.getI64IntegerAttr(axis))});
    }
    if (op == "cast") {
      const Expr &to = *e.args[1];
      Type type;
      if (to.kind == Expr::Name && to.text == "f32")
        type = builder.getF32Type();
      if (!type) {
        emitError(fileLoc(to.loc)) << "cast converts to f32: cast(x, f32)";
        return nullptr;
      }
      return build(op, loc, x, {builder.getNamedAttr("to", TypeAttr::get(type))});
    }
    emitError(fileLoc(loc)) << "'" << op << "' is not supported here";
    return nullptr;
  }
};

} // namespace

OwningOpRef<ModuleOp> mlirGenInfer(MLIRContext &context, const Module &module) {
  context.getOrLoadDialect<NNDialect>();
  context.getOrLoadDialect<func::FuncDialect>();
  return MLIRGen(context, module).genInfer();
}

OwningOpRef<ModuleOp> mlirGenTrain(MLIRContext &context, const Module &module) {
  context.getOrLoadDialect<NNDialect>();
  context.getOrLoadDialect<func::FuncDialect>();
  return MLIRGen(context, module).genTrain();
}

} // namespace nn
