// RUN: nn-opt %s --convert-nn-to-linalg --nn-fuse-elementwise | FileCheck %s
// relu(conv2d(x, w) + b): the bias add and the ReLU fuse into one generic
// after the matmul (one pass over the output instead of two and a
// temporary); the matmul of im2col stays a linalg.matmul for the
// micro-kernel, where upstream's reshape propagation would have folded the
// collapse_shape of the patches into it, making a 9-loop direct convolution.

// CHECK-LABEL: func.func @conv_bias_relu
func.func @conv_bias_relu(%x: tensor<2x6x6x1xf32>, %w: tensor<3x3x1x4xf32>, %b: tensor<4xf32>) -> tensor<2x6x6x4xf32> {
  // CHECK: %[[PATCHES:.*]] = tensor.collapse_shape %{{.*}} : tensor<2x6x6x3x3x1xf32> into tensor<72x9xf32>
  // CHECK: %[[ROWS:.*]] = linalg.matmul ins(%[[PATCHES]], %{{.*}} : tensor<72x9xf32>, tensor<9x4xf32>)
  // CHECK: %[[IMAGE:.*]] = tensor.expand_shape %[[ROWS]]
  // CHECK: %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[IMAGE]], %{{.*}} : tensor<2x6x6x4xf32>, tensor<4xf32>)
  // CHECK:   arith.addf
  // CHECK:   arith.cmpf ogt
  // CHECK:   arith.select
  // CHECK-NOT: linalg.generic
  // CHECK: return %[[OUT]]
  %c = nn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = "SAME"} : (tensor<2x6x6x1xf32>, tensor<3x3x1x4xf32>) -> tensor<2x6x6x4xf32>
  %s = nn.add %c, %b : (tensor<2x6x6x4xf32>, tensor<4xf32>) -> tensor<2x6x6x4xf32>
  %r = nn.relu %s : tensor<2x6x6x4xf32>
  return %r : tensor<2x6x6x4xf32>
}
