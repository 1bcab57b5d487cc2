// RUN: nn-opt %s --nn-gpu-map-parallel-loops=block-size=16 -split-input-file -verify-diagnostics | FileCheck %s
// Each outermost scf.parallel becomes a gpu.launch of 1-D blocks, one thread
// per iteration, the last dimension the fastest; views and constants are
// made again inside the launch (the buffers themselves become the kernel's
// arguments); a host scalar (the dropout key's load) stays on the host; and
// the serial code left at the top (a rank-0 store) is a kernel of one thread.

memref.global "private" @nn_arena : memref<256xi8> = uninitialized
memref.global "private" @nn_var_w : memref<4x10xf32> = uninitialized
memref.global "private" @nn_out : memref<f32> = uninitialized
memref.global @nnrt_dropout_key : memref<2xi64>

// CHECK-LABEL: func.func @step()
// CHECK:       %[[ARENA:.*]] = memref.get_global @nn_arena
// CHECK:       %[[W:.*]] = memref.get_global @nn_var_w
// CHECK:       %[[KEY:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<2xi64>
// 40 iterations, blocks of 16 threads: 3 blocks, the last not full.
// CHECK:       gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c3, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c16, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}})
// CHECK:         %[[K0:.*]] = arith.muli %[[BX]], %{{.*}} : index
// CHECK:         %[[K:.*]] = arith.addi %[[K0]], %[[TX]] : index
// CHECK:         %[[IN:.*]] = arith.cmpi ult, %[[K]], %{{.*}} : index
// CHECK:         scf.if %[[IN]] {
// j = k mod 10 first (the fastest), then i = k / 10.
// CHECK:           %[[Q:.*]] = arith.divui %[[K]], %{{.*}} : index
// CHECK:           %[[J:.*]] = arith.remui %[[Q]], %{{.*}} : index
// CHECK:           %[[I:.*]] = arith.divui %[[K]], %{{.*}} : index
// CHECK:           %[[VIEW:.*]] = memref.view %[[ARENA]]
// CHECK:           memref.load %[[W]][%{{.*}}, %{{.*}}] : memref<4x10xf32>
// CHECK:           arith.sitofp %[[KEY]]
// CHECK:           memref.store %{{.*}}, %[[VIEW]][%{{.*}}, %{{.*}}] : memref<4x10xf32>
// CHECK:         gpu.terminator
// The rank-0 store: one block of one thread.
// CHECK:       gpu.launch blocks({{.*}}) in (%{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads({{.*}}) in (%{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}})
// CHECK:           memref.store %{{.*}}, %{{.*}}[] : memref<f32>
// CHECK-NOT:   memref.store
// CHECK:       return
func.func @step() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  %zero = arith.constant 0.0 : f32
  %arena = memref.get_global @nn_arena : memref<256xi8>
  %w = memref.get_global @nn_var_w : memref<4x10xf32>
  %out = memref.get_global @nn_out : memref<f32>
  %keys = memref.get_global @nnrt_dropout_key : memref<2xi64>
  %key = memref.load %keys[%c0] : memref<2xi64>
  %view = memref.view %arena[%c0][] : memref<256xi8> to memref<4x10xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c10) step (%c1, %c1) {
    %x = memref.load %w[%i, %j] : memref<4x10xf32>
    %k = arith.sitofp %key : i64 to f32
    %y = arith.mulf %x, %k : f32
    memref.store %y, %view[%i, %j] : memref<4x10xf32>
    scf.reduce
  }
  memref.store %zero, %out[] : memref<f32>
  return
}

// -----

func.func @dynamic(%n: index, %buffer: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{nn-gpu-map-parallel-loops needs static bounds}}
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %zero, %buffer[%i] : memref<?xf32>
    scf.reduce
  }
  return
}
