//===- ThreadsTest.cpp - nnrt_parallel_for, the compiled loops' pool ------===//

#include "runtime/Threads.h"
#include "support/ProgramABI.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace {

// The body of a "compiled" parallel loop: counts how often each iteration
// runs and which thread ran it.
std::vector<std::atomic<int>> runs(1000);
std::vector<std::thread::id> ranBy(1000);
void countIterations(int64_t first, int64_t last) {
  for (int64_t i = first; i < last; ++i) {
    runs[i].fetch_add(1);
    ranBy[i] = std::this_thread::get_id();
  }
}

void resetCounts() {
  for (auto &r : runs)
    r.store(0);
}

TEST(ParallelFor, EveryIterationRunsOnceForAnyThreadCount) {
  for (int threads : {1, 2, 3, 8}) {
    nnrt::setThreads(threads);
    for (int64_t n : {0, 1, 2, 7, 64, 999, 1000}) {
      // Many jobs in a row: a worker that misses one would hang or skip it.
      for (int repeat = 0; repeat < (threads > 2 ? 10 : 200); ++repeat) {
        resetCounts();
        nnrt_parallel_for(countIterations, n);
        for (int64_t i = 0; i < 1000; ++i)
          ASSERT_EQ(runs[i].load(), i < n ? 1 : 0)
              << "threads " << threads << ", n " << n << ", iteration " << i;
      }
    }
  }
}

TEST(ParallelFor, RangesAreContiguousAndSplitAcrossThreads) {
  nnrt::setThreads(2);
  resetCounts();
  nnrt_parallel_for(countIterations, 1000);
  // Thread t of T runs [t n / T, (t + 1) n / T): the caller the first half.
  EXPECT_EQ(ranBy[0], std::this_thread::get_id());
  EXPECT_EQ(ranBy[499], std::this_thread::get_id());
  EXPECT_NE(ranBy[500], std::this_thread::get_id());
  EXPECT_EQ(ranBy[500], ranBy[999]);
}

// A parallel loop inside the body of one that runs on the threads runs all
// its iterations on the thread that calls it (the others are busy).
std::atomic<int> innerOnOtherThread{0};
thread_local std::thread::id outerThread;
void innerBody(int64_t first, int64_t last) {
  if (std::this_thread::get_id() != outerThread)
    innerOnOtherThread.fetch_add(1);
}
void outerBody(int64_t first, int64_t last) {
  for (int64_t i = first; i < last; ++i) {
    outerThread = std::this_thread::get_id();
    nnrt_parallel_for(innerBody, 10);
    runs[i].fetch_add(1);
  }
}

TEST(ParallelFor, NestedLoopsRunOnTheirThread) {
  nnrt::setThreads(2);
  resetCounts();
  innerOnOtherThread = 0;
  nnrt_parallel_for(outerBody, 2); // one outer iteration per thread
  EXPECT_EQ(innerOnOtherThread.load(), 0);
  EXPECT_EQ(runs[0].load(), 1);
  EXPECT_EQ(runs[1].load(), 1);
}

TEST(ParallelFor, ThreadCountOutOfRangeIsAnError) {
  EXPECT_THROW(nnrt::setThreads(-1), std::runtime_error);
  EXPECT_THROW(nnrt::setThreads(5000), std::runtime_error);
}

} // namespace
