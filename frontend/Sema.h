//===- Sema.h - semantic checks of a parsed .nn file ------------*- C++ -*-===//
//
// Checks what the grammar cannot: every name is defined once and before use,
// calls name known ops with the right number of arguments and known keywords,
// `?` appears only as a placeholder's first dimension, initializers and data
// sources are well formed, and the train and infer blocks refer to names that
// exist. Shapes are checked later, by the dialect's own shape rules, when
// MLIRGen builds each op.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_SEMA_H
#define NNC_FRONTEND_SEMA_H

#include "frontend/AST.h"

#include "llvm/ADT/ArrayRef.h"

namespace nn {

/// The calling convention of one op of the language.
struct OpSignature {
  llvm::StringRef name;
  unsigned minArgs, maxArgs;
  std::vector<llvm::StringRef> keywords;
  llvm::StringRef usage; // "reduce_sum(x, axis=K, keepdims=true)"
};

/// The op called `name`, or nullptr.
const OpSignature *lookupOp(llvm::StringRef name);
std::vector<llvm::StringRef> allOpNames();

/// Reports every semantic error of `module`; returns true when there is none.
bool checkModule(const Module &module, Diagnostics &diags);

/// The runtime's spelling of a data source: `idx("F") / 255.0` is
/// "idx:F|div:255" (see runtime/DataLoaders.h). Assumes a checked source.
std::string dataSourceSpec(const Expr &source);

} // namespace nn

#endif // NNC_FRONTEND_SEMA_H
