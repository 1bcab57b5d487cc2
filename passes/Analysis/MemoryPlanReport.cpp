//===- MemoryPlanReport.cpp - `nnc --emit=memory` ---------------------------===//
//
// Prints what nn-plan-memory decided, so that a learner can see where every
// byte of a step lives:
//
//   state: every memref.global but the arena (variables, optimizer state,
//          the buffers the runtime fills and reads), alive for the whole run;
//   arena: one block for the temporaries of all functions;
//   per function: each temporary's offset and size in the arena, the ops
//          (by index in the body) during which it is live, and the op and
//          .nn source line that first touches it; the total the function
//          would need with a buffer each, the most bytes live at one op (no
//          plan can do better), and the plan's size.
//
//===----------------------------------------------------------------------===//

#include "ir/NNAttributes.h"
#include "ir/Provenance.h"
#include "passes/Analysis/BufferAccess.h"
#include "passes/Analysis/MemoryPlan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace nn {

static std::string typeText(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

StaticMemory staticMemory(ModuleOp module) {
  StaticMemory memory;
  for (auto global : module.getOps<memref::GlobalOp>())
    (global.getSymName() == kArenaName ? memory.arenaBytes : memory.stateBytes) +=
        bufferBytes(global.getType());
  return memory;
}

void printMemoryPlan(ModuleOp module, llvm::raw_ostream &os) {
  int64_t stateBytes = 0, arenaBytes = 0, stateCount = 0;
  os << "state (memref.globals, alive for the whole run):\n";
  for (auto global : module.getOps<memref::GlobalOp>()) {
    int64_t bytes = bufferBytes(global.getType());
    if (global.getSymName() == kArenaName) {
      arenaBytes = bytes;
      continue;
    }
    os << llvm::format("  %12lld  %-28s %s\n", (long long)bytes, global.getSymName().str().c_str(),
                       typeText(global.getType()).c_str());
    stateBytes += bytes;
    ++stateCount;
  }
  os << llvm::format("  %12lld  total of %lld globals\n", (long long)stateBytes,
                     (long long)stateCount);
  if (arenaBytes)
    os << "arena @" << kArenaName << ": " << arenaBytes
       << " bytes, shared by the functions (they run one at a time)\n";
  else
    os << "no arena: no function needs a temporary\n";

  for (auto function : module.getOps<func::FuncOp>()) {
    if (function.isExternal() || !function.getBody().hasOneBlock())
      continue;
    Block &body = function.getBody().front();
    auto index = numberOps(body);
    struct Row {
      int64_t offset, bytes, first, last;
      Operation *maker;
      Type type;
    };
    std::vector<Row> rows;
    int64_t unplanned = 0;
    for (Operation &op : body) {
      if (isa<memref::AllocOp>(op))
        ++unplanned;
      auto view = dyn_cast<memref::ViewOp>(op);
      std::optional<nn::ArenaPlacement> placed;
      if (view)
        placed = nn::getArenaPlacement(view);
      if (!placed)
        continue;
      auto accesses = collectAccesses(collectAliases(view.getResult()), body, index);
      rows.push_back({placed->offset, placed->bytes, placed->firstOp, placed->lastOp,
                      accesses.empty() ? view.getOperation() : accesses.front().op,
                      view.getType()});
    }
    int64_t separate = 0, planned = 0, peak = 0, peakAt = 0;
    for (const Row &row : rows) {
      separate += row.bytes;
      planned = std::max(planned, row.offset + row.bytes);
    }
    for (int64_t at = 0; at < (int64_t)body.getOperations().size(); ++at) {
      int64_t live = 0;
      for (const Row &row : rows)
        if (row.first <= at && at <= row.last)
          live += row.bytes;
      if (live > peak) {
        peak = live;
        peakAt = at;
      }
    }
    os << "\n@" << function.getSymName() << ": ";
    if (rows.empty() && !unplanned) {
      os << "no temporaries (it works in the state globals)\n";
      continue;
    }
    os << rows.size() << (rows.size() == 1 ? " temporary" : " temporaries") << " in the arena";
    if (unplanned)
      os << ", " << unplanned << " left to malloc";
    // The plan can exceed the peak by the rounding of each buffer to 64 bytes
    // and by the gaps greedy placement leaves.
    os << "\n  " << separate << " bytes with a buffer each; at most " << peak
       << " bytes live at once (op " << peakAt << "); planned " << planned
       << " bytes (offsets are multiples of 64)\n";
    if (rows.empty())
      continue;
    llvm::sort(rows, [](const Row &a, const Row &b) {
      return a.offset != b.offset ? a.offset < b.offset : a.first < b.first;
    });
    os << llvm::format("  %10s %10s %11s  %-24s %s\n", (const char *)"offset",
                       (const char *)"bytes", (const char *)"live (ops)", (const char *)"type",
                       (const char *)"first touched by");
    for (const Row &row : rows) {
      std::string live = (llvm::Twine(row.first) + ".." + llvm::Twine(row.last)).str();
      std::string maker = row.maker->getName().getStringRef().str();
      std::string where = sourcePosition(row.maker->getLoc());
      if (!where.empty())
        maker += " at " + where;
      os << llvm::format("  %10lld %10lld %11s  %-24s %s\n", (long long)row.offset,
                         (long long)row.bytes, live.c_str(), typeText(row.type).c_str(),
                         maker.c_str());
    }
  }
  os << "\ntotal planned: state " << stateBytes << " + arena " << arenaBytes << " = "
     << stateBytes + arenaBytes << " bytes\n";
}

} // namespace nn
