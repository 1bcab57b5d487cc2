// RUN: nn-opt %s --nn-gpu-gather-kernels | FileCheck %s
// gpu-kernel-outlining makes a gpu.module per kernel; the program loads all
// of its kernels as one PTX module, so they move into @nnc_kernels, each
// named after the module it came from, and the launches follow them.

// CHECK-NOT: gpu.module @step_kernel
// CHECK-LABEL: func.func @step
// CHECK: gpu.launch_func @nnc_kernels::@step_kernel blocks in
// CHECK: gpu.launch_func @nnc_kernels::@step_kernel_0 blocks in
// CHECK: gpu.module @nnc_kernels {
// CHECK:   gpu.func @step_kernel(%{{.*}}: memref<4xf32>) kernel
// CHECK:   gpu.func @step_kernel_0(%{{.*}}: memref<4xf32>) kernel
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @step(%a: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    gpu.launch_func @step_kernel::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @step_kernel_0::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%a : memref<4xf32>)
    return
  }
  gpu.module @step_kernel {
    gpu.func @step_kernel(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @step_kernel_0 {
    gpu.func @step_kernel(%a: memref<4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %x = memref.load %a[%c0] : memref<4xf32>
      gpu.return
    }
  }
}
