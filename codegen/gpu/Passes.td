//===- Passes.td - the NVIDIA GPU target's passes ----------*- tablegen -*-===//
//
// The passes of the GPU pipeline (codegen/gpu/GPUPipeline.cpp) that no other
// target uses: from linalg on buffers to kernels on a grid of threads, and
// the host's side of launching them. Sorted by flag; each is one file in
// codegen/gpu/ with a lit test in test/codegen/gpu/, named as in
// passes/Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef NN_GPU_PASSES_TD
#define NN_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def NNGPUBatchGatherKernelPass : Pass<"nn-gpu-batch-gather-kernel", "mlir::ModuleOp"> {
  let summary = "Add the kernel that gathers a batch's rows from a data set on the device";
  let description = [{
    A GPU program's data sets stay on the device; the runtime gathers each
    batch there, in the shuffled order, with the kernel this pass adds to
    `@nnc_kernels`: `nnc_gather_rows(dst, src, items, row_floats, total)`,
    one thread per float of the batch, dst[k] = src[items[k / row_floats] *
    row_floats + k mod row_floats], 0 for an item of -1 (past the data).
    It becomes PTX and is emulated like the program's own kernels.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect", "::mlir::scf::SCFDialect"];
}

def NNGPUBlockReductionsPass : Pass<"nn-gpu-block-reductions", "mlir::ModuleOp"> {
  let summary = "Axis reductions as kernels whose threads share each output through a tree in shared memory";
  let description = [{
    Each linalg.generic on buffers with static shapes that reduces whole
    axes into its one output (softmax's row max and sum, a bias gradient's
    column sums, the loss) becomes a gpu.launch: the lanes of an output
    (a power of two of them) each fold a strided share of the reduced
    elements into a register, then combine their values through the block's
    shared memory in a fixed tree, a barrier after each level, and lane 0
    folds the result into the output. Deterministic: no atomics, the same
    order every run. Lanes are the fast thread index when the innermost axis
    is reduced (a warp reads a row), outputs when an outer axis is (a warp
    reads 32 consecutive columns). Window reductions (pooling) and
    reductions with several outputs (argmax) are left to
    nn-gpu-map-parallel-loops.
  }];
  let options = [
    Option<"maxThreads", "max-threads", "int64_t", /*default=*/"256",
           "Threads per block at most (a power of two)">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect", "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def NNGPUDevicePointersPass : Pass<"nn-gpu-device-pointers", "mlir::ModuleOp"> {
  let summary = "The host code addresses the device's copy of every buffer";
  let description = [{
    On the LLVM dialect of a GPU program. The buffers of the program (the
    storage of every tensor and the arena) live on the device, at addresses
    the runtime chooses when it starts. For each such global `@G` the pass
    adds a host global `@G.device` (a pointer, which the runtime fills; the
    program table says where it is) and makes the host functions read the
    device address from it wherever they took the address of `@G`, so that
    the buffers they pass to kernels are the device's. The arena gets a
    record of role `scratch`, so that the runtime allocates it.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::nn::NNDialect"];
}

def NNGPUGatherKernelsPass : Pass<"nn-gpu-gather-kernels", "mlir::ModuleOp"> {
  let summary = "Put every kernel of the program into one gpu.module";
  let description = [{
    gpu-kernel-outlining makes a gpu.module per kernel. A program loads its
    kernels as one PTX module, once: this pass moves every kernel into
    `gpu.module @nnc_kernels`, each named after the module it came from
    (unique), and points every gpu.launch_func at it.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def NNGPULaunchToRuntimePass : Pass<"nn-gpu-launch-to-runtime", "mlir::ModuleOp"> {
  let summary = "Kernel launches as calls of the runtime's nnrt_gpu_launch";
  let description = [{
    Each `gpu.launch_func` of a host function becomes a call of
    `nnrt_gpu_launch(kernel, grid x, y, z, block x, y, z, args)`
    (support/ProgramABI.h): `kernel` is the kernel's index in
    `@nnc_kernels` (and in the program table), `args` an array of pointers
    to the arguments' values, as cuLaunchKernel takes them. A buffer is
    passed as its aligned address (the kernels take bare pointers: shapes
    are static). Each kernel is recorded (`nn.export_kernel`), in the
    order of its number, for the program table.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::LLVM::LLVMDialect",
                           "::nn::NNDialect"];
}

def NNGPUMapParallelLoopsPass : Pass<"nn-gpu-map-parallel-loops", "mlir::ModuleOp"> {
  let summary = "Each outermost parallel loop becomes a grid of GPU threads, one per iteration";
  let description = [{
    After convert-linalg-to-parallel-loops, every linalg op is an
    scf.parallel over its parallel dimensions. Each such loop at the top of
    a function becomes a `gpu.launch` of 1-D blocks of `block-size` threads,
    thread k taking the k-th iteration (the innermost dimension fastest, so
    that neighbouring threads touch neighbouring elements). Constants and
    views of buffers that the body uses are made again inside the launch;
    the buffers and host scalars become the kernel's arguments. Host code
    left touching device memory is an error.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect"];
}

def NNGPUTileMatmulPass : Pass<"nn-gpu-tile-matmul", "mlir::ModuleOp"> {
  let summary = "Matmuls as kernels tiled for blocks through shared memory and for threads through registers";
  let description = [{
    Each linalg.matmul, matmul_transpose_a and matmul_transpose_b on
    buffers with static shapes becomes a gpu.launch: a block computes a
    `block-rows` x `block-cols` tile of C, each of its threads a
    `thread-rows` x `thread-cols` tile held in registers; the sum runs over
    K in steps of `tile-k`, the block copying its slices of A and B into
    shared memory (coalesced, as vector<4xf32> loads where an operand's rows
    are a whole number of vectors, zeros past the edges) between two
    barriers.
  }];
  let options = [
    Option<"blockRows", "block-rows", "int64_t", /*default=*/"64", "Rows of C per block">,
    Option<"blockCols", "block-cols", "int64_t", /*default=*/"64", "Columns of C per block">,
    Option<"tileK", "tile-k", "int64_t", /*default=*/"16", "Steps of the sum per shared-memory tile">,
    Option<"threadRows", "thread-rows", "int64_t", /*default=*/"4", "Rows of C per thread">,
    Option<"threadCols", "thread-cols", "int64_t", /*default=*/"4", "Columns of C per thread">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect"];
}

#endif // NN_GPU_PASSES_TD
