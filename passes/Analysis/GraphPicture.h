//===- GraphPicture.h - the nn graph as a Graphviz picture -------*- C++ -*-===//
//
// `nnc --emit=dot` (and `--dump-dir`, as NN-grad.dot and .svg) draws the
// programs after autodiff: one digraph, one labelled cluster per function,
// placeholders, variables and constants apart from the ops, each op with its
// .nn name, result shape and attributes; forward, backward and optimizer ops
// in their own colours (ir/Provenance.h), and each forward value the backward
// pass reuses drawn with a red edge into the backward op that reads it, so a
// learner sees which activations training keeps.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_ANALYSIS_GRAPHPICTURE_H
#define NNC_PASSES_ANALYSIS_GRAPHPICTURE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <utility>
#include <vector>

namespace nn {

/// One digraph of the given programs ("train", "infer") in the nn dialect.
void printGraphPicture(llvm::ArrayRef<std::pair<std::string, mlir::ModuleOp>> programs,
                       llvm::raw_ostream &os);

/// Draws the DOT file `dotPath` as SVG into `svgPath` with Graphviz's `dot`
/// from the PATH: NoGraphviz when there is none, Failed (the reason in
/// `error`) when it fails.
enum class Drawn { Yes, NoGraphviz, Failed };
Drawn drawWithGraphviz(llvm::StringRef dotPath, llvm::StringRef svgPath, std::string &error);

} // namespace nn

#endif // NNC_PASSES_ANALYSIS_GRAPHPICTURE_H
