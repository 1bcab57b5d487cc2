// RUN: nn-opt %s --split-input-file --verify-diagnostics \
// RUN:   --nn-gpu-tile-matmul="block-rows=8 block-cols=8 tile-k=4 thread-rows=2 thread-cols=2" | FileCheck %s
// A matmul C += A B (C: 20 x 12, K = 10) as one launch: blocks of 8 x 8 of C
// (a grid of 2 x 3), each of 16 threads computing 2 x 2 of C in registers;
// the sum in steps of 4 through shared tiles of A (8 x 4) and B (4 x 8), each
// thread copying 2 elements of each, zeros past the edges, between barriers.

// CHECK-LABEL: func.func @matmul
// CHECK:       gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %{{.*}}) in (%{{.*}} = %c2, %{{.*}} = %c3, %{{.*}} = %c1{{.*}}) threads(%[[TID:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c16, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) workgroup(%[[TA:.*]] : memref<8x4xf32, #gpu.address_space<workgroup>>, %[[TB:.*]] : memref<4x8xf32, #gpu.address_space<workgroup>>)
// CHECK:         %[[ACC:.*]]:4 = scf.for %[[K0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// Two elements of A's tile per thread: A[row0 + e / 4][k0 + e mod 4] or 0.
// CHECK:           %[[IN:.*]] = arith.andi
// CHECK:           scf.if %[[IN]] -> (f32) {
// CHECK:             memref.load %arg0[%{{.*}}, %{{.*}}] : memref<20x10xf32>
// CHECK:           } else {
// CHECK:             scf.yield %cst
// CHECK:           memref.store %{{.*}}, %[[TA]][%{{.*}}, %{{.*}}] : memref<8x4xf32, #gpu.address_space<workgroup>>
// CHECK:           memref.store %{{.*}}, %[[TA]]
// CHECK:           memref.load %arg1[%{{.*}}, %{{.*}}] : memref<10x12xf32>
// CHECK:           memref.store %{{.*}}, %[[TB]]
// CHECK:           memref.store %{{.*}}, %[[TB]]
// CHECK:           gpu.barrier
// CHECK:           scf.for {{.*}} iter_args
// CHECK-COUNT-2:     memref.load %[[TA]]
// CHECK-COUNT-2:     memref.load %[[TB]]
// CHECK-COUNT-4:     math.fma
// CHECK:           gpu.barrier
// C += the thread's 2 x 2, inside the edges.
// CHECK-COUNT-4:   memref.store %{{.*}}, %arg2[%{{.*}}, %{{.*}}] : memref<20x12xf32>
// CHECK:         gpu.terminator
// CHECK-NOT:   linalg.matmul
func.func @matmul(%a: memref<20x10xf32>, %b: memref<10x12xf32>, %c: memref<20x12xf32>) {
  linalg.matmul ins(%a, %b : memref<20x10xf32>, memref<10x12xf32>) outs(%c : memref<20x12xf32>)
  return
}

// -----

// The transposed forms read A[k][m] (matmul_transpose_a) and B[n][k]
// (matmul_transpose_b).
// CHECK-LABEL: func.func @transposed
// CHECK:       gpu.launch
// CHECK:         memref.load %arg0[%[[K:.*]], %[[M:.*]]] : memref<10x20xf32>
// CHECK:       gpu.launch
// CHECK:         memref.load %arg3[%[[N:.*]], %[[K2:.*]]] : memref<12x10xf32>
// CHECK-NOT:   linalg.matmul
func.func @transposed(%at: memref<10x20xf32>, %b: memref<10x12xf32>, %a: memref<20x10xf32>,
                      %bt: memref<12x10xf32>, %c: memref<20x12xf32>) {
  linalg.matmul_transpose_a ins(%at, %b : memref<10x20xf32>, memref<10x12xf32>) outs(%c : memref<20x12xf32>)
  linalg.matmul_transpose_b ins(%a, %bt : memref<20x10xf32>, memref<12x10xf32>) outs(%c : memref<20x12xf32>)
  return
}
