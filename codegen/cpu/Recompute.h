//===- Recompute.h - values computed again inside another function -*- C++ -*-===//
//
// The outlining passes (nn-outline-parallel-loops, nn-outline-loop-nests)
// move a loop into a function of its own that takes no buffers as
// arguments: every buffer of a program is a memref global or a view of the
// arena (nn-plan-memory), so what the loop reads from outside can be
// computed again inside the new function instead of being passed. Also
// what they and nn-share-kernels share: keeping such functions out of line.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_CPU_RECOMPUTE_H
#define NNC_CODEGEN_CPU_RECOMPUTE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseMap.h"

namespace nn {

/// Whether `v` can be computed again inside another function: the result
/// of a pure op without regions whose operands can, recursively. Memref
/// globals qualify: memref.get_global only takes an address. `known`
/// caches the answers.
inline bool canRecompute(mlir::Value v, llvm::DenseMap<mlir::Value, bool> &known) {
  auto it = known.find(v);
  if (it != known.end())
    return it->second;
  mlir::Operation *def = v.getDefiningOp();
  bool ok = def && def->getNumRegions() == 0 &&
            (mlir::isPure(def) || mlir::isa<mlir::memref::GetGlobalOp>(def)) &&
            llvm::all_of(def->getOperands(),
                         [&](mlir::Value o) { return canRecompute(o, known); });
  return known[v] = ok;
}

/// Clones the ops that compute `v` (operands first) at `b`'s insertion
/// point, once each (`mapping` remembers the copies).
inline mlir::Value recompute(mlir::Value v, mlir::OpBuilder &b, mlir::IRMapping &mapping) {
  if (mlir::Value done = mapping.lookupOrNull(v))
    return done;
  mlir::Operation *def = v.getDefiningOp();
  for (mlir::Value operand : def->getOperands())
    recompute(operand, b, mapping);
  mlir::Operation *copy = b.clone(*def, mapping);
  return copy->getResult(mlir::cast<mlir::OpResult>(v).getResultNumber());
}

/// Keeps an outlined function out of line: its `no_inline` attribute
/// becomes llvm.func's (FuncToLLVM keeps it), LLVM's noinline. Inlined
/// back, the outlined functions would make the long function again.
inline void markNoInline(mlir::func::FuncOp func) {
  mlir::MLIRContext *ctx = func.getContext();
  func->setAttr(mlir::LLVM::LLVMFuncOp::getNoInlineAttrName(mlir::OperationName(
                    mlir::LLVM::LLVMFuncOp::getOperationName(), ctx)),
                mlir::UnitAttr::get(ctx));
}

} // namespace nn

#endif // NNC_CODEGEN_CPU_RECOMPUTE_H
