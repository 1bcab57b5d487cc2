// RUN: nn-opt %s --nn-plan-memory --split-input-file | FileCheck %s
// nn-plan-memory puts every static temporary of a function into one arena,
// @nn_arena, at an offset chosen from the buffers' live ranges: from the
// first to the last op of the body (counted from 0) that touches the buffer.
//
//   %a  64 B   live 2..4      (filled by op 2, read by op 4)
//   %b  64 B   live 4..6
//   %c 256 B   live 6..7
//
// Greedy by size: %c at 0; %a does not overlap %c in time, so also at 0;
// %b overlaps both, so it goes after the larger, at 256. The arena is 320
// bytes, which is the lower bound here (%b and %c are both live at op 6).

#id = affine_map<(i) -> (i)>
#first = affine_map<(i, j) -> (i)>
#both = affine_map<(i, j) -> (i, j)>

// CHECK: memref.global "private" @nn_arena : memref<320xi8> = uninitialized {alignment = 64 : i64}
// CHECK-LABEL: func.func @chain
// CHECK-NEXT:    %[[ARENA:.*]] = memref.get_global @nn_arena : memref<320xi8>
// CHECK:         %[[OFFSET_A:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[A:.*]] = memref.view %[[ARENA]][%[[OFFSET_A]]][] {nn.bytes = 64 : i64, nn.live = array<i64: 2, 4>, nn.offset = 0 : i64} : memref<320xi8> to memref<16xf32>
// CHECK:         %[[OFFSET_B:.*]] = arith.constant 256 : index
// CHECK-NEXT:    %[[B:.*]] = memref.view %[[ARENA]][%[[OFFSET_B]]][] {nn.bytes = 64 : i64, nn.live = array<i64: 4, 6>, nn.offset = 256 : i64} : memref<320xi8> to memref<16xf32>
// CHECK:         %[[C:.*]] = memref.view %[[ARENA]][%{{.*}}][] {nn.bytes = 256 : i64, nn.live = array<i64: 6, 7>, nn.offset = 0 : i64} : memref<320xi8> to memref<16x4xf32>
// CHECK-NOT:     memref.alloc
// CHECK:         return
func.func @chain(%out: memref<16x4xf32>) {
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<16xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<16xf32>)
  %b = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : memref<16xf32>) outs(%b : memref<16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.addf %x, %x : f32
    linalg.yield %y : f32
  }
  %c = memref.alloc() : memref<16x4xf32>
  linalg.generic {indexing_maps = [#first, #both], iterator_types = ["parallel", "parallel"]}
      ins(%b : memref<16xf32>) outs(%c : memref<16x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  memref.copy %c, %out : memref<16x4xf32> to memref<16x4xf32>
  return
}

// -----

// Left alone: a dynamic shape (its size is not known at compile time), a
// buffer the function frees itself, and one returned to the caller. No
// buffer is planned, so no arena is made.
// CHECK-NOT: @nn_arena
// CHECK-LABEL: func.func @not_planned
// CHECK:         memref.alloc(%arg0) : memref<?xf32>
// CHECK:         memref.alloc() : memref<8xf32>
// CHECK:         memref.dealloc
// CHECK:         memref.alloc() : memref<4xf32>
// CHECK:         return
func.func @not_planned(%n: index) -> memref<4xf32> {
  %one = arith.constant 1.0 : f32
  %dynamic = memref.alloc(%n) : memref<?xf32>
  linalg.fill ins(%one : f32) outs(%dynamic : memref<?xf32>)
  memref.dealloc %dynamic : memref<?xf32>
  %freed = memref.alloc() : memref<8xf32>
  linalg.fill ins(%one : f32) outs(%freed : memref<8xf32>)
  memref.dealloc %freed : memref<8xf32>
  %returned = memref.alloc() : memref<4xf32>
  linalg.fill ins(%one : f32) outs(%returned : memref<4xf32>)
  return %returned : memref<4xf32>
}

// -----

// Two functions run one at a time, so they share one arena, as large as the
// larger plan (4 KiB here), and each reuses it from offset 0.
// CHECK: memref.global "private" @nn_arena : memref<4096xi8>
// CHECK-LABEL: func.func @small
// CHECK:         memref.view {{.*}}nn.offset = 0 : i64{{.*}} to memref<4xf32>
// CHECK-LABEL: func.func @large
// CHECK:         memref.view {{.*}}nn.offset = 0 : i64{{.*}} to memref<1024xf32>
func.func @small(%out: memref<4xf32>) {
  %one = arith.constant 1.0 : f32
  %t = memref.alloc() : memref<4xf32>
  linalg.fill ins(%one : f32) outs(%t : memref<4xf32>)
  memref.copy %t, %out : memref<4xf32> to memref<4xf32>
  return
}
func.func @large(%out: memref<1024xf32>) {
  %one = arith.constant 1.0 : f32
  %t = memref.alloc() : memref<1024xf32>
  linalg.fill ins(%one : f32) outs(%t : memref<1024xf32>)
  memref.copy %t, %out : memref<1024xf32> to memref<1024xf32>
  return
}
