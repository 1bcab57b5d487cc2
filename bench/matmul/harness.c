// Times nnc's generated matmul against cblas_sgemm at one shape (M, K, N
// given at compile time), in the same process, interleaved, and checks they agree.
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { M = DIM_M, K = DIM_K, N = DIM_N };

// The generated program's ABI: inputs and outputs are globals (made
// visible by run.sh), the function takes no arguments.
extern float nn_matmul_in_arg0[], nn_matmul_in_arg1[], nn_matmul_out_result0[];
void nnc_matmul(void);

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}
static int cmp(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 7;
  float *a = nn_matmul_in_arg0, *b = nn_matmul_in_arg1, *c = nn_matmul_out_result0;
  float *r = aligned_alloc(64, sizeof(float) * M * N);
  srand(1);
  for (long i = 0; i < (long)M * K; ++i) a[i] = rand() / (float)RAND_MAX - 0.5f;
  for (long i = 0; i < (long)K * N; ++i) b[i] = rand() / (float)RAND_MAX - 0.5f;
  double flops = 2.0 * M * N * K, tn[64], tb[64];
  int inner = (int)(2e9 / flops) + 1; // about 2 GFLOP per timing
  for (int rep = 0; rep < reps; ++rep) {
    double t0 = now();
    for (int i = 0; i < inner; ++i) nnc_matmul();
    double t1 = now();
    for (int i = 0; i < inner; ++i)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, a, K, b, N, 0.0f, r, N);
    double t2 = now();
    tn[rep] = flops * inner / (t1 - t0) / 1e9;
    tb[rep] = flops * inner / (t2 - t1) / 1e9;
  }
  double err = 0;
  for (long i = 0; i < (long)M * N; ++i) err = fmax(err, fabs(c[i] - r[i]));
  qsort(tn, reps, sizeof(double), cmp);
  qsort(tb, reps, sizeof(double), cmp);
  printf("%dx%dx%d nnc %.1f GFLOP/s (min %.1f max %.1f) openblas %.1f (min %.1f max %.1f) ratio %.2f maxdiff %.2g\n",
         M, K, N, tn[reps / 2], tn[0], tn[reps - 1], tb[reps / 2], tb[0], tb[reps - 1],
         tn[reps / 2] / tb[reps / 2], err);
  return err > 1e-3;
}
