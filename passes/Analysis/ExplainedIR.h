//===- ExplainedIR.h - the train step after autodiff, with its story -*- C++ -*-===//
//
// `nnc --emit=grad` prints the module with printExplained (ExplainedIR.cpp):
// the IR in sections (constants, forward, backward, optimizer), each backward
// op under the gradient rule and forward op that made it, each optimizer op
// under its update, each simplification saying what it replaced.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_ANALYSIS_EXPLAINEDIR_H
#define NNC_PASSES_ANALYSIS_EXPLAINEDIR_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace nn {

/// Prints `module` as MLIR does, with `//` comments from the ops' locations
/// (ir/Provenance.h) in every function autodiff differentiated.
void printExplained(mlir::ModuleOp module, llvm::raw_ostream &os,
                    mlir::OpPrintingFlags flags = mlir::OpPrintingFlags());

} // namespace nn

#endif // NNC_PASSES_ANALYSIS_EXPLAINEDIR_H
