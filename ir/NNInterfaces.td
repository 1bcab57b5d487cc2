//===- NNInterfaces.td - interfaces of the nn dialect ------*- tablegen -*-===//
//
// GradientOpInterface: how each op takes part in reverse-mode autodiff.
//
//===----------------------------------------------------------------------===//

#ifndef NN_INTERFACES_TD
#define NN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def NN_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let cppNamespace = "::nn";
  let description = [{
    An op that can be differentiated states its vector-Jacobian product: given
    the gradient of the loss with respect to its result (`resultGradient`,
    shaped like the result), it builds, with other nn ops, the gradient with
    respect to each operand (shaped like that operand), or a null Value for an
    operand whose gradient is zero (the comparisons, argmax, step, casts of
    truth values). The rules are in ir/Gradients.cpp, one short function per
    op with its maths.
  }];
  let methods = [
    InterfaceMethod<
      "Appends one gradient per operand (null for a zero gradient).",
      "::mlir::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::Value":$resultGradient,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGradients)>
  ];
}

#endif // NN_INTERFACES_TD
