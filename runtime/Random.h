//===- Random.h - a counter-based random number generator -------*- C++ -*-===//
//
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3", SC 2011), the generator TensorFlow and JAX use. Counter-based: the n-th
// number of a stream is a pure function of (seed, stream, n), so any element
// can be drawn independently and a run is reproducible from --seed alone.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_RANDOM_H
#define NNC_RUNTIME_RANDOM_H

#include <array>
#include <cstdint>
#include <string>

namespace nnrt {

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

} // namespace nnrt

#endif // NNC_RUNTIME_RANDOM_H
