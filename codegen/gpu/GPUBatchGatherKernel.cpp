//===- GPUBatchGatherKernel.cpp - the kernel that gathers a batch ---------===//
//
// nn-gpu-batch-gather-kernel: a GPU program keeps its data sets on the
// device, uploaded once (runtime/DeviceProgram.cpp); each step's batch is
// gathered there, row by row in the shuffled order, by one kernel that the
// runtime launches itself. This pass adds that kernel to @nnc_kernels, so
// that it becomes PTX and is emulated like every other kernel:
//
//   gpu.func @nnc_gather_rows(%dst, %src, %items: !llvm.ptr,
//                             %row_floats, %total: i64) kernel
//     k = blockIdx.x * blockDim.x + threadIdx.x    // one float of the batch
//     if k < total:
//       row = k / row_floats, j = k mod row_floats
//       item = items[row]                          // -1: past the data's end
//       dst[k] = item >= 0 ? src[item * row_floats + j] : 0
//
// Consecutive threads copy consecutive floats of a row: a warp's loads and
// stores coalesce. The pointers are the device's addresses, as the runtime
// passes them (nnrt_gpu_launch's arguments), so the kernel takes plain
// pointers rather than buffers of a static shape.
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/Passes.h"
#include "support/ProgramABI.h"

#include "mlir/IR/Builders.h"

namespace nn {
#define GEN_PASS_DEF_NNGPUBATCHGATHERKERNELPASS
#include "codegen/gpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

struct GPUBatchGatherKernel : nn::impl::NNGPUBatchGatherKernelPassBase<GPUBatchGatherKernel> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto kernels = module.lookupSymbol<gpu::GPUModuleOp>(nn::kKernelModuleName);
    if (!kernels) {
      OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
      kernels = b.create<gpu::GPUModuleOp>(module.getLoc(), nn::kKernelModuleName);
    }
    if (kernels.lookupSymbol(nn::abi::kGatherRowsKernel))
      return; // the pass ran before
    buildKernel(kernels);
  }

  void buildKernel(gpu::GPUModuleOp kernels) {
    MLIRContext *ctx = &getContext();
    Location loc = kernels.getLoc();
    OpBuilder b = OpBuilder::atBlockTerminator(kernels.getBody()); // before gpu.module_end
    Type ptr = LLVM::LLVMPointerType::get(ctx), i64 = b.getI64Type(), f32 = b.getF32Type();
    auto type = FunctionType::get(ctx, {ptr, ptr, ptr, i64, i64}, {});
    auto func = b.create<gpu::GPUFuncOp>(loc, nn::abi::kGatherRowsKernel, type);
    func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    Block &entry = func.getBody().front();
    Value dst = entry.getArgument(0), src = entry.getArgument(1), items = entry.getArgument(2);
    Value rowFloats = entry.getArgument(3), total = entry.getArgument(4);

    b.setInsertionPointToStart(&entry);
    auto id = [&](Value v) { return b.create<arith::IndexCastUIOp>(loc, i64, v).getResult(); };
    Value k = b.create<arith::AddIOp>(
        loc,
        b.create<arith::MulIOp>(loc, id(b.create<gpu::BlockIdOp>(loc, gpu::Dimension::x)),
                                id(b.create<gpu::BlockDimOp>(loc, gpu::Dimension::x))),
        id(b.create<gpu::ThreadIdOp>(loc, gpu::Dimension::x)));
    Value inBatch = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, k, total);
    auto guard = b.create<scf::IfOp>(loc, inBatch, false);
    b.create<gpu::ReturnOp>(loc);

    OpBuilder in = guard.getThenBodyBuilder();
    Value row = in.create<arith::DivUIOp>(loc, k, rowFloats);
    Value j = in.create<arith::RemUIOp>(loc, k, rowFloats);
    auto element = [&](OpBuilder &ob, Value base, Type t, Value i) {
      return ob.create<LLVM::GEPOp>(loc, ptr, t, base, ValueRange{i}).getResult();
    };
    Value item = in.create<LLVM::LoadOp>(loc, i64, element(in, items, i64, row));
    Value present = in.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, item,
                                             in.create<arith::ConstantIntOp>(loc, 0, 64));
    auto pick = in.create<scf::IfOp>(loc, TypeRange{f32}, present, true);
    {
      OpBuilder then = pick.getThenBodyBuilder();
      Value at =
          then.create<arith::AddIOp>(loc, then.create<arith::MulIOp>(loc, item, rowFloats), j);
      then.create<scf::YieldOp>(
          loc, then.create<LLVM::LoadOp>(loc, f32, element(then, src, f32, at)).getResult());
      OpBuilder otherwise = pick.getElseBodyBuilder();
      otherwise.create<scf::YieldOp>(
          loc,
          otherwise.create<arith::ConstantOp>(loc, otherwise.getF32FloatAttr(0.0f)).getResult());
    }
    in.create<LLVM::StoreOp>(loc, pick.getResult(0), element(in, dst, f32, k));
  }
};

} // namespace
