// RUN: nn-opt %s | nn-opt | FileCheck %s
// Every kind of nn op prints and parses back unchanged.

// CHECK: nn.variable @w : tensor<4x3xf32> = "truncated_normal" {stddev = 1.000000e-01 : f64}
nn.variable @w : tensor<4x3xf32> = "truncated_normal" {stddev = 1.000000e-01 : f64}
// CHECK: nn.variable const @k : tensor<3xf32> = "constant" {value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>}
nn.variable const @k : tensor<3xf32> = "constant" {value = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>}

// CHECK-LABEL: func.func @graph
func.func @graph(%x: tensor<?x4xf32>, %t: tensor<?x3xf32>) -> (tensor<f32>, tensor<?xi64>) {
  // CHECK: nn.read @w : tensor<4x3xf32>
  %w = nn.read @w : tensor<4x3xf32>
  %k = nn.read @k : tensor<3xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %m = nn.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  // CHECK: nn.add %{{.*}}, %{{.*}} : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %a = nn.add %m, %k : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  // CHECK: nn.relu %{{.*}} : tensor<?x3xf32>
  %r = nn.relu %a : tensor<?x3xf32>
  // CHECK: nn.softmax %{{.*}} : tensor<?x3xf32>
  %p = nn.softmax %r : tensor<?x3xf32>
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 1>, keepdims} : (tensor<?x3xf32>) -> tensor<?x1xf32>
  %s = nn.reduce_sum %p {axes = array<i64: 1>, keepdims} : (tensor<?x3xf32>) -> tensor<?x1xf32>
  // CHECK: nn.argmax %{{.*}} {axis = 1 : i64} : (tensor<?x3xf32>) -> tensor<?xi64>
  %i = nn.argmax %p {axis = 1 : i64} : (tensor<?x3xf32>) -> tensor<?xi64>
  // CHECK: nn.equal %{{.*}}, %{{.*}} : (tensor<?xi64>, tensor<?xi64>) -> tensor<?xi1>
  %e = nn.equal %i, %i : (tensor<?xi64>, tensor<?xi64>) -> tensor<?xi1>
  // CHECK: nn.cast %{{.*}} {to = f32} : (tensor<?xi1>) -> tensor<?xf32>
  %c = nn.cast %e {to = f32} : (tensor<?xi1>) -> tensor<?xf32>
  // CHECK: nn.transpose %{{.*}} {perm = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
  %tr = nn.transpose %w {perm = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
  // CHECK: nn.reshape %{{.*}} {shape = array<i64: -1, 3, 1>} : (tensor<?x3xf32>) -> tensor<?x3x1xf32>
  %rs = nn.reshape %p {shape = array<i64: -1, 3, 1>} : (tensor<?x3xf32>) -> tensor<?x3x1xf32>
  // CHECK: nn.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x6xf32>
  %cc = nn.concat %p, %t {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x6xf32>
  // CHECK: nn.constant dense<2.550000e+02> : tensor<f32>
  %c255 = nn.constant dense<255.0> : tensor<f32>
  // CHECK: nn.softmax_cross_entropy %{{.*}}, %{{.*}} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %l = nn.softmax_cross_entropy %r, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  // CHECK: nn.assign @w, %{{.*}} : tensor<4x3xf32>
  nn.assign @w, %w : tensor<4x3xf32>
  return %l, %i : tensor<f32>, tensor<?xi64>
}

// The program table's records, as nn-state-to-globals writes them.
// CHECK: memref.global "private" @nn_var_v
// CHECK-NEXT: nn.export_tensor variable "v" at @nn_var_v : tensor<2xf32> init "fill value=0.5"
// CHECK-NEXT: nn.export_tensor state "v.adam_m" at @nn_var_v : tensor<2xf32>{{$}}
// CHECK: nn.export_function "infer" at @nnc_infer batch 8 {
// CHECK-NEXT:   nn.export_tensor input "x" at @nn_infer_in_x : tensor<8x2xf32> batched
// CHECK-NEXT:   nn.export_tensor output "c" at @nn_infer_out_c : tensor<8xi64> batched
// CHECK-NEXT: }
memref.global "private" @nn_var_v : memref<2xf32> = uninitialized
nn.export_tensor variable "v" at @nn_var_v : tensor<2xf32> init "fill value=0.5"
nn.export_tensor state "v.adam_m" at @nn_var_v : tensor<2xf32>
memref.global "private" @nn_infer_in_x : memref<8x2xf32> = uninitialized
memref.global "private" @nn_infer_out_c : memref<8xi64> = uninitialized
func.func @nnc_infer() {
  return
}
nn.export_function "infer" at @nnc_infer batch 8 {
  nn.export_tensor input "x" at @nn_infer_in_x : tensor<8x2xf32> batched
  nn.export_tensor output "c" at @nn_infer_out_c : tensor<8xi64> batched
}
