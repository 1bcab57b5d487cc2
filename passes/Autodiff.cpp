//===- Autodiff.cpp - reverse-mode differentiation of the loss ------------===//
//
// nn-autodiff: the backward pass of backpropagation, built as IR, the way
// Glow's lib/Graph/Grad.cpp and micrograd's backward() do it.
//
// Algorithm, for a function whose result K is the loss L:
//  1. The ops that matter lie on a path from a trainable variable's read to
//     L: forward-reachable from the reads and backward-reachable from L.
//  2. Seed dL/dL = 1.
//  3. Walk those ops in reverse order (operands are defined before their
//     users, so reverse order visits every user of a value before the value).
//     Each op turns the gradient of its result into gradients of its operands
//     (GradientOpInterface); a value used several times (fan-out) receives
//     the sum of the gradients from all its uses.
//  4. The gradient that reached each variable's read is dL/dw: append it as a
//     result marked `nn.gradient = "w"`, and drop `nn.minimize`: the function
//     is differentiated (running the pass again changes nothing).
//
//===----------------------------------------------------------------------===//

#include "ir/NNAttributes.h"
#include "ir/NNDialect.h"
#include "ir/Provenance.h"
#include "ir/Shapes.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"

namespace nn {
#define GEN_PASS_DEF_NNAUTODIFFPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

struct Autodiff : nn::impl::NNAutodiffPassBase<Autodiff> {
  /// Tags the ops the gradient rule of `op` just built (those after
  /// `before`, up to `end`) with the op and the rule, written from those ops
  /// themselves: dY is the gradient reaching `op`'s result Y, and the
  /// operands are X (one), A and B (two), or X1, X2, ... (more).
  static void explain(Operation *op, Value dY, ArrayRef<Value> operandGrads, Operation *before,
                      Operation *end, llvm::function_ref<bool(Value)> matters) {
    llvm::DenseSet<Operation *> built = nn::opsBuiltSince(before, end);
    llvm::DenseMap<Value, std::string> leaves = {{dY, "dY"}, {op->getResult(0), "Y"}};
    unsigned n = op->getNumOperands();
    auto operandName = [&](unsigned i) -> std::string {
      if (n == 1)
        return "X";
      if (n == 2)
        return i == 0 ? "A" : "B";
      return "X" + std::to_string(i + 1);
    };
    for (unsigned i = 0; i < n; ++i)
      leaves.try_emplace(op->getOperand(i), operandName(i));
    std::string rule;
    for (unsigned i = 0; i < n && i < operandGrads.size(); ++i) {
      if (!operandGrads[i] || !matters(op->getOperand(i)))
        continue;
      rule += (rule.empty() ? "" : "; ") + ("d" + operandName(i)) + " = " +
              nn::formula(operandGrads[i], leaves, [&](Operation *x) { return built.contains(x); });
    }
    Location loc = nn::backwardLocation(op, "grad of " + nn::describeOp(op), rule);
    for (Operation *made : built)
      made->setLoc(loc);
  }

  LogicalResult differentiate(func::FuncOp func, int64_t lossIndex) {
    OpBuilder b(&getContext());
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    if (lossIndex < 0 || lossIndex >= (int64_t)ret.getNumOperands())
      return func.emitError("the loss is result ")
             << lossIndex << ", but the function has " << ret.getNumOperands() << " results";
    Value loss = ret.getOperand(lossIndex);
    auto lossType = cast<RankedTensorType>(loss.getType());
    Location lossLoc = loss.getDefiningOp() ? loss.getDefiningOp()->getLoc() : func.getLoc();
    if (lossType.getRank() != 0)
      return emitError(lossLoc) << "minimize needs a scalar loss, but it has shape "
                                << nn::formatShape(lossType.getShape())
                                << "; reduce it with reduce_sum or reduce_mean";

    // Step 1: the trainable reads, and the ops between them and the loss.
    SmallVector<nn::ReadOp> reads;
    llvm::DenseSet<Value> fromVariables;
    func.walk([&](nn::ReadOp read) {
      auto var = SymbolTable::lookupNearestSymbolFrom<nn::VariableOp>(read, read.getVariableAttr());
      if (var && !var.getIsConst()) {
        reads.push_back(read);
        fromVariables.insert(read.getResult());
      }
    });
    SmallVector<Operation *> body;
    for (Operation &op : func.getBody().front().without_terminator()) {
      body.push_back(&op);
      if (llvm::any_of(op.getOperands(), [&](Value v) { return fromVariables.contains(v); }))
        for (Value r : op.getResults())
          fromVariables.insert(r);
    }
    llvm::DenseSet<Value> toLoss = {loss};
    for (Operation *op : llvm::reverse(body))
      if (llvm::any_of(op->getResults(), [&](Value r) { return toLoss.contains(r); }))
        for (Value operand : op->getOperands())
          toLoss.insert(operand);
    auto matters = [&](Value v) { return fromVariables.contains(v) && toLoss.contains(v); };

    // Step 2: dL/dL = 1.
    b.setInsertionPoint(ret);
    llvm::DenseMap<Value, Value> grads;
    grads[loss] = b.create<nn::ConstantOp>(lossLoc, DenseElementsAttr::get(lossType, 1.0f));
    if (Operation *lossOp = loss.getDefiningOp())
      grads[loss].getDefiningOp()->setLoc(
          nn::backwardLocation(lossOp, "the seed " + nn::describeOp(lossOp), "dL/dL = 1"));

    // Step 3: the reverse walk.
    llvm::DenseMap<Value, int> uses; // gradients summed into each value (fan-out)
    SmallVector<std::pair<Operation *, Value>> sums;
    for (Operation *op : llvm::reverse(body)) {
      if (op->getNumResults() != 1 || !grads.count(op->getResult(0)) ||
          !matters(op->getResult(0)) || isa<nn::ReadOp>(op))
        continue;
      auto differentiable = dyn_cast<nn::GradientOpInterface>(op);
      if (!differentiable)
        return op->emitError() << "'" << op->getName()
                               << "' has no gradient rule, but the loss depends on a "
                               << "variable through it";
      Operation *before = ret->getPrevNode();
      SmallVector<Value> operandGrads;
      if (failed(differentiable.buildGradients(b, grads[op->getResult(0)], operandGrads)))
        return failure();
      explain(op, grads[op->getResult(0)], operandGrads, before, ret, matters);
      for (auto [operand, grad] : llvm::zip(op->getOperands(), operandGrads)) {
        if (!grad || !matters(operand))
          continue;
        Value &sum = grads[operand];
        ++uses[operand];
        // Fan-out: a value used twice gets the sum of both gradients.
        if (sum) {
          sum = nn::createInferred<nn::AddOp>(b, op->getLoc(), sum, grad);
          if (!sum)
            return failure();
          sums.push_back({sum.getDefiningOp(), operand});
        } else {
          sum = grad;
        }
      }
    }
    for (auto [add, value] : sums) {
      // Only values computed from variables get gradients: `def` is an op.
      Operation *def = value.getDefiningOp();
      std::optional<StringRef> name = nn::sourceName(def->getLoc());
      add->setLoc(nn::backwardLocation(def, "fan-out of " + nn::describeOp(def),
                                       "d" + (name ? name->str() : std::string("Y")) +
                                           " = the sum of the gradients from its " +
                                           std::to_string(uses[value]) + " uses"));
    }

    // Step 4: the gradients as results.
    SmallVector<Value> results(ret.getOperands());
    SmallVector<std::string> names;
    for (nn::ReadOp read : reads) {
      Value grad = grads.lookup(read.getResult());
      if (!grad)
        continue; // this variable does not affect the loss
      results.push_back(grad);
      names.push_back(read.getVariable().str());
    }
    if (names.empty())
      return emitError(lossLoc) << "the loss does not depend on any variable";
    b.create<func::ReturnOp>(ret.getLoc(), results);
    ret.erase();
    for (auto [i, name] : llvm::enumerate(names)) {
      Value grad = results[results.size() - names.size() + i];
      func.insertResult(func.getNumResults(), grad.getType(),
                        nn::gradientResultAttrs(&getContext(), name));
    }
    nn::removeMinimizedResult(func);
    return success();
  }

  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (std::optional<int64_t> loss = nn::getMinimizedResult(func))
        if (failed(differentiate(func, *loss)))
          return signalPassFailure();
  }
};

} // namespace
