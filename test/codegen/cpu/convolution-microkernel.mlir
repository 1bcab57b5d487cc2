// RUN: nn-opt %s --nn-matmul-microkernel="rows=2 width=8 block-rows=4 block-cols=16 block-depth=9 parallel=false" --canonicalize | FileCheck %s
// RUN: nn-opt %s --nn-matmul-microkernel="rows=2 width=8 block-rows=4 block-cols=16 block-depth=9" | FileCheck %s --check-prefix=PARALLEL
// Direct convolutions (after nn-direct-convolutions) on the micro-kernel's
// register tile (2 rows x 8 columns here), reading the image in place.

#img = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 * 2 + d0, d6 + d1, d2)>
#g = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
#dw = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>

// Forward, strides (2, 1), a 2x3 filter on 3 channels, 8 output channels:
// rows are the 16 output pixels; for each, the sum runs over the 2 kernel
// rows (the cache block, 9 steps = one kernel row here) and then along one
// contiguous run of KW*C = 9 floats of the image seen as [N, H, W*C].
// CHECK-LABEL: func.func @forward
// CHECK-NOT: linalg.
// CHECK-DAG: %[[ROWS:.*]] = memref.collapse_shape %arg2 {{\[}}[0, 1, 2], [3]] : memref<2x2x4x8xf32> into memref<16x8xf32>
// CHECK-DAG: %[[IMAGE:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : memref<2x5x6x3xf32> into memref<2x5x18xf32>
// CHECK-DAG: %[[FILTER:.*]] = memref.collapse_shape %arg1 {{\[}}[0], [1, 2], [3]] : memref<2x3x3x8xf32> into memref<2x9x8xf32>
// The tile's first row: pixel i is image i / 8, output row (i mod 8) / 4
// (times the stride 2), column i mod 4 (times C = 3).
// CHECK: scf.for %[[I:[^ ]*]] = %arg{{[0-9]+}} to %{{.*}} step %c2 {
// CHECK:   %[[PIX:.*]] = arith.remui %[[I]], %c8 : index
// CHECK:   %[[N:.*]] = arith.divui %[[I]], %c8 : index
// CHECK:   %[[Y:.*]] = arith.divui %[[PIX]], %c4 : index
// CHECK:   %[[YS:.*]] = arith.muli %[[Y]], %c2 : index
// CHECK:   %[[X:.*]] = arith.remui %[[PIX]], %c4 : index
// CHECK:   %[[XS:.*]] = arith.muli %[[X]], %c3 : index
// The fill before the op is gone: the first block starts from zeros.
// CHECK:   scf.if
// CHECK:     scf.yield %cst, %cst : vector<8xf32>, vector<8xf32>
// CHECK:   scf.for %[[A:.*]] = %{{.*}} to %{{.*}} step %c1 iter_args
// CHECK:     scf.for %[[K:.*]] = %c0 to %c9 step %c1 iter_args(%[[ACC:.*]] = %{{.*}}, %{{.*}} = %{{.*}})
// CHECK:       %[[B:.*]] = vector.load %[[FILTER]][%[[A]], %[[K]], %c0] : memref<2x9x8xf32>, vector<8xf32>
// CHECK:       %[[AY:.*]] = arith.addi %[[YS]], %[[A]] : index
// CHECK:       %[[AX:.*]] = arith.addi %[[XS]], %[[K]] : index
// CHECK:       %[[V:.*]] = memref.load %[[IMAGE]][%[[N]], %[[AY]], %[[AX]]] : memref<2x5x18xf32>
// CHECK:       %[[BC:.*]] = vector.broadcast %[[V]] : f32 to vector<8xf32>
// CHECK:       vector.fma %[[BC]], %[[B]], %[[ACC]] : vector<8xf32>
// CHECK:   vector.store %{{.*}}, %[[ROWS]][%[[I]], %c0] : memref<16x8xf32>, vector<8xf32>
// PARALLEL-LABEL: func.func @forward
// PARALLEL-NOT: linalg.conv_2d_nhwc_hwcf
// PARALLEL: scf.parallel
// PARALLEL-LABEL: func.func @filter_gradient
func.func @forward(%img: memref<2x5x6x3xf32>, %w: memref<2x3x3x8xf32>, %out: memref<2x2x4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<2x2x4x8xf32>)
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>} ins(%img, %w : memref<2x5x6x3xf32>, memref<2x3x3x8xf32>) outs(%out : memref<2x2x4x8xf32>)
  return
}

// The filter gradient: rows are the 18 filter elements (a, b, c) of dw as
// [KH*KW*C, F]; the sum runs over images (one per cache block: 9 steps hold
// one image of 8 pixels), output rows and output columns, reading the
// image at the element's offset (a, b*C + c) from the pixel's window.
// CHECK-LABEL: func.func @filter_gradient
// CHECK-NOT: linalg.
// CHECK-DAG: %[[DW:.*]] = memref.collapse_shape %arg2 {{\[}}[0, 1, 2], [3]] : memref<2x3x3x8xf32> into memref<18x8xf32>
// CHECK-DAG: %[[IMG:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : memref<2x5x6x3xf32> into memref<2x5x18xf32>
// CHECK: scf.for %[[M:[^ ]*]] = %arg{{[0-9]+}} to %{{.*}} step %c2 {
// CHECK:   %[[KA:.*]] = arith.divui %[[M]], %c9 : index
// CHECK:   %[[KR:.*]] = arith.remui %[[M]], %c9 : index
// No fill: the sum starts from what dw holds.
// CHECK:   %[[C0:.*]] = vector.load %[[DW]][%[[M]], %c0] : memref<18x8xf32>, vector<8xf32>
// CHECK:   scf.for %[[NN:.*]] = %{{.*}} to %{{.*}} step %c1 iter_args(%{{.*}} = %[[C0]]
// CHECK:     scf.for %[[YY:.*]] = %c0 to %c2 step %c1 iter_args
// CHECK:       scf.for %[[XX:.*]] = %c0 to %c4 step %c1 iter_args(%[[S:.*]] = %{{.*}}, %{{.*}} = %{{.*}})
// CHECK:         %[[GV:.*]] = vector.load %arg1[%[[NN]], %[[YY]], %[[XX]], %c0] : memref<2x2x4x8xf32>, vector<8xf32>
// CHECK:         %[[Y2:.*]] = arith.muli %[[YY]], %c2 : index
// CHECK:         %[[IY:.*]] = arith.addi %[[Y2]], %[[KA]] : index
// CHECK:         %[[X3:.*]] = arith.muli %[[XX]], %c3 : index
// CHECK:         %[[IX:.*]] = arith.addi %[[X3]], %[[KR]] : index
// CHECK:         %[[IV:.*]] = memref.load %[[IMG]][%[[NN]], %[[IY]], %[[IX]]] : memref<2x5x18xf32>
// CHECK:         %[[IB:.*]] = vector.broadcast %[[IV]] : f32 to vector<8xf32>
// CHECK:         vector.fma %[[IB]], %[[GV]], %[[S]] : vector<8xf32>
func.func @filter_gradient(%img: memref<2x5x6x3xf32>, %g: memref<2x2x4x8xf32>, %dw: memref<2x3x3x8xf32>) {
  linalg.generic {indexing_maps = [#img, #g, #dw], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%img, %g : memref<2x5x6x3xf32>, memref<2x2x4x8xf32>) outs(%dw : memref<2x3x3x8xf32>) attrs = {nn.conv_filter_gradient = array<i64: 2, 1>} {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %5 = arith.mulf %in, %in_0 : f32
    %6 = arith.addf %out, %5 : f32
    linalg.yield %6 : f32
  }
  return
}

// Left for convert-linalg-to-loops: f64, a dilated filter, and a marked
// generic whose maps are not the filter gradient's of its strides.
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} memref<1x4x4x1xf64>
// CHECK: linalg.conv_2d_nhwc_hwcf {dilations = dense<2>
// CHECK: linalg.generic
func.func @left_alone(%a: memref<1x4x4x1xf64>, %wa: memref<2x2x1x1xf64>, %oa: memref<1x3x3x1xf64>,
                      %img: memref<2x5x6x3xf32>, %w: memref<2x3x3x8xf32>, %o: memref<2x3x2x8xf32>,
                      %g: memref<2x2x4x8xf32>, %dw: memref<2x3x3x8xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%a, %wa : memref<1x4x4x1xf64>, memref<2x2x1x1xf64>) outs(%oa : memref<1x3x3x1xf64>)
  linalg.conv_2d_nhwc_hwcf {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%img, %w : memref<2x5x6x3xf32>, memref<2x3x3x8xf32>) outs(%o : memref<2x3x2x8xf32>)
  linalg.generic {indexing_maps = [#img, #g, #dw], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%img, %g : memref<2x5x6x3xf32>, memref<2x2x4x8xf32>) outs(%dw : memref<2x3x3x8xf32>) attrs = {nn.conv_filter_gradient = array<i64: 1, 1>} {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %5 = arith.mulf %in, %in_0 : f32
    %6 = arith.addf %out, %5 : f32
    linalg.yield %6 : f32
  }
  return
}
