// RUN: nn-opt %s --split-input-file --nn-gpu-batch-gather-kernel | FileCheck %s
// RUN: nn-opt %s --split-input-file --nn-gpu-batch-gather-kernel --nn-gpu-batch-gather-kernel \
// RUN:   | FileCheck %s --check-prefix=TWICE
// The kernel the runtime launches to gather a batch joins the program's
// kernels in @nnc_kernels: thread k (blockIdx.x * blockDim.x + threadIdx.x)
// copies float k of the batch, dst[k] = src[items[k / row] * row + k mod row]
// (row = %arg3 floats an item), 0 when the item number is negative (a row
// past the end of the data); threads past %arg4 floats do nothing.

// CHECK:       gpu.module @nnc_kernels {
// CHECK:         gpu.func @nnc_train_step_kernel
// CHECK:         gpu.func @nnc_gather_rows(%[[DST:.*]]: !llvm.ptr, %[[SRC:.*]]: !llvm.ptr, %[[ITEMS:.*]]: !llvm.ptr, %[[ROW:.*]]: i64, %[[TOTAL:.*]]: i64) kernel {
// CHECK-DAG:       %[[TID:.*]] = gpu.thread_id x
// CHECK-DAG:       %[[BDIM:.*]] = gpu.block_dim x
// CHECK-DAG:       %[[BID:.*]] = gpu.block_id x
// CHECK:           %[[K:.*]] = arith.addi
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[K]], %[[TOTAL]] : i64
// CHECK:           scf.if %[[IN]] {
// CHECK:             %[[R:.*]] = arith.divui %[[K]], %[[ROW]] : i64
// CHECK:             %[[J:.*]] = arith.remui %[[K]], %[[ROW]] : i64
// CHECK:             %[[P:.*]] = llvm.getelementptr %[[ITEMS]][%[[R]]] : (!llvm.ptr, i64) -> !llvm.ptr, i64
// CHECK:             %[[ITEM:.*]] = llvm.load %[[P]] : !llvm.ptr -> i64
// CHECK:             %[[PRESENT:.*]] = arith.cmpi sge, %[[ITEM]], %{{.*}} : i64
// CHECK:             %[[V:.*]] = scf.if %[[PRESENT]] -> (f32) {
// CHECK:               %[[BASE:.*]] = arith.muli %[[ITEM]], %[[ROW]] : i64
// CHECK:               %[[AT:.*]] = arith.addi %[[BASE]], %[[J]] : i64
// CHECK:               %[[Q:.*]] = llvm.getelementptr %[[SRC]][%[[AT]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK:               llvm.load %[[Q]] : !llvm.ptr -> f32
// CHECK:             } else {
// CHECK:               scf.yield %{{.*}} : f32
// CHECK:             %[[OUT:.*]] = llvm.getelementptr %[[DST]][%[[K]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK:             llvm.store %[[V]], %[[OUT]] : f32, !llvm.ptr
// CHECK:           gpu.return
// Once only: the pass may run again (nnc re-entering at the kernels stage).
// TWICE:     gpu.func @nnc_gather_rows
// TWICE-NOT: gpu.func @nnc_gather_rows
// TWICE:     // -----
module attributes {gpu.container_module} {
  gpu.module @nnc_kernels {
    gpu.func @nnc_train_step_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// A program without kernels of its own gets @nnc_kernels for this one.
// CHECK:       gpu.module @nnc_kernels {
// CHECK-NEXT:    gpu.func @nnc_gather_rows
module attributes {gpu.container_module} {
}
