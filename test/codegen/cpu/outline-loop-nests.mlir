// RUN: nn-opt %s --nn-outline-loop-nests -split-input-file | FileCheck %s
// Each outermost scf.for of an entry function becomes a private no_inline
// function without arguments, called in its place: what the nest reads from
// outside (constants, a global, a view of it) is made again inside.

memref.global "private" @nn_arena : memref<4096xi8>

// CHECK-LABEL: func.func @step()
// CHECK-NOT:   scf.for
// CHECK:       call @step_loop_0() : () -> ()
// CHECK-NEXT:  call @step_loop_1() : () -> ()
// CHECK-NEXT:  return
func.func @step() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  %arena = memref.get_global @nn_arena : memref<4096xi8>
  %buffer = memref.view %arena[%c0][] : memref<4096xi8> to memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %one, %buffer[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %buffer[%i] : memref<8xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %buffer[%i] : memref<8xf32>
  }
  return
}
// The functions come after their caller, in reverse order of creation.
// CHECK-LABEL: func.func private @step_loop_1() attributes {no_inline}
// CHECK-DAG:   %[[ARENA:.*]] = memref.get_global @nn_arena
// CHECK-DAG:   %[[BUF:.*]] = memref.view %[[ARENA]]
// CHECK:       scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:         %[[V:.*]] = memref.load %[[BUF]][%[[I]]]
// CHECK:         arith.addf %[[V]], %[[V]]
// CHECK:       return
// CHECK-LABEL: func.func private @step_loop_0() attributes {no_inline}
// CHECK:         memref.store

// -----

// A nest that reads an argument of its function, or returns a value, stays;
// so does everything in a private function (the thread pool's bodies are
// loops already).
// CHECK-LABEL: func.func @kept(%arg0: memref<8xf32>) -> f32
// CHECK:       scf.for
// CHECK:       scf.for {{.*}} iter_args
// CHECK-NOT:   call
// CHECK:       return
func.func @kept(%buffer: memref<8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %zero, %buffer[%i] : memref<8xf32>
  }
  %sum = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
    %s = arith.addf %acc, %zero : f32
    scf.yield %s : f32
  }
  return %sum : f32
}
// CHECK-LABEL: func.func private @helper()
// CHECK:       scf.for
// CHECK-NOT:   call
func.func private @helper() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
  }
  return
}
// CHECK-NOT: _loop_
