// RUN: nn-opt %s -split-input-file -verify-diagnostics
// The attributes the stages pass on (NNDialect.td, `discardableAttrs`) are
// checked like ops: each has its type and its place, and a misspelt name is
// an error rather than an attribute nobody reads.

// expected-error @+1 {{'func.func' op attribute 'nn.batch' must be an i64 integer, got "100"}}
func.func @batch_not_integer() attributes {nn.batch = "100"} {
  return
}

// -----

// expected-error @+1 {{'builtin.module' op attribute 'nn.batch' belongs on a function}}
module attributes {nn.batch = 4 : i64} {
}

// -----

// expected-error @+1 {{'func.func' op attribute 'nn.bacth' is not an attribute of the nn dialect}}
func.func @misspelt() attributes {nn.bacth = 4 : i64} {
  return
}

// -----

// expected-error @+1 {{'func.func' op attribute 'nn.optimizer' needs the optimizer's name: {name = "sgd", ...}}}
func.func @optimizer_without_name() attributes {nn.optimizer = {learning_rate = 0.1 : f64}} {
  return
}

// -----

// expected-error @+1 {{'func.func' op attribute 'nn.placeholder' on an argument must be a string (the placeholder's name), got 3 : i64}}
func.func @placeholder_not_string(%x: tensor<2xf32> {nn.placeholder = 3 : i64}) {
  return
}

// -----

// An argument is fed from a placeholder; `nn.output` names a result.
// expected-error @+1 {{'func.func' op attribute 'nn.output' on an argument is not an attribute of the nn dialect here (declared for an argument: nn.placeholder, nn.batched)}}
func.func @output_on_argument(%x: tensor<2xf32> {nn.output = "x"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op attribute 'nn.gradient' on a result must be a string (a .nn name), got unit}}
func.func @gradient_not_string() -> (tensor<2xf32> {nn.gradient}) {
  %c = nn.constant dense<0.0> : tensor<2xf32>
  return %c : tensor<2xf32>
}

// -----

// expected-error @+1 {{'builtin.module' op attribute 'nn.settings' must be an array of "key=value" strings}}
module attributes {nn.settings = ["program"]} {
}

// -----

// nn.cpu (nn-matmul-microkernel's choice of tile) needs the CPU's name ...
// expected-error @+1 {{'builtin.module' op attribute 'nn.cpu' needs the CPU's name: {name = "znver4", ...}}}
module attributes {nn.cpu = {matmul_tile = array<i64: 8, 32>}} {
}

// -----

// ... and belongs on the module.
func.func @f() attributes {nn.cpu = {name = "haswell"}} {
  // expected-error @-1 {{'func.func' op attribute 'nn.cpu' belongs on the module}}
  return
}

// -----

// expected-error @+1 {{'nn.variable' op attribute 'nn.optimizer_state' must be a unit attribute, got true}}
nn.variable @m : tensor<2xf32> = "zeros" {} {nn.optimizer_state = true}

// -----

func.func @f() -> tensor<f32> {
  // expected-error @+1 {{'nn.read' op attribute 'nn.folded' belongs on an nn.constant}}
  %0 = nn.read @m {nn.folded = "1 + 1 = 2"} : tensor<f32>
  return %0 : tensor<f32>
}
nn.variable @m : tensor<f32> = "zeros" {}

// -----

// expected-error @+1 {{'nn.constant' op attribute 'nn.folded' must be a string, got 2 : i64}}
%c = nn.constant dense<2.0> : tensor<f32> {nn.folded = 2}

// -----

// The program table's records: a function's inputs sit inside its record,
// and every record names storage that exists.
memref.global "private" @nn_infer_in_x : memref<2xf32> = uninitialized
// expected-error @+1 {{'nn.export_tensor' op a tensor of role 'input' belongs inside an nn.export_function}}
nn.export_tensor input "x" at @nn_infer_in_x : tensor<2xf32>

// -----

// expected-error @+1 {{'nn.export_tensor' op refers to @nn_var_w, which is not defined}}
nn.export_tensor variable "w" at @nn_var_w : tensor<2xf32> init "zeros"

// -----

memref.global "private" @nn_infer_out_y : memref<f32> = uninitialized
func.func @nnc_infer() {
  return
}
nn.export_function "infer" at @nnc_infer batch 1 {
  // expected-error @+1 {{'nn.export_tensor' op a scalar has no batch dimension}}
  nn.export_tensor output "y" at @nn_infer_out_y : tensor<f32> batched
}

// -----

// nn.conv_filter_gradient (nn-direct-convolutions' mark) holds two positive strides ...
func.func @f(%a: memref<4xf32>) {
  // expected-error @+1 {{'linalg.generic' op attribute 'nn.conv_filter_gradient' must be array<i64: sy, sx> of positive strides}}
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%a : memref<4xf32>) attrs = {nn.conv_filter_gradient = array<i64: 0, 1>} {
  ^bb0(%out: f32):
    linalg.yield %out : f32
  }
  return
}

// -----

// ... and belongs on a linalg.generic.
// expected-error @+1 {{'func.func' op attribute 'nn.conv_filter_gradient' belongs on a linalg.generic}}
func.func @g() attributes {nn.conv_filter_gradient = array<i64: 1, 1>} {
  return
}
