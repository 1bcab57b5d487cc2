// RUN: nn-opt %s --nn-direct-convolutions --canonicalize | FileCheck %s
// im2col + matmul (what convert-nn-to-linalg writes for a convolution) back
// to a convolution that reads the image itself: the patch matrix goes away.

#windows = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>
#crop = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3 + 1, d2 + d4 + 1, d5)>
#id6 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>

// CHECK-DAG: #[[IMG:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 * 2 + d0, d6 * 2 + d1, d2)>
// CHECK-DAG: #[[G:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
// CHECK-DAG: #[[DW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>

// Stride 2 on a padded 9x9 image, 3x3 filter: the windows read all of it.
// The forward pass and the filter gradient share the windows (as CSE leaves
// them in a train step).
// CHECK-LABEL: func.func @forward_and_filter_gradient
func.func @forward_and_filter_gradient(%img: tensor<2x9x9x3xf32>, %w: tensor<3x3x3x5xf32>,
                                       %g: tensor<2x4x4x5xf32>)
    -> (tensor<2x4x4x5xf32>, tensor<3x3x3x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x3x3x3xf32>
  %win = linalg.generic {indexing_maps = [#windows, #id6], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%img : tensor<2x9x9x3xf32>) outs(%e : tensor<2x4x4x3x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x4x4x3x3x3xf32>
  %rows = tensor.collapse_shape %win [[0, 1, 2], [3, 4, 5]] : tensor<2x4x4x3x3x3xf32> into tensor<32x27xf32>
  %wm = tensor.collapse_shape %w [[0, 1, 2], [3]] : tensor<3x3x3x5xf32> into tensor<27x5xf32>
  %e1 = tensor.empty() : tensor<32x5xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<32x5xf32>) -> tensor<32x5xf32>
  // CHECK-NOT: tensor<2x4x4x3x3x3xf32>
  // CHECK: %[[OUT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x4x4x5xf32>)
  // CHECK: %[[Y:.*]] = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%arg0, %arg1 : tensor<2x9x9x3xf32>, tensor<3x3x3x5xf32>) outs(%[[OUT]] : tensor<2x4x4x5xf32>)
  %y = linalg.matmul ins(%rows, %wm : tensor<32x27xf32>, tensor<27x5xf32>) outs(%z1 : tensor<32x5xf32>) -> tensor<32x5xf32>
  %y4 = tensor.expand_shape %y [[0, 1, 2], [3]] output_shape [2, 4, 4, 5] : tensor<32x5xf32> into tensor<2x4x4x5xf32>
  %gm = tensor.collapse_shape %g [[0, 1, 2], [3]] : tensor<2x4x4x5xf32> into tensor<32x5xf32>
  %e2 = tensor.empty() : tensor<27x5xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<27x5xf32>) -> tensor<27x5xf32>
  // The filter gradient: a sum over (n, y, x) of image x gradient, marked.
  // CHECK: %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3x3x3x5xf32>)
  // CHECK: %[[DWV:.*]] = linalg.generic {indexing_maps = [#[[IMG]], #[[G]], #[[DW]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%arg0, %arg2 : tensor<2x9x9x3xf32>, tensor<2x4x4x5xf32>) outs(%[[ACC]] : tensor<3x3x3x5xf32>) attrs = {nn.conv_filter_gradient = array<i64: 2, 2>}
  // CHECK-NEXT: ^bb0(%[[I:.*]]: f32, %[[GV:.*]]: f32, %[[O:.*]]: f32):
  // CHECK-NEXT:   %[[P:.*]] = arith.mulf %[[I]], %[[GV]] : f32
  // CHECK-NEXT:   %[[S:.*]] = arith.addf %[[O]], %[[P]] : f32
  // CHECK-NEXT:   linalg.yield %[[S]] : f32
  %dw = linalg.matmul_transpose_a ins(%rows, %gm : tensor<32x27xf32>, tensor<32x5xf32>) outs(%z2 : tensor<27x5xf32>) -> tensor<27x5xf32>
  %dw4 = tensor.expand_shape %dw [[0, 1, 2], [3]] output_shape [3, 3, 3, 5] : tensor<27x5xf32> into tensor<3x3x3x5xf32>
  // CHECK: return %[[Y]], %[[DWV]]
  return %y4, %dw4 : tensor<2x4x4x5xf32>, tensor<3x3x3x5xf32>
}

// An input gradient's windows start inside the spread gradient (the
// padding's top-left, 1 here) and cover 7x7 outputs of a 3x3 filter: a view
// of 9x9 from (1, 1). The matmul adds to what C held (no zero fill), so the
// convolution accumulates into the same values.
// CHECK-LABEL: func.func @offset_windows_accumulate
func.func @offset_windows_accumulate(%spread: tensor<2x11x11x5xf32>, %flipped: tensor<45x3xf32>,
                                     %c: tensor<98x3xf32>) -> tensor<98x3xf32> {
  %e = tensor.empty() : tensor<2x7x7x3x3x5xf32>
  %win = linalg.generic {indexing_maps = [#crop, #id6], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%spread : tensor<2x11x11x5xf32>) outs(%e : tensor<2x7x7x3x3x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x7x7x3x3x5xf32>
  %rows = tensor.collapse_shape %win [[0, 1, 2], [3, 4, 5]] : tensor<2x7x7x3x3x5xf32> into tensor<98x45xf32>
  // CHECK-DAG: %[[VIEW:.*]] = tensor.extract_slice %arg0[0, 1, 1, 0] [2, 9, 9, 5] [1, 1, 1, 1] : tensor<2x11x11x5xf32> to tensor<2x9x9x5xf32>
  // CHECK-DAG: %[[FILTER:.*]] = tensor.expand_shape %arg1 {{\[}}[0, 1, 2], [3]] output_shape [3, 3, 5, 3] : tensor<45x3xf32> into tensor<3x3x5x3xf32>
  // CHECK-DAG: %[[INIT:.*]] = tensor.expand_shape %arg2 {{\[}}[0, 1, 2], [3]] output_shape [2, 7, 7, 3] : tensor<98x3xf32> into tensor<2x7x7x3xf32>
  // CHECK: %[[CONV:.*]] = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[VIEW]], %[[FILTER]] : tensor<2x9x9x5xf32>, tensor<3x3x5x3xf32>) outs(%[[INIT]] : tensor<2x7x7x3xf32>)
  // CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[CONV]] {{\[}}[0, 1, 2], [3]] : tensor<2x7x7x3xf32> into tensor<98x3xf32>
  // CHECK: return %[[ROWS]]
  %r = linalg.matmul ins(%rows, %flipped : tensor<98x45xf32>, tensor<45x3xf32>) outs(%c : tensor<98x3xf32>) -> tensor<98x3xf32>
  return %r : tensor<98x3xf32>
}

// Left alone: a matmul of a matrix that is no im2col, and windows whose copy
// computes something (an elementwise op fused into it).
// CHECK-LABEL: func.func @left_alone
func.func @left_alone(%a: tensor<32x27xf32>, %b: tensor<27x5xf32>, %c: tensor<32x5xf32>,
                      %img: tensor<2x9x9x3xf32>) -> (tensor<32x5xf32>, tensor<32x5xf32>) {
  // CHECK: linalg.matmul ins(%arg0, %arg1
  %r = linalg.matmul ins(%a, %b : tensor<32x27xf32>, tensor<27x5xf32>) outs(%c : tensor<32x5xf32>) -> tensor<32x5xf32>
  %e = tensor.empty() : tensor<2x4x4x3x3x3xf32>
  // CHECK: linalg.generic
  // CHECK: arith.negf
  %win = linalg.generic {indexing_maps = [#windows, #id6], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%img : tensor<2x9x9x3xf32>) outs(%e : tensor<2x4x4x3x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<2x4x4x3x3x3xf32>
  %rows = tensor.collapse_shape %win [[0, 1, 2], [3, 4, 5]] : tensor<2x4x4x3x3x3xf32> into tensor<32x27xf32>
  // CHECK: linalg.matmul ins(%{{.*}}, %arg1
  // CHECK-NOT: linalg.conv_2d_nhwc_hwcf
  %r2 = linalg.matmul ins(%rows, %b : tensor<32x27xf32>, tensor<27x5xf32>) outs(%c : tensor<32x5xf32>) -> tensor<32x5xf32>
  return %r, %r2 : tensor<32x5xf32>, tensor<32x5xf32>
}
