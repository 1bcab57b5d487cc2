// RUN: nn-opt %s --nn-expand-strided-copies | FileCheck %s
// Copies between contiguous buffers stay memref.copy (a memcpy); copies into
// a strided view become linalg.copy (loops), not a call to MLIR's C runtime.

// CHECK-LABEL: func.func @copies
func.func @copies(%a: memref<2x3xf32>, %b: memref<2x3xf32>, %big: memref<2x8xf32>) {
  // CHECK: memref.copy %{{.*}}, %{{.*}} : memref<2x3xf32> to memref<2x3xf32>
  memref.copy %a, %b : memref<2x3xf32> to memref<2x3xf32>
  %view = memref.subview %big[0, 3] [2, 3] [1, 1] : memref<2x8xf32> to memref<2x3xf32, strided<[8, 1], offset: 3>>
  // CHECK: linalg.copy ins(%{{.*}} : memref<2x3xf32>) outs(%{{.*}} : memref<2x3xf32, strided<[8, 1], offset: 3>>)
  // CHECK-NOT: memref.copy
  memref.copy %a, %view : memref<2x3xf32> to memref<2x3xf32, strided<[8, 1], offset: 3>>
  return
}
