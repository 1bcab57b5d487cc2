//===- KernelEmitter.cpp - the kernels as PTX and as CPU code -------------===//
//
// Three steps, each a function of this file:
//
//  1. takeKernels: @nnc_kernels (NVVM and LLVM dialects) -> LLVM IR, with
//     the nvptx64 triple; the gpu.module leaves the host module.
//  2. emitPTX: a copy of that IR, linked with the libdevice functions it
//     calls (__nv_expf, ...), optimised at -O3 for the GPU (NVVMReflect
//     folds libdevice's `__nvvm_reflect` queries) and written as PTX by the
//     NVPTX back end for --gpu-arch.
//  3. buildEmulatedKernels: another copy, rewritten so that x86-64 can run
//     it one GPU thread at a time (runtime/GPUEmulator.cpp):
//       llvm.nvvm.read.ptx.sreg.tid.x ...  -> nnrt_emu_tid_x() ...
//       llvm.nvvm.barrier0                 -> nnrt_emu_barrier()
//       llvm.nvvm.shfl.sync.*              -> nnrt_emu_shuffle(mode, ...)
//       __nv_expf ...                      -> expf ... (libm)
//       a load or store of shared memory   -> preceded by
//                                             nnrt_emu_shared_access(p, size, store)
//     then, per kernel K, `nnrt_emu_K_thread(void **args)`, which unpacks
//     the arguments as cuLaunchKernel would and calls K, and the record
//     `nnrt_emu_K` (nnrt_emulated_kernel) that the program table points at.
//     The PTX goes in the same module, as `nnrt_device_code`.
//
// Shared memory is an addrspace(3) global in the kernel's IR; on x86-64 the
// address spaces below 256 are all the same flat memory, so the globals
// become ordinary ones: the emulator runs one block at a time, and resets
// (poisons) them before each block.
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/KernelEmitter.h"
#include "codegen/gpu/Passes.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/IPO/Internalize.h"
#include "llvm/Transforms/Utils/Cloning.h"

extern "C" {
void LLVMInitializeNVPTXTargetInfo();
void LLVMInitializeNVPTXTarget();
void LLVMInitializeNVPTXTargetMC();
void LLVMInitializeNVPTXAsmPrinter();
}

using namespace mlir;

namespace nn {

const char *defaultGPUArch() { return "sm_75"; }

const char *builtinLibdevicePath() { return NNC_LIBDEVICE; }

static constexpr const char *kNVPTXTriple = "nvptx64-nvidia-cuda";

//===----------------------------------------------------------------------===//
// Step 1: the kernels in LLVM IR
//===----------------------------------------------------------------------===//

std::unique_ptr<llvm::Module> takeKernels(ModuleOp program, llvm::LLVMContext &context) {
  auto kernels = program.lookupSymbol<gpu::GPUModuleOp>(kKernelModuleName);
  if (!kernels)
    return std::make_unique<llvm::Module>("nnc_kernels", context);
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  program->getContext()->appendDialectRegistry(registry);
  std::unique_ptr<llvm::Module> module =
      translateModuleToLLVMIR(kernels, context, kKernelModuleName);
  if (!module) {
    kernels.emitError("the kernels could not be translated to LLVM IR");
    return nullptr;
  }
  module->setTargetTriple(kNVPTXTriple);
  kernels.erase();
  return module;
}

//===----------------------------------------------------------------------===//
// Step 2: PTX
//===----------------------------------------------------------------------===//

static std::unique_ptr<llvm::TargetMachine> createNVPTXTargetMachine(const std::string &arch) {
  static bool initialized = [] {
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
    return true;
  }();
  (void)initialized;
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(kNVPTXTriple, error);
  if (!target) {
    llvm::errs() << "nnc: this LLVM has no NVPTX back end: " << error << "\n";
    return nullptr;
  }
  return std::unique_ptr<llvm::TargetMachine>(
      target->createTargetMachine(kNVPTXTriple, arch, /*features=*/"", llvm::TargetOptions(),
                                  std::nullopt, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
}

/// Links the libdevice functions `module` calls into it, internalized (as
/// clang does for CUDA), so that only those end up in the PTX.
static LogicalResult linkLibdevice(llvm::Module &module, const std::string &path) {
  bool needed = llvm::any_of(module.functions(), [](llvm::Function &f) {
    return f.isDeclaration() && f.getName().starts_with("__nv_");
  });
  if (!needed)
    return success();
  if (path.empty()) {
    llvm::errs() << "nnc: the kernels call libdevice's math (" << module.getName()
                 << "), but nnc was built without the CUDA toolkit's libdevice.10.bc "
                    "(configure with -DCUDAToolkit_ROOT=...)\n";
    return failure();
  }
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    llvm::errs() << "nnc: cannot read libdevice " << path << ": " << buffer.getError().message()
                 << "\n";
    return failure();
  }
  auto libdevice = llvm::parseBitcodeFile(**buffer, module.getContext());
  if (!libdevice) {
    llvm::errs() << "nnc: " << path << ": " << llvm::toString(libdevice.takeError()) << "\n";
    return failure();
  }
  (*libdevice)->setTargetTriple(module.getTargetTriple());
  (*libdevice)->setDataLayout(module.getDataLayout());
  bool failed =
      llvm::Linker::linkModules(module, std::move(*libdevice), llvm::Linker::Flags::LinkOnlyNeeded,
                                [](llvm::Module &m, const llvm::StringSet<> &linked) {
                                  llvm::internalizeModule(m, [&](const llvm::GlobalValue &gv) {
                                    return !gv.hasName() || !linked.contains(gv.getName());
                                  });
                                });
  if (failed) {
    llvm::errs() << "nnc: linking libdevice failed\n";
    return failure();
  }
  // libdevice asks whether to flush denormals to zero; the CPU does not.
  module.addModuleFlag(llvm::Module::Override, "nvvm-reflect-ftz", uint32_t(0));
  return success();
}

FailureOr<std::string> emitPTX(const llvm::Module &kernels, const KernelTarget &target) {
  std::unique_ptr<llvm::TargetMachine> machine = createNVPTXTargetMachine(target.arch);
  if (!machine)
    return failure();
  std::unique_ptr<llvm::Module> module = llvm::CloneModule(kernels);
  module->setDataLayout(machine->createDataLayout());
  if (failed(linkLibdevice(*module, target.libdevice)))
    return failure();

  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(machine.get());
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(*module, modules);

  llvm::SmallString<0> ptx;
  llvm::raw_svector_ostream os(ptx);
  llvm::legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, os, nullptr, llvm::CodeGenFileType::AssemblyFile)) {
    llvm::errs() << "nnc: the NVPTX back end cannot emit PTX\n";
    return failure();
  }
  codegen.run(*module);
  return std::string(ptx.str());
}

//===----------------------------------------------------------------------===//
// Step 3: the same kernels for the emulator
//===----------------------------------------------------------------------===//

namespace {

/// Rewrites one kernel module for the CPU; see the file's header.
class EmulatorRewriter {
public:
  EmulatorRewriter(llvm::Module &module)
      : module(module), ctx(module.getContext()), i32(llvm::Type::getInt32Ty(ctx)),
        i64(llvm::Type::getInt64Ty(ctx)), ptr(llvm::PointerType::get(ctx, 0)) {}

  LogicalResult run(ArrayRef<std::string> kernelNames, llvm::StringRef ptx);

private:
  llvm::Module &module;
  llvm::LLVMContext &ctx;
  llvm::Type *i32, *i64;
  llvm::PointerType *ptr;
  /// Kernels that reach a barrier or a shuffle (through any call).
  llvm::SmallPtrSet<llvm::Function *, 8> synchronizing;

  llvm::FunctionCallee runtime(llvm::StringRef name, llvm::Type *result,
                               ArrayRef<llvm::Type *> params) {
    return module.getOrInsertFunction(name, llvm::FunctionType::get(result, params, false));
  }
  LogicalResult rewriteIntrinsic(llvm::CallInst *call, llvm::StringRef name);
  void rewriteShuffle(llvm::CallInst *call, llvm::StringRef name);
  void instrumentSharedAccesses(llvm::Function &f);
  void addThreadEntry(llvm::Function &kernel);
};

LogicalResult EmulatorRewriter::rewriteIntrinsic(llvm::CallInst *call, llvm::StringRef name) {
  llvm::IRBuilder<> b(call);
  llvm::Function *caller = call->getFunction();
  if (name.consume_front("llvm.nvvm.read.ptx.sreg.")) {
    // tid.x -> nnrt_emu_tid_x; laneid, warpsize likewise.
    std::string symbol = "nnrt_emu_" + name.str();
    std::replace(symbol.begin(), symbol.end(), '.', '_');
    call->replaceAllUsesWith(b.CreateCall(runtime(symbol, i32, {})));
  } else if (name == "llvm.nvvm.barrier0") {
    b.CreateCall(runtime("nnrt_emu_barrier", b.getVoidTy(), {}));
    synchronizing.insert(caller);
  } else if (name.starts_with("llvm.nvvm.shfl.sync.")) {
    rewriteShuffle(call, name);
    synchronizing.insert(caller);
    return success();
  } else {
    return failure(); // an intrinsic the emulator has no model of
  }
  call->eraseFromParent();
  return success();
}

/// llvm.nvvm.shfl.sync.{bfly,down,up,idx}.{i32,f32}[p](mask, value, lane or
/// offset, clamp) -> nnrt_emu_shuffle(mode, mask, bits, offset, clamp,
/// &valid): the emulator holds each thread of the warp until all of them
/// have arrived, as the hardware's shuffle does.
void EmulatorRewriter::rewriteShuffle(llvm::CallInst *call, llvm::StringRef name) {
  llvm::IRBuilder<> b(call);
  llvm::StringRef rest = name.drop_front(strlen("llvm.nvvm.shfl.sync."));
  int mode = rest.starts_with("idx")    ? 0
             : rest.starts_with("up")   ? 1
             : rest.starts_with("down") ? 2
                                        : 3;
  bool withPredicate = rest.ends_with("p");
  llvm::Value *value = call->getArgOperand(1);
  llvm::Type *type = value->getType();
  llvm::Value *bits = type->isFloatTy() ? b.CreateBitCast(value, i32) : value;
  llvm::IRBuilder<> entry(&call->getFunction()->getEntryBlock().front());
  llvm::Value *valid = entry.CreateAlloca(b.getInt8Ty());
  llvm::Value *result =
      b.CreateCall(runtime("nnrt_emu_shuffle", i32, {i32, i32, i32, i32, i32, ptr}),
                   {b.getInt32(mode), call->getArgOperand(0), bits, call->getArgOperand(2),
                    call->getArgOperand(3), valid});
  if (type->isFloatTy())
    result = b.CreateBitCast(result, type);
  if (withPredicate) {
    llvm::Value *pair = llvm::PoisonValue::get(call->getType());
    pair = b.CreateInsertValue(pair, result, 0);
    pair = b.CreateInsertValue(pair,
                               b.CreateICmpNE(b.CreateLoad(b.getInt8Ty(), valid), b.getInt8(0)), 1);
    result = pair;
  }
  call->replaceAllUsesWith(result);
  call->eraseFromParent();
}

/// Every load and store through a pointer into shared memory (address space
/// 3) first tells the emulator: nnrt_emu_shared_access(p, bytes, is_store).
void EmulatorRewriter::instrumentSharedAccesses(llvm::Function &f) {
  llvm::FunctionCallee record =
      runtime("nnrt_emu_shared_access", llvm::Type::getVoidTy(ctx), {ptr, i64, i32});
  const llvm::DataLayout &layout = module.getDataLayout();
  for (llvm::Instruction &inst : llvm::make_early_inc_range(llvm::instructions(f))) {
    llvm::Value *pointer = nullptr;
    llvm::Type *type = nullptr;
    bool store = false;
    if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&inst))
      pointer = load->getPointerOperand(), type = load->getType();
    else if (auto *st = llvm::dyn_cast<llvm::StoreInst>(&inst))
      pointer = st->getPointerOperand(), type = st->getValueOperand()->getType(), store = true;
    if (!pointer || pointer->getType()->getPointerAddressSpace() != 3)
      continue;
    llvm::IRBuilder<> b(&inst);
    b.CreateCall(record, {b.CreateAddrSpaceCast(pointer, ptr),
                          b.getInt64(layout.getTypeStoreSize(type)), b.getInt32(store)});
  }
}

/// void nnrt_emu_K_thread(void **args): K(*(T0 *)args[0], *(T1 *)args[1], ...).
void EmulatorRewriter::addThreadEntry(llvm::Function &kernel) {
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
  auto *entry = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                       "nnrt_emu_" + kernel.getName() + "_thread", module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", entry));
  llvm::SmallVector<llvm::Value *> args;
  for (auto [i, param] : llvm::enumerate(kernel.args())) {
    llvm::Value *slot = b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, entry->getArg(0), i));
    args.push_back(b.CreateLoad(param.getType(), slot));
  }
  b.CreateCall(&kernel, args);
  b.CreateRetVoid();

  // The record: {thread, synchronizes, num_shared, shared, shared_bytes}.
  llvm::SmallVector<llvm::Constant *> shared, sizes;
  llvm::SmallPtrSet<llvm::GlobalVariable *, 4> seen;
  std::function<void(llvm::Value *)> visit = [&](llvm::Value *v) {
    if (auto *g = llvm::dyn_cast<llvm::GlobalVariable>(v)) {
      if (g->getAddressSpace() == 3 && seen.insert(g).second) {
        shared.push_back(llvm::ConstantExpr::getAddrSpaceCast(g, ptr));
        sizes.push_back(b.getInt64(module.getDataLayout().getTypeAllocSize(g->getValueType())));
      }
    } else if (auto *c = llvm::dyn_cast<llvm::ConstantExpr>(v)) {
      for (llvm::Value *operand : c->operands())
        visit(operand);
    }
  };
  for (llvm::Instruction &inst : llvm::instructions(kernel))
    for (llvm::Value *operand : inst.operands())
      visit(operand);
  auto array = [&](llvm::Type *element, ArrayRef<llvm::Constant *> items,
                   const llvm::Twine &name) -> llvm::Constant * {
    if (items.empty())
      return llvm::ConstantPointerNull::get(ptr);
    auto *t = llvm::ArrayType::get(element, items.size());
    return new llvm::GlobalVariable(module, t, true, llvm::GlobalValue::InternalLinkage,
                                    llvm::ConstantArray::get(t, items), name);
  };
  auto *recordType = llvm::StructType::get(ctx, {ptr, i32, i32, ptr, ptr});
  llvm::Constant *record = llvm::ConstantStruct::get(
      recordType, {entry, b.getInt32(synchronizing.contains(&kernel)), b.getInt32(shared.size()),
                   array(ptr, shared, "nnrt_emu_" + kernel.getName() + "_shared"),
                   array(i64, sizes, "nnrt_emu_" + kernel.getName() + "_shared_bytes")});
  new llvm::GlobalVariable(module, recordType, true, llvm::GlobalValue::ExternalLinkage, record,
                           "nnrt_emu_" + kernel.getName());
}

LogicalResult EmulatorRewriter::run(ArrayRef<std::string> kernelNames, llvm::StringRef ptx) {
  // The GPU's special functions: intrinsics and libdevice.
  for (llvm::Function &f : llvm::make_early_inc_range(module.functions())) {
    if (!f.isDeclaration())
      continue;
    llvm::StringRef name = f.getName();
    if (name.starts_with("llvm.nvvm.")) {
      for (llvm::User *user : llvm::make_early_inc_range(f.users())) {
        auto *call = llvm::dyn_cast<llvm::CallInst>(user);
        if (!call || failed(rewriteIntrinsic(call, name))) {
          llvm::errs() << "nnc: the GPU emulator has no model of " << name << "\n";
          return failure();
        }
      }
      f.eraseFromParent();
    } else if (name.starts_with("__nv_")) {
      // libdevice's __nv_expf is libm's expf, and so on.
      llvm::FunctionCallee libm =
          module.getOrInsertFunction(name.drop_front(5), f.getFunctionType());
      f.replaceAllUsesWith(libm.getCallee());
      f.eraseFromParent();
    }
  }
  module.getOrInsertNamedMetadata("nvvm.annotations")->eraseFromParent();
  for (const std::string &name : kernelNames) {
    llvm::Function *kernel = module.getFunction(name);
    if (!kernel) {
      llvm::errs() << "nnc: kernel " << name << " is missing from the kernels' LLVM IR\n";
      return failure();
    }
    kernel->setCallingConv(llvm::CallingConv::C);
    kernel->setLinkage(llvm::GlobalValue::InternalLinkage);
    instrumentSharedAccesses(*kernel);
    addThreadEntry(*kernel);
  }
  // const char nnrt_device_code[] = "<the PTX>";
  new llvm::GlobalVariable(module, llvm::ArrayType::get(llvm::Type::getInt8Ty(ctx), ptx.size() + 1),
                           true, llvm::GlobalValue::ExternalLinkage,
                           llvm::ConstantDataArray::getString(ctx, ptx, /*AddNull=*/true),
                           "nnrt_device_code");
  return success();
}

} // namespace

FailureOr<std::unique_ptr<llvm::Module>>
buildEmulatedKernels(const llvm::Module &kernels, llvm::StringRef ptx, const llvm::Module &host) {
  std::unique_ptr<llvm::Module> module = llvm::CloneModule(kernels);
  module->setTargetTriple(host.getTargetTriple());
  module->setDataLayout(host.getDataLayout());
  std::vector<std::string> names;
  if (llvm::NamedMDNode *annotations = kernels.getNamedMetadata("nvvm.annotations"))
    for (llvm::MDNode *node : annotations->operands())
      if (node->getNumOperands() >= 2)
        if (auto *kind = llvm::dyn_cast<llvm::MDString>(node->getOperand(1)))
          if (kind->getString() == "kernel")
            if (auto *f = llvm::mdconst::dyn_extract_or_null<llvm::Function>(node->getOperand(0)))
              names.push_back(f->getName().str());
  for (const llvm::Function &f : kernels.functions())
    if (f.getCallingConv() == llvm::CallingConv::PTX_Kernel &&
        !llvm::is_contained(names, f.getName().str()))
      names.push_back(f.getName().str());
  if (failed(EmulatorRewriter(*module).run(names, ptx)))
    return failure();
  if (llvm::verifyModule(*module, &llvm::errs())) {
    llvm::errs() << "nnc: the emulated kernels' LLVM IR is invalid\n";
    return failure();
  }
  return module;
}

} // namespace nn
