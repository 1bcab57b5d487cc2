//===- Elementwise.cpp - elementwise nn ops to linalg.generic -------------===//
//
// Every elementwise op becomes one parallel linalg.generic over its result's
// shape whose indexing maps carry NumPy broadcasting (Builders.h): the body
// computes one element. An op that is one arith or math op per element is
// one line below, as in MLIR's Toy tutorial; the others say their formula.
//
//===----------------------------------------------------------------------===//

#include "passes/NNToLinalg/Builders.h"
#include "passes/NNToLinalg/Patterns.h"

using namespace mlir;
using namespace nn::lowering;

namespace {

/// One pattern for every elementwise op: `Derived::element` computes one
/// element of the result from one element of each (broadcast) operand.
template <typename OpTy, typename Derived> struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Value result = buildElementwise(rewriter, op.getLoc(), resultType, adaptor.getOperands(),
                                    [&](OpBuilder &b, Location loc, ValueRange args) {
                                      return Derived::element(b, loc, args, op);
                                    });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// nn op -> one `ElementOp` per element, on the same operands.
template <typename OpTy, typename ElementOp>
struct OneToOne : ElementwiseLowering<OpTy, OneToOne<OpTy, ElementOp>> {
  using ElementwiseLowering<OpTy, OneToOne<OpTy, ElementOp>>::ElementwiseLowering;
  static Value element(OpBuilder &b, Location loc, ValueRange args, OpTy) {
    return b.create<ElementOp>(loc, args);
  }
};

using AddLowering = OneToOne<nn::AddOp, arith::AddFOp>;
using SubLowering = OneToOne<nn::SubOp, arith::SubFOp>;
using MulLowering = OneToOne<nn::MulOp, arith::MulFOp>;
using DivLowering = OneToOne<nn::DivOp, arith::DivFOp>;
using PowLowering = OneToOne<nn::PowOp, math::PowFOp>;
using MaximumLowering = OneToOne<nn::MaximumOp, arith::MaximumFOp>;
using MinimumLowering = OneToOne<nn::MinimumOp, arith::MinimumFOp>;
using NegLowering = OneToOne<nn::NegOp, arith::NegFOp>;
using AbsLowering = OneToOne<nn::AbsOp, math::AbsFOp>;
using SqrtLowering = OneToOne<nn::SqrtOp, math::SqrtOp>;
using ExpLowering = OneToOne<nn::ExpOp, math::ExpOp>;
using LogLowering = OneToOne<nn::LogOp, math::LogOp>;
using TanhLowering = OneToOne<nn::TanhOp, math::TanhOp>;

// square(x) = x * x
struct SquareLowering : ElementwiseLowering<nn::SquareOp, SquareLowering> {
  using ElementwiseLowering::ElementwiseLowering;
  static Value element(OpBuilder &b, Location l, ValueRange a, nn::SquareOp) {
    return b.create<arith::MulFOp>(l, a[0], a[0]);
  }
};

// relu(x) = x > 0 ? x : 0
struct ReluLowering : ElementwiseLowering<nn::ReluOp, ReluLowering> {
  using ElementwiseLowering::ElementwiseLowering;
  static Value element(OpBuilder &b, Location l, ValueRange a, nn::ReluOp) {
    Value zero = constantFloat(b, l, 0.0);
    Value positive = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[0], zero);
    return b.create<arith::SelectOp>(l, positive, a[0], zero);
  }
};

// sigmoid(x) = 1 / (1 + e^-x); for very negative x, e^-x = inf and the
// quotient is 0, the right limit.
struct SigmoidLowering : ElementwiseLowering<nn::SigmoidOp, SigmoidLowering> {
  using ElementwiseLowering::ElementwiseLowering;
  static Value element(OpBuilder &b, Location l, ValueRange a, nn::SigmoidOp) {
    Value one = constantFloat(b, l, 1.0);
    Value e = b.create<math::ExpOp>(l, b.create<arith::NegFOp>(l, a[0]));
    return b.create<arith::DivFOp>(l, one, b.create<arith::AddFOp>(l, one, e));
  }
};

// step(x) = x > 0 ? 1 : 0
struct StepLowering : ElementwiseLowering<nn::StepOp, StepLowering> {
  using ElementwiseLowering::ElementwiseLowering;
  static Value element(OpBuilder &b, Location l, ValueRange a, nn::StepOp) {
    Value positive =
        b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[0], constantFloat(b, l, 0.0));
    return b.create<arith::SelectOp>(l, positive, constantFloat(b, l, 1.0),
                                     constantFloat(b, l, 0.0));
  }
};

/// `lhs <pred> rhs` on f32 (ordered), i64 (signed) or i1 (unsigned) elements.
template <typename OpTy, arith::CmpFPredicate F, arith::CmpIPredicate S, arith::CmpIPredicate U>
struct ComparisonLowering : ElementwiseLowering<OpTy, ComparisonLowering<OpTy, F, S, U>> {
  using ElementwiseLowering<OpTy, ComparisonLowering<OpTy, F, S, U>>::ElementwiseLowering;
  static Value element(OpBuilder &b, Location l, ValueRange a, OpTy) {
    Type t = a[0].getType();
    if (t.isF32())
      return b.create<arith::CmpFOp>(l, F, a[0], a[1]);
    return b.create<arith::CmpIOp>(l, t.isInteger(1) ? U : S, a[0], a[1]);
  }
};
using EqualLowering = ComparisonLowering<nn::EqualOp, arith::CmpFPredicate::OEQ,
                                         arith::CmpIPredicate::eq, arith::CmpIPredicate::eq>;
using GreaterLowering = ComparisonLowering<nn::GreaterOp, arith::CmpFPredicate::OGT,
                                           arith::CmpIPredicate::sgt, arith::CmpIPredicate::ugt>;
using LessLowering = ComparisonLowering<nn::LessOp, arith::CmpFPredicate::OLT,
                                        arith::CmpIPredicate::slt, arith::CmpIPredicate::ult>;

/// tf.cast: bool -> 0/1, integer <-> float, anything -> bool is `!= 0`.
struct CastLowering : ElementwiseLowering<nn::CastOp, CastLowering> {
  using ElementwiseLowering::ElementwiseLowering;
  static Value element(OpBuilder &b, Location loc, ValueRange a, nn::CastOp op) {
    Value x = a[0];
    Type from = x.getType(), to = op.getTo();
    if (from == to)
      return x;
    if (to.isInteger(1)) {
      if (from.isF32())
        return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, x,
                                       constantFloat(b, loc, 0.0));
      Value zero = b.create<arith::ConstantOp>(loc, b.getIntegerAttr(from, 0));
      return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, x, zero);
    }
    if (to.isF32())
      return from.isInteger(1) ? (Value)b.create<arith::UIToFPOp>(loc, to, x)
                               : (Value)b.create<arith::SIToFPOp>(loc, to, x);
    // to i64
    if (from.isF32())
      return b.create<arith::FPToSIOp>(loc, to, x);
    return b.create<arith::ExtUIOp>(loc, to, x);
  }
};

} // namespace

void nn::populateElementwiseLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<AddLowering, SubLowering, MulLowering, DivLowering, PowLowering, MaximumLowering,
               MinimumLowering, NegLowering, AbsLowering, SquareLowering, SqrtLowering, ExpLowering,
               LogLowering, ReluLowering, SigmoidLowering, TanhLowering, StepLowering,
               EqualLowering, GreaterLowering, LessLowering, CastLowering>(patterns.getContext());
}
