//===- ShareKernels.cpp - one function per kernel of a shape and kind -----===//
//
// nn-share-kernels: compile time linear in the number of *different* layers.
// After the outlining passes, every loop nest and every thread-pool body is
// a private function of its own, but a 64-layer network of one width still
// holds 64 copies of its matmul, its bias add and its ReLU, which differ only
// in the buffers they touch: the globals they read (@w7 or @w8) and the
// byte offsets of their views into the arena. LLVM optimises each copy.
//
// This pass turns the buffers into arguments, so that the copies become
// equal and one function serves them all:
//
//   func.func private @step_loop_7() {           // a bias add of layer 7
//     %w = memref.get_global @b7 : memref<128xf32>
//     %arena = memref.get_global @nn_arena : memref<N x i8>
//     %h = memref.view %arena[%c51200][] : memref<N x i8> to memref<100x128xf32>
//     scf.for ... { ... %w ... %h ... }
//   }
//     becomes
//   func.func private @step_loop_7() {           // what layer 7 touches
//     %w = memref.get_global @b7 ...
//     %h = memref.view %arena[%c51200][] ...
//     call @nnc_kernel_3(%w, %h)
//   }
//   func.func private @nnc_kernel_3(%w: memref<128xf32>, %h: memref<100x128xf32>)
//       attributes {no_inline} {
//     scf.for ... { ... %w ... %h ... }       // the same for every layer
//   }
//
// The buffers (the "roots") are the results of memref.get_global and of
// memref.view of a global at constant offsets, wherever they stand in the
// function's entry block; everything else (constants, subviews, the loops)
// moves into the kernel. Views keep the identity layout, so two layers of
// one shape give kernels of one type; a subview's static offset inside a
// buffer is part of the kernel, as it should be.
//
// A function that is already a wrapper (a program printed after this pass
// and read back by nnc, which runs every stage again) is left alone.
//
// Two kernels are the same when their printed forms are (the signature and
// the body with every value numbered in order, under one placeholder name):
// a string compare decides it, exactly. The first of each form is kept and
// named nnc_kernel_<k>; later ones are erased and their callers call it.
//
// The wrappers are a few instructions each; the thread pool still calls the
// per-layer function `(first, last)` and needs no context pointer, since
// the wrapper computes its buffers itself. Kernels stay `no_inline` so that
// LLVM does not copy them back into their callers.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"
#include "codegen/cpu/Recompute.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace nn {
#define GEN_PASS_DEF_NNSHAREKERNELSPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// Whether `op` names a buffer that should be an argument of the kernel:
/// a global, or a view of a global at constant offsets.
bool isRoot(Operation *op) {
  if (isa<memref::GetGlobalOp>(op))
    return true;
  auto view = dyn_cast<memref::ViewOp>(op);
  return view && view.getSource().getDefiningOp<memref::GetGlobalOp>() &&
         llvm::all_of(view->getOperands().drop_front(),
                      [](Value v) { return matchPattern(v, m_Constant()); });
}

/// The roots of `func`'s entry block that the kernel needs: views, and the
/// globals used by anything else than a root view.
SmallVector<Value> rootsOf(func::FuncOp func) {
  SmallVector<Value> roots;
  for (Operation &op : func.getBody().front()) {
    if (!isRoot(&op))
      continue;
    Value buffer = op.getResult(0);
    bool onlyViewed = isa<memref::GetGlobalOp>(op) && llvm::all_of(buffer.getUsers(), [](Operation *user) {
      return isRoot(user);
    });
    if (!onlyViewed)
      roots.push_back(buffer);
  }
  return roots;
}

/// Whether `func` is already a wrapper: roots, constants and one call
/// (a program that re-enters the pipeline after this pass comes back with
/// its wrappers, and the pass leaves them as they are).
bool isWrapper(func::FuncOp func) {
  unsigned calls = 0;
  for (Operation &op : func.getBody().front()) {
    if (isa<func::CallOp>(op))
      ++calls;
    else if (!isRoot(&op) && !op.hasTrait<OpTrait::ConstantLike>() && !isa<func::ReturnOp>(op))
      return false;
  }
  return calls == 1;
}

/// Erases the ops of `func` whose results nothing uses, repeatedly (the
/// globals and constants that only served the roots).
void eraseDeadOps(func::FuncOp func) {
  bool changed = true;
  while (changed) {
    changed = false;
    SmallVector<Operation *> dead;
    func.walk([&](Operation *op) {
      if (op != func && isOpTriviallyDead(op))
        dead.push_back(op);
    });
    for (Operation *op : llvm::reverse(dead)) {
      op->erase();
      changed = true;
    }
  }
}

struct ShareKernels : nn::impl::NNShareKernelsPassBase<ShareKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    llvm::StringMap<func::FuncOp> kernelByForm;
    llvm::StringSet<> wrappers; // of loop nests, to be inlined
    unsigned counter = 0;
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal() || func.isPublic() || func.getNumResults() != 0 ||
          func.getBody().getBlocks().size() != 1 || isWrapper(func))
        continue;
      SmallVector<Value> roots = rootsOf(func);
      if (roots.empty())
        continue;
      func::FuncOp kernel = extractKernel(func, roots);
      std::string form = printedForm(kernel);
      auto [it, isNew] = kernelByForm.try_emplace(form, kernel);
      if (isNew) {
        kernel.setSymName(("nnc_kernel_" + Twine(counter++)).str());
        symbols.insert(kernel);
      } else {
        kernel.erase();
      }
      callKernel(func, roots, it->second);
      if (func.getNumArguments() == 0)
        wrappers.insert(func.getSymName());
    }
    inlineWrappers(module, wrappers, symbols);
  }

  /// A wrapper without arguments (an outlined loop nest) is only called
  /// directly: its few ops go in place of each call, so that the entry
  /// function calls the kernel itself and LLVM has one function less to
  /// compile per nest. The thread pool's bodies stay functions: the pool
  /// calls them through a pointer (func.constant), and so would any other
  /// wrapper whose address is taken. One walk finds every call.
  static void inlineWrappers(ModuleOp module, llvm::StringSet<> &wrappers, SymbolTable &symbols) {
    SmallVector<func::CallOp> calls;
    module.walk([&](Operation *op) {
      if (auto call = dyn_cast<func::CallOp>(op)) {
        if (wrappers.contains(call.getCallee()))
          calls.push_back(call);
      } else if (auto address = dyn_cast<func::ConstantOp>(op)) {
        wrappers.erase(address.getValue());
      }
    });
    for (func::CallOp call : calls) {
      if (!wrappers.contains(call.getCallee()))
        continue;
      auto wrapper = symbols.lookup<func::FuncOp>(call.getCallee());
      OpBuilder b(call);
      IRMapping mapping;
      for (Operation &op : wrapper.getBody().front().without_terminator())
        b.clone(op, mapping);
      call->erase();
    }
    for (const auto &name : wrappers)
      symbols.erase(symbols.lookup(name.getKey()));
  }

  /// A new function (not yet in the symbol table) of `func`'s arguments and
  /// then its roots, holding everything of `func` but the roots.
  func::FuncOp extractKernel(func::FuncOp func, ArrayRef<Value> roots) {
    Block &body = func.getBody().front();
    SmallVector<Type> inputs(func.getArgumentTypes());
    for (Value root : roots)
      inputs.push_back(root.getType());
    OpBuilder b(func);
    b.setInsertionPointAfter(func);
    auto kernel = b.create<func::FuncOp>(func.getLoc(), "nnc_kernel",
                                         FunctionType::get(&getContext(), inputs, {}));
    kernel.setPrivate();
    nn::markNoInline(kernel);
    Block *entry = kernel.addEntryBlock();
    IRMapping mapping;
    for (auto [from, to] : llvm::zip(body.getArguments(), entry->getArguments()))
      mapping.map(from, to);
    for (auto [root, arg] : llvm::zip(roots, entry->getArguments().drop_front(func.getNumArguments())))
      mapping.map(root, arg);
    b.setInsertionPointToStart(entry);
    for (Operation &op : body)
      if (op.getNumResults() == 0 || !mapping.contains(op.getResult(0)))
        b.clone(op, mapping);
    eraseDeadOps(kernel);
    return kernel;
  }

  /// The kernel's text under a fixed name: equal texts, equal kernels.
  static std::string printedForm(func::FuncOp kernel) {
    std::string text;
    llvm::raw_string_ostream os(text);
    kernel.print(os, OpPrintingFlags().useLocalScope());
    return text;
  }

  /// `func`'s body becomes: compute the roots, call `kernel`.
  static void callKernel(func::FuncOp func, ArrayRef<Value> roots, func::FuncOp kernel) {
    Block &old = func.getBody().front();
    Block *entry = new Block();
    func.getBody().push_front(entry);
    IRMapping mapping;
    SmallVector<Value> operands;
    for (BlockArgument arg : old.getArguments())
      operands.push_back(entry->addArgument(arg.getType(), arg.getLoc()));
    OpBuilder b = OpBuilder::atBlockEnd(entry);
    for (Value root : roots)
      operands.push_back(nn::recompute(root, b, mapping));
    b.create<func::CallOp>(func.getLoc(), kernel, operands);
    b.create<func::ReturnOp>(func.getLoc());
    old.dropAllDefinedValueUses();
    old.erase();
  }
};

} // namespace
