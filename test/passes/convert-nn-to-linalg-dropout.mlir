// RUN: nn-opt %s --convert-nn-to-linalg | FileCheck %s
// dropout: the runtime's (seed, step) from a global, then per element ten
// Philox rounds on (index, stream, step) and a comparison of the top 24 bits
// with round(0.25 * 2^24) = 4194304; kept elements are scaled by 1/0.25.

// CHECK: memref.global @nnrt_dropout_key : memref<2xi64>
// CHECK-LABEL: func.func @dropout
func.func @dropout(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // CHECK: %[[KEY:.*]] = memref.get_global @nnrt_dropout_key : memref<2xi64>
  // CHECK: memref.load %[[KEY]][%{{.*}}] : memref<2xi64>
  // CHECK: memref.load %[[KEY]][%{{.*}}] : memref<2xi64>
  // CHECK: linalg.generic
  // CHECK: linalg.index 0
  // CHECK: linalg.index 1
  // The stream, 7: the second counter word.
  // CHECK: arith.constant 7 : i32
  // CHECK-COUNT-20: arith.mului_extended
  // CHECK: arith.constant 8 : i32
  // CHECK: arith.shrui
  // CHECK: arith.constant 4194304 : i32
  // CHECK: arith.cmpi ult
  // CHECK: arith.constant 4.000000e+00 : f32
  // CHECK: arith.mulf
  // CHECK: arith.select
  %y = nn.dropout %x {keep_prob = 0.25 : f64, stream = 7 : i64} : tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}
