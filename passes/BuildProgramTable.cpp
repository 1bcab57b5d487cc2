//===- BuildProgramTable.cpp - the table the runtime reads, in IR ---------===//
//
// nn-build-program-table: the last pass before LLVM IR. It turns the records
// that nn-state-to-globals left (nn.export_tensor, nn.export_function) into
// the constant the runtime reads, `nnrt_program_table` (support/ProgramABI.h),
// and adds `main`, a call of the runtime's `nnrt_main`. Afterwards the module
// is a complete program: `nnc --emit=mlir-llvm` shows the table, and
// `nn-opt --nn-cpu-pipeline` output links with libnnrt.a as it is.
//
// Algorithm:
//  1. Declare the three record types of the ABI as LLVM structs.
//  2. One nnrt_tensor per record, in order: the module's (variables, consts,
//     optimizer state), then each function's inputs and outputs. Names,
//     initializer specs and shapes become private constants; `data` is the
//     address of the storage global.
//  3. One nnrt_function per nn.export_function: its name, the address of its
//     entry point, its batch and its range of tensors.
//  4. GPU programs: one nnrt_kernel per nn.export_kernel, its name and its
//     emulated twin (`nnrt_emu_<name>`), and the PTX module
//     (`nnrt_device_code`); both are defined when the driver compiles the
//     kernels (codegen/gpu/KernelEmitter.cpp). Each tensor's `device` field
//     is the address of its device slot, `@<storage>.device`, when the GPU
//     pipeline made one.
//  5. The nnrt_program record, with the module's nn.model, nn.source and
//     nn.settings, as the external constant `nnrt_program_table`.
//  6. `main(argc, argv) { return nnrt_main(argc, argv); }`; erase the records.
//
// It runs on the LLVM dialect, once storage globals are llvm.mlir.global and
// entry points llvm.func, so that the table can take their addresses.
//
//===----------------------------------------------------------------------===//

#include "ir/NNAttributes.h"
#include "ir/NNDialect.h"
#include "passes/Passes.h"
#include "support/ProgramABI.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

#include <cstddef>
#include <map>

namespace nn {
#define GEN_PASS_DEF_NNBUILDPROGRAMTABLEPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

// The LLVM structs below are the C records of support/ProgramABI.h with
// x86-64's layout: pointers and int64_t take 8 bytes, int32_t 4, and fields
// sit at their natural alignment. The compiler checks that the C side agrees.
static_assert(offsetof(nnrt_tensor, role) == 8 && offsetof(nnrt_tensor, dims) == 24 &&
                  offsetof(nnrt_tensor, device) == 48 && sizeof(nnrt_tensor) == 56,
              "nnrt_tensor is {ptr, i32, i32, i32, i32, ptr, ptr, ptr, ptr}");
static_assert(offsetof(nnrt_function, batch) == 16 && offsetof(nnrt_function, num_tensors) == 28 &&
                  sizeof(nnrt_function) == 32,
              "nnrt_function is {ptr, ptr, i64, i32, i32}");
static_assert(offsetof(nnrt_program, tensors) == 32 && offsetof(nnrt_program, settings) == 56 &&
                  offsetof(nnrt_program, kernels) == 80 && sizeof(nnrt_program) == 88,
              "nnrt_program is {i32, ptr, ptr, i32, ptr, i32, ptr, ptr, ptr, i32, ptr}");
static_assert(sizeof(nnrt_kernel) == 16, "nnrt_kernel is {ptr, ptr}");
static_assert(offsetof(nnrt_emulated_kernel, shared) == 16 &&
                  sizeof(nnrt_emulated_kernel) == 32,
              "nnrt_emulated_kernel is {ptr, i32, i32, ptr, ptr} (codegen/gpu/KernelEmitter.cpp)");

/// Builds the table's constants at the end of one module.
class TableBuilder {
public:
  explicit TableBuilder(ModuleOp module)
      : module(module), b(OpBuilder::atBlockEnd(module.getBody())), loc(module.getLoc()) {
    MLIRContext *ctx = module.getContext();
    ptr = LLVM::LLVMPointerType::get(ctx);
    i32 = b.getI32Type();
    i64 = b.getI64Type();
    // Step 1: the records.
    tensorType = LLVM::LLVMStructType::getIdentified(ctx, "nnrt_tensor");
    (void)tensorType.setBody({ptr, i32, i32, i32, i32, ptr, ptr, ptr, ptr}, /*isPacked=*/false);
    functionType = LLVM::LLVMStructType::getIdentified(ctx, "nnrt_function");
    (void)functionType.setBody({ptr, ptr, i64, i32, i32}, false);
    kernelType = LLVM::LLVMStructType::getIdentified(ctx, "nnrt_kernel");
    (void)kernelType.setBody({ptr, ptr}, false);
    programType = LLVM::LLVMStructType::getIdentified(ctx, "nnrt_program");
    (void)programType.setBody({i32, ptr, ptr, i32, ptr, i32, ptr, ptr, ptr, i32, ptr}, false);
  }

  LogicalResult build();

private:
  ModuleOp module;
  OpBuilder b;
  Location loc;
  Type ptr, i32, i64;
  LLVM::LLVMStructType tensorType, functionType, kernelType, programType;
  unsigned counter = 0;
  llvm::StringMap<std::string> strings;
  std::map<std::vector<int64_t>, std::string> shapes;

  /// What one nnrt_tensor holds, gathered from a record.
  struct Tensor {
    nn::ExportTensorOp record;
    std::string name;
    std::string dims;     // symbol of its dims array ("" for a scalar)
    std::string nameText; // symbol of its name
    std::string init;     // symbol of its initializer spec
  };

  std::string uniqueName(StringRef prefix) { return (prefix + Twine(counter++)).str(); }

  /// A private constant global holding `text` and a NUL; returns its symbol.
  /// Equal strings share one global.
  std::string addString(StringRef text) {
    std::string &name = strings[text];
    if (!name.empty())
      return name;
    name = uniqueName("nnrt.str.");
    std::string bytes = text.str();
    bytes.push_back('\0');
    auto type = LLVM::LLVMArrayType::get(b.getI8Type(), bytes.size());
    b.create<LLVM::GlobalOp>(loc, type, /*isConstant=*/true, LLVM::Linkage::Private, name,
                             b.getStringAttr(bytes), /*alignment=*/0);
    return name;
  }

  /// A private constant array of int64; "" for none (the pointer is null).
  /// Equal shapes share one global.
  std::string addDims(ArrayRef<int64_t> dims) {
    if (dims.empty())
      return "";
    std::string &name = shapes[std::vector<int64_t>(dims.begin(), dims.end())];
    if (!name.empty())
      return name;
    name = uniqueName("nnrt.dims.");
    auto type = LLVM::LLVMArrayType::get(i64, dims.size());
    auto value = DenseElementsAttr::get(RankedTensorType::get({(int64_t)dims.size()}, i64), dims);
    b.create<LLVM::GlobalOp>(loc, type, true, LLVM::Linkage::Private, name, value, 0);
    return name;
  }

  /// A constant global whose value `fill` builds in its initializer region.
  template <typename Fill>
  void addGlobal(Type type, LLVM::Linkage linkage, StringRef name, Fill fill) {
    auto global = b.create<LLVM::GlobalOp>(loc, type, true, linkage, name, Attribute(), 0);
    OpBuilder::InsertionGuard guard(b);
    b.createBlock(&global.getInitializerRegion());
    b.create<LLVM::ReturnOp>(loc, fill());
  }

  // Values inside an initializer region.
  Value address(StringRef symbol) {
    if (symbol.empty())
      return b.create<LLVM::ZeroOp>(loc, ptr);
    return b.create<LLVM::AddressOfOp>(loc, ptr, symbol);
  }
  Value constant(Type type, int64_t v) {
    return b.create<LLVM::ConstantOp>(loc, type, b.getIntegerAttr(type, v));
  }
  Value record(Type type, ArrayRef<Value> fields) {
    Value r = b.create<LLVM::UndefOp>(loc, type);
    for (auto [i, field] : llvm::enumerate(fields))
      r = b.create<LLVM::InsertValueOp>(loc, r, field, ArrayRef<int64_t>{(int64_t)i});
    return r;
  }

  FailureOr<Tensor> gather(nn::ExportTensorOp record);
  /// `extern const char nnrt_device_code[]` or `extern const
  /// nnrt_emulated_kernel nnrt_emu_K`, defined with the kernels.
  void declareExternal(StringRef name) {
    if (!module.lookupSymbol(name))
      b.create<LLVM::GlobalOp>(loc, b.getI8Type(), true, LLVM::Linkage::External, name,
                               Attribute(), 0);
  }
  Value tensorRecord(Tensor t);
  LogicalResult checkSymbol(Operation *user, FlatSymbolRefAttr symbol, bool function);
  void addMain();
};

/// The storage and entry points must already be LLVM globals and functions.
LogicalResult TableBuilder::checkSymbol(Operation *user, FlatSymbolRefAttr symbol, bool function) {
  Operation *target = SymbolTable::lookupSymbolIn(module, symbol.getAttr());
  bool ok = function ? isa_and_nonnull<LLVM::LLVMFuncOp>(target)
                     : isa_and_nonnull<LLVM::GlobalOp>(target);
  if (ok)
    return success();
  return user->emitOpError("names ")
         << symbol << ", which is not an " << (function ? "llvm.func" : "llvm.mlir.global")
         << ": nn-build-program-table runs after the lowering to the LLVM dialect";
}

FailureOr<TableBuilder::Tensor> TableBuilder::gather(nn::ExportTensorOp record) {
  if (failed(checkSymbol(record, record.getStorageAttr(), /*function=*/false)))
    return failure();
  Tensor t{record, record.getTensorName().str()};
  t.nameText = addString(t.name);
  t.dims = addDims(record.getType().getShape());
  t.init = addString(record.getInit().value_or(""));
  return t;
}

Value TableBuilder::tensorRecord(Tensor t) {
  Type element = t.record.getType().getElementType();
  int dtype = element.isInteger(64)  ? NNRT_I64
              : element.isInteger(1) ? NNRT_BOOL
              : element.isInteger(8) ? NNRT_BYTE
                                     : NNRT_F32;
  std::string slot = nn::abi::deviceSlotSymbol(t.record.getStorage().str());
  return record(tensorType, {address(t.nameText), constant(i32, (int64_t)t.record.getRole()),
                             constant(i32, dtype), constant(i32, t.record.getType().getRank()),
                             constant(i32, t.record.getBatched()), address(t.dims),
                             address(t.record.getStorage()), address(t.init),
                             address(module.lookupSymbol(slot) ? slot : "")});
}

void TableBuilder::addMain() {
  auto mainType = LLVM::LLVMFunctionType::get(i32, {i32, ptr});
  if (!module.lookupSymbol(nn::abi::kRuntimeMainSymbol))
    b.create<LLVM::LLVMFuncOp>(loc, nn::abi::kRuntimeMainSymbol, mainType);
  auto main = b.create<LLVM::LLVMFuncOp>(loc, "main", mainType);
  OpBuilder::InsertionGuard guard(b);
  Block *entry = main.addEntryBlock(b);
  b.setInsertionPointToStart(entry);
  auto call = b.create<LLVM::CallOp>(loc, i32, nn::abi::kRuntimeMainSymbol,
                                     ValueRange(entry->getArguments()));
  b.create<LLVM::ReturnOp>(loc, call.getResult());
}

LogicalResult TableBuilder::build() {
  // The program's own strings (step 4) come first in the module.
  std::string settings;
  if (ArrayAttr all = nn::getSettings(module))
    for (Attribute s : all)
      settings += cast<StringAttr>(s).str() + "\n";
  StringAttr model = nn::getModelName(module), source = nn::getSourceFile(module);
  std::string modelText = addString(model ? model.getValue() : "");
  std::string sourceText = addString(source ? source.getValue() : "");
  std::string settingsText = addString(settings);

  // Step 2: the tensors, the module's first.
  std::vector<Tensor> tensors;
  for (auto record : module.getOps<nn::ExportTensorOp>()) {
    FailureOr<Tensor> t = gather(record);
    if (failed(t))
      return failure();
    tensors.push_back(*t);
  }
  // Step 3: the functions, each with its range of tensors.
  struct Function {
    nn::ExportFunctionOp record;
    std::string name;
    int64_t first, count;
  };
  std::vector<Function> functions;
  for (auto record : module.getOps<nn::ExportFunctionOp>()) {
    if (failed(checkSymbol(record, record.getEntryAttr(), /*function=*/true)))
      return failure();
    Function f{record, addString(record.getFunctionName()), (int64_t)tensors.size(), 0};
    for (auto tensor : record.getTensors().front().getOps<nn::ExportTensorOp>()) {
      FailureOr<Tensor> t = gather(tensor);
      if (failed(t))
        return failure();
      tensors.push_back(*t);
    }
    f.count = tensors.size() - f.first;
    functions.push_back(f);
  }

  std::string tensorArray, functionArray;
  if (!tensors.empty()) {
    tensorArray = uniqueName("nnrt.tensors.");
    addGlobal(LLVM::LLVMArrayType::get(tensorType, tensors.size()), LLVM::Linkage::Private,
              tensorArray, [&] {
                SmallVector<Value> rows;
                for (Tensor &t : tensors)
                  rows.push_back(tensorRecord(t));
                return record(LLVM::LLVMArrayType::get(tensorType, tensors.size()), rows);
              });
  }
  if (!functions.empty()) {
    functionArray = uniqueName("nnrt.functions.");
    auto type = LLVM::LLVMArrayType::get(functionType, functions.size());
    addGlobal(type, LLVM::Linkage::Private, functionArray, [&] {
      SmallVector<Value> rows;
      for (Function &f : functions)
        rows.push_back(record(functionType, {address(f.name), address(f.record.getEntry()),
                                             constant(i64, f.record.getBatch()),
                                             constant(i32, f.first), constant(i32, f.count)}));
      return record(type, rows);
    });
  }

  // Step 4: the kernels of a GPU program, and its PTX module.
  std::string kernelArray, deviceCode;
  SmallVector<nn::ExportKernelOp> kernels(module.getOps<nn::ExportKernelOp>());
  if (!kernels.empty()) {
    deviceCode = nn::abi::kDeviceCodeSymbol;
    declareExternal(deviceCode);
    std::vector<std::pair<std::string, std::string>> names; // (name text, emulated twin)
    for (nn::ExportKernelOp k : kernels) {
      std::string twin = nn::abi::emulatedKernelSymbol(k.getKernelName().str());
      declareExternal(twin);
      names.push_back({addString(k.getKernelName()), twin});
    }
    kernelArray = uniqueName("nnrt.kernels.");
    auto type = LLVM::LLVMArrayType::get(kernelType, names.size());
    addGlobal(type, LLVM::Linkage::Private, kernelArray, [&] {
      SmallVector<Value> rows;
      for (auto &[name, twin] : names)
        rows.push_back(record(kernelType, {address(name), address(twin)}));
      return record(type, rows);
    });
  }

  // Step 5: the program.
  addGlobal(programType, LLVM::Linkage::External, nn::abi::kProgramTableSymbol, [&] {
    return record(programType,
                  {constant(i32, NNRT_ABI_VERSION), address(modelText), address(sourceText),
                   constant(i32, tensors.size()), address(tensorArray),
                   constant(i32, functions.size()), address(functionArray), address(settingsText),
                   address(deviceCode), constant(i32, kernels.size()), address(kernelArray)});
  });

  // Step 6: main, and the records are done.
  addMain();
  for (Function &f : functions)
    f.record.erase();
  for (nn::ExportKernelOp k : kernels)
    k.erase();
  for (auto record : llvm::make_early_inc_range(module.getOps<nn::ExportTensorOp>()))
    record.erase();
  return success();
}

struct BuildProgramTable : nn::impl::NNBuildProgramTablePassBase<BuildProgramTable> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (module.getOps<nn::ExportFunctionOp>().empty() &&
        module.getOps<nn::ExportTensorOp>().empty() && module.getOps<nn::ExportKernelOp>().empty())
      return; // no records: a module that is not a program, or one already built
    if (failed(TableBuilder(module).build()))
      signalPassFailure();
  }
};

} // namespace
