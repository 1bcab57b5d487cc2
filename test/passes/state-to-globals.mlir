// RUN: nn-opt %s --nn-state-to-globals | FileCheck %s
// Variables, placeholders and outputs get static storage the runtime finds by
// name; the entry function takes no arguments.

// CHECK: memref.global "private" @nn_var_w : memref<2x2xf32> = uninitialized {alignment = 64 : i64}
// CHECK: memref.global "private" @nn_var_k : memref<2xf32> = dense<[1.000000e+00, 2.000000e+00]> {alignment = 64 : i64}
// CHECK: memref.global "private" @nn_infer_in_x : memref<4x2xf32> = uninitialized
// CHECK: memref.global "private" @nn_infer_out_y : memref<4x2xf32> = uninitialized
// CHECK-NOT: nn.variable
nn.variable @w : tensor<2x2xf32> = "zeros" {}
nn.variable const @k : tensor<2xf32> = "constant" {value = dense<[1.0, 2.0]> : tensor<2xf32>}

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
func.func @infer(%x: tensor<4x2xf32> {nn.placeholder = "x"}) -> (tensor<4x2xf32> {nn.output = "y"}) {
  %w = nn.read @w : tensor<2x2xf32>
  %w2 = nn.read @w : tensor<2x2xf32>
  %k = nn.read @k : tensor<2xf32>
  %m = nn.matmul %x, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %m2 = nn.matmul %m, %w2 : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %y = nn.add %m2, %k : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}
