// RUN: nn-opt %s --nn-state-to-globals | FileCheck %s
// RUN: nn-opt %s --nn-state-to-globals --nn-state-to-globals | FileCheck %s
// Variables, placeholders and outputs get static storage the runtime finds by
// name, each recorded for the program table; the entry function takes no
// arguments. A second run leaves the program as the first made it.

// CHECK: memref.global "private" @nn_var_w : memref<2x2xf32> = uninitialized {alignment = 64 : i64}
// CHECK-NEXT: nn.export_tensor variable "w" at @nn_var_w : tensor<2x2xf32> init "uniform high=1 low=-1"
// CHECK-NEXT: memref.global "private" @nn_var_k : memref<2xf32> = dense<[1.000000e+00, 2.000000e+00]> {alignment = 64 : i64}
// CHECK-NEXT: nn.export_tensor const "k" at @nn_var_k : tensor<2xf32> init "constant"
// CHECK-NEXT: memref.global "private" @nn_var_w.adam_m : memref<2x2xf32> = uninitialized
// CHECK-NEXT: nn.export_tensor state "w.adam_m" at @nn_var_w.adam_m : tensor<2x2xf32> init "zeros"
// CHECK-NEXT: memref.global "private" @nn_infer_in_x : memref<4x2xf32> = uninitialized
// CHECK-NEXT: memref.global "private" @nn_infer_out_y : memref<4x2xf32> = uninitialized
// CHECK-NEXT: nn.export_function "infer" at @nnc_infer batch 4 {
// CHECK-NEXT:   nn.export_tensor input "x" at @nn_infer_in_x : tensor<4x2xf32> batched
// CHECK-NEXT:   nn.export_tensor output "y" at @nn_infer_out_y : tensor<4x2xf32>{{$}}
// CHECK-NEXT: }
// CHECK-NOT: nn.variable
// CHECK-NOT: nn.export
nn.variable @w : tensor<2x2xf32> = "uniform" {low = -1.0 : f64, high = 1.0 : f64}
nn.variable const @k : tensor<2xf32> = "constant" {value = dense<[1.0, 2.0]> : tensor<2xf32>}
nn.variable const @w.adam_m : tensor<2x2xf32> = "zeros" {} {nn.optimizer_state}

// CHECK-LABEL: func.func @nnc_infer()
// CHECK-DAG: %[[X:.*]] = memref.get_global @nn_infer_in_x : memref<4x2xf32>
// CHECK-DAG: %[[XT:.*]] = bufferization.to_tensor %[[X]] restrict : memref<4x2xf32>
// CHECK-DAG: %[[W:.*]] = memref.get_global @nn_var_w : memref<2x2xf32>
// CHECK-DAG: %[[WT:.*]] = bufferization.to_tensor %[[W]] restrict
// Both reads of @w use the one read at the top.
// CHECK: %[[M:.*]] = nn.matmul %[[XT]], %[[WT]]
// CHECK: nn.matmul %[[M]], %[[WT]]
// CHECK: %[[Y:.*]] = memref.get_global @nn_infer_out_y : memref<4x2xf32>
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[Y]]
// CHECK: return{{$}}
func.func @infer(%x: tensor<4x2xf32> {nn.placeholder = "x", nn.batched}) -> (tensor<4x2xf32> {nn.output = "y"}) attributes {nn.batch = 4 : i64} {
  %w = nn.read @w : tensor<2x2xf32>
  %w2 = nn.read @w : tensor<2x2xf32>
  %k = nn.read @k : tensor<2xf32>
  %m = nn.matmul %x, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %m2 = nn.matmul %m, %w2 : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %y = nn.add %m2, %k : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}
