// RUN: nn-opt %s -split-input-file -verify-diagnostics
// The verifiers (the ops' shape rules) reject what cannot be computed.

func.func @matmul_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{matmul of [2, 3] by [4, 5]: inner dimensions differ ([3] vs [4])}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{shapes [2, 3] and [4] do not broadcast in '+'}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = nn.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @wrong_result(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'nn.add' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = nn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @batch_vs_fixed(%a: tensor<?x3xf32>, %b: tensor<5x3xf32>) {
  // expected-error @+2 {{shapes [?, 3] and [5, 3] do not broadcast in '+'}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = nn.add %a, %b : (tensor<?x3xf32>, tensor<5x3xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @reshape_count(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = nn.reshape %a {shape = array<i64: 4, 2>} : (tensor<2x3xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @transpose_perm(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{perm [0, 0] is not a permutation of 0..1}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = nn.transpose %a {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @reduce_axis(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{axis 2 is out of range for a tensor of shape [2, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = nn.reduce_sum %a {axes = array<i64: 2>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @float_only(%a: tensor<2xi64>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float values}}
  %c = nn.relu %a : tensor<2xi64>
  return
}

// -----

func.func @loss_shapes(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+2 {{softmax_cross_entropy needs operands of the same shape, got [2, 3] and [2, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = nn.softmax_cross_entropy %a, %b : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<f32>
  return
}

// -----

// expected-error @+1 {{'nn.variable' op unknown initializer 'glorot'}}
nn.variable @v : tensor<2xf32> = "glorot" {}

// -----

// expected-error @+1 {{'nn.variable' op initializer 'truncated_normal' needs a float parameter 'stddev'}}
nn.variable @v : tensor<2xf32> = "truncated_normal" {}

// -----

// expected-error @+1 {{'nn.variable' op needs a statically shaped f32 tensor type}}
nn.variable @v : tensor<?xf32> = "zeros" {}

// -----

nn.variable @v : tensor<2xf32> = "zeros" {}
func.func @read_type() {
  // expected-error @+1 {{'nn.read' op type 'tensor<3xf32>' does not match variable @v of type 'tensor<2xf32>'}}
  %r = nn.read @v : tensor<3xf32>
  return
}

// -----

func.func @read_missing() {
  // expected-error @+1 {{'nn.read' op refers to @nowhere, which is not a variable}}
  %r = nn.read @nowhere : tensor<3xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @+2 {{conv2d of an image with 3 channels by a filter for 2 channels ([1, 8, 8, 3] and [3, 3, 2, 4])}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = nn.conv2d %x, %w {strides = array<i64: 1, 1>, padding = "SAME"} : (tensor<1x8x8x3xf32>, tensor<3x3x2x4xf32>) -> tensor<1x8x8x4xf32>
  return
}
