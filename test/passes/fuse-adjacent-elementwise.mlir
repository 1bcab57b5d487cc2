// RUN: nn-opt %s --nn-fuse-adjacent-elementwise | FileCheck %s
// nn-fuse-adjacent-elementwise merges neighbouring elementwise loop nests on
// buffers when doing each element's work of both in one loop is the same.

#id = affine_map<(i) -> (i)>
#scalar = affine_map<(i) -> ()>
memref.global "private" @w : memref<8xf32> = dense<0.0>
memref.global "private" @m : memref<8xf32> = dense<0.0>

// Momentum SGD as the optimizer pass writes it: m = 0.9 m + g, then
// w = w - lr m. One loop: m's new value goes straight from the first body
// into the second (not re-read from @m), the scalar lr is read as before.
// CHECK-LABEL: func.func @momentum
// CHECK:         %[[M:.*]] = memref.get_global @m
// CHECK:         %[[W:.*]] = memref.get_global @w
// CHECK-NOT:     linalg.generic
// CHECK:         linalg.generic {indexing_maps = [#map, #map, #map, #map1, #map, #map, #map], iterator_types = ["parallel"]}
// CHECK-SAME:        ins(%[[M]], %arg0, %[[W]], %arg1, %[[M]] : {{.*}}) outs(%[[M]], %[[W]] : memref<8xf32>, memref<8xf32>)
// CHECK-NEXT:    ^bb0(%[[MI:.*]]: f32, %[[GI:.*]]: f32, %[[WI:.*]]: f32, %[[LR:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[DECAYED:.*]] = arith.mulf %[[MI]], %{{.*}} : f32
// CHECK-NEXT:      %[[MNEW:.*]] = arith.addf %[[DECAYED]], %[[GI]] : f32
// CHECK-NEXT:      %[[STEP:.*]] = arith.mulf %[[LR]], %[[MNEW]] : f32
// CHECK-NEXT:      %[[WNEW:.*]] = arith.subf %[[WI]], %[[STEP]] : f32
// CHECK-NEXT:      linalg.yield %[[MNEW]], %[[WNEW]] : f32, f32
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @momentum(%g: memref<8xf32>, %lr: memref<f32>) {
  %decay = arith.constant 0.9 : f32
  %m = memref.get_global @m : memref<8xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%m, %g : memref<8xf32>, memref<8xf32>) outs(%m : memref<8xf32>) {
  ^bb0(%mi: f32, %gi: f32, %o: f32):
    %d = arith.mulf %mi, %decay : f32
    %n = arith.addf %d, %gi : f32
    linalg.yield %n : f32
  }
  %w = memref.get_global @w : memref<8xf32>
  linalg.generic {indexing_maps = [#id, #scalar, #id, #id], iterator_types = ["parallel"]}
      ins(%w, %lr, %m : memref<8xf32>, memref<f32>, memref<8xf32>) outs(%w : memref<8xf32>) {
  ^bb0(%wi: f32, %l: f32, %mi: f32, %o: f32):
    %s = arith.mulf %l, %mi : f32
    %n = arith.subf %wi, %s : f32
    linalg.yield %n : f32
  }
  return
}

// Kept apart: the second op reads the scalar the first one writes (element 0
// of %s is read at every element, so it must be complete first); and
// loops of different lengths.
// CHECK-LABEL: func.func @kept_apart
// CHECK-COUNT-3: linalg.generic
func.func @kept_apart(%a: memref<8xf32>, %s: memref<f32>, %b: memref<8xf32>, %c: memref<4xf32>) {
  linalg.generic {indexing_maps = [#id, #scalar], iterator_types = ["parallel"]}
      ins(%a : memref<8xf32>) outs(%s : memref<f32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  linalg.generic {indexing_maps = [#scalar, #id], iterator_types = ["parallel"]}
      ins(%s : memref<f32>) outs(%b : memref<8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]}
      outs(%c : memref<4xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0.0 : f32
    linalg.yield %z : f32
  }
  return
}
