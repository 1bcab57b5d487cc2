//===- Diagnostics.cpp - located error messages for .nn files -------------===//

#include "frontend/Diagnostics.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/WithColor.h"

namespace nn {

void Diagnostics::error(SourceLoc loc, const llvm::Twine &message,
                        const llvm::Twine &hint) {
  ++errors;
  errorLines.insert(loc.line);
  unsigned buffer = sourceMgr.getMainFileID();
  llvm::SMLoc smloc;
  if (loc.line > 0)
    smloc = sourceMgr.FindLocForLineAndColumn(buffer, loc.line, loc.col);
  sourceMgr.PrintMessage(smloc, llvm::SourceMgr::DK_Error, message);
  std::string note = hint.str();
  if (!note.empty())
    llvm::WithColor::note() << note << "\n";
}

std::string closestMatch(llvm::StringRef word,
                         llvm::ArrayRef<llvm::StringRef> candidates) {
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
