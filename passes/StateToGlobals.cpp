//===- StateToGlobals.cpp - storage for variables, inputs and outputs -----===//
//
// nn-state-to-globals: gives every piece of state of a program static storage
// that the runtime can find by name, and turns each entry function into one
// that takes no arguments. This is the ABI between generated code and the
// runtime (support/ProgramABI.h):
//
//   nn.variable @w : tensor<784x10xf32>   ->  memref.global @nn_var_w
//   func @infer(%x {nn.placeholder="x"})  ->  memref.global @nn_infer_in_x
//          -> (%p {nn.output="p"})        ->  memref.global @nn_infer_out_p
//   func @infer                           ->  func @nnc_infer()
//
// and records each of them for the program table, as nn.export_tensor and
// nn.export_function ops that nn-build-program-table reads once the storage
// and the entry points are LLVM globals and functions.
//
// Algorithm:
//  1. One memref.global per variable; a `constant` initializer's value becomes
//     the global's initial value (the runtime initialises the others). Each
//     gets a record with its role and initializer spec.
//  2. Per entry function: one global per argument and per result, and a
//     record of the function with its inputs and outputs; the body reads each
//     argument from its global (bufferization.to_tensor) and writes each
//     result into its global (materialize_in_destination).
//  3. Each variable is read once, at the top of the function, and every
//     nn.read uses that value (a copy, when the function also assigns it);
//     nn.assign writes the global.
//
// A function that is already an entry point (a record names it) is left
// alone, so the pass can run again on its own output; so are private
// functions (the later stages' helpers, such as the bodies of parallel loops).
//
//===----------------------------------------------------------------------===//

#include "ir/NNAttributes.h"
#include "ir/NNDialect.h"
#include "passes/Passes.h"
#include "support/ProgramABI.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"

namespace nn {
#define GEN_PASS_DEF_NNSTATETOGLOBALSPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

namespace abi = nn::abi;

/// Globals are aligned for the widest vector loads (AVX-512, cache lines).
constexpr uint64_t kGlobalAlignment = 64;

MemRefType memrefFor(Type tensorType) {
  auto tensor = cast<RankedTensorType>(tensorType);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

memref::GlobalOp createGlobal(OpBuilder &b, Location loc, StringRef name, Type tensorType,
                              Attribute initialValue) {
  return b.create<memref::GlobalOp>(loc, name, b.getStringAttr("private"), memrefFor(tensorType),
                                    initialValue ? initialValue : b.getUnitAttr(),
                                    /*constant=*/false, b.getI64IntegerAttr(kGlobalAlignment));
}

/// The tensor held by a global: a view of its storage. When the function
/// also assigns the global (a train step updates its variables), the view is
/// of a copy taken at the top: bufferization does not know that the view and
/// the assign's destination are the same memory, and could otherwise compute
/// a new value into the global while the old one is still being read.
Value readGlobal(OpBuilder &b, Location loc, memref::GlobalOp global, bool copy = false) {
  Value memref = b.create<memref::GetGlobalOp>(loc, global.getType(), global.getSymName());
  if (copy) {
    Value snapshot =
        b.create<memref::AllocOp>(loc, global.getType(), b.getI64IntegerAttr(kGlobalAlignment));
    b.create<memref::CopyOp>(loc, memref, snapshot);
    memref = snapshot;
  }
  auto tensor = b.create<bufferization::ToTensorOp>(loc, memref);
  tensor.setRestrict(true);
  return tensor;
}

void writeGlobal(OpBuilder &b, Location loc, Value value, memref::GlobalOp global) {
  Value memref = b.create<memref::GetGlobalOp>(loc, global.getType(), global.getSymName());
  auto write = b.create<bufferization::MaterializeInDestinationOp>(loc, value, memref);
  write.setRestrict(true);
  write.setWritable(true);
}

std::string argName(func::FuncOp func, unsigned i) {
  if (StringAttr name = nn::getPlaceholderName(func, i))
    return name.str();
  return "arg" + std::to_string(i);
}

std::string resultName(func::FuncOp func, unsigned i) {
  if (StringAttr name = nn::getOutputName(func, i))
    return name.str();
  return "result" + std::to_string(i);
}

/// "truncated_normal stddev=0.1": the initializer and its float parameters,
/// as the runtime reads them (support/ProgramABI.h, section 4).
std::string initializerSpec(nn::VariableOp variable) {
  std::string spec = variable.getInitializer().str();
  for (NamedAttribute param : variable.getParams()) {
    if (auto f = dyn_cast<FloatAttr>(param.getValue())) {
      std::string value;
      llvm::raw_string_ostream os(value);
      os << llvm::format("%.9g", f.getValueAsDouble());
      spec += " " + param.getName().str() + "=" + value;
    }
  }
  return spec;
}

nn::TensorRole roleOf(nn::VariableOp variable) {
  if (nn::isOptimizerState(variable))
    return nn::TensorRole::state;
  return variable.getIsConst() ? nn::TensorRole::constant : nn::TensorRole::variable;
}

/// The record of one tensor of the program table.
void exportTensor(OpBuilder &b, Location loc, nn::TensorRole role, StringRef name,
                  memref::GlobalOp storage, Type tensorType, bool batched, StringRef init = "") {
  b.create<nn::ExportTensorOp>(loc, role, name, storage.getSymName(),
                               cast<RankedTensorType>(tensorType), batched,
                               init.empty() ? StringAttr() : b.getStringAttr(init));
}

/// The storage of one entry function's arguments and results.
struct FunctionStorage {
  SmallVector<memref::GlobalOp> inputs, outputs;
};

struct StateToGlobals : nn::impl::NNStateToGlobalsPassBase<StateToGlobals> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringMap<memref::GlobalOp> variables = storeVariables(module);
    llvm::StringSet<> entryPoints; // made by an earlier run
    for (auto record : module.getOps<nn::ExportFunctionOp>())
      entryPoints.insert(record.getEntry());
    for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      // Entry functions are public; private ones are helpers of later stages.
      if (func.isExternal() || func.isPrivate() || entryPoints.contains(func.getSymName()))
        continue;
      auto isTensor = [](Type t) { return isa<RankedTensorType>(t); };
      if (!llvm::all_of(func.getArgumentTypes(), isTensor) ||
          !llvm::all_of(func.getResultTypes(), isTensor)) {
        func.emitOpError("is not an entry function of the nn dialect: nn-state-to-globals "
                         "gives storage to tensor arguments and results only");
        return signalPassFailure();
      }
      FunctionStorage storage = storeFunction(func);
      rewriteBody(func, storage, variables);
    }
  }

  /// Step 1: a global and a record per variable.
  llvm::StringMap<memref::GlobalOp> storeVariables(ModuleOp module) {
    OpBuilder b(module.getBodyRegion());
    llvm::StringMap<memref::GlobalOp> variables;
    for (auto variable : llvm::make_early_inc_range(module.getOps<nn::VariableOp>())) {
      b.setInsertionPoint(variable);
      Attribute initial;
      if (variable.getInitializer() == "constant")
        initial = variable.getParams().get("value");
      std::string name = variable.getSymName().str();
      memref::GlobalOp global = createGlobal(b, variable.getLoc(), abi::variableStorageSymbol(name),
                                             variable.getType(), initial);
      exportTensor(b, variable.getLoc(), roleOf(variable), name, global, variable.getType(),
                   /*batched=*/false, initializerSpec(variable));
      variables[name] = global;
      variable.erase();
    }
    return variables;
  }

  /// Step 2: a global per argument and per result, and the function's record.
  FunctionStorage storeFunction(func::FuncOp func) {
    OpBuilder b(func);
    std::string fname = func.getSymName().str();
    FunctionStorage storage;
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      storage.inputs.push_back(createGlobal(b, func.getLoc(),
                                            abi::inputStorageSymbol(fname, argName(func, i)),
                                            func.getArgument(i).getType(), {}));
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      storage.outputs.push_back(createGlobal(b, func.getLoc(),
                                             abi::outputStorageSymbol(fname, resultName(func, i)),
                                             func.getResultTypes()[i], {}));
    auto record = b.create<nn::ExportFunctionOp>(
        func.getLoc(), fname, FlatSymbolRefAttr::get(&getContext(), abi::entryPointSymbol(fname)),
        nn::getBatch(func).value_or(0));
    b.setInsertionPointToStart(&record.getTensors().front());
    for (auto [i, global] : llvm::enumerate(storage.inputs))
      exportTensor(b, func.getLoc(), nn::TensorRole::input, argName(func, i), global,
                   func.getArgument(i).getType(), nn::isBatchedArgument(func, i));
    for (auto [i, global] : llvm::enumerate(storage.outputs))
      exportTensor(b, func.getLoc(), nn::TensorRole::output, resultName(func, i), global,
                   func.getResultTypes()[i], nn::isBatchedResult(func, i));
    return storage;
  }

  /// Steps 2 and 3 in the body: arguments read from their globals, one read
  /// of each variable at the top, assigns and results written to globals;
  /// then the function takes and returns nothing, under its entry point name.
  void rewriteBody(func::FuncOp func, const FunctionStorage &storage,
                   llvm::StringMap<memref::GlobalOp> &variables) {
    Block &entry = func.getBody().front();
    OpBuilder b = OpBuilder::atBlockBegin(&entry);
    for (auto [arg, global] : llvm::zip(func.getArguments(), storage.inputs))
      arg.replaceAllUsesWith(readGlobal(b, func.getLoc(), global));

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
      writeGlobal(b, assign.getLoc(), assign.getValue(), variables[assign.getVariable()]);
      assign.erase();
    });

    // Results are written into their globals before returning nothing.
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    b.setInsertionPoint(ret);
    for (auto [value, global] : llvm::zip(ret.getOperands(), storage.outputs))
      writeGlobal(b, ret.getLoc(), value, global);
    b.create<func::ReturnOp>(ret.getLoc());
    ret.erase();

    BitVector allArgs(entry.getNumArguments(), true);
    entry.eraseArguments(allArgs);
    func.setType(FunctionType::get(&getContext(), {}, {}));
    func.setAllArgAttrs(ArrayRef<DictionaryAttr>{});
    func.setAllResultAttrs(ArrayRef<DictionaryAttr>{});
    func.setSymName(abi::entryPointSymbol(func.getSymName().str()));
  }
};

} // namespace
