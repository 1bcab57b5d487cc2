//===- LLVMEmitter.cpp - LLVM dialect to LLVM IR to object code -----------===//
//
// Translation (mlir::translateModuleToLLVMIR), LLVM's new pass manager at
// -O3 (without its loop unroller), and object emission with the legacy code
// generation pass manager, which is still what
// TargetMachine::addPassesToEmitFile uses in LLVM 19.
//
//===----------------------------------------------------------------------===//

#include "codegen/LLVMEmitter.h"
#include "ir/NNAttributes.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/StandardInstrumentations.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace nn {

void setCPUCodeGenDefaults() {
  // Loop strength reduction (LSR) rewrites the address arithmetic of loops
  // (base + i * stride) into pointers stepped by the stride. In nnc's
  // programs it found nothing to gain: the micro-kernels' loops are bound
  // by their FMAs, not by a multiply-add per address, and the step times
  // of every example and bench/matmul's kernels stayed within noise with
  // it off. Its cost grows with the uses of each induction variable, so
  // on the micro-kernels' many loads it took a quarter of the back end
  // (fashion_cnn: 0.18 s of 0.70 s of code generation by --time-passes;
  // the compile went 1.12 -> 0.95 s on a Zen 4 core). LLVM offers it only
  // as a command-line option (TargetPassConfig reads `-disable-lsr` when it
  // builds the code generation pipeline); it is set here, before any back
  // end starts, and a user's own --disable-lsr=false still wins.
  llvm::StringMap<llvm::cl::Option *> &options = llvm::cl::getRegisteredOptions();
  auto found = options.find("disable-lsr");
  if (found == options.end())
    return; // an LLVM without the option: its default stands
  auto *disableLSR = static_cast<llvm::cl::opt<bool> *>(found->second);
  if (disableLSR->getNumOccurrences() == 0)
    *disableLSR = true;
}

std::unique_ptr<llvm::TargetMachine> createCPUTargetMachine(const CPUTarget &cpu) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    llvm::errs() << "nnc: no LLVM target for " << triple << ": " << error << "\n";
    return nullptr;
  }
  llvm::TargetOptions options;
  return std::unique_ptr<llvm::TargetMachine>(
      target->createTargetMachine(triple, cpu.name, cpu.features, options, llvm::Reloc::PIC_,
                                  std::nullopt, llvm::CodeGenOptLevel::Aggressive));
}

std::unique_ptr<llvm::Module> translateToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                                                llvm::TargetMachine &machine) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  module->getContext()->appendDialectRegistry(registry);
  StringAttr model = getModelName(module);
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, model ? model.getValue() : "nnc");
  if (!llvmModule)
    return nullptr;
  llvmModule->setTargetTriple(machine.getTargetTriple().str());
  llvmModule->setDataLayout(machine.createDataLayout());
  placeLargeGlobals(*llvmModule);
  return llvmModule;
}

void placeLargeGlobals(llvm::Module &module) {
  // x86-64's small code model addresses code and static data with 32-bit
  // offsets from the instruction pointer, so a program's code and data
  // together must fit in 2 GiB. The variables, the optimizer's state and
  // the arena of a large model do not (four f32[16384, 16384] are 4 GiB):
  // the link failed with "relocation truncated to fit". Globals given the
  // large code model go to the .lbss and .ldata sections, after everything
  // else, and are addressed with 64-bit constants (movabs). That costs
  // nothing here: a function takes each global's address once, to build
  // its memref descriptor. Programs that fit are left exactly as they were.
  const uint64_t kSmallModelData = uint64_t(1) << 30; // leave the other GiB to code and libraries
  const uint64_t kLargeGlobal = uint64_t(16) << 20;
  const llvm::DataLayout &layout = module.getDataLayout();
  uint64_t total = 0;
  for (llvm::GlobalVariable &global : module.globals())
    if (!global.isDeclaration())
      total += layout.getTypeAllocSize(global.getValueType());
  if (total <= kSmallModelData)
    return;
  for (llvm::GlobalVariable &global : module.globals())
    if (!global.isDeclaration() && layout.getTypeAllocSize(global.getValueType()) >= kLargeGlobal)
      global.setCodeModel(llvm::CodeModel::Large);
}

void optimizeLLVMModule(llvm::Module &module, llvm::TargetMachine &machine) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  // -O3 without LLVM's loop unroller. The loops that gain from unrolling
  // (pooling and convolution windows) are unrolled in MLIR already
  // (nn-unroll-small-loops); on the rest the unroller tripled the code of a
  // CNN train step and took most of the compile time (4.3 s of 5.2 s for
  // examples/fashion_cnn.nn) for no measurable speed. The vectorizer still
  // interleaves its vector loops.
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = false;
  // LLVM's standard instrumentation: `--time-passes` times each pass of
  // the pipeline (and --print-after-all and friends work as in `opt`).
  llvm::PassInstrumentationCallbacks callbacks;
  llvm::StandardInstrumentations instrumentation(module.getContext(), /*DebugLogging=*/false);
  instrumentation.registerCallbacks(callbacks, &modules);
  llvm::PassBuilder builder(&machine, tuning, std::nullopt, &callbacks);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  llvm::ModulePassManager pipeline =
      builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  pipeline.run(module, modules);
}

LogicalResult writeObjectFile(llvm::Module &module, llvm::TargetMachine &machine,
                              llvm::StringRef path) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    llvm::errs() << "nnc: cannot write " << path << ": " << ec.message() << "\n";
    return failure();
  }
  llvm::legacy::PassManager codegen;
  if (machine.addPassesToEmitFile(codegen, out.os(), nullptr, llvm::CodeGenFileType::ObjectFile)) {
    llvm::errs() << "nnc: the target cannot emit object files\n";
    return failure();
  }
  codegen.run(module);
  out.keep();
  return success();
}

} // namespace nn
