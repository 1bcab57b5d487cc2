//===- OutlineLoopNests.cpp - one function per sequential loop nest -------===//
//
// nn-outline-loop-nests: compile time linear in the model. After the
// micro-kernels and the thread pool's functions, what is left in a train
// step is a long run of small loop nests (the bias adds, activations and
// optimizer updates too small to split across threads), all in one
// function: 39,000 of the 61,000 lines of LLVM IR of a 64-layer MLP. Some of
// LLVM's loop passes cost time in proportion to the function for each loop
// they change (IndVarSimplify and LoopRotate took 4.9 of the 7.7 seconds of
// -O3 there), so the whole function costs loops x size: quadratic in depth.
//
// Each outermost scf.for of a program's entry function becomes a function
// of its own, called in its place:
//
//   func.func @nnc_train_step() {
//     scf.for %i = ... { ... }                  // a bias add
//     ...
//     becomes
//   func.func private @nnc_train_step_loop_7() attributes {no_inline} {
//     scf.for %i = ... { ... }
//   }
//   func.func @nnc_train_step() {
//     call @nnc_train_step_loop_7() : () -> ()
//
// As for the thread pool's functions (nn-outline-parallel-loops), what the
// nest reads from outside (constants, globals, views of the arena) is
// computed again inside, so the function takes no arguments; a nest that
// needs any other value, or that returns values, stays where it is. The
// functions are kept out of line (`no_inline`, LLVM's noinline): inlined
// back, they would make the long function again. A call costs a few
// nanoseconds; a nest is thousands of iterations.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"
#include "codegen/cpu/Recompute.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace nn {
#define GEN_PASS_DEF_NNOUTLINELOOPNESTSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

struct OutlineLoopNests : nn::impl::NNOutlineLoopNestsPassBase<OutlineLoopNests> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal() || !func.isPublic()) // the entry points only
        continue;
      SmallVector<scf::ForOp> nests;
      for (Block &block : func.getBody())
        for (auto loop : block.getOps<scf::ForOp>())
          nests.push_back(loop);
      unsigned counter = 0;
      for (scf::ForOp loop : nests)
        if (succeeded(outline(loop, func, symbols, counter)))
          ++counter;
    }
  }

  LogicalResult outline(scf::ForOp loop, func::FuncOp parent, SymbolTable &symbols,
                        unsigned counter) {
    if (loop.getNumResults() != 0)
      return failure();
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(loop.getRegion(), captured);
    captured.insert(loop.getLowerBound());
    captured.insert(loop.getUpperBound());
    captured.insert(loop.getStep());
    llvm::DenseMap<Value, bool> known;
    if (!llvm::all_of(captured, [&](Value v) { return nn::canRecompute(v, known); }))
      return failure();

    OpBuilder b(parent);
    b.setInsertionPointAfter(parent);
    Location loc = loop.getLoc();
    auto type = FunctionType::get(&getContext(), {}, {});
    auto nest = b.create<func::FuncOp>(
        loc, (parent.getSymName() + "_loop_" + Twine(counter)).str(), type);
    nest.setPrivate();
    nn::markNoInline(nest);
    symbols.insert(nest);
    Block *entry = nest.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping mapping;
    for (Value v : captured)
      nn::recompute(v, b, mapping);
    b.clone(*loop, mapping);
    b.create<func::ReturnOp>(loc);

    b.setInsertionPoint(loop);
    b.create<func::CallOp>(loc, nest, ValueRange{});
    loop.erase();
    return success();
  }
};

} // namespace
