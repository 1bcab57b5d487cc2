// Times nnc's generated convolution (bench/conv/conv.mlir.in through
// nn-opt --nn-cpu-pipeline) on one thread, for bench/conv/run.py.
//
//   harness A.raw B.raw C.raw REPS INNER
// reads the two inputs (float32, the sizes the program table gives), runs the
// function INNER times per timing, REPS timings, prints each timing's
// seconds per call on one line, and writes the output to C.raw for the
// driver to compare with Halide's. The module is a complete program: its
// main() calls nnrt_main, defined here in place of the runtime's; link with
// libnnrt.a for the thread pool.
#include "runtime/Threads.h"
#include "support/ProgramABI.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/// Reads or writes tensor `index` of the function (inputs, then the output).
static bool transfer(const nnrt_function *f, int index, const char *path, bool write) {
  const nnrt_tensor &t = nnrt_program_table.tensors[f->first_tensor + index];
  size_t count = 1;
  for (int d = 0; d < t.rank; ++d)
    count *= (size_t)t.dims[d];
  FILE *file = fopen(path, write ? "wb" : "rb");
  if (!file)
    return false;
  size_t n = write ? fwrite(t.data, sizeof(float), count, file)
                   : fread(t.data, sizeof(float), count, file);
  bool whole = n == count && (write || fgetc(file) == EOF); // inputs: exactly that size
  fclose(file);
  return whole;
}

extern "C" int nnrt_main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s A.raw B.raw C.raw REPS INNER\n", argv[0]);
    return 2;
  }
  nnrt::setThreads(1);
  const nnrt_function *f = &nnrt_program_table.functions[0];
  if (!transfer(f, 0, argv[1], false) || !transfer(f, 1, argv[2], false)) {
    fprintf(stderr, "harness: cannot read the inputs (%s, %s) at the program's sizes\n", argv[1],
            argv[2]);
    return 1;
  }
  int reps = atoi(argv[4]), inner = atoi(argv[5]);
  f->entry(); // warm up
  for (int rep = 0; rep < reps; ++rep) {
    double t0 = now();
    for (int i = 0; i < inner; ++i)
      f->entry();
    printf("%.9f\n", (now() - t0) / inner);
  }
  return transfer(f, 2, argv[3], true) ? 0 : 1;
}
