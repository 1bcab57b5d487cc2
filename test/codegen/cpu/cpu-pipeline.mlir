// RUN: nn-opt %s --nn-cpu-pipeline=batch=8 | FileCheck %s
// The whole CPU pipeline ends in the LLVM dialect: globals for the state, an
// argument-free entry function, loops as branches, exp as an intrinsic.

// CHECK-DAG: llvm.mlir.global private @nn_var_w() {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<3 x array<2 x f32>>
// CHECK-DAG: llvm.mlir.global private @nn_infer_in_x(
// CHECK-DAG: llvm.mlir.global private @nn_infer_out_p(
// CHECK-LABEL: llvm.func @nnc_infer()
// CHECK: llvm.intr.exp
// CHECK-NOT: linalg.
// CHECK-NOT: memref.
// CHECK-NOT: nn.
nn.variable @w : tensor<3x2xf32> = "zeros" {}
func.func @infer(%x: tensor<?x3xf32> {nn.placeholder = "x"}) -> (tensor<?x2xf32> {nn.output = "p"}) {
  %w = nn.read @w : tensor<3x2xf32>
  %m = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %p = nn.softmax %m : tensor<?x2xf32>
  return %p : tensor<?x2xf32>
}
