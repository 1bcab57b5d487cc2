//===- GPUDevicePointers.cpp - host code addresses the device's buffers ---===//
//
// nn-gpu-device-pointers: in a GPU program every buffer of the program lives
// on the device, at an address the runtime learns only when it allocates it.
// The host's copy of each tensor stays (the runtime initialises variables,
// reads checkpoints and fills batches there, then copies), but the host code
// must hand the kernels the device's copy. On the LLVM dialect:
//
//  1. The buffers: the storage of every record (nn.export_tensor) and the
//     arena. The arena gets a record of role `scratch`: device memory only.
//  2. For each buffer @G, a host global @G.device holding a pointer, zero
//     until the runtime stores the device address there (the program table
//     points at it: support/ProgramABI.h).
//  3. In the host functions, every `llvm.mlir.addressof @G` becomes a load of
//     @G.device. The kernels receive those addresses; the host never
//     dereferences them (nn-gpu-map-parallel-loops made sure).
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/Passes.h"
#include "ir/NNDialect.h"
#include "passes/Analysis/MemoryPlan.h"
#include "support/ProgramABI.h"

#include "mlir/IR/Builders.h"

#include <set>

namespace nn {
#define GEN_PASS_DEF_NNGPUDEVICEPOINTERSPASS
#include "codegen/gpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

struct GPUDevicePointers : nn::impl::NNGPUDevicePointersPassBase<GPUDevicePointers> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    if (module.lookupSymbol(nn::abi::kProgramTableSymbol))
      return; // the program is complete: its host code reads the slots already
    // Step 1: the buffers.
    std::set<std::string> buffers; // sorted: the slots come out in one order
    module.walk([&](nn::ExportTensorOp record) { buffers.insert(record.getStorage().str()); });
    auto arena = module.lookupSymbol<LLVM::GlobalOp>(nn::kArenaName);
    if (arena && !buffers.count(nn::kArenaName.str())) {
      OpBuilder b(arena);
      b.setInsertionPointAfter(arena);
      auto bytes = cast<LLVM::LLVMArrayType>(arena.getType()).getNumElements();
      b.create<nn::ExportTensorOp>(
          arena.getLoc(), nn::TensorRole::scratch, nn::kArenaName, nn::kArenaName,
          RankedTensorType::get({(int64_t)bytes}, b.getI8Type()), false, StringAttr());
      buffers.insert(nn::kArenaName.str());
    }
    // Step 2: a slot per buffer.
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    for (const auto &buffer : buffers) {
      std::string slot = nn::abi::deviceSlotSymbol(buffer);
      if (module.lookupSymbol(slot))
        continue; // an earlier run made it
      auto global = b.create<LLVM::GlobalOp>(module.getLoc(), ptr, /*isConstant=*/false,
                                             LLVM::Linkage::Private, slot, Attribute());
      OpBuilder::InsertionGuard guard(b);
      b.createBlock(&global.getInitializerRegion());
      b.create<LLVM::ReturnOp>(module.getLoc(),
                               b.create<LLVM::ZeroOp>(module.getLoc(), ptr).getResult());
    }
    // Step 3: the host functions take the device's address.
    for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
      func.walk([&](LLVM::AddressOfOp address) {
        if (!buffers.count(address.getGlobalName().str()))
          return;
        OpBuilder ib(address);
        Value slot = ib.create<LLVM::AddressOfOp>(
            address.getLoc(), ptr, nn::abi::deviceSlotSymbol(address.getGlobalName().str()));
        Value device = ib.create<LLVM::LoadOp>(address.getLoc(), ptr, slot);
        address.replaceAllUsesWith(device);
        address.erase();
      });
    }
  }
};

} // namespace
