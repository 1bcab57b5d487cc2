//===- Random.h - a counter-based random number generator -------*- C++ -*-===//
//
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3", SC 2011), the generator TensorFlow and JAX use. Counter-based: the n-th
// number of a stream is a pure function of (seed, stream, n), so any element
// can be drawn independently and a run is reproducible from --seed alone.
//
// Shared by the runtime (initializers, shuffling, the reference of dropout's
// masks) and the compiler (the gradient check's random point, the float64
// interpreter's dropout), so both draw the same numbers.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_SUPPORT_RANDOM_H
#define NNC_SUPPORT_RANDOM_H

#include <array>
#include <cstdint>
#include <string>

namespace nn {

/// Ten rounds of Philox on a 128-bit counter under a 64-bit key.
std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> counter,
                                   std::array<uint32_t, 2> key);

/// A stream of random numbers: key = (seed, stream id); position advances.
class RandomStream {
public:
  RandomStream(uint64_t seed, uint64_t stream);
  uint32_t nextU32();
  /// Uniform in [0, 1), 24 random bits.
  float uniform();
  /// Standard normal (Box-Muller on two uniforms).
  float normal();

private:
  std::array<uint32_t, 2> key_;
  uint64_t counter_ = 0;
  std::array<uint32_t, 4> block_{};
  int used_ = 4;
  uint64_t streamHi_ = 0;
};

/// A stable 64-bit id for a name (FNV-1a), so a variable's stream does not
/// depend on the order of declarations.
uint64_t streamId(const std::string &name);

/// Dropout's mask (support/ProgramABI.h, "Dropout"): element `index` of the
/// dropout op `stream` is kept at `step` of a run seeded `seed` when the top
/// 24 bits of philox4x32((index, stream, step, step >> 32), seed)[0] are below
/// `keepThreshold(keepProb)`. The compiled code computes the same in IR
/// (passes/NNToLinalg/Dropout.cpp).
bool dropoutKeeps(uint64_t seed, uint64_t step, uint32_t stream, uint32_t index,
                  uint32_t threshold);
/// round(keepProb * 2^24): the comparison is on integers, so the compiled
/// code and every reference agree exactly.
uint32_t keepThreshold(double keepProb);

} // namespace nn

#endif // NNC_SUPPORT_RANDOM_H
