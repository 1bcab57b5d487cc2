//===- GPUPipeline.cpp - from the nn dialect to kernels and host code -----===//
//
// The stages of GPU code generation, after the graph stages every target
// shares (codegen/Pipeline.cpp: specialized, grad, linalg, fused,
// bufferized). Each stage is a flat list of passes, one comment a line;
// `nnc --target=cuda --dump-dir DIR` writes the IR after every stage.
//
//   gpu        every matmul a kernel tiled through shared memory and
//              registers; every reduction of whole axes a kernel whose
//              threads share each output through a tree in shared memory;
//              every other linalg op a loop nest whose parallel loops are a
//              grid of GPU threads (gpu.launch), one thread per output
//              element
//   kernels    each launch's body outlined into a kernel (gpu.func), all of
//              them in one gpu.module, @nnc_kernels, with the kernel the
//              runtime launches to gather a batch; the host functions only
//              launch them (gpu.launch_func)
//   nvvm       the kernels in the LLVM and NVVM dialects: thread and block
//              ids as special registers, buffers as bare pointers
//   mlir-llvm  the host code in the LLVM dialect: each launch a call of the
//              runtime's nnrt_gpu_launch, every buffer read from its device
//              slot, and the program table
//
// The driver (codegen/gpu/KernelEmitter.cpp) then translates @nnc_kernels to
// LLVM IR once, and from it makes PTX (LLVM's NVPTX back end) and the same
// kernels for the CPU (for --device emu).
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/GPUPipeline.h"
#include "codegen/gpu/Passes.h"
#include "passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace nn {

/// gpu: every linalg op a grid of threads.
static void addMapToThreads(OpPassManager &pm, const GPUPipelineOptions &options) {
  NNExpandStridedCopiesPassOptions copies;
  copies.allCopies = true;
  pm.addPass(createNNExpandStridedCopiesPass(copies)); // every copy -> linalg.copy
  pm.addPass(createNNGPUTileMatmulPass());             // matmuls: tiled kernels
  pm.addPass(createNNGPUBlockReductionsPass());        // reductions: trees in a block
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass()); // scf.parallel
  pm.addPass(createCanonicalizerPass());
  NNGPUMapParallelLoopsPassOptions map;
  map.blockSize = options.blockSize;
  pm.addPass(createNNGPUMapParallelLoopsPass(map)); // scf.parallel -> gpu.launch
  pm.addPass(createCanonicalizerPass());
}

/// kernels: each launch outlined, all of them in @nnc_kernels.
static void addOutlineKernels(OpPassManager &pm) {
  pm.addPass(createGpuLauchSinkIndexComputationsPass()); // constants into the kernels
  pm.addPass(createGpuKernelOutliningPass());            // gpu.launch -> gpu.func
  pm.addPass(createNNGPUGatherKernelsPass());            // one gpu.module for all
  pm.addPass(createNNGPUBatchGatherKernelPass());        // + the runtime's batch gather
  pm.addPass(createCanonicalizerPass());
}

/// nvvm: the kernels in the NVVM and LLVM dialects.
static void addKernelsToNVVM(OpPassManager &pm) {
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createLowerAffinePass());                   // affine.apply -> arith
  kernels.addPass(memref::createExpandStridedMetadataPass()); // views -> offsets
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createConvertSCFToCFPass()); // loops -> branches
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.useBarePtrCallConv = true;                      // static shapes: pointers
  kernels.addPass(createConvertGpuOpsToNVVMOps(nvvm)); // ids, math, memrefs
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
}

/// mlir-llvm: the host code, launching kernels, with the program table.
static void addHostToLLVM(OpPassManager &pm) {
  pm.addPass(createNNGPULaunchToRuntimePass()); // launch_func -> nnrt_gpu_launch
  addHostLoweringToLLVM(pm);                    // host code -> the LLVM dialect
  pm.addPass(createNNGPUDevicePointersPass());  // buffers at their device addresses
  pm.addPass(createNNBuildProgramTablePass());  // nnrt_program_table and main()
}

std::vector<PipelineStage> buildGPUPipeline(const GPUPipelineOptions &options) {
  std::vector<PipelineStage> stages = buildGraphStages(options.batch);
  stages.push_back({"gpu", "matmuls as tiled kernels, other ops as grids of threads",
                    [options](OpPassManager &pm) { addMapToThreads(pm, options); }});
  stages.push_back(
      {"kernels", "each launch outlined into a kernel of @nnc_kernels", addOutlineKernels});
  stages.push_back({"nvvm", "the kernels in the NVVM and LLVM dialects", addKernelsToNVVM});
  stages.push_back(
      {"mlir-llvm", "the host code in the LLVM dialect, with the program table", addHostToLLVM});
  return stages;
}

namespace {
/// gpu.launch_func declares no memory effects; a kernel may read and write
/// every buffer it takes (and nothing else: kernels see only their
/// arguments).
struct LaunchFuncMemoryEffects
    : MemoryEffectOpInterface::ExternalModel<LaunchFuncMemoryEffects, gpu::LaunchFuncOp> {
  void
  getEffects(Operation *op,
             SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) const {
    for (OpOperand &operand : cast<gpu::LaunchFuncOp>(op).getKernelOperandsMutable()) {
      if (!isa<MemRefType>(operand.get().getType()))
        continue;
      effects.emplace_back(MemoryEffects::Read::get(), &operand);
      effects.emplace_back(MemoryEffects::Write::get(), &operand);
    }
  }
};
/// gpu.barrier declares none either; it orders every access to memory
/// before it against every one after it, as a read and a write of all
/// memory would (so that no pass moves or merges loads across it).
struct BarrierMemoryEffects
    : MemoryEffectOpInterface::ExternalModel<BarrierMemoryEffects, gpu::BarrierOp> {
  void
  getEffects(Operation *op,
             SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) const {
    effects.emplace_back(MemoryEffects::Read::get());
    effects.emplace_back(MemoryEffects::Write::get());
  }
};
} // namespace

void registerGPUExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, gpu::GPUDialect *) {
    gpu::LaunchFuncOp::attachInterface<LaunchFuncMemoryEffects>(*ctx);
    gpu::BarrierOp::attachInterface<BarrierMemoryEffects>(*ctx);
  });
}

namespace {
struct GPUPipelineCLOptions : public PassPipelineOptions<GPUPipelineCLOptions> {
  Option<int64_t> batch{*this, "batch", llvm::cl::desc("the batch size"), llvm::cl::init(1)};
  Option<int64_t> blockSize{*this, "block-size", llvm::cl::desc("threads per block"),
                            llvm::cl::init(256)};
};
} // namespace

void registerGPUPipeline() {
  PassPipelineRegistration<GPUPipelineCLOptions>(
      "nn-gpu-pipeline",
      "The whole GPU pipeline of nnc, from the nn dialect to kernels and host code "
      "in the LLVM dialect",
      [](OpPassManager &pm, const GPUPipelineCLOptions &cl) {
        GPUPipelineOptions options;
        options.batch = cl.batch;
        options.blockSize = cl.blockSize;
        for (PipelineStage &stage : buildGPUPipeline(options))
          stage.addPasses(pm);
      });
}

} // namespace nn
