//===- Cost.cpp - what each op of a program costs -------------------------===//
//
// The FLOP and byte counts of --emit=cost (Cost.h), from each nn op's static
// shapes. The counts are the textbook ones, as a learner would work them out:
//
//   matmul [M,K] x [K,N]         2 M N K        (one multiply and one add per term)
//   conv2d, and both gradients   2 (output pixels x OC) (KH KW IC)
//   max/avg pool                 output elements x KH KW
//   elementwise, reductions      one per element computed (per input element
//                                for a reduction)
//   softmax, log_softmax         5 per element (max, subtract, exp, sum, divide)
//
// Bytes count what an op would read and write if it ran on its own; the
// compiler fuses elementwise chains, so the program moves fewer.
//
//===----------------------------------------------------------------------===//

#include "passes/Analysis/Cost.h"
#include "ir/NNAttributes.h"
#include "ir/NNDialect.h"
#include "ir/Shapes.h"
#include "passes/Analysis/MemoryPlan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/Support/Format.h"

using namespace mlir;

namespace nn {
namespace {

int64_t elements(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() ? type.getNumElements() : 0;
}

int64_t bytes(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return 0;
  int64_t width = type.getElementType().getIntOrFloatBitWidth();
  return type.getNumElements() * std::max<int64_t>(width / 8, 1);
}

int64_t dim(Value v, int64_t d) { return cast<RankedTensorType>(v.getType()).getDimSize(d); }

/// FLOPs of `op`, by the rules in the header comment.
int64_t flopsOf(Operation *op) {
  if (op->getNumResults() != 1)
    return 0;
  Value result = op->getResult(0);
  int64_t out = elements(result);
  if (auto m = dyn_cast<MatmulOp>(op))
    return 2 * out * dim(m.getLhs(), 1);
  if (auto c = dyn_cast<Conv2DOp>(op)) // w: [KH, KW, IC, OC]
    return 2 * out * dim(c.getW(), 0) * dim(c.getW(), 1) * dim(c.getW(), 2);
  if (auto c = dyn_cast<Conv2DBackpropInputOp>(op))
    return 2 * elements(c.getG()) * dim(c.getW(), 0) * dim(c.getW(), 1) * dim(c.getW(), 2);
  if (auto c = dyn_cast<Conv2DBackpropFilterOp>(op)) // result: [KH, KW, IC, OC]
    return 2 * elements(c.getG()) * dim(result, 0) * dim(result, 1) * dim(result, 2);
  if (auto p = dyn_cast<MaxPoolOp>(op))
    return out * p.getKsize()[0] * p.getKsize()[1];
  if (auto p = dyn_cast<AvgPoolOp>(op))
    return out * p.getKsize()[0] * p.getKsize()[1];
  if (auto p = dyn_cast<MaxPoolGradOp>(op)) // find each window's maximum again, add g
    return elements(p.getG()) * (p.getKsize()[0] * p.getKsize()[1] + 1);
  if (auto p = dyn_cast<AvgPoolGradOp>(op))
    return elements(p.getG()) * p.getKsize()[0] * p.getKsize()[1];
  if (isa<SoftmaxOp, LogSoftmaxOp>(op))
    return 5 * out;
  if (isa<SoftmaxCrossEntropyOp>(op)) // log_softmax, times t, sum
    return 7 * elements(op->getOperand(0));
  if (isa<SigmoidCrossEntropyOp>(op)) // max(x,0) - x z + log(1 + e^-|x|), sum
    return 8 * elements(op->getOperand(0));
  if (isa<MeanSquaredErrorOp>(op)) // subtract, square, sum
    return 3 * elements(op->getOperand(0));
  if (isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ArgmaxOp>(op))
    return elements(op->getOperand(0));
  if (isa<DropoutOp>(op)) // draw, compare, scale
    return 3 * out;
  if (isa<ConstantOp, ReadOp, ReshapeOp, TransposeOp, BroadcastLikeOp, SliceOp, ConcatOp, CastOp>(
          op))
    return 0;
  return out; // elementwise
}

/// The shape of an op's result (an assign's value).
std::string shapeText(Operation *op) {
  if (op->getNumResults() == 1)
    return formatDims(op->getResult(0).getType());
  return isa<AssignOp>(op) ? formatDims(op->getOperand(0).getType()) : "";
}

const char *roleName(Role role) {
  switch (role) {
  case Role::Forward:
    return "forward";
  case Role::Backward:
    return "backward";
  case Role::Optimizer:
    return "optimizer";
  }
  return "";
}

} // namespace

std::vector<OpCost> costOf(ModuleOp module) {
  std::vector<OpCost> costs;
  for (auto function : module.getOps<func::FuncOp>()) {
    if (function.isExternal())
      continue;
    for (Operation &op : function.getBody().front().without_terminator()) {
      OpCost cost{&op, provenanceOf(op.getLoc()).role};
      cost.flops = flopsOf(&op);
      if (auto read = dyn_cast<ReadOp>(op)) {
        cost.bytesRead = bytes(read.getResult());
      } else if (isa<ConstantOp>(op)) {
        // a literal in the program: nothing read at run time, nothing to write
      } else {
        for (Value operand : op.getOperands())
          cost.bytesRead += bytes(operand);
        for (Value result : op.getResults())
          cost.bytesWritten += bytes(result);
        if (isa<AssignOp>(op))
          cost.bytesWritten = bytes(op.getOperand(0));
      }
      costs.push_back(cost);
    }
  }
  return costs;
}

void printCost(ModuleOp module, llvm::raw_ostream &os) {
  std::vector<OpCost> costs = costOf(module);
  auto row = [&](const char *part, const std::string &op, const std::string &name,
                 const std::string &shape, const std::string &flops, const std::string &read,
                 const std::string &written, const std::string &from) {
    os << llvm::format("  %-9s %-22s %-16s %-14s %14s %12s %12s  %s\n", part, op.c_str(),
                       name.c_str(), shape.c_str(), flops.c_str(), read.c_str(), written.c_str(),
                       from.c_str());
  };
  auto number = [](int64_t n) { return std::to_string(n); };
  for (auto function : module.getOps<func::FuncOp>()) {
    if (function.isExternal())
      continue;
    os << "@" << function.getSymName();
    if (std::optional<int64_t> batch = getBatch(function))
      os << " (batch " << *batch << ")";
    os << ":\n";
    row("part", "op", "name", "result", "FLOPs", "bytes read", "written", "from");
    int64_t total[4][3] = {}, count[4] = {}, constants = 0;
    for (const OpCost &c : costs) {
      if (c.op->getParentOp() != function)
        continue;
      if (isa<ConstantOp>(c.op)) { // in the program's data: nothing to compute
        ++constants;
        continue;
      }
      Provenance p = provenanceOf(c.op->getLoc());
      std::optional<llvm::StringRef> name = sourceName(c.op->getLoc());
      if (auto read = dyn_cast<ReadOp>(c.op))
        name = read.getVariable();
      if (auto assign = dyn_cast<AssignOp>(c.op))
        name = assign.getVariable();
      row(roleName(c.role), c.op->getName().stripDialect().str(), name ? name->str() : "",
          shapeText(c.op), number(c.flops), number(c.bytesRead), number(c.bytesWritten),
          c.role == Role::Forward ? sourcePosition(c.op->getLoc()) : p.from);
      for (int part : {(int)c.role, 3}) {
        total[part][0] += c.flops;
        total[part][1] += c.bytesRead;
        total[part][2] += c.bytesWritten;
        ++count[part];
      }
    }
    os << "  totals (" << constants << " constants not counted):\n";
    for (Role role : {Role::Forward, Role::Backward, Role::Optimizer}) {
      int part = (int)role;
      if (count[part])
        row(roleName(role), number(count[part]) + " ops", "", "", number(total[part][0]),
            number(total[part][1]), number(total[part][2]), "");
    }
    row("all", number(count[3]) + " ops", "", "", number(total[3][0]), number(total[3][1]),
        number(total[3][2]), "");
    os << "\n";
  }
}

void printPeakMemory(ModuleOp bufferized, llvm::raw_ostream &os) {
  StaticMemory memory = staticMemory(bufferized);
  os << "peak memory (the static plan, --emit=memory): state " << memory.stateBytes
     << " bytes (variables, optimizer state, inputs, outputs) + arena " << memory.arenaBytes
     << " bytes (every temporary) = " << memory.stateBytes + memory.arenaBytes << " bytes\n";
}

} // namespace nn
