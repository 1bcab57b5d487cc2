// UNSUPPORTED: sanitize
// (It links a program by hand with clang and the plain libnnrt.a of a normal
// build; the checking build's libnnrt.a needs the sanitizers' runtimes.)
// RUN: nn-opt %s --nn-cpu-pipeline=batch=8 | FileCheck %s
// The whole CPU pipeline ends in the LLVM dialect: globals for the state, an
// argument-free entry function, loops as branches, exp as an intrinsic, and
// the program table with main(): a complete program.

// CHECK-DAG: llvm.mlir.global private @nn_var_w() {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<3 x array<2 x f32>>
// CHECK-DAG: llvm.mlir.global private @nn_infer_in_x(
// CHECK-DAG: llvm.mlir.global private @nn_infer_out_p(
// CHECK-LABEL: llvm.func @nnc_infer()
// CHECK: llvm.intr.exp
// CHECK: llvm.mlir.global external constant @nnrt_program_table()
// CHECK: llvm.func @main(
// CHECK-NOT: linalg.
// CHECK-NOT: memref.
// CHECK-NOT: nn.export

// It links with the runtime as it is, and runs: w is zeros, so each row of
// p is softmax(0, 0).
// RUN: rm -rf %t && mkdir -p %t
// RUN: nn-opt %s --nn-cpu-pipeline=batch=8 -o %t/tiny.mlir
// RUN: mlir-translate --mlir-to-llvmir %t/tiny.mlir -o %t/tiny.ll
// RUN: clang -O2 -c %t/tiny.ll -o %t/tiny.o
// RUN: c++ %t/tiny.o %nnc_build/lib/libnnrt.a -lz -lm -lpthread -o %t/tiny-infer
// RUN: printf '1,2,3\n4,5,6\n' > %t/x.csv
// RUN: %t/tiny-infer --feed x=%t/x.csv | FileCheck %s --check-prefix=RUNS
// RUNS:      0.500000 0.500000
// RUNS-NEXT: 0.500000 0.500000
// RUNS-EMPTY:
module attributes {nn.model = "tiny", nn.settings = ["program=infer"]} {
  nn.variable @w : tensor<3x2xf32> = "zeros" {}
  func.func @infer(%x: tensor<?x3xf32> {nn.placeholder = "x"}) -> (tensor<?x2xf32> {nn.output = "p"}) {
    %w = nn.read @w : tensor<3x2xf32>
    %m = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
    %p = nn.softmax %m : tensor<?x2xf32>
    return %p : tensor<?x2xf32>
  }
}
