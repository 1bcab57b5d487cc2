// The FMA peak of one core: independent chains of fused multiply-adds on the
// widest vectors the compiler targets (-march=native), more than the latency
// x throughput product (4 or 5 cycles x 2 units = 8 to 10 chains), so the FMA
// units never wait. The chains and the two constants must all stay in
// registers: 16 chains + 2 on AVX-512's 32 registers, but only 12 + 2 on
// AVX2's 16 (16 chains there spill to the stack, and the loads and stores
// of the spills, not the FMA units, set the pace: the probe then reported
// 56.5 GFLOP/s on a Zen 3 core where OpenBLAS reached 83.5). Prints GFLOP/s.
// Build with -O3 (at -O2 GCC keeps the chains in memory).
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define FMA _mm512_fmadd_ps
#define SET1 _mm512_set1_ps
#define LANES 16
#define CHAINS 16
#else
typedef __m256 vec;
#define FMA _mm256_fmadd_ps
#define SET1 _mm256_set1_ps
#define LANES 8
#define CHAINS 12
#endif

int main(void) {
  vec acc[CHAINS], a = SET1(0.999999f), b = SET1(1e-7f);
  for (int i = 0; i < CHAINS; ++i) acc[i] = SET1((float)i);
  long iters = 200000000L;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long n = 0; n < iters; ++n)
    for (int i = 0; i < CHAINS; ++i) acc[i] = FMA(acc[i], a, b);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  float sink = 0;
  for (int i = 0; i < CHAINS; ++i) sink += ((float *)&acc[i])[0];
  double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  printf("%.1f %g\n", 2.0 * LANES * CHAINS * iters / s / 1e9, sink);
  return 0;
}
