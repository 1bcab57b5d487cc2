// RUN: nn-opt %s --convert-nn-to-linalg | FileCheck %s
// Each nn op becomes linalg on tensors: named ops where linalg has them,
// linalg.generic (whose indexing maps carry broadcasting) otherwise.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[BCAST:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ALL:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @f
// NumPy broadcasting: b[3] is read at (d1) inside the 4x3 loop nest.
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[BCAST]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
// matmul accumulates into zeros.
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4x2xf32>)
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3x2xf32>) outs(%[[Z]] : tensor<4x2xf32>)
// reduce_mean: a sum over the reduction loop, then times 1/3.
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK: arith.constant 0.333333343 : f32
// argmax carries (value, index); the strict > keeps the first index.
// CHECK: %{{.*}}:2 = linalg.generic
// CHECK: linalg.index 1
// CHECK: arith.cmpf ogt
// softmax_cross_entropy: max, log-sum-exp, then one reduction to a scalar.
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: math.log
// CHECK: iterator_types = ["reduction", "reduction"]
// relu(x) = x > 0 ? x : 0
// CHECK: arith.cmpf ogt
// CHECK-NEXT: arith.select
// CHECK-NOT: nn.

func.func @f(%a: tensor<4x3xf32>, %b: tensor<3xf32>, %w: tensor<3x2xf32>) -> (tensor<4x3xf32>, tensor<4x2xf32>, tensor<4xf32>, tensor<4xi64>, tensor<f32>, tensor<4x3xf32>) {
  %0 = nn.add %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %1 = nn.matmul %a, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %2 = nn.reduce_mean %a {axes = array<i64: 1>} : (tensor<4x3xf32>) -> tensor<4xf32>
  %3 = nn.argmax %a {axis = 1 : i64} : (tensor<4x3xf32>) -> tensor<4xi64>
  %4 = nn.softmax_cross_entropy %a, %a : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>
  %5 = nn.relu %a : tensor<4x3xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<4x3xf32>, tensor<4x2xf32>, tensor<4xf32>, tensor<4xi64>, tensor<f32>, tensor<4x3xf32>
}
