//===- Passes.td - nnc's target-independent passes ---------*- tablegen -*-===//
//
// The passes every target uses, on the nn dialect, out of it, and on the
// buffers and the LLVM dialect of any program, sorted by flag. Each is one
// file in passes/ (the record NNFooBarPass, the flag nn-foo-bar, the file
// FooBar.cpp) with a lit test in test/passes/ (foo-bar.mlir). The CPU's own
// passes are in codegen/cpu/Passes.td.
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
    broadcasting), reductions, softmax, argmax and the losses; convolutions
    become im2col and matmuls. Reshapes, concatenation and slices become
    tensor ops. One file per family of ops in passes/NNToLinalg/. Needs
    static shapes: run `nn-specialize-batch` first. Variables are left to
    `nn-state-to-globals`.
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
    `nn.gradient = "w"`, and removes `nn.minimize`. The backward ops are
    ordinary nn ops built by each op's GradientOpInterface, located at the
    forward op they come from. Needs static shapes (run nn-specialize-batch
    first).
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
  let summary = "Turn copies between strided views (or, for the GPU, every copy) into linalg.copy";
  let description = [{
    Bufferization copies with `memref.copy`. Between contiguous buffers the
    CPU's LLVM lowering makes it a `memcpy`; between strided views (a slice
    of a concatenation, for example) it would call MLIR's C runtime, which
    the standalone programs do not link. This pass rewrites those copies as
    `linalg.copy`, which becomes plain loops. With `all-copies`, every copy
    becomes a linalg.copy: on the GPU a copy is a kernel like any other op.
  }];
  let options = [
    Option<"allCopies", "all-copies", "bool", /*default=*/"false",
           "Rewrite contiguous copies too">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
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

def NNOptimizerPass : Pass<"nn-optimizer", "mlir::ModuleOp"> {
  let summary = "Expand the optimizer into variable updates";
  let description = [{
    For each function with an `nn.optimizer` attribute, replaces every
    gradient result (`nn.gradient = "w"`) by TensorFlow 1.x's update of w
    for sgd, momentum, adagrad or adam: the optimizer's state variables
    (`@w.adam_m`, ...) are declared, and the new values are written with
    nn.assign at the end of the step, after everything has been read. The
    function's `nn.optimizer` is removed.
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
    The generated programs' ABI (support/ProgramABI.h): each `nn.variable`,
    each placeholder (function argument) and each output (function result)
    becomes a `memref.global`, recorded with an `nn.export_tensor` for the
    program table, and each public entry function becomes
    `func.func @nnc_NAME()` with no arguments, recorded with an
    `nn.export_function`. Reads become `bufferization.to_tensor` of the
    global, assigns and results `bufferization.materialize_in_destination`
    into it. Functions already recorded, and private ones, are left alone.
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
    "::nn::NNDialect"
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

def NNOrderConstantsPass : Pass<"nn-order-constants", "mlir::ModuleOp"> {
  let summary = "Name and order the constants' globals by their first use";
  let description = [{
    Runs after one-shot bufferization, which names the globals it makes for
    constant tensors (`@__constant_4xi64`, `@__constant_4xi64_0`, ...) in an
    order that changes from run to run (MLIR 19 visits a module's functions
    in the order of a map keyed by address). Renames them by first use
    (functions in module order, ops in order: each type's first gets the
    plain name, then `_0`, `_1`, ...) and puts them in that order at the top
    of the module, so that a program prints the same IR every time.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

#endif // NN_PASSES_TD
