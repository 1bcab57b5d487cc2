//===- OrderConstants.cpp - the constants' globals in a fixed order --------===//
//
// nn-order-constants: the same program prints the same IR, every time.
// One-shot bufferization turns each constant tensor (a reshape's shape, a
// table of offsets) into a private constant memref.global named after its
// type, @__constant_4xi64, @__constant_4xi64_0, ..., in the order it meets
// them. MLIR 19's module bufferization visits a module's functions in the
// order of a map keyed by their addresses in memory, which changes from one
// run of nnc to the next: so did the names and the order of these globals
// in every stage printed after bufferization (the object files did not
// change: LLVM does not keep the names of private constants).
//
// This pass renames and reorders them by their first use: functions in the
// module's order, ops in each function's order. The first global used of
// each type gets the plain name, the next ones _0, _1, ... (bufferization's
// own scheme), and the globals stand in that order at the top of the module.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringMap.h"

namespace nn {
#define GEN_PASS_DEF_NNORDERCONSTANTSPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// A global that bufferization made for a constant tensor.
bool isBufferizedConstant(memref::GlobalOp global) {
  return global.getConstant() && global.isPrivate() &&
         global.getSymName().starts_with("__constant_");
}

/// The name of a global of its type, as bufferization writes it:
/// memref<4xi64> -> "__constant_4xi64".
std::string baseName(memref::GlobalOp global) {
  std::string type;
  llvm::raw_string_ostream os(type);
  llvm::interleave(global.getType().getShape(), os, "x");
  if (!global.getType().getShape().empty())
    os << "x";
  os << global.getType().getElementType();
  return "__constant_" + type;
}

struct OrderConstants : nn::impl::NNOrderConstantsPassBase<OrderConstants> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    // The constants' globals in the order of their first use.
    llvm::MapVector<StringRef, memref::GlobalOp> byFirstUse;
    SmallVector<memref::GetGlobalOp> uses;
    for (auto func : module.getOps<func::FuncOp>())
      func.walk([&](memref::GetGlobalOp use) {
        auto global = symbols.lookup<memref::GlobalOp>(use.getName());
        if (!global || !isBufferizedConstant(global))
          return;
        byFirstUse.insert({global.getSymName(), global});
        uses.push_back(use);
      });
    // Unused ones (none, after bufferization) keep their place at the end.
    for (auto global : module.getOps<memref::GlobalOp>())
      if (isBufferizedConstant(global))
        byFirstUse.insert({global.getSymName(), global});

    // New names: each type's first is plain, then _0, _1, ...
    llvm::StringMap<unsigned> seen;
    llvm::StringMap<std::string> newName;
    for (auto &[old, global] : byFirstUse) {
      std::string base = baseName(global);
      unsigned n = seen[base]++;
      newName[old] = n == 0 ? base : base + "_" + std::to_string(n - 1);
    }
    // Rename the uses, then the globals (through temporary names first, so
    // that no two globals share a name on the way), and order them.
    for (memref::GetGlobalOp use : uses)
      use.setName(newName[use.getName()]);
    for (auto &[old, global] : byFirstUse)
      global.setSymName(("__nn_renaming_" + newName[old]));
    Operation *insertionPoint = &module.getBody()->front();
    for (auto &[old, global] : byFirstUse) {
      global.setSymName(newName[old]);
      if (global.getOperation() == insertionPoint)
        insertionPoint = insertionPoint->getNextNode();
      else
        global->moveBefore(insertionPoint);
    }
  }
};

} // namespace
