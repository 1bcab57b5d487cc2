// RUN: not nn-opt %s --convert-nn-to-linalg 2>&1 | FileCheck %s
// The lowering needs static shapes.
func.func @f(%a: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // CHECK: error: convert-nn-to-linalg needs static shapes; run nn-specialize-batch first
  %r = nn.relu %a : tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
