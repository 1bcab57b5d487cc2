//===- GPUTileMatmul.cpp - matmuls as kernels tiled through shared memory -===//
//
// nn-gpu-tile-matmul: each linalg.matmul (and matmul_transpose_a / _b, the
// forms the weight and input gradients take) on buffers, C += A B with A of
// M x K and B of K x N, becomes one gpu.launch in the classic form of a
// tiled GPU matmul:
//
//   - a block computes a BM x BN tile of C (grid: ceil(N/BN) x ceil(M/BM));
//   - its BM/TM x BN/TN threads each compute a TM x TN tile of it, kept in
//     registers (the loop-carried values of the k loop);
//   - the sum runs over K in steps of BK: the block's threads copy the
//     BM x BK slice of A and the BK x BN slice of B from global memory into
//     shared memory (neighbouring threads copy neighbouring elements of a
//     row of the operand as stored, so a warp's loads coalesce; a thread
//     loads 4 floats at once, a vector<4xf32>, where the rows are a whole
//     number of vectors; elements past an edge of A or B are zeros), all
//     wait at a barrier, then each thread reads its TM values of A and TN of
//     B per k from shared memory and does TM x TN fused multiply-adds; a
//     second barrier keeps the next copy from overwriting what a slower
//     thread still reads;
//   - last, each thread adds its tile into C, skipping what lies past the
//     edges.
//
// Per k, a thread loads TM + TN floats from shared memory for TM * TN FMAs
// (4 + 4 for 16 with the default tiles), where the one-thread-per-element
// mapping loads 2 floats from global memory for each FMA.
//
//   A (M x K)         B (K x N)               C (M x N)
//   +--+-----+        +-----+--+--+           +-----+-----+
//   |  |BMxBK| ---->  |     |BKxBN|  ---->    |     |BMxBN|  one block
//   +--+-----+        +-----+-----+           +-----+-----+
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/KernelBuilder.h"
#include "codegen/gpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace nn {
#define GEN_PASS_DEF_NNGPUTILEMATMULPASS
#include "codegen/gpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// The operands of one matmul and how to read A(m, k) and B(k, n).
struct Matmul {
  linalg::LinalgOp op;
  Value a, b, c;
  bool transposeA = false, transposeB = false;
  int64_t M = 0, N = 0, K = 0;
};

std::optional<Matmul> asMatmul(linalg::LinalgOp op) {
  if (!isa<linalg::MatmulOp, linalg::MatmulTransposeAOp, linalg::MatmulTransposeBOp>(op) ||
      !op.hasPureBufferSemantics())
    return std::nullopt;
  Matmul m{op, op.getDpsInputOperand(0)->get(), op.getDpsInputOperand(1)->get(),
           op.getDpsInitOperand(0)->get()};
  m.transposeA = isa<linalg::MatmulTransposeAOp>(op);
  m.transposeB = isa<linalg::MatmulTransposeBOp>(op);
  auto a = cast<MemRefType>(m.a.getType()), b = cast<MemRefType>(m.b.getType()),
       c = cast<MemRefType>(m.c.getType());
  if (!a.hasStaticShape() || !b.hasStaticShape() || !c.hasStaticShape() ||
      !a.getElementType().isF32())
    return std::nullopt;
  m.M = c.getDimSize(0);
  m.N = c.getDimSize(1);
  m.K = m.transposeA ? a.getDimSize(0) : a.getDimSize(1);
  return m;
}

struct GPUTileMatmul : nn::impl::NNGPUTileMatmulPassBase<GPUTileMatmul> {
  using NNGPUTileMatmulPassBase::NNGPUTileMatmulPassBase;

  void runOnOperation() override {
    if (blockRows % threadRows || blockCols % threadCols) {
      getOperation().emitError("nn-gpu-tile-matmul: a block tile must be a multiple of the "
                               "thread tile");
      return signalPassFailure();
    }
    int64_t threads = (blockRows / threadRows) * (blockCols / threadCols);
    if ((blockRows * tileK) % threads || (tileK * blockCols) % threads) {
      getOperation().emitError("nn-gpu-tile-matmul: the threads of a block must copy the "
                               "A and B tiles in equal shares");
      return signalPassFailure();
    }
    SmallVector<Matmul> matmuls;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (std::optional<Matmul> m = asMatmul(op))
        matmuls.push_back(*m);
    });
    for (Matmul &m : matmuls) {
      buildKernel(m);
      m.op->erase();
    }
  }

  void buildKernel(Matmul &m);
};

/// One operand's tile in shared memory: tile[r][c] = X(base0 + r, base1 + c)
/// for r < rows, c < cols, where X is the operand as the matmul reads it, an
/// extent0 x extent1 matrix stored as source[i][j], or as source[j][i] when
/// `transposed` (the other operand of matmul_transpose_a / _b); 0 past the
/// edges of X.
struct TileCopy {
  Value source, tile;
  int64_t rows, cols;
  int64_t extent0, extent1;
  bool transposed;
};

/// Whether every row of `buffer` starts 16 bytes aligned on the device, so
/// that vector<4xf32> loads from it at columns that are multiples of 4 are
/// aligned: its start is (the runtime's device allocations are 256-byte
/// aligned; a view moves the start by a multiple of 16 bytes), and so is its
/// offset and row stride in floats a multiple of 4.
bool rowsAligned16(Value buffer) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (!type || type.getRank() != 2 || failed(getStridesAndOffset(type, strides, offset)) ||
      ShapedType::isDynamic(offset) || offset % 4 || strides[1] != 1 ||
      ShapedType::isDynamic(strides[0]) || strides[0] % 4)
    return false;
  Value v = buffer;
  while (Operation *def = v.getDefiningOp()) {
    if (isa<memref::GetGlobalOp>(def))
      return true;
    if (auto view = dyn_cast<memref::ViewOp>(def)) {
      std::optional<int64_t> shift = getConstantIntValue(view.getByteShift());
      if (!shift || *shift % 16)
        return false;
      v = view.getSource();
    } else if (isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
                   memref::CastOp, memref::ReinterpretCastOp>(def)) {
      v = def->getOperand(0); // the same start, another offset (checked above)
    } else {
      return false;
    }
  }
  return false; // a function argument: nothing known
}

/// The block's threads copy one tile, neighbouring threads taking
/// neighbouring elements of the source's rows, so that a warp's loads
/// coalesce. Where the source's rows are a whole number of 4-float vectors,
/// aligned (and so is the tile along them), each thread loads
/// vector<4xf32>s (one 16-byte load instead of four); a vector lies wholly
/// inside X or wholly past its edge, since both the row length and the
/// vector's first column are multiples of 4.
void copyTile(OpBuilder &b, Location loc, const TileCopy &t, Value tid, int64_t threads,
              Value base0, Value base1) {
  auto index = [&](OpBuilder &ob, int64_t v) -> Value {
    return ob.create<arith::ConstantIndexOp>(loc, v);
  };
  // Along the source's rows: tile columns, or tile rows when transposed.
  const int64_t rowLength = t.transposed ? t.extent0 : t.extent1;
  const int64_t tileAlong = t.transposed ? t.rows : t.cols;
  const bool vectorized = rowLength % 4 == 0 && tileAlong % 4 == 0 &&
                          (t.rows * t.cols / 4) % threads == 0 && rowsAligned16(t.source);
  const int64_t width = vectorized ? 4 : 1;
  if (vectorized) // tells LLVM, which then emits 16-byte loads (ld.global.v4.f32)
    b.create<memref::AssumeAlignmentOp>(loc, t.source, 16);
  const int64_t perRow = tileAlong / width; // loads across one row of the tile
  Type f32 = b.getF32Type();
  auto vectorType = VectorType::get({width}, f32);
  Value zero = width == 1 ? b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(0.0f)).getResult()
                          : b.create<arith::ConstantOp>(
                                 loc, DenseElementsAttr::get(vectorType, b.getF32FloatAttr(0.0f)))
                                .getResult();
  for (int64_t s = 0; s < t.rows * t.cols / width / threads; ++s) {
    Value e = b.create<arith::AddIOp>(loc, tid, index(b, s * threads));
    Value along = b.create<arith::MulIOp>(loc, b.create<arith::RemUIOp>(loc, e, index(b, perRow)),
                                          index(b, width));
    Value across = b.create<arith::DivUIOp>(loc, e, index(b, perRow));
    Value r = t.transposed ? along : across, c = t.transposed ? across : along;
    Value i = b.create<arith::AddIOp>(loc, base0, r), j = b.create<arith::AddIOp>(loc, base1, c);
    Value inside = b.create<arith::AndIOp>(
        loc, b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, i, index(b, t.extent0)),
        b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, j, index(b, t.extent1)));
    SmallVector<Value> at = t.transposed ? SmallVector<Value>{j, i} : SmallVector<Value>{i, j};
    auto guard = b.create<scf::IfOp>(loc, TypeRange{zero.getType()}, inside, true);
    OpBuilder then = guard.getThenBodyBuilder();
    Value v = width == 1 ? then.create<memref::LoadOp>(loc, t.source, at).getResult()
                         : then.create<vector::LoadOp>(loc, vectorType, t.source, at).getResult();
    then.create<scf::YieldOp>(loc, v);
    guard.getElseBodyBuilder().create<scf::YieldOp>(loc, zero);
    Value loaded = guard.getResult(0);
    if (width == 1)
      b.create<memref::StoreOp>(loc, loaded, t.tile, ValueRange{r, c});
    else if (!t.transposed) // the vector lies along a row of the tile too
      b.create<vector::StoreOp>(loc, loaded, t.tile, ValueRange{r, c});
    else // down a column of the tile
      for (int64_t l = 0; l < width; ++l)
        b.create<memref::StoreOp>(loc, b.create<vector::ExtractOp>(loc, loaded, l), t.tile,
                                  ValueRange{b.create<arith::AddIOp>(loc, r, index(b, l)), c});
  }
}

/// The kernel of one matmul, in place of the linalg op; see the header.
void GPUTileMatmul::buildKernel(Matmul &m) {
  MLIRContext *ctx = &getContext();
  Location loc = m.op.getLoc();
  OpBuilder host(m.op);
  const int64_t BM = blockRows, BN = blockCols, BK = tileK, TM = threadRows, TN = threadCols;
  const int64_t threadsX = BN / TN, threads = (BM / TM) * threadsX;
  auto index = [&](OpBuilder &b, int64_t v) -> Value {
    return b.create<arith::ConstantIndexOp>(loc, v);
  };
  Value one = index(host, 1);
  auto launch = host.create<gpu::LaunchOp>(loc, index(host, (m.N + BN - 1) / BN),
                                           index(host, (m.M + BM - 1) / BM), one,
                                           index(host, threads), one, one);
  Type f32 = host.getF32Type();
  auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  Value tileA = launch.addWorkgroupAttribution(
      MemRefType::get({BM, BK}, f32, MemRefLayoutAttrInterface(), workgroup), loc);
  Value tileB = launch.addWorkgroupAttribution(
      MemRefType::get({BK, BN}, f32, MemRefLayoutAttrInterface(), workgroup), loc);

  OpBuilder b = OpBuilder::atBlockBegin(&launch.getBody().front());
  nn::ValueSinker sinker;
  Value A = sinker.sink(m.a, b), B = sinker.sink(m.b, b), C = sinker.sink(m.c, b);
  Value tid = launch.getThreadIds().x;
  Value tx = b.create<arith::RemUIOp>(loc, tid, index(b, threadsX)); // which TN columns
  Value ty = b.create<arith::DivUIOp>(loc, tid, index(b, threadsX)); // which TM rows
  Value row0 = b.create<arith::MulIOp>(loc, launch.getBlockIds().y, index(b, BM));
  Value col0 = b.create<arith::MulIOp>(loc, launch.getBlockIds().x, index(b, BN));
  Value zero = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(0.0f));
  auto add = [&](OpBuilder &ob, Value x, Value y) {
    return ob.create<arith::AddIOp>(loc, x, y).getResult();
  };
  auto below = [&](OpBuilder &ob, Value x, int64_t bound) {
    return ob.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, x, index(ob, bound))
        .getResult();
  };
  // The k loop: the accumulators are its loop-carried values.
  SmallVector<Value> init(TM * TN, zero);
  auto kLoop = b.create<scf::ForOp>(loc, index(b, 0), index(b, m.K), index(b, BK), init);
  {
    OpBuilder k = OpBuilder::atBlockBegin(kLoop.getBody());
    Value k0 = kLoop.getInductionVar();
    // Copy the tiles: A's BM x BK at (row0, k0), B's BK x BN at (k0, col0).
    copyTile(k, loc, {A, tileA, BM, BK, m.M, m.K, m.transposeA}, tid, threads, row0, k0);
    copyTile(k, loc, {B, tileB, BK, BN, m.K, m.N, m.transposeB}, tid, threads, k0, col0);
    k.create<gpu::BarrierOp>(loc); // the tiles are complete
    // TM x TN FMAs per k of the tile.
    auto inner = k.create<scf::ForOp>(loc, index(k, 0), index(k, BK), index(k, 1),
                                      kLoop.getRegionIterArgs());
    {
      OpBuilder in = OpBuilder::atBlockBegin(inner.getBody());
      Value kk = inner.getInductionVar();
      Value r0 = in.create<arith::MulIOp>(loc, ty, index(in, TM));
      Value c0 = in.create<arith::MulIOp>(loc, tx, index(in, TN));
      SmallVector<Value> as, bs, acc;
      for (int64_t i = 0; i < TM; ++i)
        as.push_back(
            in.create<memref::LoadOp>(loc, tileA, ValueRange{add(in, r0, index(in, i)), kk}));
      for (int64_t j = 0; j < TN; ++j)
        bs.push_back(
            in.create<memref::LoadOp>(loc, tileB, ValueRange{kk, add(in, c0, index(in, j))}));
      for (int64_t i = 0; i < TM; ++i)
        for (int64_t j = 0; j < TN; ++j)
          acc.push_back(
              in.create<math::FmaOp>(loc, as[i], bs[j], inner.getRegionIterArgs()[i * TN + j]));
      in.create<scf::YieldOp>(loc, acc);
    }
    k.create<gpu::BarrierOp>(loc); // everyone is done with the tiles
    k.create<scf::YieldOp>(loc, inner.getResults());
  }

  // C += the thread's tile, inside the edges.
  for (int64_t i = 0; i < TM; ++i) {
    for (int64_t j = 0; j < TN; ++j) {
      Value r = add(b, row0, add(b, b.create<arith::MulIOp>(loc, ty, index(b, TM)), index(b, i)));
      Value c = add(b, col0, add(b, b.create<arith::MulIOp>(loc, tx, index(b, TN)), index(b, j)));
      Value inside = b.create<arith::AndIOp>(loc, below(b, r, m.M), below(b, c, m.N));
      auto guard = b.create<scf::IfOp>(loc, inside, false);
      OpBuilder then = guard.getThenBodyBuilder();
      Value old = then.create<memref::LoadOp>(loc, C, ValueRange{r, c});
      Value sum = then.create<arith::AddFOp>(loc, old, kLoop.getResult(i * TN + j));
      then.create<memref::StoreOp>(loc, sum, C, ValueRange{r, c});
    }
  }
  b.create<gpu::TerminatorOp>(loc);
}

} // namespace
