//===- ProgramTable.cpp - the table each generated program exports --------===//
//
// Builds `nnrt_program_table` (runtime/ProgramTable.h) as LLVM constants: an
// array of tensor records, an array of function records, and the program
// record that points at both. The runtime reads it; `--emit=llvm` shows it.
//
//===----------------------------------------------------------------------===//

#include "codegen/ProgramTable.h"
#include "ir/NNDialect.h"
#include "passes/Passes.h"
#include "runtime/ProgramTable.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace nn {

static int dtypeOf(Type type) {
  Type element = cast<RankedTensorType>(type).getElementType();
  if (element.isInteger(64))
    return NNRT_I64;
  if (element.isInteger(1))
    return NNRT_BOOL;
  return NNRT_F32;
}

/// "truncated_normal stddev=0.1": the initializer and its float parameters.
static std::string initializerSpec(VariableOp variable) {
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

ProgramTable collectProgramTable(ModuleOp module) {
  ProgramTable table;
  if (auto model = module->getAttrOfType<StringAttr>(kModelAttr))
    table.model = model.str();
  if (auto source = module->getAttrOfType<StringAttr>(kSourceAttr))
    table.source = source.str();
  if (auto settings = module->getAttrOfType<ArrayAttr>(kSettingsAttr))
    for (Attribute s : settings)
      table.settings.push_back(cast<StringAttr>(s).str());

  for (auto variable : module.getOps<VariableOp>()) {
    RankedTensorType type = variable.getTensorType();
    table.tensors.push_back(
        {variable.getSymName().str(),
         variable->hasAttr("nn.optimizer_state") ? NNRT_STATE
         : variable.getIsConst()                 ? NNRT_CONST
                                                 : NNRT_VARIABLE,
         NNRT_F32, false, std::vector<int64_t>(type.getShape()),
         ("nn_var_" + variable.getSymName()).str(), initializerSpec(variable)});
  }
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    std::string fname = func.getSymName().str();
    TableFunction f{fname, "nnc_" + fname, 0, (int)table.tensors.size(), 0};
    if (auto batch = func->getAttrOfType<IntegerAttr>("nn.batch"))
      f.batch = batch.getInt();
    auto addTensor = [&](std::string name, int role, Type type, bool batched) {
      auto tensor = cast<RankedTensorType>(type);
      std::string global = "nn_" + fname + (role == NNRT_INPUT ? "_in_" : "_out_") + name;
      table.tensors.push_back({name, role, dtypeOf(type), batched,
                               std::vector<int64_t>(tensor.getShape()), global, ""});
    };
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      auto name = func.getArgAttrOfType<StringAttr>(i, kPlaceholderAttr);
      addTensor(name ? name.str() : "arg" + std::to_string(i), NNRT_INPUT,
                func.getArgument(i).getType(), (bool)func.getArgAttr(i, kBatchedAttr));
    }
    for (unsigned i = 0; i < func.getNumResults(); ++i) {
      auto name = func.getResultAttrOfType<StringAttr>(i, kOutputAttr);
      addTensor(name ? name.str() : "result" + std::to_string(i), NNRT_OUTPUT,
                func.getResultTypes()[i], (bool)func.getResultAttr(i, kBatchedAttr));
    }
    f.numTensors = table.tensors.size() - f.firstTensor;
    table.functions.push_back(f);
  }
  return table;
}

namespace {

/// Builds the constants of the table in one LLVM module.
struct TableBuilder {
  llvm::Module &module;
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  unsigned counter = 0;

  llvm::Constant *privateConstant(llvm::Constant *init, const char *prefix) {
    return new llvm::GlobalVariable(module, init->getType(), /*isConstant=*/true,
                                    llvm::GlobalValue::PrivateLinkage, init,
                                    std::string(prefix) + std::to_string(counter++));
  }
  llvm::Constant *string(llvm::StringRef s) {
    return privateConstant(llvm::ConstantDataArray::getString(ctx, s), "nnrt.str.");
  }
  llvm::Constant *int32(int64_t v) { return llvm::ConstantInt::get(i32, v); }
  llvm::Constant *int64(int64_t v) { return llvm::ConstantInt::get(i64, v); }
};

} // namespace

LogicalResult emitProgramTable(llvm::Module &module, const ProgramTable &table) {
  TableBuilder b{module};
  // struct nnrt_tensor { ptr name; i32 role, dtype, rank, batched; ptr dims, data, init; }
  auto *tensorType = llvm::StructType::create(
      b.ctx, {b.ptr, b.i32, b.i32, b.i32, b.i32, b.ptr, b.ptr, b.ptr}, "nnrt_tensor");
  // struct nnrt_function { ptr name; ptr entry; i64 batch; i32 first, count; }
  auto *functionType = llvm::StructType::create(
      b.ctx, {b.ptr, b.ptr, b.i64, b.i32, b.i32}, "nnrt_function");
  // struct nnrt_program { i32 version; ptr model, source; i32 n; ptr tensors;
  //                       i32 m; ptr functions; ptr settings; }
  auto *programType = llvm::StructType::create(
      b.ctx, {b.i32, b.ptr, b.ptr, b.i32, b.ptr, b.i32, b.ptr, b.ptr}, "nnrt_program");

  std::vector<llvm::Constant *> tensors;
  for (const TableTensor &t : table.tensors) {
    llvm::GlobalVariable *storage = module.getNamedGlobal(t.global);
    if (!storage) {
      llvm::errs() << "nnc: internal error: no storage global '" << t.global << "'\n";
      return failure();
    }
    llvm::Constant *dims = b.privateConstant(
        llvm::ConstantDataArray::get(b.ctx, llvm::ArrayRef<int64_t>(t.dims)),
        "nnrt.dims.");
    tensors.push_back(llvm::ConstantStruct::get(
        tensorType, {b.string(t.name), b.int32(t.role), b.int32(t.dtype),
                     b.int32(t.dims.size()), b.int32(t.batched), dims, storage,
                     b.string(t.init)}));
  }
  std::vector<llvm::Constant *> functions;
  for (const TableFunction &f : table.functions) {
    llvm::Function *entry = module.getFunction(f.symbol);
    if (!entry) {
      llvm::errs() << "nnc: internal error: no entry function '" << f.symbol << "'\n";
      return failure();
    }
    functions.push_back(llvm::ConstantStruct::get(
        functionType, {b.string(f.name), entry, b.int64(f.batch),
                       b.int32(f.firstTensor), b.int32(f.numTensors)}));
  }
  std::string settings;
  for (const std::string &s : table.settings)
    settings += s + "\n";

  auto *tensorArray = b.privateConstant(
      llvm::ConstantArray::get(llvm::ArrayType::get(tensorType, tensors.size()), tensors),
      "nnrt.tensors.");
  auto *functionArray = b.privateConstant(
      llvm::ConstantArray::get(llvm::ArrayType::get(functionType, functions.size()),
                               functions),
      "nnrt.functions.");
  llvm::Constant *program = llvm::ConstantStruct::get(
      programType,
      {b.int32(NNRT_ABI_VERSION), b.string(table.model), b.string(table.source),
       b.int32(tensors.size()), tensorArray, b.int32(functions.size()),
       functionArray, b.string(settings)});
  new llvm::GlobalVariable(module, programType, /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, program,
                           "nnrt_program_table");

  // int main(int argc, char **argv) { return nnrt_main(argc, argv); }
  auto *mainType = llvm::FunctionType::get(b.i32, {b.i32, b.ptr}, false);
  llvm::FunctionCallee runtimeMain = module.getOrInsertFunction("nnrt_main", mainType);
  auto *main = llvm::Function::Create(mainType, llvm::GlobalValue::ExternalLinkage,
                                      "main", module);
  llvm::IRBuilder<> ir(llvm::BasicBlock::Create(b.ctx, "entry", main));
  ir.CreateRet(ir.CreateCall(runtimeMain, {main->getArg(0), main->getArg(1)}));
  return success();
}

} // namespace nn
