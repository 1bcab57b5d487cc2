// RUN: nn-opt %s --nn-optimizer | FileCheck %s
// RUN: nn-opt %s --nn-optimizer --nn-optimizer | FileCheck %s
// RUN: nn-opt %s --nn-optimizer --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC
// Each update's ops carry its rule, written from them (ir/Provenance.h).
// LOC: loc(fused<{from = "adam update of w", role = "optimizer", rule = "w.adam_m = 0.9 * w.adam_m + 0.1 * dw; w.adam_v = 0.999 * w.adam_v + 0.001 * dw^2; w = w - 0.001 * sqrt(1 - adam.beta2_power) / (1 - adam.beta1_power) * w.adam_m / (sqrt(w.adam_v) + 1e-08)"}>
// Adam (TF 1.x): state m, v per variable and the shared beta powers; every
// assign comes after every computation; the gradient result is gone, and so is
// `nn.optimizer`: a second run changes nothing.

// CHECK-DAG: nn.variable const @adam.beta1_power : tensor<f32> = "fill" {value = 9.000000e-01 : f64} {nn.optimizer_state}
// CHECK-DAG: nn.variable const @adam.beta2_power : tensor<f32> = "fill" {value = 0.99899999999999999 : f64} {nn.optimizer_state}
// CHECK-DAG: nn.variable const @w.adam_m : tensor<2xf32> = "zeros" {} {nn.optimizer_state}
// CHECK-DAG: nn.variable const @w.adam_v : tensor<2xf32> = "zeros" {} {nn.optimizer_state}
nn.variable @w : tensor<2xf32> = "zeros" {}

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: -> (tensor<f32> {nn.output = "loss"}) {
// CHECK-NOT: nn.optimizer
func.func @train_step(%loss: tensor<f32>, %g: tensor<2xf32>) -> (tensor<f32> {nn.output = "loss"}, tensor<2xf32> {nn.gradient = "w"}) attributes {nn.optimizer = {name = "adam", learning_rate = 1.0e-3 : f64}} {
  // lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)
  // CHECK: nn.sqrt
  // m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2
  // CHECK: %[[M:.*]] = nn.add
  // CHECK: nn.square %arg1
  // CHECK: %[[V:.*]] = nn.add
  // CHECK: %[[W:.*]] = nn.sub
  // CHECK: nn.assign @w.adam_m, %[[M]] : tensor<2xf32>
  // CHECK-NEXT: nn.assign @w.adam_v, %[[V]] : tensor<2xf32>
  // CHECK-NEXT: nn.assign @w, %[[W]] : tensor<2xf32>
  // CHECK-NEXT: nn.assign @adam.beta1_power
  // CHECK-NEXT: nn.assign @adam.beta2_power
  // CHECK-NEXT: return %arg0 : tensor<f32>
  return %loss, %g : tensor<f32>, tensor<2xf32>
}

// CHECK-LABEL: func.func @sgd_step
func.func @sgd_step(%g: tensor<2xf32>) -> (tensor<2xf32> {nn.gradient = "w"}) attributes {nn.optimizer = {name = "sgd", learning_rate = 5.0e-1 : f64}} {
  // w -= lr g
  // CHECK: %[[R:.*]] = nn.read @w
  // CHECK: %[[LR:.*]] = nn.constant dense<5.000000e-01>
  // CHECK: %[[S:.*]] = nn.mul %[[LR]], %arg0
  // CHECK: %[[N:.*]] = nn.sub %[[R]], %[[S]]
  // CHECK: nn.assign @w, %[[N]]
  // CHECK-NEXT: return{{$}}
  return %g : tensor<2xf32>
}
