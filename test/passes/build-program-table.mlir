// RUN: nn-opt %s --nn-build-program-table -split-input-file -verify-diagnostics | FileCheck %s
// The records of nn-state-to-globals become the table the runtime reads
// (support/ProgramABI.h): one nnrt_tensor per record, the module's first,
// then each function's inputs and outputs; one nnrt_function per function;
// and the program record with the module's name, source and settings.

module attributes {nn.model = "tiny", nn.source = "tiny.nn", nn.settings = ["program=infer", "source_dir=/models"]} {
  llvm.mlir.global private @nn_var_w() : !llvm.array<2 x array<3 x f32>>
  nn.export_tensor variable "w" at @nn_var_w : tensor<2x3xf32> init "normal stddev=0.1"
  llvm.mlir.global private @nn_infer_in_x() : !llvm.array<4 x array<2 x f32>>
  llvm.mlir.global private @nn_infer_out_c() : !llvm.array<4 x i64>
  nn.export_function "infer" at @nnc_infer batch 4 {
    nn.export_tensor input "x" at @nn_infer_in_x : tensor<4x2xf32> batched
    nn.export_tensor output "c" at @nn_infer_out_c : tensor<4xi64> batched
  }
  llvm.func @nnc_infer() {
    llvm.return
  }
}

// The records are gone; strings and shapes are private constants, shared
// when equal.
// CHECK-NOT: nn.export
// CHECK-DAG: llvm.mlir.global private constant @[[W:nnrt.str.[0-9]+]]("w\00")
// CHECK-DAG: llvm.mlir.global private constant @[[WDIMS:nnrt.dims.[0-9]+]](dense<[2, 3]> : tensor<2xi64>)
// CHECK-DAG: llvm.mlir.global private constant @[[INIT:nnrt.str.[0-9]+]]("normal stddev=0.1\00")
// CHECK-DAG: llvm.mlir.global private constant @[[EMPTY:nnrt.str.[0-9]+]]("\00")
// CHECK-DAG: llvm.mlir.global private constant @[[INFER:nnrt.str.[0-9]+]]("infer\00")
// CHECK-DAG: llvm.mlir.global private constant @[[XDIMS:nnrt.dims.[0-9]+]](dense<[4, 2]> : tensor<2xi64>)
// CHECK-DAG: llvm.mlir.global private constant @[[MODEL:nnrt.str.[0-9]+]]("tiny\00")
// CHECK-DAG: llvm.mlir.global private constant @[[SOURCE:nnrt.str.[0-9]+]]("tiny.nn\00")
// CHECK-DAG: llvm.mlir.global private constant @[[SETTINGS:nnrt.str.[0-9]+]]("program=infer\0Asource_dir=/models\0A\00")
//
// The tensors, field by field in the order of struct nnrt_tensor: name,
// role, dtype, rank, batched, dims, data, init. w: role 0 (variable), f32
// (0), rank 2, not batched.
// CHECK-LABEL: llvm.mlir.global private constant @nnrt.tensors.{{[0-9]+}}() {{.*}} : !llvm.array<3 x struct<"nnrt_tensor", (ptr, i32, i32, i32, i32, ptr, ptr, ptr, ptr)>>
// CHECK-NEXT: llvm.mlir.addressof @[[W]] : !llvm.ptr
// CHECK-NEXT: llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT: llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT: llvm.mlir.constant(2 : i32) : i32
// CHECK-NEXT: llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT: llvm.mlir.addressof @[[WDIMS]] : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @nn_var_w : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @[[INIT]] : !llvm.ptr
// CHECK-NEXT: llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT: llvm.mlir.undef
// CHECK-COUNT-9: llvm.insertvalue
// x: role 2 (input), f32, rank 2, batched, dims [4, 2], no initializer.
// CHECK-NEXT: llvm.mlir.addressof @nnrt.str.{{[0-9]+}} : !llvm.ptr
// CHECK-NEXT: llvm.mlir.constant(2 : i32) : i32
// CHECK-NEXT: llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT: llvm.mlir.constant(2 : i32) : i32
// CHECK-NEXT: llvm.mlir.constant(1 : i32) : i32
// CHECK-NEXT: llvm.mlir.addressof @[[XDIMS]] : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @nn_infer_in_x : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @[[EMPTY]] : !llvm.ptr
// CHECK-NEXT: llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT: llvm.mlir.undef
// CHECK-COUNT-9: llvm.insertvalue
// c: role 3 (output), i64 (1), rank 1, batched.
// CHECK-NEXT: llvm.mlir.addressof @nnrt.str.{{[0-9]+}} : !llvm.ptr
// CHECK-NEXT: llvm.mlir.constant(3 : i32) : i32
// CHECK-NEXT: llvm.mlir.constant(1 : i32) : i32
// CHECK-NEXT: llvm.mlir.constant(1 : i32) : i32
// CHECK-NEXT: llvm.mlir.constant(1 : i32) : i32
// CHECK-NEXT: llvm.mlir.addressof @nnrt.dims.{{[0-9]+}} : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @nn_infer_out_c : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @[[EMPTY]] : !llvm.ptr
// CHECK: llvm.insertvalue %{{.*}}, %{{.*}}[2] : !llvm.array<3 x struct<"nnrt_tensor"
// CHECK-NEXT: llvm.return
//
// The function: its name, entry point, batch 4 and tensors [1, 1 + 2).
// CHECK-LABEL: llvm.mlir.global private constant @nnrt.functions.{{[0-9]+}}() {{.*}} : !llvm.array<1 x struct<"nnrt_function", (ptr, ptr, i64, i32, i32)>>
// CHECK-NEXT: llvm.mlir.addressof @[[INFER]] : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @nnc_infer : !llvm.ptr
// CHECK-NEXT: llvm.mlir.constant(4 : i64) : i64
// CHECK-NEXT: llvm.mlir.constant(1 : i32) : i32
// CHECK-NEXT: llvm.mlir.constant(2 : i32) : i32
// CHECK: llvm.return
//
// The program: ABI version 1, its name and source, 3 tensors, 1 function,
// the settings as lines.
// CHECK-LABEL: llvm.mlir.global external constant @nnrt_program_table() {{.*}} : !llvm.struct<"nnrt_program", (i32, ptr, ptr, i32, ptr, i32, ptr, ptr, ptr, i32, ptr)>
// CHECK-NEXT: llvm.mlir.constant(2 : i32) : i32
// CHECK-NEXT: llvm.mlir.addressof @[[MODEL]] : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @[[SOURCE]] : !llvm.ptr
// CHECK-NEXT: llvm.mlir.constant(3 : i32) : i32
// CHECK-NEXT: llvm.mlir.addressof @nnrt.tensors.{{[0-9]+}} : !llvm.ptr
// CHECK-NEXT: llvm.mlir.constant(1 : i32) : i32
// CHECK-NEXT: llvm.mlir.addressof @nnrt.functions.{{[0-9]+}} : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @[[SETTINGS]] : !llvm.ptr
// A CPU program: no device code, no kernels.
// CHECK-NEXT: llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT: llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT: llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.return
//
// main() hands over to the runtime.
// CHECK: llvm.func @nnrt_main(i32, !llvm.ptr) -> i32
// CHECK: llvm.func @main(%[[ARGC:.*]]: i32, %[[ARGV:.*]]: !llvm.ptr) -> i32
// CHECK-NEXT: %[[R:.*]] = llvm.call @nnrt_main(%[[ARGC]], %[[ARGV]]) : (i32, !llvm.ptr) -> i32
// CHECK-NEXT: llvm.return %[[R]] : i32

// -----

// A GPU program (--target=cuda): the tensor's device field points at its
// device slot, which nn-gpu-device-pointers made; each nn.export_kernel is a
// row {name, emulated twin} of the kernel array, in order; the PTX module
// and the twins are external, defined with the kernels by the driver.
module attributes {nn.model = "gpu", nn.source = "gpu.nn", nn.settings = ["program=infer"]} {
  llvm.mlir.global private @nn_var_w() : !llvm.array<2 x f32>
  llvm.mlir.global private @nn_var_w.device() : !llvm.ptr
  nn.export_tensor variable "w" at @nn_var_w : tensor<2xf32> init "zeros"
  nn.export_kernel "nnc_infer_kernel"
  nn.export_kernel "nnc_infer_kernel_0"
}
// CHECK-LABEL: module attributes {nn.model = "gpu"
// CHECK-NOT: nn.export
// CHECK-LABEL: llvm.mlir.global private constant @nnrt.tensors.{{[0-9]+}}()
// CHECK: llvm.mlir.addressof @nn_var_w : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @nnrt.str.{{[0-9]+}} : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @nn_var_w.device : !llvm.ptr
// CHECK-DAG: llvm.mlir.global external constant @nnrt_device_code() {{.*}} : i8
// CHECK-DAG: llvm.mlir.global external constant @nnrt_emu_nnc_infer_kernel() {{.*}} : i8
// CHECK-DAG: llvm.mlir.global external constant @nnrt_emu_nnc_infer_kernel_0() {{.*}} : i8
// CHECK-DAG: llvm.mlir.global private constant @[[K0:nnrt.str.[0-9]+]]("nnc_infer_kernel\00")
// CHECK-DAG: llvm.mlir.global private constant @[[K1:nnrt.str.[0-9]+]]("nnc_infer_kernel_0\00")
// CHECK-LABEL: llvm.mlir.global private constant @nnrt.kernels.{{[0-9]+}}() {{.*}} : !llvm.array<2 x struct<"nnrt_kernel", (ptr, ptr)>>
// CHECK-NEXT: llvm.mlir.addressof @[[K0]] : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @nnrt_emu_nnc_infer_kernel : !llvm.ptr
// CHECK: llvm.mlir.addressof @[[K1]] : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @nnrt_emu_nnc_infer_kernel_0 : !llvm.ptr
// CHECK-LABEL: llvm.mlir.global external constant @nnrt_program_table()
// CHECK: llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT: llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @nnrt.str.{{[0-9]+}} : !llvm.ptr
// CHECK-NEXT: llvm.mlir.addressof @nnrt_device_code : !llvm.ptr
// CHECK-NEXT: llvm.mlir.constant(2 : i32) : i32
// CHECK-NEXT: llvm.mlir.addressof @nnrt.kernels.{{[0-9]+}} : !llvm.ptr

// -----

// Run before the lowering to the LLVM dialect, the table cannot take the
// storage's address.
module {
  memref.global "private" @nn_var_w : memref<2xf32> = uninitialized
  // expected-error @+1 {{names @nn_var_w, which is not an llvm.mlir.global: nn-build-program-table runs after the lowering to the LLVM dialect}}
  nn.export_tensor variable "w" at @nn_var_w : tensor<2xf32> init "zeros"
}
