//===- LineDiff.h - the lines one text changed into another ------*- C++ -*-===//
//
// The compile report (CompileReport.cpp) shows each stage of the pipeline as
// a diff against the stage before it. This is Myers' O((N+M)D) algorithm
// ("An O(ND) Difference Algorithm and Its Variations", 1986): the shortest
// edit script, found by extending the furthest-reaching path on each
// diagonal k = x - y with D edits, D = 0, 1, 2, ... until one reaches the end.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_TOOLS_NNC_LINEDIFF_H
#define NNC_TOOLS_NNC_LINEDIFF_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <vector>

namespace nn {

/// One line of a diff: kept (' '), removed from the old text ('-') or added
/// in the new one ('+').
struct DiffLine {
  char kind;
  llvm::StringRef text;
};

/// The old lines turned into the new ones with the fewest removals and
/// additions; std::nullopt when that takes more than `maxEdits` (the texts
/// are too different for a diff to help, and finding it would be slow).
std::optional<std::vector<DiffLine>> diffLines(llvm::ArrayRef<llvm::StringRef> before,
                                               llvm::ArrayRef<llvm::StringRef> after, int maxEdits);

} // namespace nn

#endif // NNC_TOOLS_NNC_LINEDIFF_H
