//===- Diagnostics.h - located error messages for .nn files -----*- C++ -*-===//
//
// Every error of the frontend goes through here and prints as
//
//   model.nn:7:14: error: unknown op 'sofmax'
//   p = sofmax(f)
//       ^
//   note: did you mean 'softmax'?
//
// using llvm::SourceMgr, which MLIR's SourceMgrDiagnosticHandler also uses, so
// errors found later by the dialect's shape rules look the same.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_DIAGNOSTICS_H
#define NNC_FRONTEND_DIAGNOSTICS_H

#include "llvm/Support/SourceMgr.h"

#include <set>
#include <string>

namespace nn {

/// A position in the .nn file (1-based, as printed).
struct SourceLoc {
  unsigned line = 0, col = 0;
};

class Diagnostics {
public:
  Diagnostics(llvm::SourceMgr &sourceMgr, std::string filename)
      : sourceMgr(sourceMgr), filename(std::move(filename)) {}

  void error(SourceLoc loc, const llvm::Twine &message, const llvm::Twine &hint = "");
  unsigned errorCount() const { return errors; }
  /// One error a line is enough: the parser stays quiet where the lexer spoke.
  bool hasErrorOnLine(unsigned line) const { return errorLines.count(line); }
  const std::string &file() const { return filename; }
  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

private:
  bool printWindowed(llvm::SMLoc smloc, SourceLoc loc, const llvm::Twine &message);
  llvm::SourceMgr &sourceMgr;
  std::string filename;
  unsigned errors = 0;
  std::set<unsigned> errorLines;
};

/// The closest of `candidates` to `word` by edit distance, or "" when none is
/// close enough to be a likely typo.
std::string closestMatch(llvm::StringRef word, llvm::ArrayRef<llvm::StringRef> candidates);

} // namespace nn

#endif // NNC_FRONTEND_DIAGNOSTICS_H
