// The FMA peak of one core: 16 independent chains of fused multiply-adds on
// the widest vectors the compiler targets (-march=native), far more than the
// latency x throughput product, so the FMA units never wait. Prints GFLOP/s.
// Build with -O3 (at -O2 GCC keeps the chains in memory).
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define FMA _mm512_fmadd_ps
#define SET1 _mm512_set1_ps
#define LANES 16
#else
typedef __m256 vec;
#define FMA _mm256_fmadd_ps
#define SET1 _mm256_set1_ps
#define LANES 8
#endif

int main(void) {
  vec acc[16], a = SET1(0.999999f), b = SET1(1e-7f);
  for (int i = 0; i < 16; ++i) acc[i] = SET1((float)i);
  long iters = 200000000L;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long n = 0; n < iters; ++n)
    for (int i = 0; i < 16; ++i) acc[i] = FMA(acc[i], a, b);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  float sink = 0;
  for (int i = 0; i < 16; ++i) sink += ((float *)&acc[i])[0];
  double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  printf("%.1f %g\n", 2.0 * LANES * 16 * iters / s / 1e9, sink);
  return 0;
}
