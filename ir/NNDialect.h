//===- NNDialect.h - the nn dialect -----------------------------*- C++ -*-===//
//
// Declares the `nn` dialect and its ops (generated from NNDialect.td and
// NNOps.td into the build tree).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_IR_NNDIALECT_H
#define NNC_IR_NNDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ir/NNOpsDialect.h.inc"
#include "ir/NNInterfaces.h.inc"

#define GET_OP_CLASSES
#include "ir/NNOps.h.inc"

namespace nn {

/// Names of the attributes that tie a function's arguments and results to the
/// .nn program: `nn.placeholder = "x"` on an argument, `nn.output = "p"` on a
/// result.
constexpr llvm::StringLiteral kPlaceholderAttr = "nn.placeholder";
constexpr llvm::StringLiteral kOutputAttr = "nn.output";

/// Creates the op `nn.<name>` with `operands` and `attributes`, its result
/// type computed by the op's shape rule. Returns null (after an error at
/// `loc`) when the operands do not fit the rule. The frontend and autodiff
/// build every op this way.
mlir::Value createInferred(mlir::OpBuilder &builder, mlir::Location loc,
                           llvm::StringRef name, mlir::ValueRange operands,
                           llvm::ArrayRef<mlir::NamedAttribute> attributes = {});

/// TensorFlow's convolution window along one dimension of size `in` with a
/// kernel of `k` and stride `s`: {output size, padding before, padding after},
/// or nullopt when a VALID kernel does not fit.
std::optional<std::array<int64_t, 3>> convWindow(int64_t in, int64_t k, int64_t s, bool same);

} // namespace nn

#endif // NNC_IR_NNDIALECT_H
