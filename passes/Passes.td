//===- Passes.td - nnc's graph passes ----------------------*- tablegen -*-===//
//
// Passes on the nn dialect and out of it, kept alphabetical. Each is one file
// in passes/ (named after the pass) with a lit test in test/passes/.
//
//===----------------------------------------------------------------------===//

#ifndef NN_PASSES_TD
#define NN_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNNToLinalgPass : Pass<"convert-nn-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower nn compute ops to linalg on tensors";
  let description = [{
    Rewrites every compute op of the nn dialect into linalg: `linalg.matmul`,
    `linalg.transpose` and `linalg.fill` where a named op exists, and
    `linalg.generic` for elementwise ops (whose indexing maps carry NumPy
    broadcasting), reductions, softmax, argmax and the losses. Reshapes and
    concatenation become tensor ops. Needs static shapes: run
    `nn-specialize-batch` first. Variables are left to `nn-state-to-globals`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def NNAutodiffPass : Pass<"nn-autodiff", "mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation of the loss of each train function";
  let description = [{
    For each function marked `nn.minimize = K` (its K-th result is the loss
    L), appends one result per trainable variable w: dL/dw, marked
    `nn.gradient = "w"`. The backward ops are ordinary nn ops built by each
    op's GradientOpInterface, located at the forward op they come from.
    Needs static shapes (run nn-specialize-batch first).
  }];
}

def NNBuildProgramTablePass : Pass<"nn-build-program-table", "mlir::ModuleOp"> {
  let summary = "Build the table the runtime reads, and main(), in the LLVM dialect";
  let description = [{
    The last pass of a program: every `nn.export_tensor` and
    `nn.export_function` record that nn-state-to-globals made becomes an entry
    of `nnrt_program_table` (support/ProgramABI.h), an `llvm.mlir.global` of
    structs pointing at the storage globals and entry points, with the
    module's `nn.model`, `nn.source` and `nn.settings`; `main` calls the
    runtime's `nnrt_main`. Runs on the LLVM dialect (the storage must be
    `llvm.mlir.global`, the entries `llvm.func`); the records are erased.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def NNExpandStridedCopiesPass : Pass<"nn-expand-strided-copies", "mlir::ModuleOp"> {
  let summary = "Turn copies between strided views into linalg.copy";
  let description = [{
    Bufferization copies with `memref.copy`. Between contiguous buffers the
    LLVM lowering makes it a `memcpy`; between strided views (a slice of a
    concatenation, for example) it would call MLIR's C runtime, which the
    standalone programs do not link. This pass rewrites those copies as
    `linalg.copy`, which becomes plain loops.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def NNFuseElementwisePass : Pass<"nn-fuse-elementwise", "mlir::ModuleOp"> {
  let summary = "Fuse elementwise linalg.generic ops; leave named ops (matmul) whole";
  let description = [{
    Upstream's elementwise fusion and reshape propagation on linalg tensors,
    with a control function that fuses only a single-use producer and never
    rewrites a named op: `linalg.matmul` must reach nn-matmul-microkernel as
    a matmul, not folded with im2col's reshapes into a direct convolution.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect", "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def NNMatmulMicrokernelPass : Pass<"nn-matmul-microkernel", "mlir::ModuleOp"> {
  let summary = "Matmuls on buffers as cache-blocked, register-tiled vector loops";
  let description = [{
    Rewrites `linalg.matmul` and `linalg.matmul_transpose_a` on static f32
    buffers into the loop nest of a BLAS library: blocks of B and A sized for
    the caches, and a micro-kernel that keeps a 6 x 16 tile of C in vector
    registers and adds one outer product per step of the sum with
    `vector.fma`. The naive form, `convert-linalg-to-loops`, runs down a
    column of B for every element of C and reaches about 0.4 GFLOP/s here;
    this one runs the FMA units nearly full. Operands with other layouts are
    left for `convert-linalg-to-loops`.
  }];
  let options = [
    Option<"rows", "rows", "int64_t", /*default=*/"8",
           "Rows of C held in registers (MR)">,
    Option<"width", "width", "int64_t", /*default=*/"32",
           "Columns of C held in registers, as one vector per row (NR)">,
    Option<"blockRows", "block-rows", "int64_t", /*default=*/"96",
           "Rows of A per cache block (MC, rounded to a multiple of MR)">,
    Option<"blockCols", "block-cols", "int64_t", /*default=*/"256",
           "Columns of B per cache block (NC, rounded to a multiple of NR)">,
    Option<"blockDepth", "block-depth", "int64_t", /*default=*/"256",
           "Steps of the sum per cache block (KC)">,
    Option<"parallel", "parallel", "bool", /*default=*/"true",
           "Make the outermost block loop an scf.parallel (threads)">,
    Option<"threadChunks", "thread-chunks", "int64_t", /*default=*/"8",
           "Split the parallel loop into at least this many blocks when it can">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::vector::VectorDialect"];
}

def NNParallelizeLoopsPass : Pass<"nn-parallelize-loops", "mlir::ModuleOp"> {
  let summary = "Split large elementwise and reduction ops across threads";
  let description = [{
    Every linalg op on buffers (other than the matmuls the micro-kernel has
    already made parallel) with at least `min-iterations` points in its
    iteration space and a parallel outermost loop is tiled along that loop into at most
    `max-chunks` pieces; the loop over the pieces is an `scf.parallel`
    (threads, after convert-scf-to-openmp) and each piece is lowered to a
    sequential `scf.for` nest. Each element of the output is written by
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

def NNFuseAdjacentElementwisePass : Pass<"nn-fuse-adjacent-elementwise", "mlir::ModuleOp"> {
  let summary = "Merge neighbouring elementwise loop nests on buffers (Adam's m, v, w updates)";
  let description = [{
    Two neighbouring `linalg.generic` ops on buffers, all loops parallel over
    the same static iteration space, every written operand and every operand
    sharing memory with one accessed at the iteration's element (identity
    maps), become one `linalg.generic` that runs the first body and then the
    second for each element. A value the second reads from the first's
    output comes from the first body directly. Adam's three updates of a
    weight matrix become one pass over memory.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def NNOptimizerPass : Pass<"nn-optimizer", "mlir::ModuleOp"> {
  let summary = "Expand the optimizer into variable updates";
  let description = [{
    For each function with an `nn.optimizer` attribute, replaces every
    gradient result (`nn.gradient = "w"`) by TensorFlow 1.x's update of w
    for sgd, momentum, adagrad or adam: the optimizer's state variables
    (`@w.adam_m`, ...) are declared, and the new values are written with
    nn.assign at the end of the step, after everything has been read.
  }];
}

def NNPlanMemoryPass : Pass<"nn-plan-memory", "mlir::ModuleOp"> {
  let summary = "Place every temporary buffer in one static arena, from liveness";
  let description = [{
    Static memory planning after bufferization. Each `memref.alloc` of a
    function body (static shape, never returned) gets an offset in one
    arena, `memref.global @nn_arena`, and becomes a `memref.view` of it:
    buffers whose live ranges (first to last op that touches them, through
    any view) do not intersect share bytes. Placement is greedy by size:
    the largest buffer first, each at the lowest free offset, 64-byte
    aligned. The functions of a module share the arena. Each view keeps its
    `nn.offset`, `nn.bytes` and `nn.live` for `nnc --emit=memory`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect"];
}

def NNSimplifyPass : Pass<"nn-simplify", "mlir::ModuleOp"> {
  let summary = "Fold what is obvious in the nn graph";
  let description = [{
    Rewrites, to a fixed point:
      log(softmax(x))          -> log_softmax(x)   (stable; gradient p - t)
      c1 op c2 (scalar consts) -> the constant      (+ - * /)
      x * 1, 1 * x, x / 1, x + 0, 0 + x, x - 0 -> x (when x has the result's type)
    then removes unused ops and merges equal ones (CSE).
  }];
}

def NNSpecializeBatchPass : Pass<"nn-specialize-batch", "mlir::ModuleOp"> {
  let summary = "Fix the batch dimension `?` to one size";
  let description = [{
    nnc compiles static shapes, as XLA and tfcompile do: each program (train,
    infer) fixes the batch. This pass replaces the dynamic first dimension of
    every function argument by `batch`, then walks each function in order and
    recomputes every result type with the op's own shape rule. Arguments and
    results that carried the batch are marked `nn.batched` for the runtime.
  }];
  let options = [
    Option<"batch", "batch", "int64_t", /*default=*/"1",
           "the size of the batch dimension">
  ];
}

def NNStateToGlobalsPass : Pass<"nn-state-to-globals", "mlir::ModuleOp"> {
  let summary = "Give variables, placeholders and outputs global storage";
  let description = [{
    The generated programs' ABI (docs/runtime.md): each `nn.variable`, each
    placeholder (function argument) and each output (function result) becomes
    a `memref.global` that the runtime finds by name in the program's table,
    and each entry function becomes `func.func @nnc_NAME()` with no arguments.
    Reads become `bufferization.to_tensor` of the global, assigns and results
    `bufferization.materialize_in_destination` into it.
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect"
  ];
}

def NNUpdateInPlacePass : Pass<"nn-update-in-place", "mlir::ModuleOp"> {
  let summary = "Remove the copies bufferization leaves around variable updates";
  let description = [{
    Runs on buffers, after one-shot bufferization. Forwards a copy whose
    destination is only read afterwards to its source (the snapshot of each
    updated variable at the top of a step), computes a value in the global
    it is finally copied to when nobody reads that global in between (the
    write-back at the bottom; an elementwise op may read the old value at
    the element it writes, so `w -= lr * g` runs in place), and turns a copy
    of a buffer holding one `linalg.fill` into a fill.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // NN_PASSES_TD
