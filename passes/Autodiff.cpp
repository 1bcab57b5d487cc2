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
      auto var = SymbolTable::lookupNearestSymbolFrom<nn::VariableOp>(
          read, read.getVariableAttr());
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
    grads[loss] = b.create<nn::ConstantOp>(
        lossLoc, DenseElementsAttr::get(lossType, 1.0f));

    // Step 3: the reverse walk.
    for (Operation *op : llvm::reverse(body)) {
      if (op->getNumResults() != 1 || !grads.count(op->getResult(0)) ||
          !matters(op->getResult(0)) || isa<nn::ReadOp>(op))
        continue;
      auto differentiable = dyn_cast<nn::GradientOpInterface>(op);
      if (!differentiable)
        return op->emitError() << "'" << op->getName()
                               << "' has no gradient rule, but the loss depends on a "
                               << "variable through it";
      SmallVector<Value> operandGrads;
      if (failed(differentiable.buildGradients(b, grads[op->getResult(0)], operandGrads)))
        return failure();
      for (auto [operand, grad] : llvm::zip(op->getOperands(), operandGrads)) {
        if (!grad || !matters(operand))
          continue;
        Value &sum = grads[operand];
        // Fan-out: a value used twice gets the sum of both gradients.
        sum = sum ? nn::createInferred<nn::AddOp>(b, op->getLoc(), sum, grad) : grad;
        if (!sum)
          return failure();
      }
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
