//===- NNDialect.h - the nn dialect -----------------------------*- C++ -*-===//
//
// Declares the `nn` dialect and its ops (generated from NNDialect.td and
// NNOps.td into the build tree).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_IR_NNDIALECT_H
#define NNC_IR_NNDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace nn {
/// Names an nn op's result in printed IR: after the .nn definition in its
/// location, or, for a read, after the variable (every op's getAsmResultNames).
void nameResultsAfterSource(mlir::Operation *op, mlir::OpAsmSetValueNameFn setName);
} // namespace nn

#include "ir/NNInterfaces.h.inc"
#include "ir/NNOpsDialect.h.inc"
#include "ir/NNOpsEnums.h.inc"

#define GET_OP_CLASSES
#include "ir/NNOps.h.inc"

namespace nn {

namespace detail {
/// Creates the op of `state` with result `types` and verifies it; null (the
/// op erased, the error reported) when it does not verify.
mlir::Value createVerified(mlir::OpBuilder &builder, mlir::OperationState &state,
                           llvm::ArrayRef<mlir::Type> types);
} // namespace detail

/// Creates the nn op `OpT` from its ODS builder's arguments without the
/// result type, which the op's shape rule computes:
///
///   createInferred<ReduceSumOp>(b, loc, x, /*axes=*/ArrayRef<int64_t>{1},
///                               /*keepdims=*/true)
///
/// Returns null (after an error at `loc`) when the operands do not fit the
/// rule, so the frontend reports a learner's shape error at its source line.
/// The frontend, autodiff and the optimizer build every op this way.
template <typename OpT, typename... Args>
mlir::Value createInferred(mlir::OpBuilder &builder, mlir::Location loc, Args &&...args) {
  mlir::MLIRContext *ctx = builder.getContext();
  mlir::OperationState state(loc, OpT::getOperationName());
  OpT::build(builder, state, mlir::Type(builder.getNoneType()), std::forward<Args>(args)...);
  llvm::SmallVector<mlir::Type> types;
  if (mlir::failed(
          OpT::inferReturnTypes(ctx, loc, state.operands, state.attributes.getDictionary(ctx),
                                state.getRawProperties(), mlir::RegionRange(state.regions), types)))
    return nullptr;
  return detail::createVerified(builder, state, types);
}

/// Whether the gradient rule of `op` (ir/Gradients.cpp) gives operand
/// `operand` a gradient: false where the rule's gradient is zero (the
/// comparisons, step and argmax are piecewise constant; a cast from truth
/// values or indices; the shape operand of broadcast_like; the integer
/// inputs of a concat). It agrees with the rules, which it sits beside, so
/// that the frontend can tell a learner that a loss has no gradient before
/// autodiff finds none.
bool passesGradient(mlir::Operation *op, unsigned operand);

/// TensorFlow's convolution window along one dimension of size `in` with a
/// kernel of `k` and stride `s`: {output size, padding before, padding after},
/// or nullopt when a VALID kernel does not fit.
std::optional<std::array<int64_t, 3>> convWindow(int64_t in, int64_t k, int64_t s, bool same);

} // namespace nn

#endif // NNC_IR_NNDIALECT_H
