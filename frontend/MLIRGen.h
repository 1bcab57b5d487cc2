//===- MLIRGen.h - from the AST to the nn dialect ---------------*- C++ -*-===//

#ifndef NNC_FRONTEND_MLIRGEN_H
#define NNC_FRONTEND_MLIRGEN_H

#include "frontend/AST.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

namespace nn {

/// Builds the `infer` program of a checked module: its variables as
/// `nn.variable`, and `func.func @infer` whose arguments are the placeholders
/// the outputs depend on and whose results are the infer block's outputs.
/// Every op carries the location of the source text it comes from. Shape
/// errors are reported through the context's diagnostic handler; returns
/// null after any error.
mlir::OwningOpRef<mlir::ModuleOp> mlirGenInfer(mlir::MLIRContext &context, const Module &module);

/// Builds the train program of a checked module with a train block:
/// `@train_step` (batch of the train block) returns the loss and the reported
/// values and is marked `nn.minimize = 0` and `nn.optimizer = {...}` for
/// nn-autodiff and nn-optimizer; with `report ... on test`, `@evaluate` and
/// `@evaluate_1` (batch 1) return the reported values for the test set.
mlir::OwningOpRef<mlir::ModuleOp> mlirGenTrain(mlir::MLIRContext &context, const Module &module);

/// Builds what neither program uses (definitions, variables and consts that
/// no loss, report or output reaches) into a module it discards, so that
/// their errors are reported too, with a warning for each that it is
/// unused. Call after the programs built; false after an error.
bool checkUnused(mlir::MLIRContext &context, const Module &module);

} // namespace nn

#endif // NNC_FRONTEND_MLIRGEN_H
