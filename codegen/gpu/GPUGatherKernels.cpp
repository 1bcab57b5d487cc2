//===- GPUGatherKernels.cpp - every kernel in one gpu.module --------------===//
//
// nn-gpu-gather-kernels: gpu-kernel-outlining makes one gpu.module per
// kernel, each holding a gpu.func named like its module (`nnc_infer_kernel`,
// `nnc_infer_kernel_0`, ...). A program loads all its kernels at once, as
// one PTX module, so this pass moves them into `gpu.module @nnc_kernels`:
//
//  1. Create @nnc_kernels (or find it: the pass may run again).
//  2. Move each other gpu.module's kernels into it, renamed after their
//     module (the module names are unique), and erase the emptied module.
//  3. Point every gpu.launch_func at @nnc_kernels::@<new name>.
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/Passes.h"

#include "mlir/IR/Builders.h"

namespace nn {
#define GEN_PASS_DEF_NNGPUGATHERKERNELSPASS
#include "codegen/gpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

struct GPUGatherKernels : nn::impl::NNGPUGatherKernelsPassBase<GPUGatherKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> outlined;
    gpu::GPUModuleOp gathered;
    for (auto m : module.getOps<gpu::GPUModuleOp>()) {
      if (m.getName() == nn::kKernelModuleName)
        gathered = m;
      else
        outlined.push_back(m);
    }
    if (outlined.empty())
      return;
    // Step 1.
    if (!gathered) {
      OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
      gathered = b.create<gpu::GPUModuleOp>(module.getLoc(), nn::kKernelModuleName);
    }
    SymbolTable kernels(gathered);
    // Step 2: (old module, old kernel) -> new kernel.
    llvm::DenseMap<std::pair<StringRef, StringRef>, StringAttr> renamed;
    for (gpu::GPUModuleOp m : outlined) {
      for (auto func : llvm::make_early_inc_range(m.getOps<gpu::GPUFuncOp>())) {
        StringRef oldName = func.getName();
        func->remove();
        func.setName(m.getName());
        kernels.insert(func); // renames again if the name is taken
        renamed[{m.getName(), oldName}] = func.getNameAttr();
      }
    }
    // Step 3.
    WalkResult walk = module.walk([&](gpu::LaunchFuncOp launch) {
      auto it = renamed.find({launch.getKernelModuleName(), launch.getKernelName()});
      if (it == renamed.end())
        return WalkResult::advance();
      launch.setKernelAttr(
          SymbolRefAttr::get(gathered.getNameAttr(), {FlatSymbolRefAttr::get(it->second)}));
      return WalkResult::advance();
    });
    (void)walk;
    for (gpu::GPUModuleOp m : outlined)
      m.erase();
  }
};

} // namespace
