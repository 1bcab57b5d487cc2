// Times nnc's generated matmul against cblas_sgemm at one shape (M, K, N
// and the layout, LAYOUT_nn, LAYOUT_nt or LAYOUT_tn, given at compile time),
// in the same process, interleaved, and checks they agree.
//
// The generated module is a complete program (nn-opt --nn-cpu-pipeline): its
// main() calls nnrt_main, which this file defines in place of the runtime's,
// and it finds the function and its buffers in nnrt_program_table, as the
// runtime does (support/ProgramABI.h). Link with libnnrt.a for the thread
// pool (nnrt_parallel_for).
#include "runtime/Threads.h"
#include "support/ProgramABI.h"

#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { M = DIM_M, K = DIM_K, N = DIM_N };

// How A and B are stored: A [M, K] or, transposed, [K, M]; B [K, N] or [N, K].
#if defined(LAYOUT_tn)
static const CBLAS_TRANSPOSE transA = CblasTrans, transB = CblasNoTrans;
static const char *layout = ":tn";
#elif defined(LAYOUT_nt)
static const CBLAS_TRANSPOSE transA = CblasNoTrans, transB = CblasTrans;
static const char *layout = ":nt";
#else
static const CBLAS_TRANSPOSE transA = CblasNoTrans, transB = CblasNoTrans;
static const char *layout = "";
#endif

/// The storage of tensor `index` of the table's function `matmul`: its two
/// inputs, then its output.
static float *matmulTensor(const nnrt_function *f, int index) {
  return (float *)nnrt_program_table.tensors[f->first_tensor + index].data;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}
static int cmp(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}

extern "C" int nnrt_main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 7;
  nnrt::setThreads(1); // OpenBLAS runs on one thread too
  const nnrt_function *f = &nnrt_program_table.functions[0];
  float *a = matmulTensor(f, 0), *b = matmulTensor(f, 1), *c = matmulTensor(f, 2);
  float *r = (float *)aligned_alloc(64, sizeof(float) * M * N);
  srand(1);
  for (long i = 0; i < (long)M * K; ++i) a[i] = rand() / (float)RAND_MAX - 0.5f;
  for (long i = 0; i < (long)K * N; ++i) b[i] = rand() / (float)RAND_MAX - 0.5f;
  double flops = 2.0 * M * N * K, tn[64], tb[64];
  int inner = (int)(2e9 / flops) + 1; // about 2 GFLOP per timing
  for (int rep = 0; rep < reps; ++rep) {
    double t0 = now();
    for (int i = 0; i < inner; ++i) f->entry();
    double t1 = now();
    for (int i = 0; i < inner; ++i)
      cblas_sgemm(CblasRowMajor, transA, transB, M, N, K, 1.0f, a, transA == CblasTrans ? M : K,
                  b, transB == CblasTrans ? K : N, 0.0f, r, N);
    double t2 = now();
    tn[rep] = flops * inner / (t1 - t0) / 1e9;
    tb[rep] = flops * inner / (t2 - t1) / 1e9;
  }
  double err = 0;
  for (long i = 0; i < (long)M * N; ++i) err = fmax(err, fabs(c[i] - r[i]));
  qsort(tn, reps, sizeof(double), cmp);
  qsort(tb, reps, sizeof(double), cmp);
  printf("%dx%dx%d%s nnc %.1f GFLOP/s (min %.1f max %.1f) openblas %.1f (min %.1f max %.1f) ratio %.2f maxdiff %.2g\n",
         M, K, N, layout, tn[reps / 2], tn[0], tn[reps - 1], tb[reps / 2], tb[0], tb[reps - 1],
         tn[reps / 2] / tb[reps / 2], err);
  return err > 1e-3;
}
