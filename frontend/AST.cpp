//===- AST.cpp - printing the abstract syntax tree ------------------------===//

#include "frontend/AST.h"

#include "llvm/Support/Format.h"

namespace nn {

const Expr *Expr::kwarg(llvm::StringRef name) const {
  for (const KeywordArg &k : kwargs)
    if (k.name == name)
      return k.value.get();
  return nullptr;
}

void dumpExpr(const Expr &e, llvm::raw_ostream &os) {
  switch (e.kind) {
  case Expr::Number:
    if (e.isInteger)
      os << (int64_t)e.number;
    else
      os << llvm::format("%g", e.number);
    return;
  case Expr::String:
    os << '"' << e.text << '"';
    return;
  case Expr::Name:
    os << e.text;
    return;
  case Expr::Unary:
    os << "(" << e.op;
    dumpExpr(*e.args[0], os);
    os << ")";
    return;
  case Expr::Binary:
    os << "(";
    dumpExpr(*e.args[0], os);
    os << " " << e.op << " ";
    dumpExpr(*e.args[1], os);
    os << ")";
    return;
  case Expr::List:
  case Expr::Call: {
    os << (e.kind == Expr::Call ? e.text + "(" : "[");
    bool first = true;
    for (const ExprPtr &a : e.args) {
      os << (first ? "" : ", ");
      dumpExpr(*a, os);
      first = false;
    }
    for (const KeywordArg &k : e.kwargs) {
      os << (first ? "" : ", ") << k.name << "=";
      dumpExpr(*k.value, os);
      first = false;
    }
    os << (e.kind == Expr::Call ? ")" : "]");
    return;
  }
  }
}

static void dumpType(const TypeSpec &t, llvm::raw_ostream &os) {
  os << t.elementType;
  if (t.dims.empty())
    return;
  os << "[";
  for (size_t i = 0; i < t.dims.size(); ++i)
    os << (i ? ", " : "") << (t.dims[i] < 0 ? std::string("?") : std::to_string(t.dims[i]));
  os << "]";
}

static void at(SourceLoc loc, llvm::raw_ostream &os) {
  os << "  @" << loc.line << ":" << loc.col << "\n";
}

void dumpAST(const Module &m, llvm::raw_ostream &os) {
  os << "Module " << m.filename;
  if (m.model)
    os << " (model " << m.model->name << ")";
  os << "\n";
  for (auto [kind, index] : m.order) {
    switch (kind) {
    case Module::DeclKind::Placeholder: {
      const Placeholder &p = m.placeholders[index];
      os << "  Placeholder " << p.name << " : ";
      dumpType(p.type, os);
      at(p.loc, os);
      break;
    }
    case Module::DeclKind::Variable: {
      const Variable &v = m.variables[index];
      os << (v.isConst ? "  Const " : "  Variable ") << v.name << " : ";
      dumpType(v.type, os);
      os << " = ";
      dumpExpr(*v.init, os);
      at(v.loc, os);
      break;
    }
    case Module::DeclKind::Definition: {
      const Definition &d = m.definitions[index];
      os << "  Definition " << d.name << " = ";
      dumpExpr(*d.value, os);
      at(d.loc, os);
      break;
    }
    }
  }
  for (const DataBlock &d : m.data) {
    os << "  Data " << d.kind;
    at(d.loc, os);
    for (const DataEntry &e : d.entries) {
      os << "    " << e.name << " = ";
      dumpExpr(*e.source, os);
      at(e.loc, os);
    }
  }
  if (m.train) {
    const TrainBlock &t = *m.train;
    os << "  Train";
    at(t.loc, os);
    if (t.minimize)
      os << "    minimize: " << t.minimize->name << "\n";
    if (t.optimizer) {
      os << "    optimizer: ";
      dumpExpr(*t.optimizer, os);
      os << "\n";
    }
    if (t.batch)
      os << "    batch: " << *t.batch << "\n";
    if (t.steps)
      os << "    steps: " << *t.steps << "\n";
    os << "    shuffle: " << (t.shuffle ? "true" : "false") << "\n";
    if (!t.report.empty()) {
      os << "    report:";
      for (const NameRef &r : t.report)
        os << " " << r.name;
      os << " every " << t.reportEvery << (t.reportOnTest ? " on test" : "") << "\n";
    }
  }
  if (m.infer) {
    os << "  Infer";
    at(m.infer->loc, os);
    os << "    output:";
    for (const NameRef &o : m.infer->outputs)
      os << " " << o.name;
    os << "\n    batch: " << m.infer->batch.value_or(1) << "\n";
  }
}

} // namespace nn
