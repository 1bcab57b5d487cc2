// RUN: nn-opt %s --nn-autodiff | FileCheck %s
// RUN: nn-opt %s --nn-autodiff --nn-autodiff | FileCheck %s
// RUN: nn-opt %s --nn-autodiff --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC
// Each op built says in its location which forward op and rule made it
// (ir/Provenance.h), the rule written from the ops built.
// LOC-DAG: loc(fused<{from = "grad of mul (autodiff.mlir:{{[0-9]+}}:{{[0-9]+}})", role = "backward", rule = "dA = dY * A; dB = dY * A"}>
// LOC-DAG: loc(fused<{from = "fan-out of add (autodiff.mlir:{{[0-9]+}}:{{[0-9]+}})", role = "backward", rule = "dY = the sum of the gradients from its 2 uses"}>
// LOC-DAG: loc(fused<{from = "grad of matmul (autodiff.mlir:{{[0-9]+}}:{{[0-9]+}})", role = "backward", rule = "dB = matmul(A^T, dY)"}>
// Reverse mode: the gradient of each trainable variable becomes a result, and
// `nn.minimize` is consumed, so a second run changes nothing.
// x feeds two uses (fan-out): its users' gradients are added. The bias b is
// broadcast over the batch: its gradient is summed over the batch.

nn.variable @w : tensor<3x2xf32> = "zeros" {}
nn.variable @b : tensor<2xf32> = "zeros" {}
nn.variable const @k : tensor<2xf32> = "zeros" {}

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: -> (tensor<f32> {nn.output = "loss"}, tensor<3x2xf32> {nn.gradient = "w"}, tensor<2xf32> {nn.gradient = "b"}) {
// CHECK-NOT: nn.minimize
func.func @train_step(%x: tensor<4x3xf32> {nn.placeholder = "x"}) -> (tensor<f32> {nn.output = "loss"}) attributes {nn.minimize = 0 : i64} {
  %w = nn.read @w : tensor<3x2xf32>
  %b = nn.read @b : tensor<2xf32>
  %k = nn.read @k : tensor<2xf32>
  %m = nn.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %y = nn.add %m, %b : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %z = nn.add %y, %k : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %sq = nn.mul %z, %z : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %loss = nn.reduce_sum %sq {axes = array<i64>} : (tensor<4x2xf32>) -> tensor<f32>
  // dL/dL = 1
  // CHECK: %[[ONE:.*]] = nn.constant dense<1.000000e+00> : tensor<f32>
  // reduce_sum: the gradient is spread over the reduced axes.
  // CHECK: %[[G:.*]] = nn.broadcast_like {{.*}} -> tensor<4x2xf32>
  // z * z uses z twice: the two products are added.
  // CHECK: %[[G1:.*]] = nn.mul %[[G]], %[[Z:.*]] : (tensor<4x2xf32>, tensor<4x2xf32>)
  // CHECK: %[[G2:.*]] = nn.mul %[[G]], %[[Z]] : (tensor<4x2xf32>, tensor<4x2xf32>)
  // CHECK: %[[GZ:.*]] = nn.add %[[G1]], %[[G2]]
  // b[2] (and k[2], whose gradient is not kept) broadcast over 4 rows:
  // summed over axis 0.
  // CHECK: nn.reduce_sum %[[GZ]] {axes = array<i64: 0>}
  // CHECK: %[[GB:.*]] = nn.reduce_sum %[[GZ]] {axes = array<i64: 0>} : (tensor<4x2xf32>) -> tensor<2xf32>
  // dW = x^T g
  // CHECK: %[[XT:.*]] = nn.transpose %{{.*}} {perm = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
  // CHECK: %[[GW:.*]] = nn.matmul %[[XT]], %[[GZ]] : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  // The const k gets no gradient.
  // CHECK: return %{{.*}}, %[[GW]], %[[GB]] : tensor<f32>, tensor<3x2xf32>, tensor<2xf32>
  return %loss : tensor<f32>
}
