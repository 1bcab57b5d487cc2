// RUN: nn-opt %s --nn-autodiff -split-input-file -verify-diagnostics

nn.variable @w : tensor<2xf32> = "zeros" {}
func.func @not_scalar(%x: tensor<4x2xf32>) -> tensor<4x2xf32> attributes {nn.minimize = 0 : i64} {
  %w = nn.read @w : tensor<2xf32>
  // expected-error @+1 {{minimize needs a scalar loss, but it has shape [4, 2]; reduce it with reduce_sum or reduce_mean}}
  %y = nn.mul %x, %w : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

nn.variable @w : tensor<2xf32> = "zeros" {}
func.func @no_variable(%x: tensor<4x2xf32>) -> tensor<f32> attributes {nn.minimize = 0 : i64} {
  // expected-error @+1 {{the loss does not depend on any variable}}
  %l = nn.reduce_sum %x {axes = array<i64>} : (tensor<4x2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
