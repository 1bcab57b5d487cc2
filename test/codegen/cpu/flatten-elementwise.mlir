// RUN: nn-opt %s --nn-flatten-elementwise | FileCheck %s
// RUN: nn-opt %s --nn-flatten-elementwise --nn-flatten-elementwise | FileCheck %s
// nn-flatten-elementwise: an elementwise op on contiguous buffers whose rows
// are shorter than 64 elements becomes one loop over all its elements, which
// LLVM vectorizes (a loop of 10 it left scalar). Run twice: the second run
// changes nothing.

// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR1:.*]] = affine_map<(d0) -> ()>

#id = affine_map<(d0, d1) -> (d0, d1)>
#scalar = affine_map<(d0, d1) -> ()>
#col = affine_map<(d0, d1) -> (d1)>

// Adam's kind of update on a [784, 10] weight, with a scalar operand (the
// learning rate): one loop over 7840 elements; the scalar is read as it is.
// CHECK-LABEL: func.func @adam_like
// CHECK-DAG: %[[G:.*]] = memref.collapse_shape %arg0 {{\[}}[0, 1]] : memref<784x10xf32> into memref<7840xf32>
// CHECK-DAG: %[[W:.*]] = memref.collapse_shape %arg2 {{\[}}[0, 1]] : memref<784x10xf32> into memref<7840xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID1]], #[[SCALAR1]], #[[ID1]]], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%[[G]], %arg1 : memref<7840xf32>, memref<f32>) outs(%[[W]] : memref<7840xf32>)
// CHECK: arith.mulf
// CHECK: arith.subf
func.func @adam_like(%g: memref<784x10xf32>, %lr: memref<f32>, %w: memref<784x10xf32>) {
  linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g, %lr : memref<784x10xf32>, memref<f32>) outs(%w : memref<784x10xf32>) {
  ^bb0(%gi: f32, %r: f32, %wi: f32):
    %s = arith.mulf %gi, %r : f32
    %n = arith.subf %wi, %s : f32
    linalg.yield %n : f32
  }
  return
}

// Rows of 1024: LLVM vectorizes them as they are, and nn-parallelize-loops
// splits the rows between threads. Left alone.
// CHECK-LABEL: func.func @wide
// CHECK-NOT: collapse_shape
// CHECK: iterator_types = ["parallel", "parallel"]
func.func @wide(%a: memref<4x1024xf32>, %b: memref<4x1024xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<4x1024xf32>) outs(%b : memref<4x1024xf32>) {
  ^bb0(%x: f32, %y: f32):
    %n = arith.addf %x, %y : f32
    linalg.yield %n : f32
  }
  return
}

// A bias added to every row reads its operand at (d1) only: the loops cannot
// be merged. Left alone.
// CHECK-LABEL: func.func @bias
// CHECK-NOT: collapse_shape
// CHECK: iterator_types = ["parallel", "parallel"]
func.func @bias(%a: memref<100x10xf32>, %bias: memref<10xf32>, %out: memref<100x10xf32>) {
  linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %bias : memref<100x10xf32>, memref<10xf32>) outs(%out : memref<100x10xf32>) {
  ^bb0(%x: f32, %b: f32, %y: f32):
    %n = arith.addf %x, %b : f32
    linalg.yield %n : f32
  }
  return
}

// Ten elements in all: no loop to vectorize either way (nn-unroll-small-loops
// writes them out). Left alone.
// CHECK-LABEL: func.func @tiny
// CHECK-NOT: collapse_shape
// CHECK: iterator_types = ["parallel", "parallel"]
func.func @tiny(%a: memref<5x2xf32>) {
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%a : memref<5x2xf32>) {
  ^bb0(%y: f32):
    %n = arith.addf %y, %y : f32
    linalg.yield %n : f32
  }
  return
}

// Rows 20 floats apart, 10 of them used: not contiguous. Left alone.
// CHECK-LABEL: func.func @strided
// CHECK-NOT: collapse_shape
// CHECK: iterator_types = ["parallel", "parallel"]
func.func @strided(%a: memref<100x20xf32>) {
  %v = memref.subview %a[0, 0] [100, 10] [1, 1] : memref<100x20xf32> to memref<100x10xf32, strided<[20, 1]>>
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%v : memref<100x10xf32, strided<[20, 1]>>) {
  ^bb0(%y: f32):
    %n = arith.addf %y, %y : f32
    linalg.yield %n : f32
  }
  return
}

// A sum along the rows is not elementwise. Left alone.
// CHECK-LABEL: func.func @rowsum
// CHECK-NOT: collapse_shape
// CHECK: iterator_types = ["parallel", "reduction"]
func.func @rowsum(%a: memref<100x10xf32>, %s: memref<100xf32>) {
  linalg.generic {indexing_maps = [#id, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<100x10xf32>) outs(%s : memref<100xf32>) {
  ^bb0(%x: f32, %y: f32):
    %n = arith.addf %x, %y : f32
    linalg.yield %n : f32
  }
  return
}
