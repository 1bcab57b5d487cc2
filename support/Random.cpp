//===- Random.cpp - Philox4x32-10 -----------------------------------------===//
//
// Each round multiplies two counter words by fixed odd constants, keeps the
// high and low halves of the 64-bit products, and mixes them with the other
// words and the key; the key is bumped by the Weyl constants between rounds.
//
//===----------------------------------------------------------------------===//

#include "support/Random.h"

#include <cmath>

namespace nn {

std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> c,
                                   std::array<uint32_t, 2> k) {
  const uint32_t M0 = 0xD2511F53, M1 = 0xCD9E8D57;
  const uint32_t W0 = 0x9E3779B9, W1 = 0xBB67AE85;
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = (uint64_t)M0 * c[0], p1 = (uint64_t)M1 * c[2];
    uint32_t hi0 = p0 >> 32, lo0 = (uint32_t)p0;
    uint32_t hi1 = p1 >> 32, lo1 = (uint32_t)p1;
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += W0;
    k[1] += W1;
  }
  return c;
}

RandomStream::RandomStream(uint64_t seed, uint64_t stream)
    : key_{(uint32_t)seed, (uint32_t)(seed >> 32)} {
  // The stream id fills the upper half of the counter.
  counter_ = 0;
  streamHi_ = stream;
}

uint32_t RandomStream::nextU32() {
  if (used_ == 4) {
    block_ = philox4x32({(uint32_t)counter_, (uint32_t)(counter_ >> 32),
                         (uint32_t)streamHi_, (uint32_t)(streamHi_ >> 32)},
                        key_);
    ++counter_;
    used_ = 0;
  }
  return block_[used_++];
}

float RandomStream::uniform() { return (nextU32() >> 8) * (1.0f / 16777216.0f); }

float RandomStream::normal() {
  // Box-Muller: u1 in (0, 1] so that log(u1) is finite.
  float u1 = 1.0f - uniform();
  float u2 = uniform();
  return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853071795864f * u2);
}

uint64_t streamId(const std::string &name) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : name) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  return h;
}

uint32_t keepThreshold(double keepProb) {
  return (uint32_t)std::llround(keepProb * 16777216.0);
}

bool dropoutKeeps(uint64_t seed, uint64_t step, uint32_t stream, uint32_t index,
                  uint32_t threshold) {
  std::array<uint32_t, 4> word = philox4x32(
      {index, stream, (uint32_t)step, (uint32_t)(step >> 32)},
      {(uint32_t)seed, (uint32_t)(seed >> 32)});
  return (word[0] >> 8) < threshold;
}

} // namespace nn
