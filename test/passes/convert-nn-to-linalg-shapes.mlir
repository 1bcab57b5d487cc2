// RUN: nn-opt %s --convert-nn-to-linalg | FileCheck %s
// Shape ops: transpose is linalg.transpose, reshape is tensor.reshape with a
// constant shape, concat inserts each input at its offset.

// CHECK-LABEL: func.func @shapes
func.func @shapes(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> (tensor<3x2xf32>, tensor<6xf32>, tensor<2x8xf32>, tensor<f32>) {
  // CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<3x2xf32>) permutation = [1, 0]
  %t = nn.transpose %a {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  // CHECK: %[[SHAPE:.*]] = arith.constant dense<6> : tensor<1xi64>
  // CHECK: tensor.reshape %{{.*}}(%[[SHAPE]]) : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<6xf32>
  %r = nn.reshape %a {shape = array<i64: -1>} : (tensor<2x3xf32>) -> tensor<6xf32>
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<2x8xf32>
  // CHECK: %[[I:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0] [2, 3] [1, 1]
  // CHECK: tensor.insert_slice %{{.*}} into %[[I]][0, 3] [2, 5] [1, 1]
  %c = nn.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  // CHECK: arith.constant dense<2.550000e+02> : tensor<f32>
  %k = nn.constant dense<255.0> : tensor<f32>
  return %t, %r, %c, %k : tensor<3x2xf32>, tensor<6xf32>, tensor<2x8xf32>, tensor<f32>
}
