// RUN: nn-opt %s --split-input-file --verify-diagnostics \
// RUN:   --nn-gpu-tile-matmul="block-rows=8 block-cols=8 tile-k=4 thread-rows=2 thread-cols=2" | FileCheck %s
// RUN: nn-opt %s --split-input-file \
// RUN:   --nn-gpu-tile-matmul="block-rows=8 block-cols=8 tile-k=8 thread-rows=2 thread-cols=2" \
// RUN:   | FileCheck %s --check-prefix=VEC
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

// -----

// Vectorised copies (the VEC run: tiles of 8 x 8 and K in steps of 8, so
// that each of the 16 threads copies 4 floats of each tile): A (32 x 16)
// and B live in device buffers (globals, and views of the arena at a multiple
// of 16 bytes), their rows are whole numbers of 4-float vectors, so each
// thread loads one vector<4xf32> of each tile per step, after telling LLVM
// that the rows are 16-byte aligned. A vector lies wholly inside or wholly
// past an edge: one bounds check each. Along A's rows the vector goes into a
// row of the shared tile; transposed B (stored N x K) is read along its rows
// (K) and written down a column of the tile, 4 stores.
memref.global "private" @a : memref<32x16xf32> = uninitialized {alignment = 64 : i64}
memref.global "private" @bt : memref<32x16xf32> = uninitialized {alignment = 64 : i64}
memref.global "private" @arena : memref<4096xi8> = uninitialized {alignment = 64 : i64}
// VEC-LABEL: func.func @vectorised
// VEC:       gpu.launch {{.*}} workgroup(%[[TA:.*]] : memref<8x8xf32, #gpu.address_space<workgroup>>, %[[TB:.*]] : memref<8x8xf32, #gpu.address_space<workgroup>>)
// VEC:         scf.for
// VEC:           memref.assume_alignment %[[A:.*]], 16 : memref<32x16xf32>
// VEC:           scf.if %{{.*}} -> (vector<4xf32>) {
// VEC:             vector.load %[[A]][%{{.*}}, %{{.*}}] : memref<32x16xf32>, vector<4xf32>
// VEC:           } else {
// VEC:             scf.yield %cst{{.*}} : vector<4xf32>
// VEC:           vector.store %{{.*}}, %[[TA]][%{{.*}}, %{{.*}}] : memref<8x8xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// VEC:           memref.assume_alignment %[[B:.*]], 16 : memref<32x16xf32>
// VEC:           vector.load %[[B]]
// VEC-COUNT-4:   memref.store %{{.*}}, %[[TB]]
// VEC:           gpu.barrier
// A view that starts 4 bytes into the arena is not aligned: scalar copies.
// VEC-LABEL: func.func @unaligned
// VEC-NOT:   vector.load
// VEC:       memref.load %{{.*}} : memref<32x16xf32>
// VEC-NOT:   vector.load
func.func @vectorised() {
  %a = memref.get_global @a : memref<32x16xf32>
  %bt = memref.get_global @bt : memref<32x16xf32>
  %arena = memref.get_global @arena : memref<4096xi8>
  %c0 = arith.constant 0 : index
  %c = memref.view %arena[%c0][] : memref<4096xi8> to memref<32x32xf32>
  linalg.matmul_transpose_b ins(%a, %bt : memref<32x16xf32>, memref<32x16xf32>) outs(%c : memref<32x32xf32>)
  return
}
func.func @unaligned() {
  %arena = memref.get_global @arena : memref<4096xi8>
  %c4 = arith.constant 4 : index
  %c2052 = arith.constant 2052 : index
  %c0 = arith.constant 0 : index
  %a = memref.view %arena[%c4][] : memref<4096xi8> to memref<32x16xf32>
  %b = memref.view %arena[%c2052][] : memref<4096xi8> to memref<16x16xf32>
  %c = memref.view %arena[%c0][] : memref<4096xi8> to memref<32x16xf32>
  linalg.matmul ins(%a, %b : memref<32x16xf32>, memref<16x16xf32>) outs(%c : memref<32x16xf32>)
  return
}
