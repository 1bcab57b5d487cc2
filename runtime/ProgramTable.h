/*===- ProgramTable.h - the table a generated program exports ---*- C -*-===//
 *
 * The ABI between code that nnc generates and the runtime (docs/runtime.md).
 * nnc emits one `nnrt_program_table` into each program's object file
 * (codegen/ProgramTable.cpp); the runtime's main() reads it to find the
 * program's tensors (their names, shapes and storage) and functions.
 *
 * Plain C layout so both sides agree on it without sharing code.
 *===----------------------------------------------------------------------===*/

#ifndef NNC_RUNTIME_PROGRAMTABLE_H
#define NNC_RUNTIME_PROGRAMTABLE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NNRT_ABI_VERSION 1

/* What a tensor of the table is. */
enum nnrt_role {
  NNRT_VARIABLE = 0, /* trainable `variable` */
  NNRT_CONST = 1,    /* frozen `const` */
  NNRT_INPUT = 2,    /* a placeholder's buffer for one function */
  NNRT_OUTPUT = 3,   /* an output's buffer for one function */
  NNRT_STATE = 4     /* an optimizer's state (Adam's moments, ...) */
};

/* Element types. */
enum nnrt_dtype { NNRT_F32 = 0, NNRT_I64 = 1, NNRT_BOOL = 2 /* one byte */ };

typedef struct {
  const char *name;     /* the .nn name */
  int32_t role;         /* enum nnrt_role */
  int32_t dtype;        /* enum nnrt_dtype */
  int32_t rank;
  int32_t batched;      /* 1 when dims[0] is the batch `?` */
  const int64_t *dims;  /* rank sizes, the batch already fixed */
  void *data;           /* the storage, in the program's data/bss */
  const char *init;     /* variables: "zeros", "fill value=0.5", ... */
} nnrt_tensor;

typedef struct {
  const char *name;     /* "infer", ... */
  void (*entry)(void);  /* reads its inputs' and writes its outputs' storage */
  int64_t batch;
  int32_t first_tensor; /* its inputs and outputs: tensors[first, first+count) */
  int32_t num_tensors;
} nnrt_function;

typedef struct {
  int32_t abi_version;  /* NNRT_ABI_VERSION */
  const char *model;    /* the model's name */
  const char *source;   /* the .nn file it was compiled from */
  int32_t num_tensors;
  const nnrt_tensor *tensors;
  int32_t num_functions;
  const nnrt_function *functions;
  /* "key=value" lines: data sources ("data.test.x=idx:F|scale:0.5"), ... */
  const char *settings;
} nnrt_program;

extern const nnrt_program nnrt_program_table;

#ifdef __cplusplus
}
#endif

#endif /* NNC_RUNTIME_PROGRAMTABLE_H */
