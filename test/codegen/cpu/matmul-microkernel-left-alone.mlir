// RUN: nn-opt %s --nn-matmul-microkernel | FileCheck %s
// Tensors (before bufferization) and rows that are not contiguous are left
// to convert-linalg-to-loops.
// CHECK-LABEL: func.func @left_alone
func.func @left_alone(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>, %c: tensor<4x4xf32>,
                      %s: memref<4x4xf32, strided<[1, 4]>>, %m: memref<4x4xf32>) -> tensor<4x4xf32> {
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x4xf32>, tensor<4x4xf32>)
  %r = linalg.matmul ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : memref<4x4xf32>, memref<4x4xf32, strided<[1, 4]>>)
  linalg.matmul ins(%m, %s : memref<4x4xf32>, memref<4x4xf32, strided<[1, 4]>>) outs(%m : memref<4x4xf32>)
  return %r : tensor<4x4xf32>
}
