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
include "mlir/IR/OpAsmInterface.td"

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

  // The attributes the stages pass to each other, beside the ops. Each is
  // declared here once; ir/NNAttributes.h has typed accessors, and the
  // dialect's verifier (ir/NNAttributes.cpp) checks each one's type and
  // where it may appear, so a misspelt `nn.` name is an error, not a silent
  // no-op. docs/dialect.md, "Attributes", says who writes and who reads each.
  let discardableAttrs = (ins
    // On a function (func.func, and llvm.func after lowering):
    "::mlir::IntegerAttr":$batch,         // the size of the batch `?` in it
    "::mlir::IntegerAttr":$minimize,      // which result is the loss (until nn-autodiff)
    "::mlir::DictionaryAttr":$optimizer,  // {name, learning_rate, ...} (until nn-optimizer)
    // On a function's arguments and results:
    "::mlir::StringAttr":$placeholder,    // argument: the placeholder it is fed from
    "::mlir::StringAttr":$output,         // result: the .nn name it is returned as
    "::mlir::StringAttr":$gradient,       // result: dL/dw of the variable named (until nn-optimizer)
    "::mlir::UnitAttr":$batched,          // argument or result: its first dimension is the batch
    // On an nn.variable:
    "::mlir::UnitAttr":$optimizer_state,  // made by nn-optimizer, saved in checkpoints
    // On an nn.constant:
    "::mlir::StringAttr":$folded,         // what nn-simplify folded into it ("1 - 0.9 = 0.1")
    // On the module: what the program table tells the runtime.
    "::mlir::StringAttr":$model,          // the model's name
    "::mlir::StringAttr":$source,         // the .nn file
    "::mlir::ArrayAttr":$settings,        // "key=value" strings (support/ProgramABI.h, section 4)
    "::mlir::DictionaryAttr":$cpu,        // the CPU the kernels are shaped for (nn-matmul-microkernel)
    // On a linalg.generic (nn-direct-convolutions, read by nn-matmul-microkernel):
    "::mlir::DenseI64ArrayAttr":$conv_filter_gradient, // it is a convolution's filter gradient: [sy, sx]
    // On a memref.view into the arena (nn-plan-memory, read by --emit=memory):
    "::mlir::IntegerAttr":$offset,        // its offset in the arena, in bytes
    "::mlir::IntegerAttr":$bytes,         // its size in bytes
    "::mlir::DenseI64ArrayAttr":$live     // [first, last] top-level op that touches it
  );
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
}

// Every nn op names its results in printed IR after the .nn definition it
// computes (`%p = nn.softmax ...`, from its NameLoc; ir/Provenance.h) and a
// read after its variable (`%w = nn.read @w`).
class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic,
         !listconcat(traits, [DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>])> {
  let extraClassDefinition = [{
    void $cppClass::getAsmResultNames(::mlir::OpAsmSetValueNameFn setName) {
      ::nn::nameResultsAfterSource(getOperation(), setName);
    }
  }];
}

#endif // NN_DIALECT_TD
