//===- MemoryPlan.h - the static memory plan and its report -----*- C++ -*-===//
//
// nn-plan-memory (PlanMemory.cpp) places every temporary of a function in one
// arena; `nnc --emit=memory` prints the result with printMemoryPlan
// (MemoryPlanReport.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_ANALYSIS_MEMORYPLAN_H
#define NNC_PASSES_ANALYSIS_MEMORYPLAN_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/raw_ostream.h"

namespace nn {

/// The arena's memref.global.
constexpr llvm::StringLiteral kArenaName = "nn_arena";

/// Bytes of a static memref (sub-byte elements take a byte each, as LLVM
/// stores them).
int64_t bufferBytes(mlir::MemRefType type);

/// The bytes of a bufferized module's static plan: the state globals, alive
/// for the whole run, and the arena that holds every temporary.
struct StaticMemory {
  int64_t stateBytes = 0, arenaBytes = 0;
};
StaticMemory staticMemory(mlir::ModuleOp module);

/// Prints the plan of a module that went through nn-plan-memory: the state
/// (globals that live for the whole run), the arena, and for each function
/// every buffer's offset, size, live range and the source line that makes it.
void printMemoryPlan(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace nn

#endif // NNC_PASSES_ANALYSIS_MEMORYPLAN_H
