// RUN: nn-opt %s --nn-gpu-device-pointers | FileCheck %s
// The host code of a GPU program hands the kernels the device's copy of
// every buffer: each buffer @G (a record's storage, and the arena, which gets
// a record of role scratch) has a slot @G.device that the runtime fills, and
// every address the host took of @G becomes a load of the slot. Other
// globals (the dropout key) keep their host address.

// CHECK-DAG: llvm.mlir.global private @nn_arena.device() {{.*}} : !llvm.ptr {
// CHECK-DAG: llvm.mlir.global private @nn_var_w.device() {{.*}} : !llvm.ptr {
// CHECK-DAG: llvm.mlir.zero : !llvm.ptr
// CHECK: nn.export_tensor variable "w" at @nn_var_w : tensor<4xf32> init "zeros"
// CHECK: nn.export_tensor scratch "nn_arena" at @nn_arena : tensor<256xi8>
// CHECK-LABEL: llvm.func @step()
// CHECK: %[[SLOT:.*]] = llvm.mlir.addressof @nn_var_w.device : !llvm.ptr
// CHECK: %[[W:.*]] = llvm.load %[[SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[ASLOT:.*]] = llvm.mlir.addressof @nn_arena.device : !llvm.ptr
// CHECK: %[[A:.*]] = llvm.load %[[ASLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[KEY:.*]] = llvm.mlir.addressof @nnrt_dropout_key : !llvm.ptr
// CHECK: llvm.call @use(%[[W]], %[[A]], %[[KEY]])
module {
  llvm.mlir.global private @nn_var_w() : !llvm.array<4 x f32>
  nn.export_tensor variable "w" at @nn_var_w : tensor<4xf32> init "zeros"
  llvm.mlir.global private @nn_arena() : !llvm.array<256 x i8>
  llvm.mlir.global external @nnrt_dropout_key() : !llvm.array<2 x i64>
  llvm.func @use(!llvm.ptr, !llvm.ptr, !llvm.ptr)
  llvm.func @step() {
    %w = llvm.mlir.addressof @nn_var_w : !llvm.ptr
    %a = llvm.mlir.addressof @nn_arena : !llvm.ptr
    %k = llvm.mlir.addressof @nnrt_dropout_key : !llvm.ptr
    llvm.call @use(%w, %a, %k) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
    llvm.return
  }
}
