// RUN: nn-opt %s --convert-nn-to-linalg | FileCheck %s
// Convolutions become im2col + matmul: each window of the (padded) image is
// one row of a patches matrix [N*OH*OW, KH*KW*C] (a copy through an affine
// map), the filter is a [KH*KW*C, F] matrix, their product the output rows.

// CHECK-DAG: #[[WINDOWS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>
// CHECK-DAG: #[[ID6:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-DAG: #[[CROP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3 + 1, d2 + d4 + 1, d5)>
// CHECK-DAG: #[[SUB00:.*]] = affine_map<(d0, d1, d2, d3) -> (d0 * -2 + 2, d1 * -2 + 2, d3, d2)>

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

// The input gradient of a stride-2 convolution, in phases: the rows (and
// columns) iy of the 7x7 image with (iy + top) mod 2 = p, top = 1, take the
// filter rows p, p + 2, ... of the 3x3 filter, flipped. Phase 0 (rows 1, 3,
// 5) has 2 taps, phase 1 (rows 0, 2, 4, 6) one. Each phase is a stride-1
// convolution of g itself (after taps-1 zeros in front), placed every 2
// rows and columns of dx: 18x20, 24x10, 24x10 and 32x5 products, 1000
// multiply-adds a channel where the spread gradient took 98x45 = 4410.
// CHECK-LABEL: func.func @input_gradient
func.func @input_gradient(%g: tensor<2x4x4x5xf32>, %w: tensor<3x3x3x5xf32>) -> tensor<2x7x7x3xf32> {
  // CHECK: %[[DX:.*]] = linalg.fill {{.*}} -> tensor<2x7x7x3xf32>
  // Phase (0, 0): g after one row and one column of zeros; the windows
  // start at q = 1; the filter taps (2 - 2j, 2 - 2i).
  // CHECK: %[[G00:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1, 0] [2, 4, 4, 5] [1, 1, 1, 1] : tensor<2x4x4x5xf32> into tensor<2x5x5x5xf32>
  // CHECK: linalg.generic {indexing_maps = [#[[SUB00]], #{{.*}}], {{.*}} outs(%{{.*}} : tensor<2x2x5x3xf32>)
  // CHECK: linalg.generic {indexing_maps = [#[[CROP]], #[[ID6]]], {{.*}} ins(%[[G00]] : tensor<2x5x5x5xf32>) outs(%{{.*}} : tensor<2x3x3x2x2x5xf32>)
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<18x20xf32>, tensor<20x3xf32>)
  // CHECK: %[[DX00:.*]] = tensor.insert_slice %{{.*}} into %[[DX]][0, 1, 1, 0] [2, 3, 3, 3] [1, 2, 2, 1] : tensor<2x3x3x3xf32> into tensor<2x7x7x3xf32>
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<24x10xf32>, tensor<10x3xf32>)
  // CHECK: %[[DX01:.*]] = tensor.insert_slice %{{.*}} into %[[DX00]][0, 1, 0, 0] [2, 3, 4, 3] [1, 2, 2, 1] : tensor<2x3x4x3xf32> into tensor<2x7x7x3xf32>
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<24x10xf32>, tensor<10x3xf32>)
  // CHECK: %[[DX10:.*]] = tensor.insert_slice %{{.*}} into %[[DX01]][0, 0, 1, 0] [2, 4, 3, 3] [1, 2, 2, 1] : tensor<2x4x3x3xf32> into tensor<2x7x7x3xf32>
  // Phase (1, 1): one tap, g as it is.
  // CHECK-NOT: tensor.insert_slice %arg0
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<32x5xf32>, tensor<5x3xf32>)
  // CHECK: %[[DX11:.*]] = tensor.insert_slice %{{.*}} into %[[DX10]][0, 0, 0, 0] [2, 4, 4, 3] [1, 2, 2, 1] : tensor<2x4x4x3xf32> into tensor<2x7x7x3xf32>
  // CHECK: return %[[DX11]]
  %dx = nn.conv2d_backprop_input %g, %w {input_size = array<i64: 7, 7>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<2x4x4x5xf32>, tensor<3x3x3x5xf32>) -> tensor<2x7x7x3xf32>
  return %dx : tensor<2x7x7x3xf32>
}

// Stride 1: one convolution of g after KH-1 rows and KW-1 columns of zeros
// (here 3x3 SAME on 4x4: 6x6), the windows that land on the image (top-left
// of the padding 1, hence the + 1), the whole filter flipped.
// CHECK-LABEL: func.func @input_gradient_stride_1
func.func @input_gradient_stride_1(%g: tensor<2x4x4x5xf32>, %w: tensor<3x3x3x5xf32>) -> tensor<2x4x4x3xf32> {
  // CHECK: %[[PADDED:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 2, 2, 0] [2, 4, 4, 5] [1, 1, 1, 1] : tensor<2x4x4x5xf32> into tensor<2x8x8x5xf32>
  // CHECK: linalg.generic {indexing_maps = [#[[CROP]], #[[ID6]]], {{.*}} ins(%[[PADDED]] : tensor<2x8x8x5xf32>) outs(%{{.*}} : tensor<2x4x4x3x3x5xf32>)
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<32x45xf32>, tensor<45x3xf32>)
  // CHECK: tensor.expand_shape {{.*}} : tensor<32x3xf32> into tensor<2x4x4x3xf32>
  %dx = nn.conv2d_backprop_input %g, %w {input_size = array<i64: 4, 4>, strides = array<i64: 1, 1>, padding = "SAME"} : (tensor<2x4x4x5xf32>, tensor<3x3x3x5xf32>) -> tensor<2x4x4x3xf32>
  return %dx : tensor<2x4x4x3xf32>
}
