//===- KernelBuilder.h - what the GPU passes that make kernels share -*- C++ -*-===//
//
// A kernel receives buffers and host scalars as arguments; everything else
// its body uses from the host function (constants, views of a buffer, index
// arithmetic) is made again inside the launch, so that each argument is a
// buffer with its own static shape and identity layout (a bare pointer in
// the NVVM calling convention). ValueSinker does that, for
// nn-gpu-map-parallel-loops and nn-gpu-tile-matmul.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_GPU_KERNELBUILDER_H
#define NNC_CODEGEN_GPU_KERNELBUILDER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace nn {

class ValueSinker {
public:
  /// `v` as seen inside the kernel being built at `b`: a copy of the ops that
  /// compute it (operands first) when they can be computed again, else `v`
  /// itself (a buffer, memref.get_global, or a host scalar), which outlining
  /// makes an argument.
  mlir::Value sink(mlir::Value v, mlir::OpBuilder &b);
  mlir::IRMapping &mapping() { return mapping_; }

private:
  bool canSink(mlir::Value v);
  mlir::IRMapping mapping_;
  llvm::DenseMap<mlir::Value, bool> known_;
};

} // namespace nn

#endif // NNC_CODEGEN_GPU_KERNELBUILDER_H
