// RUN: nn-opt %s --nn-unroll-small-loops --canonicalize | FileCheck %s
// nn-unroll-small-loops writes out short constant loops, innermost first.

// A 2 x 2 window inside a loop over 32 channels: both window loops are
// written out (4 loads), the channel loop stays and is now innermost.
// CHECK-LABEL: func.func @window
// CHECK:         scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-COUNT-4:   memref.load %arg0[%{{.*}}, %{{.*}}, %[[C]]]
// CHECK-NOT:       scf.for
// CHECK:           memref.store
// CHECK-NEXT:    }
func.func @window(%in: memref<2x2x32xf32>, %out: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  scf.for %c = %c0 to %c32 step %c1 {
    %sum = scf.for %i = %c0 to %c2 step %c1 iter_args(%a = %zero) -> f32 {
      %row = scf.for %j = %c0 to %c2 step %c1 iter_args(%b = %a) -> f32 {
        %x = memref.load %in[%i, %j, %c] : memref<2x2x32xf32>
        %s = arith.addf %b, %x : f32
        scf.yield %s : f32
      }
      scf.yield %row : f32
    }
    memref.store %sum, %out[%c] : memref<32xf32>
  }
  return
}

// Left as loops: more than 8 iterations, bounds not known at compile time.
// CHECK-LABEL: func.func @left_alone
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// CHECK:         scf.for %{{.*}} = %{{.*}} to %arg1 step
func.func @left_alone(%buffer: memref<16xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c16 step %c1 {
    memref.store %one, %buffer[%i] : memref<16xf32>
  }
  scf.for %i = %c0 to %n step %c1 {
    memref.store %one, %buffer[%i] : memref<16xf32>
  }
  return
}
