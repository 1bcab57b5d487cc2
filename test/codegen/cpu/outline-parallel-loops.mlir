// RUN: nn-opt %s --nn-outline-parallel-loops -split-input-file | FileCheck %s
// A parallel loop becomes a function of a range of its iterations and a call
// of the runtime's thread pool. What the body reads from outside (constants,
// a global, a view of it) is made again inside the function.

memref.global "private" @nn_arena : memref<4096xi8>

// CHECK-LABEL: func.func @step()
// n = (ub - lb + step - 1) / step iterations of the loop (3 of 2..8 by 2):
// CHECK:      %[[N:.*]] = arith.divui
// CHECK:      %[[F:.*]] = constant @step_parallel_0 : (index, index) -> ()
// CHECK-NEXT: call @nnrt_parallel_for(%[[F]], %[[N]]) : ((index, index) -> (), index) -> ()
// CHECK-NOT:  scf.parallel
// CHECK:      return
func.func @step() {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  %arena = memref.get_global @nn_arena : memref<4096xi8>
  %buffer = memref.view %arena[%c0][] : memref<4096xi8> to memref<8xf32>
  scf.parallel (%i) = (%c2) to (%c8) step (%c2) {
    memref.store %one, %buffer[%i] : memref<8xf32>
    scf.reduce
  }
  return
}
// The body runs iterations [first, last): element lb + k * step of each.
// CHECK-LABEL: func.func private @step_parallel_0(%arg0: index, %arg1: index)
// CHECK-DAG:  %[[LB:.*]] = arith.constant 2 : index
// CHECK-DAG:  %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:  %[[ARENA:.*]] = memref.get_global @nn_arena
// CHECK-DAG:  %[[BUF:.*]] = memref.view %[[ARENA]]
// CHECK:      scf.for %[[K:.*]] = %arg0 to %arg1 step %{{.*}} {
// CHECK:        %[[KS:.*]] = arith.muli %[[K]], %{{.*}} : index
// CHECK:        %[[I:.*]] = arith.addi %[[LB]], %[[KS]] : index
// CHECK:        memref.store %[[ONE]], %[[BUF]][%[[I]]] : memref<8xf32>
// CHECK: func.func private @nnrt_parallel_for((index, index) -> (), index)

// -----

// A loop that reads a value from outside that cannot be made again inside
// (here an argument) is left alone: it runs on one thread.
// CHECK-LABEL: func.func @from_argument
// CHECK: scf.parallel
// CHECK-NOT: nnrt_parallel_for
func.func @from_argument(%buffer: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %one, %buffer[%i] : memref<8xf32>
    scf.reduce
  }
  return
}

// -----

memref.global "private" @nn_var_w : memref<4x4xf32>

// Only the outermost loop goes to the threads; the inner one stays a loop
// inside its function.
// CHECK-LABEL: func.func @nested
// CHECK: call @nnrt_parallel_for
// CHECK-LABEL: func.func private @nested_parallel_0
// CHECK: scf.for
// CHECK: scf.parallel
func.func @nested() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  %w = memref.get_global @nn_var_w : memref<4x4xf32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
      memref.store %one, %w[%i, %j] : memref<4x4xf32>
      scf.reduce
    }
    scf.reduce
  }
  return
}
