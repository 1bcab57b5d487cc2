//===- SpecializeBatch.cpp - fix the batch dimension ----------------------===//
//
// nn-specialize-batch: turns the graph "as parsed", whose placeholders have a
// dynamic batch dimension `?`, into the graph of one program with a fixed
// batch. Static shapes are what let the later stages tile loops and plan
// memory at compile time.
//
// Algorithm:
//  1. For each function, replace the leading `?` of each argument type by
//     `batch` and mark the argument `nn.batched`.
//  2. Walk the body in order (operands are always defined before use) and
//     recompute each op's result types: ops with a shape rule
//     (InferTypeOpInterface) run it again; ops whose result type equals their
//     operand's (SameOperandsAndResultType) copy it.
//  3. Rewrite the function type from the new argument and return types, and
//     mark the results that had a `?` as `nn.batched`.
//
//===----------------------------------------------------------------------===//

#include "ir/NNAttributes.h"
#include "ir/NNDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace nn {
#define GEN_PASS_DEF_NNSPECIALIZEBATCHPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// `tensor<?x784xf32>` -> `tensor<100x784xf32>`; nullptr when `type` has no
/// batch dimension.
RankedTensorType specialize(Type type, int64_t batch) {
  auto tensor = llvm::dyn_cast<RankedTensorType>(type);
  if (!tensor || tensor.getRank() == 0 || !tensor.isDynamicDim(0))
    return nullptr;
  SmallVector<int64_t> shape(tensor.getShape());
  shape[0] = batch;
  return tensor.clone(shape);
}

struct SpecializeBatch
    : nn::impl::NNSpecializeBatchPassBase<SpecializeBatch> {
  using NNSpecializeBatchPassBase::NNSpecializeBatchPassBase;

  LogicalResult specializeFunction(func::FuncOp func) {
    MLIRContext *ctx = &getContext();
    if (func.isExternal())
      return success();
    // A function may carry its own batch (the train program evaluates the
    // test set with batch 1 too); else the pass's option applies.
    int64_t batch = nn::getBatch(func).value_or(this->batch);
    nn::setBatch(func, batch);
    // Step 1: the arguments.
    for (BlockArgument arg : func.getArguments()) {
      if (RankedTensorType fixed = specialize(arg.getType(), batch)) {
        arg.setType(fixed);
        nn::setBatchedArgument(func, arg.getArgNumber());
      }
    }
    // Step 2: every op, in order.
    WalkResult walk = func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (auto infer = dyn_cast<InferTypeOpInterface>(op)) {
        SmallVector<Type> types;
        if (failed(infer.inferReturnTypes(ctx, op->getLoc(), op->getOperands(),
                                          op->getRawDictionaryAttrs(),
                                          op->getPropertiesStorage(),
                                          op->getRegions(), types)))
          return WalkResult::interrupt();
        for (auto [result, type] : llvm::zip(op->getResults(), types))
          result.setType(type);
      } else if (op->hasTrait<OpTrait::SameOperandsAndResultType>()) {
        for (Value result : op->getResults())
          result.setType(op->getOperand(0).getType());
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    // Step 3: the function type.
    auto returnOp = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    FunctionType oldType = func.getFunctionType();
    for (auto [i, type] : llvm::enumerate(oldType.getResults()))
      if (specialize(type, batch))
        nn::setBatchedResult(func, i);
    func.setType(FunctionType::get(ctx, func.getBody().getArgumentTypes(),
                                   returnOp.getOperandTypes()));
    return success();
  }

  void runOnOperation() override {
    if (batch < 1) {
      getOperation().emitError("nn-specialize-batch needs batch >= 1");
      return signalPassFailure();
    }
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(specializeFunction(func)))
        return signalPassFailure();
  }
};

} // namespace
