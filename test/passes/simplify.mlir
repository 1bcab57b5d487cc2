// RUN: nn-opt %s --nn-simplify | FileCheck %s
// RUN: nn-opt %s --nn-simplify --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC
// What nn-simplify made says what it replaced: log_softmax in its location,
// a folded constant in `nn.folded` (the folder gives hoisted constants an
// unknown location).
// LOC: loc(fused<{simplified = "log(softmax(x)) became log_softmax(x) = x - logsumexp(x): finite where softmax underflows to 0"}>[

// CHECK-LABEL: func.func @log_of_softmax
func.func @log_of_softmax(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // CHECK: %[[L:.*]] = nn.log_softmax %arg0 : tensor<4x10xf32>
  // CHECK-NOT: nn.softmax
  // CHECK: return %[[L]]
  %p = nn.softmax %x : tensor<4x10xf32>
  %l = nn.log %p : tensor<4x10xf32>
  return %l : tensor<4x10xf32>
}

// CHECK-LABEL: func.func @constants
func.func @constants(%x: tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>, tensor<4xf32>) {
  // 2 * 0.25 + 1 = 1.5
  // CHECK-DAG: %[[C:.*]] = nn.constant dense<1.500000e+00> : tensor<f32> {nn.folded = "0.5 + 1 = 1.5"}
  %a = nn.constant dense<2.0> : tensor<f32>
  %b = nn.constant dense<0.25> : tensor<f32>
  %one = nn.constant dense<1.0> : tensor<f32>
  %m = nn.mul %a, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %s = nn.add %m, %one : (tensor<f32>, tensor<f32>) -> tensor<f32>
  // x * 1 is x; x + 1 broadcasts nothing away but is not an identity.
  %y = nn.mul %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  // CHECK: %[[Z:.*]] = nn.add %arg0, %{{.*}} : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %z = nn.add %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  // CHECK: return %[[C]], %arg0, %[[Z]]
  return %s, %y, %z : tensor<f32>, tensor<4xf32>, tensor<4xf32>
}
