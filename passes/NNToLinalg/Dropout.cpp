//===- Dropout.cpp - dropout with its masks drawn in the generated code ---===//
//
// The mask of a dropout is not stored: each element's is drawn again from
// Philox4x32-10 where it is needed (the forward step and the gradient, which
// is the same dropout of g), keyed by the runtime's (seed, step)
// (support/ProgramABI.h, section 5). Counter-based generation makes that a
// pure function of the element's index, so it is one more elementwise map.
//
//===----------------------------------------------------------------------===//

#include "passes/NNToLinalg/Builders.h"
#include "passes/NNToLinalg/Patterns.h"
#include "support/ProgramABI.h"

using namespace mlir;
using namespace nn::lowering;

namespace {

const llvm::StringRef kDropoutKey = nn::abi::kDropoutKeySymbol;

/// y = keep ? x / keep_prob : 0 per element, `keep` from Philox4x32-10 on
/// the counter (element index, stream, step) under the key seed: the same
/// function as nnrt::dropoutKeeps, written in arith ops. mului_extended gives
/// the low and high halves of a 32 x 32 -> 64-bit product, which is all a
/// Philox round needs besides xor.
struct DropoutLowering : OpConversionPattern<nn::DropoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(nn::DropoutOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type i32 = rewriter.getI32Type(), i64 = rewriter.getI64Type();
    // (seed, step), read once per step.
    auto keyType = MemRefType::get({2}, i64);
    Value key = rewriter.create<memref::GetGlobalOp>(loc, keyType, kDropoutKey);
    Value seed =
        rewriter.create<memref::LoadOp>(loc, key, ValueRange{indexConst(rewriter, loc, 0)});
    Value step =
        rewriter.create<memref::LoadOp>(loc, key, ValueRange{indexConst(rewriter, loc, 1)});
    auto lo = [&](OpBuilder &b, Value v) {
      return b.create<arith::TruncIOp>(loc, i32, v).getResult();
    };
    auto hi = [&](OpBuilder &b, Value v) {
      return lo(b, b.create<arith::ShRUIOp>(
                       loc, v, b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(32))));
    };
    Value seedLo = lo(rewriter, seed), seedHi = hi(rewriter, seed);
    Value stepLo = lo(rewriter, step), stepHi = hi(rewriter, step);
    // round(keep_prob * 2^24), as nnrt::keepThreshold: integers compare exactly.
    auto threshold = (uint32_t)std::llround(op.getKeepProb().convertToDouble() * 16777216.0);
    float scale = (float)(1.0 / op.getKeepProb().convertToDouble());
    int64_t stream = op.getStream();
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (int64_t d = type.getRank() - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * type.getDimSize(d + 1);

    Value y = buildMap(
        rewriter, loc, type, adaptor.getX(),
        {AffineMap::getMultiDimIdentityMap(type.getRank(), rewriter.getContext())},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          auto u32 = [&](uint32_t v) {
            return b.create<arith::ConstantOp>(l, b.getI32IntegerAttr((int32_t)v)).getResult();
          };
          // The element's row-major index.
          Value index = indexConst(b, l, 0);
          for (int64_t d = 0; d < type.getRank(); ++d)
            index =
                b.create<arith::AddIOp>(l, index,
                                        b.create<arith::MulIOp>(l, b.create<linalg::IndexOp>(l, d),
                                                                indexConst(b, l, strides[d])));
          Value c[4] = {b.create<arith::IndexCastUIOp>(l, i32, index), u32((uint32_t)stream),
                        stepLo, stepHi};
          Value k[2] = {seedLo, seedHi};
          for (int round = 0; round < 10; ++round) {
            auto p0 = b.create<arith::MulUIExtendedOp>(l, u32(0xD2511F53), c[0]);
            auto p1 = b.create<arith::MulUIExtendedOp>(l, u32(0xCD9E8D57), c[2]);
            Value next[4] = {
                b.create<arith::XOrIOp>(l, b.create<arith::XOrIOp>(l, p1.getHigh(), c[1]), k[0]),
                p1.getLow(),
                b.create<arith::XOrIOp>(l, b.create<arith::XOrIOp>(l, p0.getHigh(), c[3]), k[1]),
                p0.getLow()};
            std::copy(next, next + 4, c);
            k[0] = b.create<arith::AddIOp>(l, k[0], u32(0x9E3779B9));
            k[1] = b.create<arith::AddIOp>(l, k[1], u32(0xBB67AE85));
          }
          Value bits = b.create<arith::ShRUIOp>(l, c[0], u32(8));
          Value keep = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::ult, bits, u32(threshold));
          Value scaled = b.create<arith::MulFOp>(l, a[0], constantFloat(b, l, scale));
          return b.create<arith::SelectOp>(l, keep, scaled, constantFloat(b, l, 0.0));
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void nn::populateDropoutLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<DropoutLowering>(patterns.getContext());
}

void nn::declareDropoutKey(ModuleOp module) {
  bool hasDropout = false;
  module.walk([&](nn::DropoutOp) { hasDropout = true; });
  if (!hasDropout || module.lookupSymbol(kDropoutKey))
    return;
  // int64_t nnrt_dropout_key[2], defined by the runtime: external, public.
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  b.create<memref::GlobalOp>(module.getLoc(), kDropoutKey, /*sym_visibility=*/StringAttr(),
                             MemRefType::get({2}, b.getI64Type()), Attribute(),
                             /*constant=*/false, IntegerAttr());
}
