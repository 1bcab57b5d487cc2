// RUN: nn-opt %s --nn-update-in-place --split-input-file | FileCheck %s
// nn-update-in-place removes the copies one-shot bufferization leaves around
// the variables a train step updates, each rewrite only where it is safe.
// Each function below is one case; the "kept" cases show why a copy stays.

#id = affine_map<(i) -> (i)>
memref.global "private" @w : memref<4xf32> = dense<0.0>

// Rewrite 1, copy forwarding: the snapshot of @w is only read, and @w is not
// written while it is, so the reads go to @w and the copy disappears.
// CHECK-LABEL: func.func @forward_snapshot
// CHECK-NEXT:    %[[W:.*]] = memref.get_global @w
// CHECK-NEXT:    linalg.generic {{.*}} ins(%[[W]] : memref<4xf32>) outs(%arg0 : memref<4xf32>)
// CHECK-NOT:     memref.copy
// CHECK-NOT:     memref.alloc
// CHECK:         return
func.func @forward_snapshot(%out: memref<4xf32>) {
  %w = memref.get_global @w : memref<4xf32>
  %old = memref.alloc() : memref<4xf32>
  memref.copy %w, %old : memref<4xf32> to memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%old : memref<4xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %twice = arith.addf %a, %a : f32
    linalg.yield %twice : f32
  }
  return
}

// Kept: @w is overwritten while the snapshot is still read afterwards, so
// the snapshot really must hold the old value.
// CHECK-LABEL: func.func @snapshot_needed
// CHECK:         %[[OLD:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT:    memref.copy %{{.*}}, %[[OLD]]
// CHECK-NEXT:    linalg.fill {{.*}} outs(%{{.*}} : memref<4xf32>)
// CHECK-NEXT:    linalg.generic {{.*}} ins(%[[OLD]] : memref<4xf32>)
func.func @snapshot_needed(%out: memref<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %w = memref.get_global @w : memref<4xf32>
  %old = memref.alloc() : memref<4xf32>
  memref.copy %w, %old : memref<4xf32> to memref<4xf32>
  linalg.fill ins(%zero : f32) outs(%w : memref<4xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%old : memref<4xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  }
  return
}

// -----

#id = affine_map<(i) -> (i)>
memref.global "private" @w : memref<4xf32> = dense<0.0>

// Rewrite 2, write-back: the new value is computed into a fresh buffer and
// copied to @w; the update reads element i of @w before it writes element i,
// so it can compute into @w directly: w -= 0.5 * g, in place.
// CHECK-LABEL: func.func @write_back
// CHECK-NEXT:    %[[W:.*]] = memref.get_global @w
// CHECK-NEXT:    linalg.generic {{.*}} ins(%[[W]], %arg0 : memref<4xf32>, memref<4xf32>) outs(%[[W]] : memref<4xf32>)
// CHECK-NOT:     memref.copy
// CHECK-NOT:     memref.alloc
// CHECK:         return
func.func @write_back(%g: memref<4xf32>) {
  %w = memref.get_global @w : memref<4xf32>
  %new = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%w, %g : memref<4xf32>, memref<4xf32>) outs(%new : memref<4xf32>) {
  ^bb0(%wi: f32, %gi: f32, %o: f32):
    %half = arith.constant 0.5 : f32
    %step = arith.mulf %half, %gi : f32
    %next = arith.subf %wi, %step : f32
    linalg.yield %next : f32
  }
  memref.copy %new, %w : memref<4xf32> to memref<4xf32>
  return
}

// Kept: another op reads the old @w after the new value is computed (a
// matmul-like reduction reads every element): computing in place would hand
// it the new value.
// CHECK-LABEL: func.func @old_value_read_later
// CHECK:         %[[NEW:.*]] = memref.alloc() : memref<4xf32>
// CHECK:         linalg.generic {{.*}} outs(%[[NEW]] : memref<4xf32>)
// CHECK:         linalg.generic {{.*}} ins(%{{.*}} : memref<4xf32>) outs(%arg1 : memref<f32>)
// CHECK:         memref.copy %[[NEW]], %{{.*}} : memref<4xf32> to memref<4xf32>
func.func @old_value_read_later(%g: memref<4xf32>, %sum: memref<f32>) {
  %w = memref.get_global @w : memref<4xf32>
  %new = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%w, %g : memref<4xf32>, memref<4xf32>) outs(%new : memref<4xf32>) {
  ^bb0(%wi: f32, %gi: f32, %o: f32):
    %next = arith.subf %wi, %gi : f32
    linalg.yield %next : f32
  }
  linalg.generic {indexing_maps = [#id, affine_map<(i) -> ()>], iterator_types = ["reduction"]}
      ins(%w : memref<4xf32>) outs(%sum : memref<f32>) {
  ^bb0(%wi: f32, %acc: f32):
    %s = arith.addf %wi, %acc : f32
    linalg.yield %s : f32
  }
  memref.copy %new, %w : memref<4xf32> to memref<4xf32>
  return
}

// -----

#id = affine_map<(i) -> (i)>
memref.global "private" @w : memref<4xf32> = dense<0.0>

// Rewrite 2b: bufferization reused the gradient's buffer for the new weight.
// The buffer held the gradient first, so rewrite 2 does not apply; the last
// writer (elementwise, not reading its init) writes @w instead, and the copy
// goes. The gradient itself stays in the temporary.
// CHECK-LABEL: func.func @retarget_last_writer
// CHECK-NEXT:    %[[W:.*]] = memref.get_global @w
// CHECK-NEXT:    %[[G:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT:    linalg.generic {{.*}} ins(%arg0 : memref<4xf32>) outs(%[[G]] : memref<4xf32>)
// CHECK:         linalg.generic {{.*}} ins(%[[W]], %[[G]] : memref<4xf32>, memref<4xf32>) outs(%[[W]] : memref<4xf32>)
// CHECK-NOT:     memref.copy
// CHECK:         return
func.func @retarget_last_writer(%x: memref<4xf32>) {
  %w = memref.get_global @w : memref<4xf32>
  %buffer = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : memref<4xf32>) outs(%buffer : memref<4xf32>) {
  ^bb0(%xi: f32, %o: f32):
    %grad = arith.mulf %xi, %xi : f32
    linalg.yield %grad : f32
  }
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%w, %buffer : memref<4xf32>, memref<4xf32>) outs(%buffer : memref<4xf32>) {
  ^bb0(%wi: f32, %gi: f32, %o: f32):
    %next = arith.subf %wi, %gi : f32
    linalg.yield %next : f32
  }
  memref.copy %buffer, %w : memref<4xf32> to memref<4xf32>
  return
}

// Kept: the last writer accumulates into its init (payload reads %o), so
// writing @w instead would start from the wrong value.
// CHECK-LABEL: func.func @writer_reads_init
// CHECK:         memref.copy %{{.*}}, %{{.*}} : memref<4xf32> to memref<4xf32>
func.func @writer_reads_init(%x: memref<4xf32>) {
  %w = memref.get_global @w : memref<4xf32>
  %buffer = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : memref<4xf32>) outs(%buffer : memref<4xf32>) {
  ^bb0(%xi: f32, %o: f32):
    linalg.yield %xi : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%w : memref<4xf32>) outs(%buffer : memref<4xf32>) {
  ^bb0(%wi: f32, %o: f32):
    %next = arith.subf %wi, %o : f32
    linalg.yield %next : f32
  }
  memref.copy %buffer, %w : memref<4xf32> to memref<4xf32>
  return
}

// -----

memref.global "private" @m : memref<4xf32> = dense<1.0>

// Rewrite 3: a copy of a buffer whose only content is a fill is that fill
// (an optimizer state reset to zeros).
// CHECK-LABEL: func.func @refill
// CHECK-NEXT:    %[[M:.*]] = memref.get_global @m
// CHECK-NEXT:    %[[ZERO:.*]] = arith.constant 0.0
// CHECK-NEXT:    linalg.fill ins(%[[ZERO]] : f32) outs(%[[M]] : memref<4xf32>)
// CHECK-NEXT:    return
func.func @refill() {
  %zero = arith.constant 0.0 : f32
  %m = memref.get_global @m : memref<4xf32>
  %zeros = memref.alloc() : memref<4xf32>
  linalg.fill ins(%zero : f32) outs(%zeros : memref<4xf32>)
  memref.copy %zeros, %m : memref<4xf32> to memref<4xf32>
  return
}
