//===- ExplainedIR.cpp - the train step after autodiff, with its story ----===//
//
// `nnc --emit=grad` (and the grad stage of `--dump-dir`): the IR as MLIR
// prints it, with comments that say what each op is for, read from the ops'
// locations (ir/Provenance.h):
//
//     // ---- backward (nn-autodiff): ... ----
//     // grad of softmax p (model.nn:12:5)
//     //   dX = Y * (dY - reduce_sum(dY * Y, axis=1))
//     %31 = nn.mul %p, %30 : ...
//
// Sections (constants, forward, backward, optimizer) start where the kind of
// op changes; a rule heads the ops it built; nn-simplify's rewrites say what
// they replaced. Comments are `//` lines, so the output still parses.
//
// MLIR prints each top-level op of a function body on one line, in order:
// the printer walks those lines and the ops together. Should they ever not
// match (an op printed over several lines), the IR is printed unannotated.
//
//===----------------------------------------------------------------------===//

#include "passes/Analysis/ExplainedIR.h"
#include "ir/NNAttributes.h"
#include "ir/NNDialect.h"
#include "ir/Provenance.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace nn {
namespace {

enum class Section { None, Constants, Forward, Backward, Optimizer };

Section sectionOf(Operation *op, const Provenance &p) {
  if (isa<func::ReturnOp>(op))
    return Section::None;
  if (isa<ConstantOp>(op))
    return Section::Constants;
  switch (p.role) {
  case Role::Forward:
    return Section::Forward;
  case Role::Backward:
    return Section::Backward;
  case Role::Optimizer:
    return Section::Optimizer;
  }
  return Section::None;
}

const char *sectionTitle(Section s) {
  switch (s) {
  case Section::Constants:
    return "constants: the literals of every part (the folder keeps them at the top)";
  case Section::Forward:
    return "forward: the .nn definitions, from the placeholders to the loss";
  case Section::Backward:
    return "backward (nn-autodiff): dL/dY from the loss back to each variable, one rule per op";
  case Section::Optimizer:
    return "optimizer (nn-optimizer): the new values of the variables and the optimizer's state";
  case Section::None:
    break;
  }
  return "";
}

/// Whether a function is a differentiated step (has ops autodiff made).
bool isTrainStep(func::FuncOp func) {
  for (Operation &op : func.getBody().front())
    if (provenanceOf(op.getLoc()).role != Role::Forward)
      return true;
  return false;
}

/// Writes the comments that go before `op`, given the op before it.
struct Annotator {
  llvm::raw_ostream &os;
  std::string indent;
  Section section = Section::None;
  std::string group; // from + rule of the current backward or optimizer group

  void before(Operation *op) {
    Provenance p = provenanceOf(op->getLoc());
    Section s = sectionOf(op, p);
    if (s != Section::None && s != section) {
      os << indent << "// ---- " << sectionTitle(s) << " ----\n";
      section = s;
      group.clear();
    }
    if (isa<AssignOp>(op)) {
      if (group != "assign")
        os << indent << "// the writes, after every read: each variable takes its new value\n";
      group = "assign";
    } else if ((s == Section::Backward || s == Section::Optimizer) && p.from + p.rule != group) {
      group = p.from + p.rule;
      os << indent << "// " << p.from << "\n";
      llvm::SmallVector<llvm::StringRef> statements;
      llvm::StringRef(p.rule).split(statements, "; ", -1, false);
      for (llvm::StringRef statement : statements)
        os << indent << "//   " << statement << "\n";
    }
    if (!p.simplified.empty())
      os << indent << "// nn-simplify: " << p.simplified << "\n";
    if (auto constant = dyn_cast<ConstantOp>(op))
      if (StringAttr folded = getFolded(constant))
        os << indent << "// nn-simplify folded " << folded.getValue() << "\n";
  }
};

/// The function whose signature `line` prints, if it is one.
func::FuncOp functionAt(ModuleOp module, llvm::StringRef line) {
  llvm::StringRef rest = line.ltrim();
  if (!rest.consume_front("func.func @"))
    return nullptr;
  llvm::StringRef name = rest.take_until([](char c) { return c == '(' || c == ' '; });
  return module.lookupSymbol<func::FuncOp>(name);
}

/// `text` (the module as printed) with the comments; false when its lines
/// and the ops do not match.
bool annotate(ModuleOp module, llvm::StringRef text, llvm::raw_ostream &os) {
  llvm::SmallVector<llvm::StringRef> lines;
  text.split(lines, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    os << lines[i] << (i + 1 < lines.size() ? "\n" : "");
    func::FuncOp func = functionAt(module, lines[i]);
    if (!func || func.isExternal() || !isTrainStep(func) || !lines[i].ends_with("{"))
      continue;
    size_t depth = lines[i].size() - lines[i].ltrim().size();
    Annotator annotator{os, std::string(depth + 2, ' ')};
    for (Operation &op : func.getBody().front()) {
      if (++i >= lines.size() || lines[i].size() - lines[i].ltrim().size() != depth + 2)
        return false;
      annotator.before(&op);
      os << lines[i] << "\n";
    }
    // The function's closing brace (with its location, under debug info).
    if (i + 1 >= lines.size() || !lines[i + 1].trim().starts_with("}"))
      return false;
  }
  return true;
}

} // namespace

void printExplained(ModuleOp module, llvm::raw_ostream &os, OpPrintingFlags flags) {
  std::string text, annotated;
  llvm::raw_string_ostream printed(text), out(annotated);
  module.print(printed, flags);
  os << (annotate(module, text, out) ? annotated : text);
}

} // namespace nn
