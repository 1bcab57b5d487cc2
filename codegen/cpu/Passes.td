//===- Passes.td - the CPU target's passes -----------------*- tablegen -*-===//
//
// The passes of the x86-64 CPU pipeline (codegen/cpu/CPUPipeline.cpp) that no
// other target uses: the vector micro-kernel of matmuls, threads, unrolling
// for the vectorizer, and the copies the standalone programs cannot leave
// to MLIR's C runtime. Sorted by flag; each is one file in codegen/cpu/ with
// a lit test in test/codegen/cpu/, named as in passes/Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef NN_CPU_PASSES_TD
#define NN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def NNDirectConvolutionsPass : Pass<"nn-direct-convolutions", "mlir::ModuleOp"> {
  let summary = "Convolutions on tensors read the image in place: no im2col patch matrix";
  let description = [{
    Rewrites `linalg.matmul` of an im2col copy (`collapse(linalg.generic)`,
    as convert-nn-to-linalg lowers a convolution and its input gradient)
    into `linalg.conv_2d_nhwc_hwcf` on the image, and
    `linalg.matmul_transpose_a` of one (the filter gradient) into a
    `linalg.generic` summing image x gradient over the pixels, marked
    `nn.conv_filter_gradient = array<i64: sy, sx>`. Padding offsets become a
    `tensor.extract_slice` of the image. nn-matmul-microkernel runs both on
    its register tile without the patch matrix, which no longer takes space
    in the memory plan. The GPU target keeps im2col.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def NNMatmulMicrokernelPass : Pass<"nn-matmul-microkernel", "mlir::ModuleOp"> {
  let summary = "Matmuls on buffers as cache-blocked, register-tiled vector loops";
  let description = [{
    Rewrites `linalg.matmul`, `linalg.matmul_transpose_a` and
    `linalg.matmul_transpose_b` on static f32 buffers into the loop nest of
    a BLAS library: blocks of B and A sized for
    the caches, and a micro-kernel that keeps a `rows` x `width` tile of C in
    vector registers and adds one outer product per step of the sum with
    `vector.fma`. Without `rows` and `width` the tile is chosen for `cpu`
    (the host when empty; codegen/cpu/CPUTarget.h): 8 x 32 with AVX-512 (32
    vector registers of 16 floats), 6 x 16 with AVX2 (16 of 8), 6 x 8 with
    SSE; without the block options the cache blocks are sized for its data
    caches (the host's as Linux reports them), and the module records the
    choice as `nn.cpu`. The naive form, `convert-linalg-to-loops`, runs down a
    column of B for every element of C and reaches about 0.4 GFLOP/s here;
    this one runs the FMA units nearly full. The direct convolutions of
    nn-direct-convolutions (`linalg.conv_2d_nhwc_hwcf` with unit dilations,
    and the `linalg.generic` marked `nn.conv_filter_gradient`) run on the
    same tile, reading the image in place: a tile row is an output pixel
    (forward) or a filter element (filter gradient). Operands with other
    layouts are left for `convert-linalg-to-loops`.
  }];
  let options = [
    Option<"cpu", "cpu", "std::string", /*default=*/"\"\"",
           "LLVM's name of the CPU to choose the tile for (empty: the host)">,
    Option<"rows", "rows", "int64_t", /*default=*/"0",
           "Rows of C held in registers (MR; 0: chosen for the CPU)">,
    Option<"width", "width", "int64_t", /*default=*/"0",
           "Columns of C held in registers, as one vector per row (NR; 0: chosen for the CPU)">,
    Option<"blockRows", "block-rows", "int64_t", /*default=*/"0",
           "Rows of A per cache block (MC, rounded to a multiple of MR; 0: from the CPU's L2)">,
    Option<"blockCols", "block-cols", "int64_t", /*default=*/"0",
           "Columns of B per cache block (NC, rounded to a multiple of NR; 0: from the CPU's L3)">,
    Option<"blockDepth", "block-depth", "int64_t", /*default=*/"0",
           "Steps of the sum per cache block (KC; 0: from the CPU's L1)">,
    Option<"parallel", "parallel", "bool", /*default=*/"true",
           "Make the outermost block loop an scf.parallel (threads)">,
    Option<"threadChunks", "thread-chunks", "int64_t", /*default=*/"8",
           "Split the parallel loop into at least this many blocks when it can">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::vector::VectorDialect"];
}

def NNOutlineParallelLoopsPass : Pass<"nn-outline-parallel-loops", "mlir::ModuleOp"> {
  let summary = "Run scf.parallel loops on the runtime's thread pool";
  let description = [{
    Each outermost one-dimensional `scf.parallel` without reductions becomes
    a private function of a range of its iterations,
    `@<function>_parallel_<k>(%first: index, %last: index)`, and the loop a
    call of the runtime's `nnrt_parallel_for` with that function and the
    number of iterations (support/ProgramABI.h): the pool runs one range per
    thread. What the body uses from outside (constants, globals, views of
    them) is computed again in the function; a loop that needs any other
    value from outside is left as it is and runs on one thread.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
                           "::mlir::scf::SCFDialect"];
}

def NNOutlineLoopNestsPass : Pass<"nn-outline-loop-nests", "mlir::ModuleOp"> {
  let summary = "Move each outermost scf.for of an entry function into a function of its own";
  let description = [{
    For compile time linear in the model: LLVM's loop passes cost time in
    proportion to the function for each loop, so one long train step of
    many small loop nests costs loops x size. Each outermost `scf.for` of a
    public function becomes a private `no_inline` function without
    arguments, `@<function>_loop_<k>()`, called in its place; what the nest
    reads from outside (constants, globals, views of them) is computed again
    inside. A nest that needs any other value, or returns values, stays.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect"];
}

def NNShareKernelsPass : Pass<"nn-share-kernels", "mlir::ModuleOp"> {
  let summary = "One function for the loop nests of every layer of one shape and kind";
  let description = [{
    For compile time linear in the number of different layers, not in the
    number of layers: each private function without results (the outlined
    loop nests and thread-pool bodies) passes the buffers it touches (its
    memref globals, and views of globals at constant offsets) to a new
    `no_inline` function `@nnc_kernel_<k>` that holds the rest of its body,
    and keeps only their computation and the call. Kernels whose printed
    forms are equal (the same signature, the same ops on the same values)
    are one function: a 64-layer network of one width compiles its
    matmul, bias add and ReLU once.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect"];
}

def NNParallelizeLoopsPass : Pass<"nn-parallelize-loops", "mlir::ModuleOp"> {
  let summary = "Split large elementwise and reduction ops across threads";
  let description = [{
    Every linalg op on buffers (other than the matmuls the micro-kernel has
    already made parallel) with at least `min-iterations` points in its
    iteration space and a parallel outermost loop is tiled along that loop into at most
    `max-chunks` pieces (when the outermost loop is a sum, as in a bias
    gradient, along its first parallel loop instead, in pieces of at least
    16 iterations: whole cache lines); the loop over the pieces is an `scf.parallel`
    (threads, after nn-outline-parallel-loops) and each piece is lowered to
    a sequential `scf.for` nest. Each element of the output is written by
    exactly one piece and each reduction runs whole inside one piece, so the
    results do not depend on the number of threads.
  }];
  let options = [
    Option<"minIterations", "min-iterations", "int64_t", /*default=*/"32768",
           "Smallest iteration space worth a fork-join of the thread team">,
    Option<"maxChunks", "max-chunks", "int64_t", /*default=*/"64",
           "Most pieces the parallel loop is split into">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect", "::mlir::memref::MemRefDialect"];
}

def NNFlattenElementwisePass : Pass<"nn-flatten-elementwise", "mlir::ModuleOp"> {
  let summary = "Make narrow elementwise ops on contiguous buffers one loop (for LLVM's vectorizer)";
  let description = [{
    Every `linalg.generic` on buffers with only parallel loops, identity maps
    (or scalar operands) and contiguous buffers, whose innermost dimension is
    shorter than `max-inner` and which has at least that many elements in
    all, becomes the same op over one dimension, on
    `memref.collapse_shape`s of its buffers: Adam's update of a [784, 10]
    weight is one loop of 7840 elements, which LLVM vectorizes, instead of
    784 loops of 10, which it left scalar.
  }];
  let options = [
    Option<"maxInner", "max-inner", "int64_t", /*default=*/"64",
           "Flatten only ops whose innermost dimension is shorter than this">,
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect", "::mlir::linalg::LinalgDialect"];
}

def NNUnrollSmallLoopsPass : Pass<"nn-unroll-small-loops", "mlir::ModuleOp"> {
  let summary = "Write out short loops of constant trip count (pooling and convolution windows)";
  let description = [{
    Unrolls, innermost first, every `scf.for` with constant bounds, at most
    `max-trip-count` iterations and no loop inside, when the unrolled body has
    at most `max-ops` operations. The 2 x 2 window of a max-pool gradient then
    no longer sits inside the channel loop, which becomes the innermost loop
    and is vectorized by LLVM.
  }];
  let options = [
    Option<"maxTripCount", "max-trip-count", "int64_t", /*default=*/"8",
           "Longest loop to unroll">,
    Option<"maxOps", "max-ops", "int64_t", /*default=*/"256",
           "Largest unrolled body, in operations">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::scf::SCFDialect"];
}

#endif // NN_CPU_PASSES_TD
