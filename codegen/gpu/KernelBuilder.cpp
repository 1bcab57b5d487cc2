//===- KernelBuilder.cpp - what the GPU passes that make kernels share ----===//

#include "codegen/gpu/KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace nn {

/// A constant, arithmetic on constants, or a view (of a view, ...) of a
/// buffer with such offsets and sizes. memref.get_global stays outside: the
/// buffer itself is what the kernel receives.
bool ValueSinker::canSink(Value v) {
  auto it = known_.find(v);
  if (it != known_.end())
    return it->second;
  Operation *def = v.getDefiningOp();
  bool ok = def && def->getNumRegions() == 0 && isPure(def) &&
            (isa<arith::ConstantOp>(def) || isa<ViewLikeOpInterface>(def) ||
             isa<arith::ArithDialect>(def->getDialect())) &&
            llvm::all_of(def->getOperands(), [&](Value o) {
              return canSink(o) || isa_and_nonnull<memref::GetGlobalOp>(o.getDefiningOp());
            });
  return known_[v] = ok;
}

Value ValueSinker::sink(Value v, OpBuilder &b) {
  if (Value done = mapping_.lookupOrNull(v))
    return done;
  if (!canSink(v))
    return v;
  Operation *def = v.getDefiningOp();
  for (Value operand : def->getOperands())
    sink(operand, b);
  Operation *copy = b.clone(*def, mapping_);
  return copy->getResult(cast<OpResult>(v).getResultNumber());
}

} // namespace nn
