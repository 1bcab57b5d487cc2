// RUN: nn-opt %s --nn-share-kernels -split-input-file | FileCheck %s
// Run twice, the same: what the pass leaves is left alone (nnc re-enters a
// printed program by running every stage again).
// RUN: nn-opt %s --nn-share-kernels --nn-share-kernels -split-input-file | FileCheck %s
// Each outlined function passes the buffers it touches (globals, views of
// the arena at constant offsets) to a kernel that holds the rest; kernels
// that print the same are one function. A loop nest's function, called
// directly, is replaced at its call by the buffers and the kernel's call.

memref.global "private" @nn_arena : memref<4096xi8>
memref.global "private" @b1 : memref<8xf32> = uninitialized
memref.global "private" @b2 : memref<8xf32> = uninitialized

// The entry point calls the kernels with each nest's buffers.
// CHECK-LABEL: func.func @step()
// Two bias adds of one shape, on different globals and arena offsets: one
// kernel, called with each one's buffers.
// CHECK-DAG:     %[[B1:.*]] = memref.get_global @b1 : memref<8xf32>
// CHECK-DAG:     %[[ARENA:.*]] = memref.get_global @nn_arena
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[H1:.*]] = memref.view %[[ARENA]][%[[C0]]][] : memref<4096xi8> to memref<8xf32>
// CHECK-NEXT:    call @nnc_kernel_0(%[[B1]], %[[H1]]) : (memref<8xf32>, memref<8xf32>) -> ()
// CHECK-DAG:     %[[B2:.*]] = memref.get_global @b2 : memref<8xf32>
// CHECK-DAG:     %[[C2048:.*]] = arith.constant 2048 : index
// CHECK:         %[[H2:.*]] = memref.view %{{.*}}[%[[C2048]]][] : memref<4096xi8> to memref<8xf32>
// CHECK-NEXT:    call @nnc_kernel_0(%[[B2]], %[[H2]]) : (memref<8xf32>, memref<8xf32>) -> ()
// A subview's static offset inside a buffer is part of the kernel: the
// same loop on another row of one buffer is another kernel.
// CHECK:         call @nnc_kernel_2(%{{.*}}) : (memref<2x4xf32>) -> ()
// CHECK:         call @nnc_kernel_3(%{{.*}}) : (memref<2x4xf32>) -> ()
// What is not an outlined function's stays.
// CHECK-NEXT:    memref.get_global @b1
// CHECK-NEXT:    return
func.func @step() {
  call @step_loop_0() : () -> ()
  call @step_loop_1() : () -> ()
  call @step_loop_2() : () -> ()
  call @step_loop_3() : () -> ()
  %b = memref.get_global @b1 : memref<8xf32>
  return
}

// CHECK-NOT: @step_loop_0()
func.func private @step_loop_0() attributes {no_inline} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %b = memref.get_global @b1 : memref<8xf32>
  %arena = memref.get_global @nn_arena : memref<4096xi8>
  %h = memref.view %arena[%c0][] : memref<4096xi8> to memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %h[%i] : memref<8xf32>
    %y = memref.load %b[%i] : memref<8xf32>
    %z = arith.addf %x, %y : f32
    memref.store %z, %h[%i] : memref<8xf32>
  }
  return
}
// The kernel: the loop on its arguments, no globals, no offsets.
// CHECK-LABEL: func.func private @nnc_kernel_0(%arg0: memref<8xf32>, %arg1: memref<8xf32>) attributes {no_inline}
// CHECK-NOT:     memref.get_global
// CHECK-NOT:     memref.view
// CHECK:         scf.for %[[I:.*]] =
// CHECK:           memref.load %arg1[%[[I]]]
// CHECK:           memref.load %arg0[%[[I]]]
// CHECK:           arith.addf
// CHECK:           memref.store {{.*}}, %arg1[%[[I]]]
// CHECK:         return

// CHECK-NOT: @step_loop_1()
func.func private @step_loop_1() attributes {no_inline} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c2048 = arith.constant 2048 : index
  %b = memref.get_global @b2 : memref<8xf32>
  %arena = memref.get_global @nn_arena : memref<4096xi8>
  %h = memref.view %arena[%c2048][] : memref<4096xi8> to memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %h[%i] : memref<8xf32>
    %y = memref.load %b[%i] : memref<8xf32>
    %z = arith.addf %x, %y : f32
    memref.store %z, %h[%i] : memref<8xf32>
  }
  return
}

// A thread-pool body keeps its (first, last) arguments, first in the
// kernel's, and stays a function (the pool calls it through a pointer); a
// different op (mulf) on the same buffers is another kernel.
// CHECK-LABEL: func.func private @step_parallel_0(%arg0: index, %arg1: index)
// CHECK:         call @nnc_kernel_1(%arg0, %arg1, %{{.*}}, %{{.*}}) : (index, index, memref<8xf32>, memref<8xf32>) -> ()
// CHECK-NEXT:    return
func.func private @step_parallel_0(%first: index, %last: index) {
  %c1 = arith.constant 1 : index
  %b = memref.get_global @b1 : memref<8xf32>
  %arena = memref.get_global @nn_arena : memref<4096xi8>
  %c64 = arith.constant 64 : index
  %h = memref.view %arena[%c64][] : memref<4096xi8> to memref<8xf32>
  scf.for %i = %first to %last step %c1 {
    %x = memref.load %h[%i] : memref<8xf32>
    %y = memref.load %b[%i] : memref<8xf32>
    %z = arith.mulf %x, %y : f32
    memref.store %z, %h[%i] : memref<8xf32>
  }
  return
}
// CHECK-LABEL: func.func private @nnc_kernel_1(%arg0: index, %arg1: index, %arg2: memref<8xf32>, %arg3: memref<8xf32>)
// CHECK:         scf.for %{{.*}} = %arg0 to %arg1
// CHECK:           arith.mulf

func.func private @step_loop_2() attributes {no_inline} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  %arena = memref.get_global @nn_arena : memref<4096xi8>
  %m = memref.view %arena[%c0][] : memref<4096xi8> to memref<2x4xf32>
  %row = memref.subview %m[0, 0] [1, 4] [1, 1] : memref<2x4xf32> to memref<4xf32, strided<[1]>>
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %one, %row[%i] : memref<4xf32, strided<[1]>>
  }
  return
}
// CHECK-LABEL: func.func private @nnc_kernel_2(%arg0: memref<2x4xf32>)
// CHECK:         memref.subview %arg0[0, 0]
func.func private @step_loop_3() attributes {no_inline} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  %arena = memref.get_global @nn_arena : memref<4096xi8>
  %m = memref.view %arena[%c0][] : memref<4096xi8> to memref<2x4xf32>
  %row = memref.subview %m[1, 0] [1, 4] [1, 1] : memref<2x4xf32> to memref<4xf32, strided<[1], offset: 4>>
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %one, %row[%i] : memref<4xf32, strided<[1], offset: 4>>
  }
  return
}
// CHECK-LABEL: func.func private @nnc_kernel_3(%arg0: memref<2x4xf32>)
// CHECK:         memref.subview %arg0[1, 0]

// Functions that touch no buffer stay as they are.
// CHECK-LABEL: func.func private @no_buffers()
// CHECK-NEXT:    arith.constant
// CHECK-NEXT:    return
func.func private @no_buffers() {
  %c0 = arith.constant 0 : index
  return
}
// CHECK-NOT: nnc_kernel_4
// CHECK-NOT: @step_loop_
