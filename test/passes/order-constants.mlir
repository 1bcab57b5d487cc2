// RUN: nn-opt %s --nn-order-constants | FileCheck %s
// The globals bufferization made for constant tensors are renamed and
// reordered by their first use (functions in module order, ops in order):
// each type's first gets the plain name, the next ones _0, _1, ...; they
// stand in that order at the top of the module. Other globals stay as they
// are.

// CHECK:      memref.global "private" constant @__constant_4xi64 : memref<4xi64> = dense<[50, 7, 7, 64]>
// CHECK-NEXT: memref.global "private" constant @__constant_2xi64 : memref<2xi64> = dense<[50, 3136]>
// CHECK-NEXT: memref.global "private" constant @__constant_4xi64_0 : memref<4xi64> = dense<[1, 28, 28, 1]>
// CHECK-NEXT: memref.global "private" constant @__constant_4xi64_1 : memref<4xi64> = dense<9>
// CHECK-NEXT: memref.global "private" @nn_var_w : memref<4xf32>
// CHECK-NEXT: memref.global constant @__constant_not_mine : memref<2xi64>
memref.global "private" @nn_var_w : memref<4xf32> = uninitialized
memref.global "private" constant @__constant_4xi64_1 : memref<4xi64> = dense<[1, 28, 28, 1]>
memref.global "private" constant @__constant_2xi64 : memref<2xi64> = dense<[50, 3136]>
memref.global "private" constant @__constant_4xi64 : memref<4xi64> = dense<[9, 9, 9, 9]>
memref.global "private" constant @__constant_4xi64_0 : memref<4xi64> = dense<[50, 7, 7, 64]>
// A public global is the program's, whatever its name.
memref.global constant @__constant_not_mine : memref<2xi64> = dense<[1, 2]>

// CHECK-LABEL: func.func @first()
// CHECK-NEXT:    memref.get_global @__constant_4xi64 : memref<4xi64>
// CHECK-NEXT:    memref.get_global @__constant_2xi64 : memref<2xi64>
// CHECK-NEXT:    memref.get_global @__constant_4xi64 : memref<4xi64>
// CHECK-NEXT:    memref.get_global @__constant_not_mine
func.func @first() {
  %0 = memref.get_global @__constant_4xi64_0 : memref<4xi64>
  %1 = memref.get_global @__constant_2xi64 : memref<2xi64>
  %2 = memref.get_global @__constant_4xi64_0 : memref<4xi64>
  %3 = memref.get_global @__constant_not_mine : memref<2xi64>
  return
}
// CHECK-LABEL: func.func @second()
// CHECK-NEXT:    memref.get_global @__constant_4xi64_0 : memref<4xi64>
// CHECK-NEXT:    memref.get_global @__constant_2xi64 : memref<2xi64>
func.func @second() {
  %0 = memref.get_global @__constant_4xi64_1 : memref<4xi64>
  %1 = memref.get_global @__constant_2xi64 : memref<2xi64>
  return
}
// CHECK-LABEL: func.func @third()
// CHECK-NEXT:    memref.get_global @__constant_4xi64_1 : memref<4xi64>
func.func @third() {
  %0 = memref.get_global @__constant_4xi64 : memref<4xi64>
  return
}
