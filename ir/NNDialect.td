//===- NNDialect.td - the nn dialect declaration -----------*- tablegen -*-===//
//
// The `nn` dialect is the graph level of nnc: one op per op of the .nn
// language, on ranked tensors with NumPy broadcasting, the way a TensorFlow 1.x
// graph reads. Variables are module-level symbols (`nn.variable`) that ops read
// and assign, like `tf.Variable` and `tf.assign`.
//
//===----------------------------------------------------------------------===//

#ifndef NN_DIALECT_TD
#define NN_DIALECT_TD

include "mlir/IR/OpBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::nn";
  let summary = "The graph dialect of nnc: neural-network ops on tensors.";
  let description = [{
    Every op of the `.nn` language has one op here. Values are ranked tensors of
    `f32` (numbers), `i64` (indices, from `argmax`) or `i1` (truth values, from
    comparisons). The batch dimension `?` of placeholders is a dynamic dimension
    until the `nn-specialize-batch` pass fixes it for one program.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
  let hasConstantMaterializer = 1;
}

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

#endif // NN_DIALECT_TD
