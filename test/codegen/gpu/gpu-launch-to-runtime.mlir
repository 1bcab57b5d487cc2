// RUN: nn-opt %s --nn-gpu-launch-to-runtime -split-input-file -verify-diagnostics | FileCheck %s
// Each gpu.launch_func becomes a call of the runtime's nnrt_gpu_launch with
// the kernel's number (its place in @nnc_kernels) and an array of pointers
// to 8-byte slots that hold the arguments: a buffer's aligned address, an
// integer widened, a float's bits. The kernels are recorded in that order
// (nn.export_kernel) for the program table.

// CHECK-LABEL: func.func @step
// CHECK-DAG:   %[[SLOTS:.*]] = memref.alloca() : memref<3xi64>
// CHECK-DAG:   %[[POINTERS:.*]] = memref.alloca() : memref<3xindex>
// CHECK:       %[[BASE:.*]] = memref.extract_aligned_pointer_as_index %[[SLOTS]]
// CHECK:       %[[A:.*]] = memref.extract_aligned_pointer_as_index %arg0
// CHECK:       %[[A64:.*]] = arith.index_castui %[[A]] : index to i64
// CHECK:       memref.store %[[A64]], %[[SLOTS]][%{{.*}}] : memref<3xi64>
// CHECK:       %[[P0:.*]] = arith.addi %[[BASE]], %{{.*}} : index
// CHECK:       memref.store %[[P0]], %[[POINTERS]][%{{.*}}] : memref<3xindex>
// CHECK:       arith.extui %arg1 : i32 to i64
// CHECK:       %[[BITS:.*]] = arith.bitcast %arg2 : f32 to i32
// CHECK:       arith.extui %[[BITS]] : i32 to i64
// CHECK:       %[[ARGS:.*]] = memref.extract_aligned_pointer_as_index %[[POINTERS]]
// Kernel number 1: the second of @nnc_kernels.
// CHECK:       call @nnrt_gpu_launch(%c1_i32, %c2, %c1, %c1, %c64, %c1, %c1, %[[ARGS]]) : (i32, index, index, index, index, index, index, index) -> ()
// CHECK-NOT:   gpu.launch_func
// CHECK:       nn.export_kernel "first"
// CHECK-NEXT:  nn.export_kernel "second"
// CHECK:       func.func private @nnrt_gpu_launch(i32, index, index, index, index, index, index, index)
module attributes {gpu.container_module} {
  func.func @step(%a: memref<128xf32>, %n: i32, %s: f32) {
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c64 = arith.constant 64 : index
    gpu.launch_func @nnc_kernels::@second blocks in (%c2, %c1, %c1) threads in (%c64, %c1, %c1) args(%a : memref<128xf32>, %n : i32, %s : f32)
    return
  }
  gpu.module @nnc_kernels {
    gpu.func @first() kernel {
      gpu.return
    }
    gpu.func @second(%a: memref<128xf32>, %n: i32, %s: f32) kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @step() {
    %c1 = arith.constant 1 : index
    // expected-error @+1 {{launches a kernel outside @nnc_kernels: run nn-gpu-gather-kernels first}}
    gpu.launch_func @other::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
  gpu.module @other {
    gpu.func @k() kernel {
      gpu.return
    }
  }
}
