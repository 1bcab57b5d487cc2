//===- StateToGlobals.cpp - storage for variables, inputs and outputs -----===//
//
// nn-state-to-globals: gives every piece of state of a program static storage
// that the runtime can find by name, and turns each entry function into one
// that takes no arguments. This is the ABI between generated code and
// runtime/ (docs/runtime.md):
//
//   nn.variable @w : tensor<784x10xf32>   ->  memref.global @nn_var_w
//   func @infer(%x {nn.placeholder="x"})  ->  memref.global @nn_infer_in_x
//          -> (%p {nn.output="p"})        ->  memref.global @nn_infer_out_p
//   func @infer                           ->  func @nnc_infer()
//
// Algorithm:
//  1. One memref.global per variable; a `constant` initializer's value becomes
//     the global's initial value (the runtime initialises the others).
//  2. Per entry function: one global per argument and per result; the body
//     reads each argument from its global (bufferization.to_tensor) and
//     writes each result into its global (materialize_in_destination).
//  3. Each variable is read once, at the top of the function, and every
//     nn.read uses that value (a copy, when the function also assigns it);
//     nn.assign writes the global.
//
//===----------------------------------------------------------------------===//

#include "ir/NNDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

namespace nn {
#define GEN_PASS_DEF_NNSTATETOGLOBALSPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// Globals are aligned for the widest vector loads (AVX-512, cache lines).
constexpr uint64_t kGlobalAlignment = 64;

MemRefType memrefFor(Type tensorType) {
  auto tensor = cast<RankedTensorType>(tensorType);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

memref::GlobalOp createGlobal(OpBuilder &b, Location loc, StringRef name,
                              Type tensorType, Attribute initialValue) {
  return b.create<memref::GlobalOp>(
      loc, name, b.getStringAttr("private"), memrefFor(tensorType),
      initialValue ? initialValue : b.getUnitAttr(), /*constant=*/false,
      b.getI64IntegerAttr(kGlobalAlignment));
}

/// The tensor held by a global: a view of its storage. When the function
/// also assigns the global (a train step updates its variables), the view is
/// of a copy taken at the top: bufferization does not know that the view and
/// the assign's destination are the same memory, and could otherwise compute
/// a new value into the global while the old one is still being read.
Value readGlobal(OpBuilder &b, Location loc, memref::GlobalOp global,
                 bool copy = false) {
  Value memref = b.create<memref::GetGlobalOp>(loc, global.getType(),
                                               global.getSymName());
  if (copy) {
    Value snapshot = b.create<memref::AllocOp>(loc, global.getType(),
                                               b.getI64IntegerAttr(kGlobalAlignment));
    b.create<memref::CopyOp>(loc, memref, snapshot);
    memref = snapshot;
  }
  auto tensor = b.create<bufferization::ToTensorOp>(loc, memref);
  tensor.setRestrict(true);
  return tensor;
}

void writeGlobal(OpBuilder &b, Location loc, Value value,
                 memref::GlobalOp global) {
  Value memref = b.create<memref::GetGlobalOp>(loc, global.getType(),
                                               global.getSymName());
  auto write =
      b.create<bufferization::MaterializeInDestinationOp>(loc, value, memref);
  write.setRestrict(true);
  write.setWritable(true);
}

std::string argName(func::FuncOp func, unsigned i) {
  if (auto name = func.getArgAttrOfType<StringAttr>(i, nn::kPlaceholderAttr))
    return name.str();
  return "arg" + std::to_string(i);
}

std::string resultName(func::FuncOp func, unsigned i) {
  if (auto name = func.getResultAttrOfType<StringAttr>(i, nn::kOutputAttr))
    return name.str();
  return "result" + std::to_string(i);
}

struct StateToGlobals : nn::impl::NNStateToGlobalsPassBase<StateToGlobals> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(module.getBodyRegion());

    // Step 1: variables.
    llvm::StringMap<memref::GlobalOp> variables;
    for (auto variable : llvm::make_early_inc_range(module.getOps<nn::VariableOp>())) {
      b.setInsertionPoint(variable);
      Attribute initial;
      if (variable.getInitializer() == "constant")
        initial = variable.getParams().get("value");
      variables[variable.getSymName()] =
          createGlobal(b, variable.getLoc(), ("nn_var_" + variable.getSymName()).str(),
                       variable.getType(), initial);
      variable.erase();
    }

    for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      StringRef fname = func.getSymName();
      Block &entry = func.getBody().front();
      // Step 2: arguments become globals read at the top.
      b.setInsertionPoint(func);
      SmallVector<memref::GlobalOp> inputs, outputs;
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        inputs.push_back(createGlobal(
            b, func.getLoc(), ("nn_" + fname + "_in_" + argName(func, i)).str(),
            func.getArgument(i).getType(), {}));
      for (unsigned i = 0; i < func.getNumResults(); ++i)
        outputs.push_back(createGlobal(
            b, func.getLoc(), ("nn_" + fname + "_out_" + resultName(func, i)).str(),
            func.getResultTypes()[i], {}));

      b.setInsertionPointToStart(&entry);
      for (auto [arg, global] : llvm::zip(func.getArguments(), inputs))
        arg.replaceAllUsesWith(readGlobal(b, func.getLoc(), global));

      // Step 3: one read of each variable, at the top.
      llvm::StringSet<> assigned;
      func.walk([&](nn::AssignOp assign) { assigned.insert(assign.getVariable()); });
      llvm::StringMap<Value> reads;
      func.walk([&](nn::ReadOp read) {
        Value &value = reads[read.getVariable()];
        if (!value) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(&entry);
          value = readGlobal(b, read.getLoc(), variables[read.getVariable()],
                             assigned.contains(read.getVariable()));
        }
        read.replaceAllUsesWith(value);
        read.erase();
      });
      func.walk([&](nn::AssignOp assign) {
        b.setInsertionPoint(assign);
        writeGlobal(b, assign.getLoc(), assign.getValue(),
                    variables[assign.getVariable()]);
        assign.erase();
      });

      // Results are written into their globals before returning nothing.
      auto ret = cast<func::ReturnOp>(entry.getTerminator());
      b.setInsertionPoint(ret);
      for (auto [value, global] : llvm::zip(ret.getOperands(), outputs))
        writeGlobal(b, ret.getLoc(), value, global);
      b.create<func::ReturnOp>(ret.getLoc());
      ret.erase();

      BitVector allArgs(entry.getNumArguments(), true);
      entry.eraseArguments(allArgs);
      func.setType(FunctionType::get(&getContext(), {}, {}));
      func.setAllArgAttrs(ArrayRef<DictionaryAttr>{});
      func.setAllResultAttrs(ArrayRef<DictionaryAttr>{});
      func.setSymName(("nnc_" + fname).str());
    }
  }
};

} // namespace
