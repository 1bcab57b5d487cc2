// RUN: nn-opt %s --convert-nn-to-linalg | FileCheck %s
// Convolutions become im2col + matmul: each window of the (padded) image is
// one row of a patches matrix [N*OH*OW, KH*KW*C] (a copy through an affine
// map), the filter is a [KH*KW*C, F] matrix, their product the output rows.

// CHECK-DAG: #[[WINDOWS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>
// CHECK-DAG: #[[ID6:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-DAG: #[[CROP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3 + 1, d2 + d4 + 1, d5)>

// Stride 2, SAME on 7x7 with a 3x3 filter: TensorFlow pads 1 on each side
// (9x9), output 4x4; 2 images, 3 channels in, 5 out.
// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<2x7x7x3xf32>, %w: tensor<3x3x3x5xf32>) -> tensor<2x4x4x5xf32> {
  // CHECK: %[[PADDED:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1, 0] [2, 7, 7, 3] [1, 1, 1, 1] : tensor<2x7x7x3xf32> into tensor<2x9x9x3xf32>
  // CHECK: %[[WIN:.*]] = linalg.generic {indexing_maps = [#[[WINDOWS]], #[[ID6]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[PADDED]] : tensor<2x9x9x3xf32>) outs(%{{.*}} : tensor<2x4x4x3x3x3xf32>)
  // CHECK: %[[PATCHES:.*]] = tensor.collapse_shape %[[WIN]] {{\[}}[0, 1, 2], [3, 4, 5]] : tensor<2x4x4x3x3x3xf32> into tensor<32x27xf32>
  // CHECK: %[[FILTER:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2], [3]] : tensor<3x3x3x5xf32> into tensor<27x5xf32>
  // CHECK: %[[ROWS:.*]] = linalg.matmul ins(%[[PATCHES]], %[[FILTER]] : tensor<32x27xf32>, tensor<27x5xf32>) outs(%{{.*}} : tensor<32x5xf32>)
  // CHECK: tensor.expand_shape %[[ROWS]] {{\[}}[0, 1, 2], [3]] output_shape [2, 4, 4, 5] : tensor<32x5xf32> into tensor<2x4x4x5xf32>
  %y = nn.conv2d %x, %w {strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<2x7x7x3xf32>, tensor<3x3x3x5xf32>) -> tensor<2x4x4x5xf32>
  return %y : tensor<2x4x4x5xf32>
}

// The filter gradient: patches^T x g, the transpose folded into the matmul.
// CHECK-LABEL: func.func @filter_gradient
func.func @filter_gradient(%x: tensor<2x7x7x3xf32>, %g: tensor<2x4x4x5xf32>) -> tensor<3x3x3x5xf32> {
  // CHECK: %[[P:.*]] = tensor.collapse_shape %{{.*}} : tensor<2x4x4x3x3x3xf32> into tensor<32x27xf32>
  // CHECK: %[[G:.*]] = tensor.collapse_shape %{{.*}} : tensor<2x4x4x5xf32> into tensor<32x5xf32>
  // CHECK: %[[DW:.*]] = linalg.matmul_transpose_a ins(%[[P]], %[[G]] : tensor<32x27xf32>, tensor<32x5xf32>) outs(%{{.*}} : tensor<27x5xf32>)
  // CHECK: tensor.expand_shape %[[DW]] {{.*}} : tensor<27x5xf32> into tensor<3x3x3x5xf32>
  %dw = nn.conv2d_backprop_filter %x, %g {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<2x7x7x3xf32>, tensor<2x4x4x5xf32>) -> tensor<3x3x3x5xf32>
  return %dw : tensor<3x3x3x5xf32>
}

// The input gradient: g spread every 2 positions after 2 rows and columns of
// zeros (11x11), then the stride-1 windows that land on the 7x7 image (the
// padding's top-left is 1, hence the + 1) times the flipped filter.
// CHECK-LABEL: func.func @input_gradient
func.func @input_gradient(%g: tensor<2x4x4x5xf32>, %w: tensor<3x3x3x5xf32>) -> tensor<2x7x7x3xf32> {
  // CHECK: %[[SPREAD:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 2, 2, 0] [2, 4, 4, 5] [1, 2, 2, 1] : tensor<2x4x4x5xf32> into tensor<2x11x11x5xf32>
  // CHECK: linalg.generic {indexing_maps = [#[[CROP]], #[[ID6]]], {{.*}} ins(%[[SPREAD]] : tensor<2x11x11x5xf32>) outs(%{{.*}} : tensor<2x7x7x3x3x5xf32>)
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<98x45xf32>, tensor<45x3xf32>)
  // CHECK: tensor.expand_shape {{.*}} : tensor<98x3xf32> into tensor<2x7x7x3xf32>
  %dx = nn.conv2d_backprop_input %g, %w {input_size = array<i64: 7, 7>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<2x4x4x5xf32>, tensor<3x3x3x5xf32>) -> tensor<2x7x7x3xf32>
  return %dx : tensor<2x7x7x3xf32>
}
