//===- ExpandStridedCopies.cpp - strided memref.copy to linalg.copy -------===//
//
// nn-expand-strided-copies: a copy that touches a non-contiguous view cannot
// be one memcpy; rather than calling MLIR's C runtime (`memrefCopy`), which
// generated programs do not link, it becomes a linalg.copy and then loops.
// With `all-copies` (the GPU pipeline) every copy does: it becomes a kernel.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/Builders.h"

namespace nn {
#define GEN_PASS_DEF_NNEXPANDSTRIDEDCOPIESPASS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

bool isContiguous(Value v) {
  auto type = cast<MemRefType>(v.getType());
  return type.getLayout().isIdentity() ||
         memref::isStaticShapeAndContiguousRowMajor(type);
}

struct ExpandStridedCopies
    : nn::impl::NNExpandStridedCopiesPassBase<ExpandStridedCopies> {
  using NNExpandStridedCopiesPassBase::NNExpandStridedCopiesPassBase;
  void runOnOperation() override {
    getOperation().walk([&](memref::CopyOp copy) {
      if (!allCopies && isContiguous(copy.getSource()) && isContiguous(copy.getTarget()))
        return;
      OpBuilder b(copy);
      b.create<linalg::CopyOp>(copy.getLoc(), copy.getSource(), copy.getTarget());
      copy.erase();
    });
  }
};

} // namespace
