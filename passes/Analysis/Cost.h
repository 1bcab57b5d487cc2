//===- Cost.h - what each op of a program costs ------------------*- C++ -*-===//
//
// `nnc --emit=cost`: per op of each function, its floating-point operations
// and the bytes it reads and writes, the forward, backward and optimizer
// parts apart (ir/Provenance.h says which is which), with totals; then the
// peak memory of the static plan (passes/Analysis/MemoryPlan.h).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_ANALYSIS_COST_H
#define NNC_PASSES_ANALYSIS_COST_H

#include "ir/Provenance.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <vector>

namespace nn {

/// The cost of one nn op, counted on its static shapes as if it ran alone:
/// FLOPs (a multiply-add is 2; exp, log, tanh, a comparison is 1 each), the
/// bytes of its operands it reads (a read: its variable) and of its result
/// it writes (an assign: the variable). Ops that only move or view data
/// (reshape, transpose, broadcast, slice, concat) have no FLOPs.
struct OpCost {
  mlir::Operation *op;
  Role role;
  int64_t flops = 0, bytesRead = 0, bytesWritten = 0;
};

/// The cost of every top-level op of every function of `module`, in the nn
/// dialect with static shapes (the grad stage or later, before linalg).
std::vector<OpCost> costOf(mlir::ModuleOp module);

/// The table of --emit=cost for `module` (as costOf): one line per op with
/// its part, op, .nn name, result shape, FLOPs, bytes and source position;
/// the totals of each part and of each function.
void printCost(mlir::ModuleOp module, llvm::raw_ostream &os);

/// The peak memory of a bufferized module's static plan: the state globals
/// (alive for the whole run) plus the arena (every temporary).
void printPeakMemory(mlir::ModuleOp bufferized, llvm::raw_ostream &os);

} // namespace nn

#endif // NNC_PASSES_ANALYSIS_COST_H
