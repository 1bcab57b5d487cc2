//===- LineDiff.cpp - the lines one text changed into another -------------===//
//
// Myers' algorithm on the edit graph: x counts lines of `before` consumed,
// y lines of `after`; moving right removes a line, down adds one, and a
// diagonal ("snake") keeps an equal line for free. V[k] is the furthest x
// reached on diagonal k = x - y with d edits. Step d reaches diagonal k from
// k+1 (an addition) or k-1 (a removal), whichever got further, then follows
// the snake. The first d whose path reaches (N, M) is the shortest script;
// the V of every step, kept in `trace`, walks it back from the end.
//
//===----------------------------------------------------------------------===//

#include "tools/nnc/LineDiff.h"

#include <algorithm>

namespace nn {

std::optional<std::vector<DiffLine>> diffLines(llvm::ArrayRef<llvm::StringRef> before,
                                               llvm::ArrayRef<llvm::StringRef> after,
                                               int maxEdits) {
  const int n = (int)before.size(), m = (int)after.size();
  const int most = std::min(n + m, maxEdits);
  std::vector<int> v(2 * most + 2, 0); // v[k + most]
  std::vector<std::vector<int>> trace;
  auto at = [&](std::vector<int> &row, int k) -> int & { return row[k + most]; };
  bool reached = false;
  for (int d = 0; d <= most && !reached; ++d) {
    trace.push_back(v);
    for (int k = -d; k <= d; k += 2) {
      int x =
          (k == -d || (k != d && at(v, k - 1) < at(v, k + 1))) ? at(v, k + 1) : at(v, k - 1) + 1;
      int y = x - k;
      while (x < n && y < m && before[x] == after[y])
        ++x, ++y;
      at(v, k) = x;
      if (x >= n && y >= m) {
        reached = true;
        break;
      }
    }
  }
  if (!reached)
    return std::nullopt;

  // Back from (n, m): at each step, the snake, then the one edit before it.
  std::vector<DiffLine> script;
  int x = n, y = m;
  for (int d = (int)trace.size() - 1; d >= 0; --d) {
    std::vector<int> &row = trace[d];
    int k = x - y;
    int previousK = (k == -d || (k != d && at(row, k - 1) < at(row, k + 1))) ? k + 1 : k - 1;
    int previousX = at(row, previousK), previousY = previousX - previousK;
    while (x > previousX && y > previousY)
      script.push_back({' ', before[--x]}), --y;
    if (d == 0)
      break;
    if (x == previousX)
      script.push_back({'+', after[previousY]});
    else
      script.push_back({'-', before[previousX]});
    x = previousX, y = previousY;
  }
  std::reverse(script.begin(), script.end());
  return script;
}

} // namespace nn
