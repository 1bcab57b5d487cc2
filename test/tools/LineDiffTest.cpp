//===- LineDiffTest.cpp - Myers' diff against a dynamic-programming LCS ---===//
//
// diffLines (tools/nnc/LineDiff.h) must find a shortest edit script: its
// kept lines are a longest common subsequence, which the classic O(N M)
// table computes independently; and the script must turn one text into the
// other (its ' ' and '-' lines spell the old text, ' ' and '+' the new).
//
//===----------------------------------------------------------------------===//

#include "tools/nnc/LineDiff.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace {

size_t longestCommonSubsequence(const std::vector<llvm::StringRef> &a,
                                const std::vector<llvm::StringRef> &b) {
  std::vector<std::vector<size_t>> t(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j)
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
  return t[a.size()][b.size()];
}

void expectShortestScript(const std::vector<llvm::StringRef> &a,
                          const std::vector<llvm::StringRef> &b) {
  std::optional<std::vector<nn::DiffLine>> diff = nn::diffLines(a, b, 1 << 20);
  ASSERT_TRUE(diff.has_value());
  std::vector<llvm::StringRef> old, now;
  size_t kept = 0;
  for (const nn::DiffLine &d : *diff) {
    if (d.kind != '+')
      old.push_back(d.text);
    if (d.kind != '-')
      now.push_back(d.text);
    kept += d.kind == ' ';
  }
  EXPECT_EQ(old, a);
  EXPECT_EQ(now, b);
  EXPECT_EQ(kept, longestCommonSubsequence(a, b));
}

TEST(LineDiff, SmallCases) {
  expectShortestScript({}, {});
  expectShortestScript({"a"}, {});
  expectShortestScript({}, {"a", "b"});
  expectShortestScript({"a", "b", "c"}, {"a", "b", "c"});
  // Myers' own example: ABCABBA -> CBABAC, 5 edits, LCS 4.
  expectShortestScript({"A", "B", "C", "A", "B", "B", "A"}, {"C", "B", "A", "B", "A", "C"});
}

TEST(LineDiff, RandomTextsOverASmallAlphabet) {
  std::mt19937 random(7);
  static const char *words[] = {"x", "y", "z", "w"};
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<llvm::StringRef> a(random() % 30), b(random() % 30);
    for (auto &line : a)
      line = words[random() % 4];
    for (auto &line : b)
      line = words[random() % 4];
    expectShortestScript(a, b);
  }
}

TEST(LineDiff, GivesUpBeyondTheEditLimit) {
  std::vector<llvm::StringRef> a(50, "old"), b(50, "new");
  EXPECT_FALSE(nn::diffLines(a, b, 99).has_value()); // 100 edits needed
  EXPECT_TRUE(nn::diffLines(a, b, 100).has_value());
}

} // namespace
