//===- Provenance.h - why each op of the train step exists ------*- C++ -*-===//
//
// An op of the nn dialect comes from one of three places: the learner's .nn
// file (forward), nn-autodiff's gradient rules (backward) or nn-optimizer's
// update rules (optimizer). nnc keeps that story in each op's Location, the
// place MLIR made for it, so it survives every pass that keeps locations
// and costs nothing when it is not printed:
//
//   forward    "p"("model.nn":12:5)            a NameLoc: the .nn name of the
//                                              definition the op computes
//   backward   fused<{role = "backward", from = "softmax p", rule = "dX = ..."}>
//                [the forward op's location]
//   optimizer  fused<{role = "optimizer", from = "adam update of w",
//                     rule = "w.adam_m = ...; w = ..."}>[the gradient's location]
//   simplified fused<{simplified = "log(softmax(x)) became log_softmax(x)"}>
//                [the replaced ops' locations]
//
// `--mlir-print-debuginfo` prints these; `--emit=grad` turns them into
// comments (passes/Analysis/ExplainedIR.cpp), and the nn ops name their
// results after the NameLoc (`%p = nn.softmax ...`).
//
// The rule text is not written by hand: `formula` renders the ops a rule
// actually built, so the explanation cannot disagree with the code.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_IR_PROVENANCE_H
#define NNC_IR_PROVENANCE_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <string>

namespace nn {

enum class Role { Forward, Backward, Optimizer };

/// What a location says about the op that carries it.
struct Provenance {
  Role role = Role::Forward;
  std::string from;       // backward: "softmax p (model.nn:12:5)"; optimizer: "adam update of w"
  std::string rule;       // "dX = Y * (dY - reduce_sum(dY * Y, axis=1))"; "; " between statements
  std::string simplified; // nn-simplify's note, when it made the op
};
Provenance provenanceOf(mlir::Location loc);

/// The location of the ops that compute the .nn definition `name`.
mlir::Location namedLocation(llvm::StringRef name, mlir::Location source);
/// The .nn name `loc` carries (a NameLoc, possibly under nn-simplify's note).
std::optional<llvm::StringRef> sourceName(mlir::Location loc);
/// `model.nn:LINE:COL` of the first file location inside `loc`, or "".
std::string sourcePosition(mlir::Location loc);

/// "softmax p (model.nn:12:5)": an op by its mnemonic, .nn name and place.
std::string describeOp(mlir::Operation *op);

/// The location of an op that nn-autodiff built from `forward`'s gradient rule.
mlir::Location backwardLocation(mlir::Operation *forward, llvm::StringRef from,
                                llvm::StringRef rule);
/// The location of an op that nn-optimizer built for the update of `variable`.
mlir::Location optimizerLocation(mlir::Location gradient, llvm::StringRef from,
                                 llvm::StringRef rule);
/// The location of an op that nn-simplify made in place of ops at `replaced`.
mlir::Location simplifiedLocation(mlir::MLIRContext *ctx, llvm::ArrayRef<mlir::Location> replaced,
                                  llvm::StringRef note);

/// The ops a pass just inserted before `end`: those after `before` (the op
/// that preceded the insertion point; null when it was the block's start).
llvm::DenseSet<mlir::Operation *> opsBuiltSince(mlir::Operation *before, mlir::Operation *end);

/// `value` as a formula over nn ops: `(dY - reduce_sum(dY * Y, axis=1)) * Y`.
/// Ops for which `expand` holds are written out; other values are leaves,
/// named by `leaves`, else by their .nn name or variable, else `?`.
std::string formula(mlir::Value value, const llvm::DenseMap<mlir::Value, std::string> &leaves,
                    llvm::function_ref<bool(mlir::Operation *)> expand);

} // namespace nn

#endif // NNC_IR_PROVENANCE_H
