//===- GraphPicture.cpp - the nn graph as a Graphviz picture --------------===//
//
// Writes the DOT language (https://graphviz.org/doc/info/lang.html): one
// `digraph`, a `subgraph cluster_...` per function, a node per placeholder,
// variable read, constant and op, an edge per use. What each node looks like
// says what it is:
//
//   placeholder   yellow ellipse         variable  green cylinder
//   constant      grey note              forward   white box
//   backward      red box                optimizer blue box (assign: a house)
//   result        double octagon         kept activation: red border, and a
//                                        red dashed edge into each backward op
//                                        that reads it
//
// A legend cluster repeats the key in the picture itself.
//
//===----------------------------------------------------------------------===//

#include "passes/Analysis/GraphPicture.h"
#include "ir/NNAttributes.h"
#include "ir/NNDialect.h"
#include "ir/Provenance.h"
#include "ir/Shapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Program.h"

using namespace mlir;

namespace nn {
namespace {

std::string escape(llvm::StringRef text) {
  std::string s;
  for (char c : text) {
    if (c == '"' || c == '\\')
      s += '\\';
    s += c;
  }
  return s;
}

/// The attributes a learner set (strides, padding, keep_prob, axes, ...),
/// as `name=value` lines; not the ones the picture shows otherwise.
std::string attributeText(Operation *op) {
  auto dict = dyn_cast_or_null<DictionaryAttr>(op->getPropertiesAsAttribute());
  if (!dict)
    return "";
  std::string s;
  for (NamedAttribute attr : dict) {
    llvm::StringRef name = attr.getName().getValue();
    if (name == "value" || name == "variable" || name == "stream")
      continue;
    std::string value;
    llvm::raw_string_ostream os(value);
    if (auto a = dyn_cast<DenseI64ArrayAttr>(attr.getValue())) {
      os << "[";
      llvm::interleaveComma(a.asArrayRef(), os);
      os << "]";
    } else if (auto str = dyn_cast<StringAttr>(attr.getValue())) {
      os << str.getValue();
    } else if (auto f = dyn_cast<FloatAttr>(attr.getValue())) {
      os << llvm::format("%g", f.getValueAsDouble());
    } else if (auto i = dyn_cast<IntegerAttr>(attr.getValue())) {
      os << i.getInt();
    } else if (auto t = dyn_cast<TypeAttr>(attr.getValue())) {
      t.getValue().print(os);
    } else if (isa<UnitAttr>(attr.getValue())) {
      s += "\\n" + name.str();
      continue;
    } else {
      continue;
    }
    s += "\\n" + name.str() + "=" + escape(value);
  }
  return s;
}

struct Writer {
  llvm::raw_ostream &os;
  unsigned counter = 0;

  std::string node(llvm::StringRef attributes) {
    std::string id = "n" + std::to_string(counter++);
    os << "    " << id << " [" << attributes << "];\n";
    return id;
  }

  /// The node of one op; `kept` marks a forward value the backward pass reads.
  std::string opNode(Operation *op, bool kept) {
    Provenance p = provenanceOf(op->getLoc());
    std::string shape = op->getNumResults() == 1 ? formatDims(op->getResult(0).getType()) : "";
    if (auto c = dyn_cast<ConstantOp>(op)) {
      std::string value = "constant";
      if (auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
          dense && dense.isSplat() && dense.getElementType().isF32())
        llvm::raw_string_ostream(value) << " " << llvm::format("%g", dense.getSplatValue<float>());
      return node("label=\"" + value + "\\n" + shape +
                  "\", shape=note, style=filled, fillcolor=\"#eeeeee\", fontsize=9");
    }
    if (auto read = dyn_cast<ReadOp>(op))
      return node("label=\"variable " + escape(read.getVariable()) + "\\n" + shape +
                  "\", shape=cylinder, style=filled, fillcolor=\"#d9ead3\"");
    // Label lines are joined by DOT's \n; each piece of text is escaped.
    std::string label = op->getName().stripDialect().str();
    if (auto assign = dyn_cast<AssignOp>(op))
      label += " " + escape(assign.getVariable());
    if (std::optional<llvm::StringRef> name = sourceName(op->getLoc()))
      label += " " + escape(*name);
    label += (shape.empty() ? "" : "\\n" + shape) + attributeText(op);
    std::string style = "shape=box, style=filled, fillcolor=white";
    if (p.role == Role::Backward)
      style = "shape=box, style=filled, fillcolor=\"#f4cccc\"";
    else if (p.role == Role::Optimizer)
      style = std::string(isa<AssignOp>(op) ? "shape=house" : "shape=box") +
              ", style=filled, fillcolor=\"#cfe2f3\"";
    if (kept)
      style += ", color=\"#cc0000\", penwidth=2";
    std::string tooltip = p.from.empty() ? sourcePosition(op->getLoc()) : p.from + ": " + p.rule;
    return node("label=\"" + label + "\", " + style + ", tooltip=\"" + escape(tooltip) + "\"");
  }

  void function(llvm::StringRef program, func::FuncOp func) {
    std::string title = program.str() + " program: @" + func.getSymName().str();
    if (std::optional<int64_t> batch = getBatch(func))
      title += " (batch " + std::to_string(*batch) + ")";
    os << "  subgraph cluster_" << program << "_" << func.getSymName() << " {\n"
       << "    label=\"" << escape(title) << "\";\n";
    llvm::DenseMap<Value, std::string> ids;
    for (BlockArgument arg : func.getArguments()) {
      StringAttr name = getPlaceholderName(func, arg.getArgNumber());
      ids[arg] = node("label=\"placeholder " + escape(name ? name.getValue() : "") + "\\n" +
                      formatDims(arg.getType()) +
                      "\", shape=ellipse, style=filled, fillcolor=\"#fff2cc\"");
    }
    // A forward value is kept for training when a backward op reads it.
    llvm::DenseSet<Value> kept;
    for (Operation &op : func.getBody().front())
      if (provenanceOf(op.getLoc()).role == Role::Backward)
        for (Value operand : op.getOperands())
          if (Operation *def = operand.getDefiningOp(); // not a variable: always there
              def && !isa<ConstantOp, ReadOp>(def) &&
              provenanceOf(def->getLoc()).role == Role::Forward)
            kept.insert(operand);
    for (Operation &op : func.getBody().front()) {
      std::string id;
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
          StringAttr out = getOutputName(func, i), grad = getGradientOf(func, i);
          std::string label = out ? "result " + out.str() : grad ? "dL/d" + grad.str() : "result";
          std::string result = node("label=\"" + escape(label) + "\", shape=doubleoctagon");
          os << "    " << ids[value] << " -> " << result << ";\n";
        }
        continue;
      }
      id = opNode(&op, op.getNumResults() == 1 && kept.contains(op.getResult(0)));
      bool backward = provenanceOf(op.getLoc()).role == Role::Backward;
      for (Value operand : op.getOperands()) {
        if (!ids.count(operand))
          continue;
        os << "    " << ids[operand] << " -> " << id;
        if (backward && kept.contains(operand))
          os << " [color=\"#cc0000\", style=dashed]";
        os << ";\n";
      }
      for (Value result : op.getResults())
        ids[result] = id;
    }
    os << "  }\n";
  }

  void legend() {
    os << "  subgraph cluster_legend {\n    label=\"legend\";\n";
    std::string a = node("label=\"placeholder\", shape=ellipse, style=filled, "
                         "fillcolor=\"#fff2cc\"");
    std::string b = node("label=\"variable\", shape=cylinder, style=filled, "
                         "fillcolor=\"#d9ead3\"");
    std::string c = node("label=\"forward op\\n(red border: kept for the backward pass)\", "
                         "shape=box, style=filled, fillcolor=white, color=\"#cc0000\", "
                         "penwidth=2");
    std::string d = node("label=\"backward op (nn-autodiff)\", shape=box, style=filled, "
                         "fillcolor=\"#f4cccc\"");
    std::string e = node("label=\"optimizer op (nn-optimizer)\", shape=box, style=filled, "
                         "fillcolor=\"#cfe2f3\"");
    os << "    " << a << " -> " << c << " [style=invis];\n    " << b << " -> " << c
       << " [style=invis];\n    " << c << " -> " << d
       << " [color=\"#cc0000\", style=dashed, label=\" reused\"];\n    " << d << " -> " << e
       << ";\n  }\n";
  }
};

} // namespace

Drawn drawWithGraphviz(llvm::StringRef dotPath, llvm::StringRef svgPath, std::string &error) {
  llvm::ErrorOr<std::string> dot = llvm::sys::findProgramByName("dot");
  if (!dot)
    return Drawn::NoGraphviz;
  int status = llvm::sys::ExecuteAndWait(*dot, {*dot, "-Tsvg", dotPath, "-o", svgPath},
                                         std::nullopt, {}, /*SecondsToWait=*/120, 0, &error);
  return status == 0 ? Drawn::Yes : Drawn::Failed;
}

void printGraphPicture(llvm::ArrayRef<std::pair<std::string, ModuleOp>> programs,
                       llvm::raw_ostream &os) {
  os << "digraph nn {\n  rankdir=TB;\n"
     << "  node [fontname=\"monospace\", fontsize=10];\n  edge [color=\"#555555\"];\n";
  Writer writer{os};
  for (const auto &[program, module] : programs)
    for (auto func : ModuleOp(module).getOps<func::FuncOp>())
      if (!func.isExternal())
        writer.function(program, func);
  writer.legend();
  os << "}\n";
}

} // namespace nn
