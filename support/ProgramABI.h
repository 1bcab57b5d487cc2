//===- ProgramABI.h - what generated code and the runtime agree on -*- C++ -*-===//
//
// The one contract between the code nnc generates and the runtime it links
// (libnnrt.a), in the spirit of IREE's DispatchABI.h: every record, symbol,
// name and encoding that crosses the boundary is declared here, once, with
// what it means. docs/runtime.md, "The ABI", is the same in prose.
//
//  1. The program table: one constant, `nnrt_program_table`, lists every
//     tensor of the program (name, role, type, shape, storage, initializer)
//     and every function (entry point, batch, its inputs and outputs). The
//     compiler builds it in IR (nn-build-program-table,
//     passes/BuildProgramTable.cpp), so it shows in `nnc --emit=mlir-llvm`.
//  2. Symbols: the table, `main` (which calls `nnrt_main`), the entry points
//     `nnc_<function>`, the storage globals, the dropout key, the thread
//     pool's `nnrt_parallel_for`.
//  3. The functions a program may hold, and what each one computes.
//  4. Encodings carried as text in the table: initializers, data sources and
//     the settings (`key=value` lines).
//  5. Dropout: how a mask is derived from (seed, step, stream, element).
//  6. GPU programs (--target=cuda): each tensor's device slot, the PTX
//     module and the kernels (with their twins for the emulator) in the
//     table, nnrt_gpu_launch, and the calls the emulated kernels make into
//     the runtime's emulator.
//
// Entry functions take no arguments: the runtime writes a batch into the
// inputs' storage, calls the entry point, and reads the outputs' storage.
// Everything is static (shapes are fixed at compile time), so no memref
// descriptors cross the boundary.
//
// Any change to a record or an encoding bumps NNRT_ABI_VERSION; the runtime
// refuses a table of another version.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_SUPPORT_PROGRAMABI_H
#define NNC_SUPPORT_PROGRAMABI_H

#include <stdint.h>
#include <string>

//===----------------------------------------------------------------------===//
// 1. The program table (plain C layout, x86-64: pointers and int64 are 8
//    bytes, int32 4; the offsets are checked where the table is built)
//===----------------------------------------------------------------------===//

extern "C" {

#define NNRT_ABI_VERSION 2

/* What a tensor of the table is. */
enum nnrt_role {
  NNRT_VARIABLE = 0, /* a trainable `variable` */
  NNRT_CONST = 1,    /* a frozen `const` */
  NNRT_INPUT = 2,    /* a placeholder's buffer for one function */
  NNRT_OUTPUT = 3,   /* an output's buffer for one function */
  NNRT_STATE = 4,    /* an optimizer's state (Adam's moments, ...) */
  NNRT_SCRATCH = 5   /* GPU programs: the arena of temporaries, device memory only */
};

/* Element types. */
enum nnrt_dtype {
  NNRT_F32 = 0,  /* float */
  NNRT_I64 = 1,  /* int64_t (argmax) */
  NNRT_BOOL = 2, /* one byte, 0 or 1 (comparisons) */
  NNRT_BYTE = 3  /* bytes (the arena) */
};

typedef struct {
  const char *name;     /* the .nn name ("w", "w.adam_m", "x") */
  int32_t role;         /* enum nnrt_role */
  int32_t dtype;        /* enum nnrt_dtype */
  int32_t rank;
  int32_t batched;      /* 1 when dims[0] is the batch `?` */
  const int64_t *dims;  /* rank sizes, the batch already fixed */
  void *data;           /* its storage, in the program's data or bss */
  const char *init;     /* variables: an initializer spec (section 4); else "" */
  void **device;        /* GPU programs: where the runtime stores the address of
                           the tensor's copy on the device, which the generated
                           host code passes to kernels; null for CPU programs */
} nnrt_tensor;

typedef struct {
  const char *name;     /* one of the function names of section 3 */
  void (*entry)(void);  /* reads its inputs' and writes its outputs' storage */
  int64_t batch;        /* the size of `?` in this function */
  int32_t first_tensor; /* its inputs, then its outputs: */
  int32_t num_tensors;  /*   tensors[first_tensor, first_tensor + num_tensors) */
} nnrt_function;

/* GPU programs, --device emu: one kernel compiled for the CPU from the same
 * LLVM IR as its PTX (section 6). Defined by the object nnc builds from the
 * kernels, as `nnrt_emu_<kernel>`. */
typedef struct {
  void (*thread)(void **args); /* runs one GPU thread of the kernel to its end
                                  (or to a barrier: the emulator's contexts) */
  int32_t synchronizes;        /* 1 when it has barriers or warp shuffles: each
                                  thread then needs an execution context */
  int32_t num_shared;          /* its shared-memory buffers */
  void *const *shared;         /*   their addresses */
  const int64_t *shared_bytes; /*   and sizes */
} nnrt_emulated_kernel;

typedef struct {
  const char *name;                     /* the kernel's name in the PTX module */
  const nnrt_emulated_kernel *emulated; /* its twin for --device emu */
} nnrt_kernel;

typedef struct {
  int32_t abi_version;  /* NNRT_ABI_VERSION */
  const char *model;    /* the model's name (`model NAME`, else the file's stem) */
  const char *source;   /* the .nn file it was compiled from */
  int32_t num_tensors;  /* variables, consts and state first, then each */
  const nnrt_tensor *tensors; /* function's inputs and outputs */
  int32_t num_functions;
  const nnrt_function *functions;
  const char *settings; /* "key=value\n" lines (section 4) */
  const char *device_code; /* GPU programs: every kernel, as one PTX module;
                              null for CPU programs */
  int32_t num_kernels;
  const nnrt_kernel *kernels; /* in the order nnrt_gpu_launch numbers them */
} nnrt_program;

/* Defined by the generated object. */
extern const nnrt_program nnrt_program_table;

/* Defined by the runtime: the generated `main` is `return nnrt_main(argc, argv);`. */
int nnrt_main(int argc, char **argv);

/* Defined by the runtime: the (seed, step) that compiled dropout ops read
 * (section 5). A train program sets it before each step. */
extern int64_t nnrt_dropout_key[2];

/* Defined by the runtime: runs body(first, last) for contiguous ranges that
 * together cover the iterations [0, iterations), one range per thread of its
 * pool (the caller's included), and returns when every range is done. The
 * ranges are disjoint and each is run once, so a body whose iterations write
 * different elements computes the same for any number of threads
 * (nn-outline-parallel-loops makes such bodies; `--threads N` sets the pool's
 * size). A call from inside a body runs all its iterations on that thread. */
void nnrt_parallel_for(void (*body)(int64_t first, int64_t last), int64_t iterations);

/* Defined by the runtime, for GPU programs: launches kernel number `kernel`
 * of the table on a grid of grid_x * grid_y * grid_z blocks of
 * block_x * block_y * block_z threads. `args` holds one pointer per kernel
 * argument, to its value (a buffer is its device address), as cuLaunchKernel
 * takes them. Launches are asynchronous and run in order. */
void nnrt_gpu_launch(int32_t kernel, int64_t grid_x, int64_t grid_y, int64_t grid_z,
                     int64_t block_x, int64_t block_y, int64_t block_z, void **args);

} // extern "C"

namespace nn::abi {

//===----------------------------------------------------------------------===//
// 2. Symbols
//===----------------------------------------------------------------------===//

constexpr const char *kProgramTableSymbol = "nnrt_program_table";
constexpr const char *kRuntimeMainSymbol = "nnrt_main";
constexpr const char *kDropoutKeySymbol = "nnrt_dropout_key";
constexpr const char *kParallelForSymbol = "nnrt_parallel_for";
constexpr const char *kGPULaunchSymbol = "nnrt_gpu_launch";
/// GPU programs: the PTX module (a NUL-terminated string).
constexpr const char *kDeviceCodeSymbol = "nnrt_device_code";
/// GPU programs: the kernel the runtime launches to gather a batch's rows
/// from a data set on the device (codegen/gpu/GPUBatchGatherKernel.cpp):
/// (float *dst, const float *src, const int64_t *items, int64_t row_floats,
/// int64_t total), dst[k] = src[items[k / row_floats] * row_floats +
/// k mod row_floats], 0 where the item is -1.
constexpr const char *kGatherRowsKernel = "nnc_gather_rows";

/// The entry point of function `function` ("infer" -> "nnc_infer").
inline std::string entryPointSymbol(const std::string &function) {
  return "nnc_" + function;
}
/// The storage of variable, const or optimizer state `name` ("nn_var_w").
inline std::string variableStorageSymbol(const std::string &name) {
  return "nn_var_" + name;
}
/// The buffer of placeholder `name` for one function ("nn_infer_in_x").
inline std::string inputStorageSymbol(const std::string &function, const std::string &name) {
  return "nn_" + function + "_in_" + name;
}
/// GPU programs: the host global where the runtime stores the device
/// address of buffer `storage` ("nn_var_w.device").
inline std::string deviceSlotSymbol(const std::string &storage) { return storage + ".device"; }
/// GPU programs: the nnrt_emulated_kernel record of kernel `kernel`, its
/// twin compiled for the CPU ("nnrt_emu_nnc_infer_kernel_0").
inline std::string emulatedKernelSymbol(const std::string &kernel) {
  return "nnrt_emu_" + kernel;
}
/// The buffer of output `name` of one function ("nn_infer_out_p").
inline std::string outputStorageSymbol(const std::string &function, const std::string &name) {
  return "nn_" + function + "_out_" + name;
}

//===----------------------------------------------------------------------===//
// 3. The functions of a program
//===----------------------------------------------------------------------===//

/// Train program: one optimizer step on a batch. Returns the loss first, then
/// the other reported values (each a scalar), computed before the update.
constexpr const char *kTrainStep = "train_step";
/// Train and infer programs: the reported values (`report:`) over a batch of
/// the test data, and the same compiled for batch 1 (the items after the last
/// full batch), so that a set is evaluated exactly as if it were one batch.
constexpr const char *kEvaluate = "evaluate";
constexpr const char *kEvaluateOne = "evaluate_1";
/// Infer program: the infer block's outputs for a batch, and for one item.
constexpr const char *kInfer = "infer";
constexpr const char *kInferOne = "infer_1";

//===----------------------------------------------------------------------===//
// 4. Encodings
//===----------------------------------------------------------------------===//

// An initializer spec is the initializer's name, then its float parameters as
// `key=value` (printed with %.9g), separated by spaces:
//   "zeros", "ones", "fill value=0.5", "constant" (the value is the storage's
//   initial data), "normal stddev=0.1", "truncated_normal stddev=0.1",
//   "uniform low=-1 high=1".

// A data source is "FORMAT:FILE" (FORMAT: idx, npy or csv), then transforms
// applied left to right, each "|div:X", "|mul:X" or "|one_hot:N":
//   "idx:train-images-idx3-ubyte.gz|div:255".

// The settings: one "key=value" line each. The keys:
/// kTrainProgram or kInferProgram: which main() runs.
constexpr const char *kProgramSetting = "program";
constexpr const char *kTrainProgram = "train";
constexpr const char *kInferProgram = "infer";
/// The .nn file's folder (absolute): data paths may be relative to it.
constexpr const char *kSourceDirSetting = "source_dir";
/// Train programs: the train block's `steps:`, `shuffle:` (1 or 0) and
/// `report: ... every K [on test]` (K; 1 or 0).
constexpr const char *kStepsSetting = "steps";
constexpr const char *kShuffleSetting = "shuffle";
constexpr const char *kReportEverySetting = "report_every";
constexpr const char *kReportOnTestSetting = "report_on_test";
/// The reported values' names, comma-separated ("loss,accuracy").
constexpr const char *kReportSetting = "report";

/// The source of placeholder `name` in the data block `block` (train, test).
inline std::string dataSourceSetting(const std::string &block, const std::string &name) {
  return "data." + block + "." + name;
}
/// How reported value `name` combines over batches: "sum" or "mean".
inline std::string aggregateSetting(const std::string &name) {
  return "aggregate." + name;
}

//===----------------------------------------------------------------------===//
// 5. Dropout
//===----------------------------------------------------------------------===//

// In a train step, element i (row-major) of the output of the dropout op with
// stream id `stream` is kept, and scaled by 1/keep_prob, when
//
//   philox4x32((i, stream, step, step >> 32), (seed, seed >> 32))[0] >> 8
//       < round(keep_prob * 2^24)
//
// with (seed, step) = nnrt_dropout_key, the run's --seed and the step number
// (from 1). nn::dropoutKeeps (support/Random.h) is the same test in C++, the
// reference the interpreter and the tests use. The stream id is the dropout
// call's source position, so each dropout of a model draws its own masks and
// a recompiled model draws the same ones:

inline uint32_t dropoutStream(uint32_t line, uint32_t column) {
  return line << 16 | (column & 0xffff);
}

} // namespace nn::abi

//===----------------------------------------------------------------------===//
// 6. GPU programs
//===----------------------------------------------------------------------===//

// The table's records (nnrt_tensor::device, nnrt_program::device_code and
// kernels, nnrt_kernel, nnrt_emulated_kernel) and nnrt_gpu_launch are above.
// The kernels compiled for the CPU (codegen/gpu/KernelEmitter.cpp) call the
// runtime's emulator (runtime/GPUEmulator.cpp) in place of the GPU's special
// registers and instructions:
//
//   int32_t nnrt_emu_{tid,ntid,ctaid,nctaid}_{x,y,z}(void), nnrt_emu_laneid(void),
//           nnrt_emu_warpsize(void)          the special registers
//   void    nnrt_emu_barrier(void)           bar.sync 0 (__syncthreads)
//   int32_t nnrt_emu_shuffle(mode, mask, value, lane, clamp, int8_t *valid)
//                                            shfl.sync; mode 0 idx, 1 up,
//                                            2 down, 3 bfly; 32-bit values
//   void    nnrt_emu_shared_access(void *p, int64_t bytes, int32_t is_store)
//                                            before every access to shared
//                                            memory: the race check
//
// libdevice's math (__nv_expf, ...) becomes libm's (expf, ...).

#endif // NNC_SUPPORT_PROGRAMABI_H
