// RUN: nn-opt %s --nn-parallelize-loops=min-iterations=4096 | FileCheck %s
// nn-parallelize-loops splits the outermost parallel loop of a large linalg
// op into at most 64 pieces, an scf.parallel over the pieces, each piece a
// sequential loop nest.

#map2 = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (j)>
#col = affine_map<(i, j) -> (i)>
#lead = affine_map<(i, j) -> (j)>

// 128 x 64 = 8192 points: the 128 rows become 64 pieces of 2 rows.
// CHECK-LABEL: func.func @elementwise
// CHECK:         %[[C128:.*]] = arith.constant 128 : index
// CHECK-NEXT:    %[[C2:.*]] = arith.constant 2 : index
// CHECK-NEXT:    scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[C128]]) step (%[[C2]]) {
// CHECK:           %[[A:.*]] = memref.subview %arg0[%[[I]], 0] [2, 64] [1, 1]
// CHECK:           %[[OUT:.*]] = memref.subview %arg2[%[[I]], 0] [2, 64] [1, 1]
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               memref.load %arg1
// CHECK:               arith.addf
// CHECK:               memref.store %{{.*}}, %[[OUT]]
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @elementwise(%a: memref<128x64xf32>, %b: memref<64xf32>, %out: memref<128x64xf32>) {
  linalg.generic {indexing_maps = [#map2, #row, #map2], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : memref<128x64xf32>, memref<64xf32>) outs(%out : memref<128x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  return
}

// A row sum: the rows are split, each row's sum stays whole in one piece, so
// the result does not depend on the number of threads. 100 rows: 50 pieces
// of 2 (the smallest divisor of 100 that leaves at most 64 pieces).
// CHECK-LABEL: func.func @row_sums
// CHECK:         %[[C100:.*]] = arith.constant 100 : index
// CHECK-NEXT:    %[[C2:.*]] = arith.constant 2 : index
// CHECK-NEXT:    scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[C100]]) step (%[[C2]]) {
// CHECK:           memref.subview %arg1[%[[I]]] [2] [1]
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               arith.addf
func.func @row_sums(%a: memref<100x64xf32>, %sums: memref<100xf32>) {
  linalg.generic {indexing_maps = [#map2, #col], iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<100x64xf32>) outs(%sums : memref<100xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// A column sum (a bias gradient: the outermost loop is the sum over the
// batch): the parallel loop over columns is split instead, in pieces of 16
// columns (one 64-byte cache line of each row), and each piece sums its
// columns down all 128 rows in order, as one thread would.
// CHECK-LABEL: func.func @column_sums
// CHECK:         %[[C64:.*]] = arith.constant 64 : index
// CHECK-NEXT:    %[[C16:.*]] = arith.constant 16 : index
// CHECK-NEXT:    scf.parallel (%[[J:.*]]) = (%{{.*}}) to (%[[C64]]) step (%[[C16]]) {
// CHECK:           memref.subview %arg0[0, %[[J]]] [128, 16] [1, 1]
// CHECK:           memref.subview %arg1[%[[J]]] [16] [1]
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c128
// CHECK:             scf.for %{{.*}} = %{{.*}} to %c16
// CHECK:               arith.addf
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @column_sums(%a: memref<128x64xf32>, %sums: memref<64xf32>) {
  linalg.generic {indexing_maps = [#map2, #lead], iterator_types = ["reduction", "parallel"]}
      ins(%a : memref<128x64xf32>) outs(%sums : memref<64xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// Left whole: a column sum of 16 columns (one cache line: two pieces would
// share every line), and an op too small to pay for waking the threads.
// CHECK-LABEL: func.func @left_whole
// CHECK-NOT:     scf.parallel
// CHECK:         linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]
// CHECK:         linalg.generic {{.*}}ins(%arg2 : memref<16x16xf32>)
// CHECK-NOT:     scf.parallel
// CHECK:         return
func.func @left_whole(%a: memref<512x16xf32>, %sums: memref<16xf32>, %small: memref<16x16xf32>) {
  linalg.generic {indexing_maps = [#map2, #lead], iterator_types = ["reduction", "parallel"]}
      ins(%a : memref<512x16xf32>) outs(%sums : memref<16xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel", "parallel"]}
      ins(%small : memref<16x16xf32>) outs(%small : memref<16x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %x : f32
    linalg.yield %s : f32
  }
  return
}

// Left whole: an op that reads an operand backwards along the outermost loop
// (the flipped filter of conv2d's input gradient, w[4 - a, 4 - b, c, o]).
// Tiling computes a piece's slice from its first and last iteration, which is
// wrong for a reversed index: split, each piece read out of bounds.
#flip = affine_map<(a, b, o, c) -> (4 - a, 4 - b, c, o)>
#id4 = affine_map<(a, b, o, c) -> (a, b, o, c)>
// CHECK-LABEL: func.func @reversed_index
// CHECK-NOT:     scf.parallel
// CHECK:         linalg.generic
// CHECK-NOT:     scf.parallel
// CHECK:         return
func.func @reversed_index(%w: memref<5x5x32x64xf32>, %flipped: memref<5x5x64x32xf32>) {
  linalg.generic {indexing_maps = [#flip, #id4],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%w : memref<5x5x32x64xf32>) outs(%flipped : memref<5x5x64x32xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  return
}
