//===- GPULaunchToRuntime.cpp - kernel launches as runtime calls ----------===//
//
// nn-gpu-launch-to-runtime: the host's side of a kernel launch. Upstream's
// gpu-to-llvm would call MLIR's CUDA wrapper library (which loads the PTX
// module again around every launch, and is not part of Debian's packages);
// nnc's programs call their own runtime instead (support/ProgramABI.h):
//
//   gpu.launch_func @nnc_kernels::@nnc_infer_kernel_0
//       blocks in (%c4, %c1, %c1) threads in (%c256, %c1, %c1)
//       args(%w : memref<784x10xf32>, %seed : i64)
//     becomes
//   %slots = memref.alloca() : memref<2xi64>       // each argument's value
//   %args = memref.alloca() : memref<2xindex>      // the address of each slot
//   ... store the aligned address of %w and %seed in the slots ...
//   call @nnrt_gpu_launch(%c3_i32, %c4, %c1, %c1, %c256, %c1, %c1, <address of %args>)
//
// which is the form cuLaunchKernel takes its arguments in: an array of
// pointers, each to a value of the argument's size (a slot of 8 bytes holds
// a 4-byte float in its first bytes, little-endian). The kernel number is
// the kernel's position in @nnc_kernels; the pass records each kernel in
// that order (nn.export_kernel), and nn-build-program-table makes the
// records the table's kernels.
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/Passes.h"
#include "ir/NNDialect.h"
#include "support/ProgramABI.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/Builders.h"

namespace nn {
#define GEN_PASS_DEF_NNGPULAUNCHTORUNTIMEPASS
#include "codegen/gpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// The 64 bits that hold `v`: an address (for a buffer), an integer widened,
/// a float's bits.
Value asSlotBits(OpBuilder &b, Location loc, Value v) {
  Type i64 = b.getI64Type();
  Type t = v.getType();
  if (isa<MemRefType>(t))
    v = b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, v), t = v.getType();
  if (t.isIndex())
    return b.create<arith::IndexCastUIOp>(loc, i64, v);
  if (auto f = dyn_cast<FloatType>(t))
    v = b.create<arith::BitcastOp>(loc, b.getIntegerType(f.getWidth()), v), t = v.getType();
  if (t.getIntOrFloatBitWidth() < 64)
    return b.create<arith::ExtUIOp>(loc, i64, v);
  return v;
}

struct GPULaunchToRuntime : nn::impl::NNGPULaunchToRuntimePassBase<GPULaunchToRuntime> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The kernels' numbers: their order in @nnc_kernels.
    llvm::StringMap<int32_t> numbers;
    if (auto kernels = module.lookupSymbol<gpu::GPUModuleOp>(nn::kKernelModuleName))
      for (Operation &op : kernels.getBody()->getOperations()) {
        // A gpu.func kernel, or one already in the NVVM dialect.
        auto gpuFunc = dyn_cast<gpu::GPUFuncOp>(op);
        if ((gpuFunc && gpuFunc.isKernel()) ||
            op.hasAttr(NVVM::NVVMDialect::getKernelFuncAttrName()))
          numbers[cast<SymbolOpInterface>(op).getName()] = (int32_t)numbers.size();
      }
    SmallVector<gpu::LaunchFuncOp> launches;
    module.walk([&](gpu::LaunchFuncOp launch) { launches.push_back(launch); });
    if (launches.empty())
      return; // no kernels, or their launches are calls already
    if (module.getOps<nn::ExportKernelOp>().empty()) {
      OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
      SmallVector<std::pair<StringRef, int32_t>> ordered;
      for (auto &entry : numbers)
        ordered.push_back({entry.getKey(), entry.getValue()});
      llvm::sort(ordered, [](auto &a, auto &b) { return a.second < b.second; });
      for (auto &[name, number] : ordered)
        b.create<nn::ExportKernelOp>(module.getLoc(), name);
    }
    func::FuncOp runtime = declareLaunch(module);
    for (gpu::LaunchFuncOp launch : launches) {
      if (launch.getKernelModuleName() != nn::kKernelModuleName ||
          !numbers.count(launch.getKernelName())) {
        launch.emitOpError("launches a kernel outside @")
            << nn::kKernelModuleName << ": run nn-gpu-gather-kernels first";
        return signalPassFailure();
      }
      replace(launch, numbers[launch.getKernelName()], runtime);
    }
  }

  void replace(gpu::LaunchFuncOp launch, int32_t number, func::FuncOp runtime) {
    OpBuilder b(launch);
    Location loc = launch.getLoc();
    ValueRange operands = launch.getKernelOperands();
    int64_t n = std::max<int64_t>(operands.size(), 1);
    Value slots = b.create<memref::AllocaOp>(loc, MemRefType::get({n}, b.getI64Type()));
    Value pointers = b.create<memref::AllocaOp>(loc, MemRefType::get({n}, b.getIndexType()));
    Value slotBase = b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, slots);
    for (auto [i, operand] : llvm::enumerate(operands)) {
      Value at = b.create<arith::ConstantIndexOp>(loc, i);
      b.create<memref::StoreOp>(loc, asSlotBits(b, loc, operand), slots, at);
      Value address = b.create<arith::AddIOp>(
          loc, slotBase, b.create<arith::ConstantIndexOp>(loc, 8 * (int64_t)i));
      b.create<memref::StoreOp>(loc, address, pointers, at);
    }
    gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
    gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
    Value kernel = b.create<arith::ConstantIntOp>(loc, number, 32);
    Value args = b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, pointers);
    b.create<func::CallOp>(
        loc, runtime, ValueRange{kernel, grid.x, grid.y, grid.z, block.x, block.y, block.z, args});
    launch.erase();
  }

  /// void nnrt_gpu_launch(int32_t kernel, int64_t gx, gy, gz, bx, by, bz, void **args)
  func::FuncOp declareLaunch(ModuleOp module) {
    if (auto f = module.lookupSymbol<func::FuncOp>(nn::abi::kGPULaunchSymbol))
      return f;
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    Type index = b.getIndexType();
    auto type = FunctionType::get(
        &getContext(), {b.getI32Type(), index, index, index, index, index, index, index}, {});
    auto f = b.create<func::FuncOp>(module.getLoc(), nn::abi::kGPULaunchSymbol, type);
    f.setPrivate();
    return f;
  }
};

} // namespace
