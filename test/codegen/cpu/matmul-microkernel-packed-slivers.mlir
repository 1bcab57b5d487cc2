// RUN: nn-opt %s --nn-matmul-microkernel="rows=2 width=8 block-rows=4 block-cols=16 block-depth=4 parallel=false" | FileCheck %s
// Rows of B a page (4 KB) or more apart fall on the same few sets of the L1
// cache and out of reach of the prefetchers: each KC x NR sliver of B
// (here 4 x 8, the block of the sum by the register tile's width) is copied
// into a contiguous buffer before the tiles that read it, one buffer per
// outer block, and the micro-kernel reads B's vectors from it.

// B is 6 x 1024: rows 4096 bytes apart.
// CHECK-LABEL: func.func @far_rows
func.func @far_rows(%a: memref<4x6xf32>, %b: memref<6x1024xf32>, %c: memref<4x1024xf32>) {
  // Blocks of columns; in each, its buffer, then blocks of the sum (kc)
  // and of rows, and the slivers (j).
  // CHECK:     scf.for %[[JC:.*]] = %c0 to %c1024 step %c16 {
  // CHECK-NEXT:  %[[SLIVER:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4x8xf32>
  // CHECK-NEXT:  scf.for %[[KC:.*]] = %c0 to %c6 step %c4 {
  // CHECK:           scf.for %[[J:.*]] = %[[JC]] to %{{.*}} step %c8 {
  // The copy: sliver[k - kc, :] = B[k, j : j+8].
  // CHECK-NEXT:        scf.for %[[K:.*]] = %[[KC]] to %{{.*}} step %c1 {
  // CHECK-NEXT:          %[[ROW:.*]] = vector.load %arg1[%[[K]], %[[J]]] : memref<6x1024xf32>, vector<8xf32>
  // CHECK-NEXT:          %[[AT:.*]] = arith.subi %[[K]], %[[KC]] : index
  // CHECK-NEXT:          vector.store %[[ROW]], %[[SLIVER]][%[[AT]], %c0] : memref<4x8xf32>, vector<8xf32>
  // The tiles of the sliver read it, not B.
  // CHECK:             scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c2 {
  // CHECK:               scf.for %[[K2:.*]] = %[[KC]] to %{{.*}} step %c1 iter_args
  // CHECK-NEXT:            %[[K2AT:.*]] = arith.subi %[[K2]], %[[KC]] : index
  // CHECK-NEXT:            %[[COL:.*]] = arith.subi %[[J]], %[[J]] : index
  // CHECK-NEXT:            vector.load %[[SLIVER]][%[[K2AT]], %[[COL]]] : memref<4x8xf32>, vector<8xf32>
  // CHECK-NOT:             vector.load %arg1
  // CHECK:       memref.dealloc %[[SLIVER]] : memref<4x8xf32>
  linalg.matmul ins(%a, %b : memref<4x6xf32>, memref<6x1024xf32>) outs(%c : memref<4x1024xf32>)
  return
}

// B is 6 x 1000: rows 4000 bytes apart, within a page: read in place.
// CHECK-LABEL: func.func @near_rows
// CHECK-NOT:   memref.alloc
// CHECK:       vector.load %arg1[%{{.*}}, %{{.*}}] : memref<6x1000xf32>, vector<8xf32>
// CHECK-NOT:   memref.alloc
// CHECK:       return
func.func @near_rows(%a: memref<4x6xf32>, %b: memref<6x1000xf32>, %c: memref<4x1000xf32>) {
  linalg.matmul ins(%a, %b : memref<4x6xf32>, memref<6x1000xf32>) outs(%c : memref<4x1000xf32>)
  return
}
