// RUN: nn-opt %s --nn-specialize-batch=batch=100 | FileCheck %s
// The batch `?` becomes 100 in the signature and in every result type, by
// each op's own shape rule; batched arguments and results are marked.

nn.variable @w : tensor<784x10xf32> = "zeros" {}

// CHECK-LABEL: func.func @infer
// CHECK-SAME: (%[[X:.*]]: tensor<100x784xf32> {nn.batched, nn.placeholder = "x"})
// CHECK-SAME: -> (tensor<100x10xf32> {nn.batched, nn.output = "p"}, tensor<f32> {nn.output = "s"})
// CHECK-SAME: attributes {nn.batch = 100 : i64}
func.func @infer(%x: tensor<?x784xf32> {nn.placeholder = "x"}) -> (tensor<?x10xf32> {nn.output = "p"}, tensor<f32> {nn.output = "s"}) {
  %w = nn.read @w : tensor<784x10xf32>
  // CHECK: %[[M:.*]] = nn.matmul %[[X]], %{{.*}} : (tensor<100x784xf32>, tensor<784x10xf32>) -> tensor<100x10xf32>
  %m = nn.matmul %x, %w : (tensor<?x784xf32>, tensor<784x10xf32>) -> tensor<?x10xf32>
  // CHECK: %[[P:.*]] = nn.softmax %[[M]] : tensor<100x10xf32>
  %p = nn.softmax %m : tensor<?x10xf32>
  // CHECK: nn.reshape %[[X]] {shape = array<i64: -1, 28, 28>} : (tensor<100x784xf32>) -> tensor<100x28x28xf32>
  %r = nn.reshape %x {shape = array<i64: -1, 28, 28>} : (tensor<?x784xf32>) -> tensor<?x28x28xf32>
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64>} : (tensor<100x28x28xf32>) -> tensor<f32>
  %s = nn.reduce_sum %r {axes = array<i64>} : (tensor<?x28x28xf32>) -> tensor<f32>
  return %p, %s : tensor<?x10xf32>, tensor<f32>
}
