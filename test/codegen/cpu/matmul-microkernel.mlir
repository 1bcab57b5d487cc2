// RUN: nn-opt %s --nn-matmul-microkernel="rows=2 width=8 block-rows=4 block-cols=16 block-depth=4 thread-chunks=2" | FileCheck %s
// RUN: nn-opt %s --nn-matmul-microkernel="rows=2 width=8 block-rows=4 block-cols=16 block-depth=4 thread-chunks=2" | FileCheck %s --check-prefix=PAR
// RUN: nn-opt %s --nn-matmul-microkernel="parallel=false" | FileCheck %s --check-prefix=SERIAL
// RUN: nn-opt %s --nn-matmul-microkernel="rows=2 width=8 block-rows=4 block-cols=16 block-depth=4 parallel=false" --convert-scf-to-cf --convert-vector-to-llvm --finalize-memref-to-llvm --convert-arith-to-llvm --convert-func-to-llvm --reconcile-unrealized-casts | FileCheck %s --check-prefix=LLVM
// A 5x20 += 5x6 * 6x20 matmul with a 2x8 register tile: the blocked loop nest
// over rows [0, 4) and columns [0, 16), then the fifth row (5 mod 2 = 1) and
// the last 4 columns (20 mod 8) with narrower kernels. Each kernel keeps its
// tile of C in vectors across the loop over k.

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: memref<5x6xf32>, %b: memref<6x20xf32>, %c: memref<5x20xf32>) {
  // Blocks of rows (2 here, so that two threads get one each) in parallel,
  // then columns (16) and the sum (4) ...
  // CHECK: scf.parallel (%[[IC:.*]]) = (%c0) to (%c4) step (%c2)
  // CHECK:   scf.for %[[JC:.*]] = %c0 to %c16 step %c16
  // CHECK:     scf.for %[[KC:.*]] = %c0 to %c6 step %c4
  // CHECK:       %[[KEND:.*]] = arith.minsi
  // CHECK:       scf.for %[[J:.*]] = %[[JC]] to %{{.*}} step %c8
  // CHECK:         scf.for %[[I:.*]] = %[[IC]] to %{{.*}} step %c2
  // CHECK:           %[[C0:.*]] = vector.load %{{.*}}[%[[I]], %[[J]]] : memref<5x20xf32>, vector<8xf32>
  // CHECK:           %[[C1:.*]] = vector.load %{{.*}}[%{{.*}}, %[[J]]] : memref<5x20xf32>, vector<8xf32>
  // CHECK:           %[[ACC:.*]]:2 = scf.for %[[K:.*]] = %[[KC]] to %[[KEND]] step %c1 iter_args(%[[X:.*]] = %[[C0]], %[[Y:.*]] = %[[C1]])
  // CHECK:             %[[BROW:.*]] = vector.load %{{.*}}[%[[K]], %[[J]]] : memref<6x20xf32>, vector<8xf32>
  // CHECK:             %[[A0:.*]] = memref.load %{{.*}}[%[[I]], %[[K]]] : memref<5x6xf32>
  // CHECK:             %[[A0V:.*]] = vector.broadcast %[[A0]] : f32 to vector<8xf32>
  // CHECK:             vector.fma %[[A0V]], %[[BROW]], %[[X]] : vector<8xf32>
  // CHECK:             vector.fma %{{.*}}, %[[BROW]], %[[Y]] : vector<8xf32>
  // CHECK:           vector.store %[[ACC]]#0, %{{.*}}[%[[I]], %[[J]]] : memref<5x20xf32>, vector<8xf32>
  // The fifth row: a one-row kernel over the whole sum.
  // CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8
  // CHECK:   scf.for %{{.*}} = %c0 to %c6 step %c1 iter_args(%{{.*}}) -> (vector<8xf32>)
  // The last 4 columns: vector<4xf32>, two rows, then the corner.
  // CHECK: scf.for %{{.*}} = %c0 to %c4 step %c2
  // CHECK:   iter_args(%{{.*}}, %{{.*}}) -> (vector<4xf32>, vector<4xf32>)
  // CHECK: iter_args(%{{.*}}) -> (vector<4xf32>)
  // CHECK-NOT: linalg.matmul
  // The threads share the row blocks: the outermost loop is parallel.
  // PAR: scf.parallel (%{{.*}}) = (%c0) to (%c4) step (%c2)
  // SERIAL-NOT: scf.parallel
  // LLVM: llvm.intr.fmuladd({{.*}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
  linalg.matmul ins(%a, %b : memref<5x6xf32>, memref<6x20xf32>) outs(%c : memref<5x20xf32>)
  return
}

// A^T B reads A down its columns: A is [K, M] = [6, 5].
// CHECK-LABEL: func.func @matmul_transpose_a
func.func @matmul_transpose_a(%a: memref<6x5xf32>, %b: memref<6x20xf32>, %c: memref<5x20xf32>) {
  // CHECK: scf.for %[[K:.*]] = {{.*}} iter_args
  // CHECK:   memref.load %{{.*}}[%[[K]], %{{.*}}] : memref<6x5xf32>
  // CHECK-NOT: linalg.matmul_transpose_a
  linalg.matmul_transpose_a ins(%a, %b : memref<6x5xf32>, memref<6x20xf32>) outs(%c : memref<5x20xf32>)
  return
}

// A B^T (g x w^T in a backward pass): rows of A and of B both run along k,
// so each element of C is a dot product: D x D vectors of partial sums along
// k (D = 3 and 4-wide vectors for an 8-wide tile), then one reduction each;
// the last 37 mod 4 = 1 step is scalar.
// CHECK-LABEL: func.func @matmul_transpose_b
func.func @matmul_transpose_b(%a: memref<5x37xf32>, %b: memref<7x37xf32>, %c: memref<5x7xf32>) {
  // CHECK: scf.for %[[K:.*]] = %c0 to %c36 step %c4 iter_args
  // CHECK:   vector.load %{{.*}}[%{{.*}}, %[[K]]] : memref<5x37xf32>, vector<4xf32>
  // CHECK:   vector.load %{{.*}}[%{{.*}}, %[[K]]] : memref<7x37xf32>, vector<4xf32>
  // CHECK-COUNT-9: vector.fma
  // CHECK: vector.reduction <add>, %{{.*}} : vector<4xf32> into f32
  // CHECK: scf.for %{{.*}} = %c36 to %c37 step %c1 iter_args
  // CHECK-NOT: linalg.matmul_transpose_b
  linalg.matmul_transpose_b ins(%a, %b : memref<5x37xf32>, memref<7x37xf32>) outs(%c : memref<5x7xf32>)
  return
}

// A B^T with a short sum (K = 3, at most one block of the sum, KC = 4): an
// output layer's input gradient, g w^T with 10 classes. The dot products
// would be shorter than a vector, so B^T is copied into a [K, N] panel and
// the plain kernel runs on it, from zeros (the fill goes); the panel is
// freed after.
// CHECK-LABEL: func.func @matmul_transpose_b_short_sum
func.func @matmul_transpose_b_short_sum(%a: memref<5x3xf32>, %b: memref<20x3xf32>, %c: memref<5x20xf32>) {
  // CHECK-NOT: linalg.fill
  // CHECK: %[[PANEL:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x20xf32>
  // CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step
  // CHECK:   scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step
  // CHECK:     %[[X:.*]] = memref.load %{{.*}}[%[[J]], %[[K]]] : memref<20x3xf32>
  // CHECK:     memref.store %[[X]], %[[PANEL]][%[[K]], %[[J]]] : memref<3x20xf32>
  // CHECK: scf.parallel
  // CHECK:   vector.load %[[PANEL]][%{{.*}}, %{{.*}}] : memref<3x20xf32>, vector<8xf32>
  // CHECK: memref.dealloc %[[PANEL]] : memref<3x20xf32>
  // CHECK-NOT: linalg.matmul_transpose_b
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<5x20xf32>)
  linalg.matmul_transpose_b ins(%a, %b : memref<5x3xf32>, memref<20x3xf32>) outs(%c : memref<5x20xf32>)
  return
}

// N = 6 columns, fewer than the tile's 8 (an output layer of 10 classes
// with a 16- or 32-wide tile): the whole matmul is the narrow kernel, its
// rows shared by the threads (2 rows a block, 2 blocks). A row of 6 is held
// as a whole vector of the CPU's width (4 = 8 / 2) and one of the rest (2),
// never as one vector<6xf32> that would straddle two registers.
// CHECK-LABEL: func.func @matmul_narrow
func.func @matmul_narrow(%a: memref<5x3xf32>, %b: memref<3x6xf32>, %c: memref<5x6xf32>) {
  // CHECK: scf.parallel (%[[IC:.*]]) = (%c0) to (%c4) step (%c2)
  // CHECK:   scf.for %[[I:.*]] = %[[IC]] to %{{.*}} step %c2
  // CHECK:     iter_args({{.*}}) -> (vector<4xf32>, vector<2xf32>, vector<4xf32>, vector<2xf32>)
  // CHECK:       vector.load %{{.*}}[%{{.*}}, %c0] : memref<3x6xf32>, vector<4xf32>
  // CHECK:       vector.load %{{.*}}[%{{.*}}, %c4] : memref<3x6xf32>, vector<2xf32>
  // CHECK-COUNT-4: vector.fma
  // CHECK:   scf.reduce
  // The fifth row, after the parallel part.
  // CHECK: iter_args({{.*}}) -> (vector<4xf32>, vector<2xf32>)
  // CHECK-NOT: vector<6xf32>
  linalg.matmul ins(%a, %b : memref<5x3xf32>, memref<3x6xf32>) outs(%c : memref<5x6xf32>)
  return
}

// C = A B as the pipeline writes it, a fill of zeros and then C += A B: the
// fill goes, and the kernels start from zero vectors instead of loading C:
// under scf.if for the first block of the sum (k from 0 to 4 of 6), and
// directly for the fifth row and the last columns, which run the whole sum.
// CHECK-LABEL: func.func @matmul_from_zeros
func.func @matmul_from_zeros(%a: memref<5x6xf32>, %b: memref<6x20xf32>, %c: memref<5x20xf32>) {
  // CHECK-NOT: linalg.fill
  // CHECK: scf.for %[[KC:.*]] = %c0 to %c6 step %c4
  // CHECK:   %[[FIRST:.*]] = arith.cmpi eq, %[[KC]], %c0 : index
  // CHECK:   scf.if %[[FIRST]] -> (vector<8xf32>, vector<8xf32>) {
  // CHECK:     %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<8xf32>
  // CHECK:     scf.yield %[[ZERO]], %[[ZERO]]
  // CHECK:   } else {
  // CHECK:     vector.load %{{.*}} : memref<5x20xf32>, vector<8xf32>
  // CHECK:     vector.load %{{.*}} : memref<5x20xf32>, vector<8xf32>
  // CHECK:     scf.yield
  // The fifth row: zeros, no load of C before its sum.
  // CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8
  // CHECK-NEXT: %[[Z:.*]] = arith.constant dense<0.000000e+00> : vector<8xf32>
  // CHECK-NEXT: scf.for %{{.*}} = %c0 to %c6 step %c1 iter_args(%{{.*}} = %[[Z]]) -> (vector<8xf32>)
  // CHECK-NOT: linalg.fill
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<5x20xf32>)
  linalg.matmul ins(%a, %b : memref<5x6xf32>, memref<6x20xf32>) outs(%c : memref<5x20xf32>)
  return
}

// A fill of another value is a real initial C (C = 1 + A B): kept, and C loaded.
// CHECK-LABEL: func.func @matmul_from_ones
// CHECK: linalg.fill
// CHECK-NOT: scf.if
// CHECK: vector.load %{{.*}} : memref<5x20xf32>, vector<8xf32>
func.func @matmul_from_ones(%a: memref<5x6xf32>, %b: memref<6x20xf32>, %c: memref<5x20xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%c : memref<5x20xf32>)
  linalg.matmul ins(%a, %b : memref<5x6xf32>, memref<6x20xf32>) outs(%c : memref<5x20xf32>)
  return
}

// Wider than tall (2 tiles of rows, 8 of columns): threads split the columns,
// and each also computes the leftover fifth row of its columns, inside the
// parallel loop, instead of one thread taking that row for all 64 columns
// after it.
// PAR-LABEL: func.func @matmul_wide
// PAR: scf.parallel (%[[JC:.*]]) = (%c0) to (%c64) step (%c16) {
// PAR:   vector.store %{{.*}}, %arg2[%{{.*}}, %{{.*}}] : memref<5x64xf32>, vector<8xf32>
// PAR:   %[[JEND:.*]] = arith.minsi %{{.*}}, %c64 : index
// PAR:   scf.for %[[J:.*]] = %[[JC]] to %[[JEND]] step %c8 {
// PAR:     vector.store %{{.*}}, %arg2[%c4, %[[J]]] : memref<5x64xf32>, vector<8xf32>
// PAR:   scf.reduce
// PAR-NOT: vector.store
// PAR: return
func.func @matmul_wide(%a: memref<5x6xf32>, %b: memref<6x64xf32>, %c: memref<5x64xf32>) {
  linalg.matmul ins(%a, %b : memref<5x6xf32>, memref<6x64xf32>) outs(%c : memref<5x64xf32>)
  return
}

// One row (an inference at batch 1), fewer than the tile's 2: the second
// row's registers hold 8 more columns, so each step of the sum reads 16
// contiguous floats of a row of B; threads share the 16-wide slivers, and
// the last 8 columns (40 mod 16) are one sliver of the tile's width.
// PAR-LABEL: func.func @matvec
// PAR: scf.parallel (%[[J:.*]]) = (%c0) to (%c32) step (%c16) {
// PAR:   %[[J8:.*]] = arith.addi %[[J]], %c8 : index
// PAR:   scf.for %[[K:.*]] = %c0 to %c6 step %c1 iter_args
// PAR:     vector.load %arg1[%[[K]], %[[J]]] : memref<6x40xf32>, vector<8xf32>
// PAR:     vector.load %arg1[%[[K]], %[[J8]]] : memref<6x40xf32>, vector<8xf32>
// PAR:     vector.fma
// PAR:     vector.fma
// PAR:   vector.store %{{.*}}, %arg2[%c0, %[[J]]] : memref<1x40xf32>, vector<8xf32>
// PAR:   vector.store %{{.*}}, %arg2[%c0, %[[J8]]] : memref<1x40xf32>, vector<8xf32>
// PAR:   scf.reduce
// PAR: scf.for %[[K2:.*]] = %c0 to %c6 step %c1 iter_args
// PAR:   vector.load %arg1[%[[K2]], %c32] : memref<6x40xf32>, vector<8xf32>
// PAR: vector.store %{{.*}}, %arg2[%c0, %c32] : memref<1x40xf32>, vector<8xf32>
func.func @matvec(%a: memref<1x6xf32>, %b: memref<6x40xf32>, %c: memref<1x40xf32>) {
  linalg.matmul ins(%a, %b : memref<1x6xf32>, memref<6x40xf32>) outs(%c : memref<1x40xf32>)
  return
}
