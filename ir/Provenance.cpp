//===- Provenance.cpp - why each op of the train step exists --------------===//
//
// The locations of ir/Provenance.h, and `formula`, which writes a value
// built from nn ops the way a textbook writes it: infix arithmetic with only
// the parentheses precedence needs, [x > 0] for a 0/1 mask (Iverson's
// bracket), B^T for a matrix transpose, other ops as calls.
//
//===----------------------------------------------------------------------===//

#include "ir/Provenance.h"
#include "ir/NNDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace nn {

//===----------------------------------------------------------------------===//
// Locations
//===----------------------------------------------------------------------===//

namespace {
constexpr llvm::StringLiteral kRole = "role", kFrom = "from", kRule = "rule",
                              kSimplified = "simplified";

Location taggedLocation(MLIRContext *ctx, ArrayRef<Location> inner,
                        ArrayRef<std::pair<StringRef, StringRef>> fields) {
  SmallVector<NamedAttribute> attrs;
  for (auto [key, value] : fields)
    attrs.push_back(NamedAttribute(StringAttr::get(ctx, key), StringAttr::get(ctx, value)));
  return FusedLoc::get(ctx, inner, DictionaryAttr::get(ctx, attrs));
}

/// The metadata of a location nnc tagged, or null.
DictionaryAttr tags(Location loc) {
  auto fused = dyn_cast<FusedLoc>(loc);
  return fused ? dyn_cast_or_null<DictionaryAttr>(fused.getMetadata()) : DictionaryAttr();
}

StringRef tag(DictionaryAttr dict, StringRef key) {
  auto s = dict ? dict.getAs<StringAttr>(key) : StringAttr();
  return s ? s.getValue() : StringRef();
}
} // namespace

Location namedLocation(StringRef name, Location source) {
  return NameLoc::get(StringAttr::get(source.getContext(), name), source);
}

std::optional<StringRef> sourceName(Location loc) {
  // Under nn-simplify's note, the first replaced op's location.
  while (DictionaryAttr dict = tags(loc)) {
    if (tag(dict, kSimplified).empty())
      return std::nullopt;
    loc = cast<FusedLoc>(loc).getLocations().front();
  }
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().getValue();
  return std::nullopt;
}

std::string sourcePosition(Location loc) {
  std::string text;
  loc->walk([&](Location inner) {
    if (auto file = dyn_cast<FileLineColLoc>(inner)) {
      text = (llvm::sys::path::filename(file.getFilename().getValue()) + ":" +
              llvm::Twine(file.getLine()) + ":" + llvm::Twine(file.getColumn()))
                 .str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return text;
}

Provenance provenanceOf(Location loc) {
  Provenance p;
  while (DictionaryAttr dict = tags(loc)) {
    if (StringRef note = tag(dict, kSimplified); !note.empty()) {
      if (p.simplified.empty())
        p.simplified = note.str();
      loc = cast<FusedLoc>(loc).getLocations().front();
      continue;
    }
    StringRef role = tag(dict, kRole);
    p.role = role == "backward"    ? Role::Backward
             : role == "optimizer" ? Role::Optimizer
                                   : Role::Forward;
    p.from = tag(dict, kFrom).str();
    p.rule = tag(dict, kRule).str();
    break;
  }
  return p;
}

std::string describeOp(Operation *op) {
  std::string text = op->getName().stripDialect().str();
  if (auto read = dyn_cast<ReadOp>(op))
    text = "variable " + read.getVariable().str();
  else if (std::optional<StringRef> name = sourceName(op->getLoc()))
    text += " " + name->str();
  std::string where = sourcePosition(op->getLoc());
  if (!where.empty())
    text += " (" + where + ")";
  return text;
}

void nameResultsAfterSource(Operation *op, OpAsmSetValueNameFn setName) {
  if (op->getNumResults() != 1)
    return;
  if (auto read = dyn_cast<ReadOp>(op))
    return setName(read.getResult(), read.getVariable());
  if (std::optional<StringRef> name = sourceName(op->getLoc()))
    setName(op->getResult(0), *name);
}

Location backwardLocation(Operation *forward, StringRef from, StringRef rule) {
  return taggedLocation(forward->getContext(), {forward->getLoc()},
                        {{kRole, "backward"}, {kFrom, from}, {kRule, rule}});
}

Location optimizerLocation(Location gradient, StringRef from, StringRef rule) {
  return taggedLocation(gradient.getContext(), {gradient},
                        {{kRole, "optimizer"}, {kFrom, from}, {kRule, rule}});
}

Location simplifiedLocation(MLIRContext *ctx, ArrayRef<Location> replaced, StringRef note) {
  return taggedLocation(ctx, replaced, {{kSimplified, note}});
}

llvm::DenseSet<Operation *> opsBuiltSince(Operation *before, Operation *end) {
  llvm::DenseSet<Operation *> built;
  for (Operation *made = before ? before->getNextNode() : &end->getBlock()->front(); made != end;
       made = made->getNextNode())
    built.insert(made);
  return built;
}

//===----------------------------------------------------------------------===//
// Formulas
//===----------------------------------------------------------------------===//

namespace {

/// Precedence, loosest first: a term is never parenthesised inside a
/// looser context, always inside a tighter one.
enum Precedence { Comparison, Sum, Product, Unary, Atom };

struct Term {
  std::string text;
  Precedence precedence;
};

struct FormulaWriter {
  FormulaWriter(const llvm::DenseMap<Value, std::string> &leaves,
                llvm::function_ref<bool(Operation *)> expand)
      : leaves(leaves), expand(expand) {}

  const llvm::DenseMap<Value, std::string> &leaves;
  llvm::function_ref<bool(Operation *)> expand;
  llvm::DenseMap<Value, Term> done; // a value used twice is written twice, computed once

  /// `t` as an operand of a context of precedence `context`; `strict` also
  /// parenthesises equal precedence (the right side of - and /).
  static std::string operand(const Term &t, Precedence context, bool strict = false) {
    bool wrap = t.precedence < context || (strict && t.precedence == context);
    return wrap ? "(" + t.text + ")" : t.text;
  }

  static std::string number(double v) {
    std::string s;
    llvm::raw_string_ostream(s) << llvm::format("%g", v);
    return s;
  }

  static std::string list(ArrayRef<int64_t> values) {
    if (values.size() == 1)
      return std::to_string(values[0]);
    std::string s = "[";
    for (auto [i, v] : llvm::enumerate(values))
      s += (i ? ", " : "") + std::to_string(v);
    return s + "]";
  }

  Term leaf(Value v) {
    if (auto it = leaves.find(v); it != leaves.end())
      return {it->second, Atom};
    Operation *def = v.getDefiningOp();
    if (!def)
      return {"?", Atom};
    if (auto c = dyn_cast<ConstantOp>(def))
      if (auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
          dense && dense.isSplat() && dense.getElementType().isF32()) {
        double x = dense.getSplatValue<float>();
        return {number(x), x < 0 ? Unary : Atom};
      }
    if (auto read = dyn_cast<ReadOp>(def))
      return {read.getVariable().str(), Atom};
    if (std::optional<StringRef> name = sourceName(def->getLoc()))
      return {name->str(), Atom};
    return {"?", Atom};
  }

  Term write(Value v) {
    if (auto it = done.find(v); it != done.end())
      return it->second;
    Operation *def = v.getDefiningOp();
    Term t = def && !leaves.count(v) && expand(def) && !isa<ConstantOp, ReadOp>(def) ? writeOp(def)
                                                                                     : leaf(v);
    done[v] = t;
    return t;
  }

  Term infix(Operation *op, StringRef symbol, Precedence p, bool strictRight) {
    Term a = write(op->getOperand(0)), b = write(op->getOperand(1));
    return {operand(a, p) + " " + symbol.str() + " " + operand(b, p, strictRight), p};
  }

  Term call(StringRef name, Operation *op, StringRef extra = "") {
    std::string s = name.str() + "(";
    for (auto [i, x] : llvm::enumerate(op->getOperands()))
      s += (i ? ", " : "") + write(x).text;
    return {s + extra.str() + ")", Atom};
  }

  Term writeOp(Operation *op) {
    if (isa<AddOp>(op))
      return infix(op, "+", Sum, false);
    if (isa<SubOp>(op))
      return infix(op, "-", Sum, true);
    if (isa<MulOp>(op))
      return infix(op, "*", Product, false);
    if (isa<DivOp>(op))
      return infix(op, "/", Product, true);
    if (isa<GreaterOp>(op))
      return infix(op, ">", Comparison, true);
    if (isa<LessOp>(op))
      return infix(op, "<", Comparison, true);
    if (isa<EqualOp>(op))
      return infix(op, "==", Comparison, true);
    if (isa<NegOp>(op))
      return {"-" + operand(write(op->getOperand(0)), Unary), Unary};
    if (isa<SquareOp>(op))
      return {operand(write(op->getOperand(0)), Atom) + "^2", Atom};
    if (auto cast = dyn_cast<CastOp>(op)) {
      Term x = write(cast.getX());
      if (cast.getX().getType().getElementType().isInteger(1))
        return {"[" + x.text + "]", Atom}; // 1 where x holds, else 0
      return x;
    }
    if (auto t = dyn_cast<TransposeOp>(op)) {
      if (t.getPerm() == ArrayRef<int64_t>{1, 0})
        return {operand(write(t.getX()), Atom) + "^T", Atom};
      return call("transpose", op, ", " + list(t.getPerm()));
    }
    if (auto r = dyn_cast<ReshapeOp>(op))
      return call("reshape", op, ", " + list(r.getType().getShape()));
    if (auto b = dyn_cast<BroadcastLikeOp>(op))
      return {"broadcast(" + write(b.getX()).text + ")", Atom};
    if (auto r = dyn_cast<ReduceSumOp>(op))
      return call("reduce_sum", op, r.getAxes().empty() ? "" : ", axis=" + list(r.getAxes()));
    if (auto r = dyn_cast<ReduceMeanOp>(op))
      return call("reduce_mean", op, r.getAxes().empty() ? "" : ", axis=" + list(r.getAxes()));
    if (auto r = dyn_cast<ReduceMaxOp>(op))
      return call("reduce_max", op, r.getAxes().empty() ? "" : ", axis=" + list(r.getAxes()));
    return call(op->getName().stripDialect(), op);
  }
};

} // namespace

std::string formula(Value value, const llvm::DenseMap<Value, std::string> &leaves,
                    llvm::function_ref<bool(Operation *)> expand) {
  FormulaWriter writer(leaves, expand);
  return writer.write(value).text;
}

} // namespace nn
