//===- Diagnostics.cpp - located error messages for .nn files -------------===//

#include "frontend/Diagnostics.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/WithColor.h"

namespace nn {

/// A line longer than kLongLine is shown as the part around the caret, with
/// "..." where it was cut, so that an error in a 100,000-character line
/// stays readable. False when the line is short (printed whole).
bool Diagnostics::printWindowed(llvm::SMLoc smloc, SourceLoc loc, const llvm::Twine &message) {
  constexpr size_t kLongLine = 200, kBefore = 100, kAfter = 60;
  if (!smloc.isValid())
    return false;
  unsigned buffer = sourceMgr.getMainFileID();
  llvm::StringRef text = sourceMgr.getMemoryBuffer(buffer)->getBuffer();
  const char *at = smloc.getPointer();
  size_t offset = at - text.data();
  size_t start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  start = start == llvm::StringRef::npos || offset == 0 ? 0 : start + 1;
  size_t end = text.find('\n', offset);
  llvm::StringRef line = text.slice(start, end);
  if (line.size() <= kLongLine)
    return false;
  size_t column = offset - start; // 0-based
  size_t from = column > kBefore ? column - kBefore : 0;
  size_t to = std::min(line.size(), column + kAfter);
  std::string shown =
      (from > 0 ? "..." : "") + line.slice(from, to).str() + (to < line.size() ? "..." : "");
  size_t caret = column - from + (from > 0 ? 3 : 0);
  // As SourceMgr prints it, with the real column in the prefix.
  llvm::errs() << filename << ":" << loc.line << ":" << loc.col << ": error: " << message << "\n"
               << shown << "\n"
               << std::string(caret, ' ') << "^\n";
  return true;
}

void Diagnostics::error(SourceLoc loc, const llvm::Twine &message, const llvm::Twine &hint) {
  ++errors;
  errorLines.insert(loc.line);
  unsigned buffer = sourceMgr.getMainFileID();
  llvm::SMLoc smloc;
  if (loc.line > 0)
    smloc = sourceMgr.FindLocForLineAndColumn(buffer, loc.line, loc.col);
  if (!printWindowed(smloc, loc, message))
    sourceMgr.PrintMessage(smloc, llvm::SourceMgr::DK_Error, message);
  std::string note = hint.str();
  if (!note.empty())
    llvm::WithColor::note() << note << "\n";
}

std::string closestMatch(llvm::StringRef word, llvm::ArrayRef<llvm::StringRef> candidates) {
  std::string best;
  unsigned bestDistance = ~0u;
  for (llvm::StringRef c : candidates) {
    unsigned d = word.edit_distance(c, /*AllowReplacements=*/true);
    if (d < bestDistance) {
      bestDistance = d;
      best = c.str();
    }
  }
  // A typo changes at most a third of a word (and at least one letter).
  if (bestDistance == 0 || bestDistance > std::max<size_t>(1, word.size() / 3))
    return "";
  return best;
}

} // namespace nn
