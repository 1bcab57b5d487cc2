// RUN: nn-opt %s --split-input-file --nn-gpu-block-reductions --canonicalize | FileCheck %s
// RUN: nn-opt %s --split-input-file --nn-gpu-block-reductions=max-threads=64 \
// RUN:   | FileCheck %s --check-prefix=SMALL
// RUN: not nn-opt %s --split-input-file --nn-gpu-block-reductions=max-threads=48 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD
// BAD: nn-gpu-block-reductions: max-threads must be a power of two

#rows = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// Softmax's row max of a 100 x 10 matrix: along rows, 16 lanes per row (10
// rounded up), 16 rows per block of 256 threads, 7 blocks. Each lane folds
// columns lane, lane + 16, ... from -inf; then 4 tree levels (8, 4, 2, 1
// lanes on), a barrier before each; lane 0 folds the result into out[row].

// CHECK-LABEL: func.func @row_max
// CHECK:       %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:       gpu.launch blocks({{.*}}) in ({{.*}} = %c7, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}) threads(%[[TID:[^,]*]], {{.*}}) in ({{.*}} = %c256, {{.*}}) workgroup(%[[SLOTS:.*]] : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK:         %[[LANE:.*]] = arith.remui %[[TID]], %c16
// CHECK:         %[[GROUP:.*]] = arith.divui %[[TID]], %c16
// CHECK:         %[[BASE:.*]] = arith.muli %{{.*}}, %c16
// CHECK:         %[[ROW:.*]] = arith.addi %[[BASE]], %[[GROUP]]
// CHECK:         %[[ISROW:.*]] = arith.cmpi ult, %[[ROW]], %c100
// CHECK:         %[[PARTIAL:.*]] = scf.if %[[ISROW]] -> (f32) {
// CHECK:           scf.for %[[COL:.*]] = %[[LANE]] to %c10 step %c16 iter_args(%[[ACC:.*]] = %[[NEGINF]])
// CHECK:             %[[X:.*]] = memref.load %arg0[%{{.*}}, %[[COL]]] : memref<100x10xf32>
// CHECK:             arith.maximumf %[[ACC]], %[[X]]
// CHECK:         } else {
// CHECK:           scf.yield %[[NEGINF]]
// CHECK:         memref.store %[[PARTIAL]], %[[SLOTS]][%[[TID]]]
// CHECK-NEXT:    gpu.barrier
// CHECK:         arith.cmpi ult, %[[LANE]], %c8
// CHECK:           arith.addi %[[TID]], %c8
// CHECK:           arith.maximumf
// CHECK:         gpu.barrier
// CHECK:         arith.cmpi ult, %[[LANE]], %c4
// CHECK:         gpu.barrier
// CHECK:         arith.cmpi ult, %[[LANE]], %c2
// CHECK:         gpu.barrier
// CHECK:         arith.cmpi ult, %[[LANE]], %c1
// CHECK-NOT:     gpu.barrier
// CHECK:         %[[FIRST:.*]] = arith.cmpi eq, %[[LANE]], %c0
// CHECK:         %[[WRITE:.*]] = arith.andi %[[FIRST]], %[[ISROW]]
// CHECK:         scf.if %[[WRITE]] {
// CHECK:           %[[OLD:.*]] = memref.load %arg1[%{{.*}}] : memref<100xf32>
// CHECK:           %[[ALL:.*]] = memref.load %[[SLOTS]][%[[TID]]]
// CHECK:           %[[NEW:.*]] = arith.maximumf %[[OLD]], %[[ALL]]
// CHECK:           memref.store %[[NEW]], %arg1[%{{.*}}] : memref<100xf32>
// CHECK:         gpu.terminator
// CHECK-NOT:   linalg.generic
// With at most 64 threads a block: 16 lanes, 4 rows, 25 blocks.
// SMALL-LABEL: func.func @row_max
// SMALL:       gpu.launch blocks({{.*}}) in ({{.*}} = %c25, {{.*}}) threads({{.*}}) in ({{.*}} = %c64, {{.*}}) workgroup({{.*}} : memref<64xf32, #gpu.address_space<workgroup>>)
func.func @row_max(%x: memref<100x10xf32>, %out: memref<100xf32>) {
  linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<100x10xf32>) outs(%out : memref<100xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %m = arith.maximumf %acc, %in : f32
    linalg.yield %m : f32
  }
  return
}

// -----

#rows = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>

// A bias gradient, the column sums of 100 x 1024: across columns, 32
// consecutive columns fastest, 8 lanes over the rows (rows lane, lane + 8,
// ...), 32 blocks; lanes are 32 slots apart, so the tree steps by 4 * 32,
// 2 * 32, 32.

// CHECK-LABEL: func.func @column_sums
// CHECK:       gpu.launch blocks({{.*}}) in ({{.*}} = %c32{{.*}}, {{.*}}) threads(%[[TID:[^,]*]], {{.*}}) in ({{.*}} = %c256, {{.*}}) workgroup(%[[SLOTS:.*]] : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK-DAG:     %[[LANE:.*]] = arith.divui %[[TID]], %c32
// CHECK-DAG:     %[[GROUP:.*]] = arith.remui %[[TID]], %c32
// CHECK:         scf.for %[[ROW:.*]] = %[[LANE]] to %c100 step %c8 iter_args(%[[ACC:.*]] = %cst)
// CHECK:           %[[X:.*]] = memref.load %arg0[%[[ROW]], %{{.*}}] : memref<100x1024xf32>
// CHECK:           arith.addf %[[ACC]], %[[X]]
// CHECK:         gpu.barrier
// CHECK:         arith.cmpi ult, %[[LANE]], %c4
// CHECK:           arith.addi %[[TID]], %c128
// CHECK:         gpu.barrier
// CHECK:         arith.cmpi ult, %[[LANE]], %c2
// CHECK:           arith.addi %[[TID]], %c64
// CHECK:         gpu.barrier
// CHECK:         arith.cmpi ult, %[[LANE]], %c1
// CHECK:           arith.addi %[[TID]], %c32
// CHECK:         memref.store %{{.*}}, %arg1[%{{.*}}] : memref<1024xf32>
func.func @column_sums(%x: memref<100x1024xf32>, %out: memref<1024xf32>) {
  linalg.generic {indexing_maps = [#rows, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<100x1024xf32>) outs(%out : memref<1024xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#rows = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#all = affine_map<(d0, d1) -> ()>

// The cross-entropy loss, a sum over both axes into one value: one block of
// 256 lanes; each lane's element r is (r / 10, r mod 10), and the body,
// t * (log-sum-exp - logit), is computed per element before the sum.

// CHECK-LABEL: func.func @loss
// CHECK:       gpu.launch blocks({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}}) threads(%[[TID:[^,]*]], {{.*}}) in ({{.*}} = %c256, {{.*}}) workgroup(%[[SLOTS:.*]] : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK:         scf.for %[[R:.*]] = %{{.*}} to %c1000 step %c256 iter_args(%[[ACC:.*]] = %cst)
// CHECK-DAG:       %[[I:.*]] = arith.divui %[[R]], %c10
// CHECK-DAG:       %[[J:.*]] = arith.remui %[[R]], %c10
// CHECK-DAG:       memref.load %arg0[%[[I]], %[[J]]] : memref<100x10xf32>
// CHECK-DAG:       memref.load %arg1[%[[I]], %[[J]]] : memref<100x10xf32>
// CHECK-DAG:       memref.load %arg2[%[[I]]] : memref<100xf32>
// CHECK:           arith.subf
// CHECK:           arith.mulf
// CHECK:           arith.addf %[[ACC]]
// CHECK-COUNT-8: gpu.barrier
// CHECK-NOT:     gpu.barrier
// CHECK:         memref.store %{{.*}}, %arg3[] : memref<f32>
func.func @loss(%logits: memref<100x10xf32>, %t: memref<100x10xf32>, %lse: memref<100xf32>,
                %out: memref<f32>) {
  linalg.generic {indexing_maps = [#rows, #rows, #row, #all],
                  iterator_types = ["reduction", "reduction"]}
      ins(%logits, %t, %lse : memref<100x10xf32>, memref<100x10xf32>, memref<100xf32>)
      outs(%out : memref<f32>) {
  ^bb0(%l: f32, %tt: f32, %s: f32, %acc: f32):
    %d = arith.subf %s, %l : f32
    %p = arith.mulf %tt, %d : f32
    %sum = arith.addf %acc, %p : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

#pool_in = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d4, d2 * 2 + d5, d3)>
#pool_window = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
#pool_out = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// Left to one thread per output: a window reduction (max pooling, whose
// reduced indices are parts of 2 * h + dh), and argmax, whose reduction has
// two outputs (the value and its index).

// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:   gpu.launch
// CHECK:       linalg.generic
// CHECK:       linalg.generic
// CHECK-NOT:   gpu.launch
func.func @left_alone(%x: memref<2x8x8x3xf32>, %window: memref<2x2xf32>, %pooled: memref<2x4x4x3xf32>,
                      %y: memref<100x10xf32>, %max: memref<100xf32>, %arg: memref<100xi64>) {
  linalg.generic {indexing_maps = [#pool_in, #pool_window, #pool_out],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %window : memref<2x8x8x3xf32>, memref<2x2xf32>) outs(%pooled : memref<2x4x4x3xf32>) {
  ^bb0(%in: f32, %w: f32, %acc: f32):
    %m = arith.maximumf %acc, %in : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#rows, #row, #row], iterator_types = ["parallel", "reduction"]}
      ins(%y : memref<100x10xf32>) outs(%max, %arg : memref<100xf32>, memref<100xi64>) {
  ^bb0(%in: f32, %acc: f32, %i: i64):
    %k = linalg.index 1 : index
    %ki = arith.index_cast %k : index to i64
    %gt = arith.cmpf ogt, %in, %acc : f32
    %v = arith.select %gt, %in, %acc : f32
    %j = arith.select %gt, %ki, %i : i64
    linalg.yield %v, %j : f32, i64
  }
  return
}
