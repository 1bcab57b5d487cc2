//===- OutlineParallelLoops.cpp - parallel loops on the runtime's threads -===//
//
// nn-outline-parallel-loops: how a parallel loop runs on several cores. The
// micro-kernel (nn-matmul-microkernel) and nn-parallelize-loops express the
// work that may run on threads as `scf.parallel` loops of independent
// iterations. This pass gives each such loop to the runtime's thread pool
// (runtime/Threads.cpp): the body becomes a function of a range of
// iterations, and the loop a call that runs those ranges on the threads.
//
//   scf.parallel (%i) = (%lb) to (%ub) step (%s) { body(%i) }
//     becomes
//   func.func private @nnc_train_step_parallel_0(%first: index, %last: index) {
//     scf.for %k = %first to %last step 1 {   // iterations first .. last-1
//       body(%lb + %k * %s)
//     }
//   }
//   call @nnrt_parallel_for(@nnc_train_step_parallel_0, n)   // n iterations
//
// The runtime splits [0, n) into one contiguous range per thread and calls
// the function once per range, the calling thread included, and returns
// when all have finished (support/ProgramABI.h). Each iteration writes its
// own elements, so the result is the same for any number of threads.
//
// Algorithm, for each outermost one-dimensional scf.parallel without
// reductions:
//  1. The values its body uses from outside, and its lower bound and step,
//     must be computable anew inside a function: constants, memref globals,
//     and pure ops (views, index arithmetic) of such values. Then nothing
//     needs to be passed to the threads but the range. A loop that reads any
//     other value from outside is left as it is (it runs on one thread).
//  2. Create the function: re-create those values, then an scf.for over its
//     range whose body is the loop's, with the induction variable
//     lb + k * step.
//  3. Replace the loop by the call, n = (ub - lb + step - 1) / step.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"
#include "codegen/cpu/Recompute.h"
#include "support/ProgramABI.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace nn {
#define GEN_PASS_DEF_NNOUTLINEPARALLELLOOPSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace nn

using namespace mlir;
using nn::canRecompute;
using nn::recompute;

namespace {

struct OutlineParallelLoops : nn::impl::NNOutlineParallelLoopsPassBase<OutlineParallelLoops> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      SmallVector<scf::ParallelOp> loops;
      func.walk([&](scf::ParallelOp loop) {
        if (!loop->getParentOfType<scf::ParallelOp>())
          loops.push_back(loop);
      });
      unsigned counter = 0;
      for (scf::ParallelOp loop : loops)
        if (succeeded(outline(loop, func, symbols, counter)))
          ++counter;
    }
  }

  LogicalResult outline(scf::ParallelOp loop, func::FuncOp parent, SymbolTable &symbols,
                        unsigned counter) {
    if (loop.getNumLoops() != 1 || loop.getNumReductions() != 0)
      return failure();
    // Step 1: what the body needs from outside.
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(loop.getRegion(), captured);
    captured.insert(loop.getLowerBound()[0]);
    captured.insert(loop.getStep()[0]);
    llvm::DenseMap<Value, bool> known;
    if (!llvm::all_of(captured, [&](Value v) { return canRecompute(v, known); }))
      return failure(); // stays a loop on one thread

    // Step 2: the function of a range of iterations.
    MLIRContext *ctx = &getContext();
    OpBuilder b(parent);
    b.setInsertionPointAfter(parent);
    Location loc = loop.getLoc();
    Type index = b.getIndexType();
    auto bodyType = FunctionType::get(ctx, {index, index}, {});
    auto body = b.create<func::FuncOp>(
        loc, (parent.getSymName() + "_parallel_" + Twine(counter)).str(), bodyType);
    body.setPrivate();
    symbols.insert(body);
    Block *entry = body.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping mapping;
    for (Value v : captured)
      recompute(v, b, mapping);
    Value lb = mapping.lookup(loop.getLowerBound()[0]), step = mapping.lookup(loop.getStep()[0]);
    Value one = b.create<arith::ConstantIndexOp>(loc, 1);
    auto range = b.create<scf::ForOp>(loc, entry->getArgument(0), entry->getArgument(1), one);
    b.setInsertionPointToStart(range.getBody());
    Value iv = b.create<arith::AddIOp>(loc, lb,
                                       b.create<arith::MulIOp>(loc, range.getInductionVar(), step));
    mapping.map(loop.getInductionVars()[0], iv);
    for (Operation &op : loop.getBody()->without_terminator())
      b.clone(op, mapping);
    b.setInsertionPointToEnd(entry);
    b.create<func::ReturnOp>(loc);

    // Step 3: the call of the thread pool.
    func::FuncOp runtime = declareParallelFor(module(), symbols, bodyType);
    b.setInsertionPoint(loop);
    Value extent = b.create<arith::SubIOp>(loc, loop.getUpperBound()[0], loop.getLowerBound()[0]);
    Value stepMinusOne =
        b.create<arith::SubIOp>(loc, loop.getStep()[0], b.create<arith::ConstantIndexOp>(loc, 1));
    Value iterations = b.create<arith::DivUIOp>(
        loc, b.create<arith::AddIOp>(loc, extent, stepMinusOne), loop.getStep()[0]);
    Value function = b.create<func::ConstantOp>(loc, bodyType, SymbolRefAttr::get(body));
    b.create<func::CallOp>(loc, runtime, ValueRange{function, iterations});
    loop.erase();
    return success();
  }

  ModuleOp module() { return getOperation(); }

  /// `void nnrt_parallel_for(void (*body)(int64_t, int64_t), int64_t n)`.
  func::FuncOp declareParallelFor(ModuleOp module, SymbolTable &symbols, FunctionType bodyType) {
    if (auto existing = symbols.lookup<func::FuncOp>(nn::abi::kParallelForSymbol))
      return existing;
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto type = FunctionType::get(&getContext(), {bodyType, b.getIndexType()}, {});
    auto decl = b.create<func::FuncOp>(module.getLoc(), nn::abi::kParallelForSymbol, type);
    decl.setPrivate();
    symbols.insert(decl);
    return decl;
  }
};

} // namespace
