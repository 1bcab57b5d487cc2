//===- GPUEmulatorTest.cpp - the emulator's barriers, shuffles and race check -===//
//
// Hand-written kernels, in the form nnc's emulated kernels take
// (codegen/gpu/KernelEmitter.cpp): one GPU thread per call of `thread`,
// the special registers read with nnrt_emu_tid_x() and friends, barriers and
// shuffles as calls, every shared-memory access announced first. The planted
// bug: a block-wide sum through shared memory whose barrier between the
// writes and the reads is missing. The emulator must report the race
// (kernel, block, threads) and fail the launch; with the barrier the same
// kernel is clean and exact. A kernel whose barrier only some threads reach,
// and a butterfly reduction with warp shuffles, complete the set.
//
//===----------------------------------------------------------------------===//

#include "runtime/Device.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

extern "C" {
int32_t nnrt_emu_tid_x();
int32_t nnrt_emu_ntid_x();
int32_t nnrt_emu_ctaid_x();
void nnrt_emu_barrier();
int32_t nnrt_emu_shuffle(int32_t mode, int32_t mask, int32_t value, int32_t lane, int32_t clamp,
                         int8_t *valid);
void nnrt_emu_shared_access(char *p, int64_t bytes, int32_t store);
}

namespace {

constexpr int kThreads = 64;
float shared[kThreads]; // the block's shared memory

float load(int i) {
  nnrt_emu_shared_access(reinterpret_cast<char *>(&shared[i]), 4, 0);
  return shared[i];
}
void store(int i, float v) {
  nnrt_emu_shared_access(reinterpret_cast<char *>(&shared[i]), 4, 1);
  shared[i] = v;
}

/// out[block] = sum of in[block * 64 + t]: each thread stores its value,
/// then thread 0 adds the block's values. `withBarrier` false is the bug.
template <bool withBarrier> void blockSum(void **args) {
  const float *in = *static_cast<float **>(args[0]);
  float *out = *static_cast<float **>(args[1]);
  int t = nnrt_emu_tid_x(), b = nnrt_emu_ctaid_x();
  store(t, in[b * kThreads + t]);
  if (withBarrier)
    nnrt_emu_barrier();
  if (t == 0) {
    float sum = 0;
    for (int i = 0; i < nnrt_emu_ntid_x(); ++i)
      sum += load(i);
    out[b] = sum;
  }
}

/// Only the first half of the block reaches the barrier.
void divergentBarrier(void **) {
  if (nnrt_emu_tid_x() < kThreads / 2)
    nnrt_emu_barrier();
}

/// out[warp] = the warp's sum by butterfly shuffles (xor 16, 8, 4, 2, 1),
/// written by every lane (they must all hold it).
void warpSum(void **args) {
  const float *in = *static_cast<float **>(args[0]);
  float *out = *static_cast<float **>(args[1]);
  int t = nnrt_emu_tid_x();
  float v = in[t];
  for (int offset = 16; offset > 0; offset /= 2) {
    int8_t valid = 0;
    int32_t bits;
    std::memcpy(&bits, &v, 4);
    int32_t other = nnrt_emu_shuffle(/*bfly*/ 3, -1, bits, offset, 0x1f, &valid);
    float w;
    std::memcpy(&w, &other, 4);
    ASSERT_TRUE(valid);
    v += w;
  }
  out[t] = v;
}

struct Fixture {
  nnrt_emulated_kernel emulated[4];
  nnrt_kernel kernels[4];
  nnrt_program table{};
  void *sharedBuffers[1] = {shared};
  int64_t sharedBytes[1] = {sizeof shared};
  Fixture() {
    void (*threads[4])(void **) = {blockSum<true>, blockSum<false>, divergentBarrier, warpSum};
    const char *names[4] = {"block_sum", "block_sum_without_barrier", "divergent_barrier",
                            "warp_sum"};
    for (int k = 0; k < 4; ++k) {
      emulated[k] = {threads[k], 1, 1, sharedBuffers, sharedBytes};
      kernels[k] = {names[k], &emulated[k]};
    }
    table.num_kernels = 4;
    table.kernels = kernels;
  }
};

TEST(GPUEmulator, BarrierMakesTheBlockSumExact) {
  Fixture f;
  auto emu = nnrt::createEmulator(f.table);
  std::vector<float> in(3 * kThreads), out(3, 0.0f);
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = (float)(i % 7);
  float *pin = in.data(), *pout = out.data();
  void *args[2] = {&pin, &pout};
  emu->launch(0, {3, 1, 1}, {kThreads, 1, 1}, args);
  for (int b = 0; b < 3; ++b) {
    float expected = 0;
    for (int t = 0; t < kThreads; ++t)
      expected += (float)((b * kThreads + t) % 7);
    EXPECT_EQ(out[b], expected) << "block " << b;
  }
}

TEST(GPUEmulator, MissingBarrierIsReportedAsARace) {
  Fixture f;
  auto emu = nnrt::createEmulator(f.table);
  std::vector<float> in(kThreads, 1.0f), out(1);
  float *pin = in.data(), *pout = out.data();
  void *args[2] = {&pin, &pout};
  try {
    emu->launch(1, {1, 1, 1}, {kThreads, 1, 1}, args);
    FAIL() << "the race was not reported";
  } catch (const nnrt::Error &e) {
    std::string message = e.what();
    EXPECT_NE(message.find("shared-memory race(s) in kernel block_sum_without_barrier"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("write after read"), std::string::npos) << message;
    EXPECT_NE(message.find("block (0, 0, 0)"), std::string::npos) << message;
    EXPECT_NE(message.find("threads 0 and 1, shared buffer 0, byte 4"), std::string::npos)
        << message;
  }
}

TEST(GPUEmulator, BarrierNotReachedByEveryThreadIsReported) {
  Fixture f;
  auto emu = nnrt::createEmulator(f.table);
  try {
    emu->launch(2, {1, 1, 1}, {kThreads, 1, 1}, nullptr);
    FAIL() << "the divergent barrier was not reported";
  } catch (const nnrt::Error &e) {
    EXPECT_STREQ(e.what(), "barrier not reached by every thread in kernel divergent_barrier, "
                           "block (0, 0, 0): 32 of 64 threads ended while the others wait at a "
                           "barrier");
  }
}

TEST(GPUEmulator, ButterflyShufflesSumEachWarp) {
  Fixture f;
  auto emu = nnrt::createEmulator(f.table);
  std::vector<float> in(kThreads), out(kThreads);
  for (int i = 0; i < kThreads; ++i)
    in[i] = (float)i;
  float *pin = in.data(), *pout = out.data();
  void *args[2] = {&pin, &pout};
  emu->launch(3, {1, 1, 1}, {kThreads, 1, 1}, args);
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(out[t], t < 32 ? 496.0f : 1520.0f) << "thread " << t; // 0+..+31, 32+..+63
}

} // namespace
