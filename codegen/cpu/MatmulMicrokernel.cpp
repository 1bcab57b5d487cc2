//===- MatmulMicrokernel.cpp - matmul as a tiled, vectorized loop nest ----===//
//
// nn-matmul-microkernel: replaces each `linalg.matmul` (C += A B),
// `linalg.matmul_transpose_a` (C += A^T B) and `linalg.matmul_transpose_b`
// (C += A B^T, below) on buffers by the loop nest that
// fast BLAS libraries use (Goto and van de Geijn, "Anatomy of high-performance
// matrix multiplication", 2008), written with MLIR's vector dialect:
//
//   for jc in [0, N) step NC            a block of columns of B and C
//     for kc in [0, K) step KC          a block of the sum (KC rows of B)
//       for ic in [0, M) step MC        a block of rows of A and C
//         for j in [jc, jc+NC) step NR  a sliver of NR columns (KC x NR of B: L1)
//           for i in [ic, ic+MC) step MR
//             micro-kernel(i, j)
//
// With `parallel` (the default) the outermost block loop is an scf.parallel
// that nn-outline-parallel-loops gives to the runtime's thread pool.
//
// The micro-kernel keeps an MR x NR tile of C in vector registers
// (MR rows, each one vector<NRxf32>) and runs down the sum:
//
//   for k in [kc, kc+KC):
//     b = B[k, j : j+NR]                    one vector load
//     for r in [0, MR):
//       c[r] = fma(broadcast(A[i+r, k]), b, c[r])
//
// MR x NR = 6 x 16 is 12 AVX2 registers of accumulators, one for B and one
// for the broadcast: 14 of 16. Each k step does 12 FMAs (192 flops) for one
// load of B and 6 scalar loads of A, so the FMA units, not memory, set the
// pace. Blocks that do not divide the matrix are handled by the same kernel
// with fewer rows (M mod MR) or a narrower vector (N mod NR); their sizes
// are static because the shapes are, so no masks are needed. The tile and
// the blocks are chosen for the CPU (codegen/cpu/CPUTarget.h: its vector
// registers and data caches) and recorded on the module as `nn.cpu`.
//
// The same loop nest runs the direct convolutions nn-direct-convolutions
// leaves (`linalg.conv_2d_nhwc_hwcf`, and the filter gradient's marked
// `linalg.generic`): A is then no matrix in memory but the image, read
// where im2col would have copied from, and the sum is a walk over the
// window or the pixels (SumWalk) instead of one loop over k.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CPUTarget.h"
#include "codegen/cpu/DirectConvolutions.h"
#include "codegen/cpu/Passes.h"
#include "ir/NNAttributes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace nn {
#define GEN_PASS_DEF_NNMATMULMICROKERNELPASS
#include "codegen/cpu/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// Register tile (MR rows x NR columns) and cache blocks (MC, NC, KC). MC
/// is a multiple of MR and NC of NR, so only the last block of a dimension
/// can be short.
struct TileSizes {
  int64_t MR, NR, MC, NC, KC;
};

/// MC up to a multiple of MR, NC of NR (a given option need not be one).
void roundBlocks(TileSizes &t) {
  auto roundUp = [](int64_t v, int64_t m) { return std::max<int64_t>((v + m - 1) / m, 1) * m; };
  t.MC = roundUp(t.MC, t.MR);
  t.NC = roundUp(t.NC, t.NR);
  t.KC = std::max<int64_t>(t.KC, 1);
}

/// True when the innermost dimension of `type` is contiguous (stride 1), so
/// a row segment is one vector load.
bool hasUnitInnerStride(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(getStridesAndOffset(type, strides, offset)))
    return false;
  return !strides.empty() && strides.back() == 1;
}

/// One matmul being rewritten: C[M, N] += A[M, K] B[K, N], with A stored
/// transposed ([K, M]) when `transposedA`.
struct MatmulEmitter {
  OpBuilder &b;
  Location loc;
  Value A, B, C;
  bool transposedA;
  int64_t M, N, K;
  TileSizes t;
  bool parallel;
  int64_t chunks;
  /// C was just filled with zeros: the first block of the sum starts its
  /// accumulators at zero instead of loading C (the fill is dropped).
  bool zeroStart = false;
  /// Copy each KC x NR sliver of B into a contiguous buffer before the
  /// tiles that read it (see packSliver); `sliver` is that buffer, made per
  /// outer block.
  bool packSlivers = false;
  Value sliver;

  /// Index constants, created once, before the loop nest (before the
  /// first one made, which `emit` makes first).
  llvm::DenseMap<int64_t, Value> constants = llvm::DenseMap<int64_t, Value>();
  Operation *firstConstant = nullptr;
  Value index(int64_t v) {
    Value &c = constants[v];
    if (!c) {
      OpBuilder atStart = firstConstant ? OpBuilder(firstConstant) : b;
      c = atStart.create<arith::ConstantIndexOp>(loc, v);
      if (!firstConstant)
        firstConstant = c.getDefiningOp();
    }
    return c;
  }
  Value add(Value x, int64_t v) {
    if (std::optional<int64_t> constant = getConstantIntValue(x))
      return index(*constant + v); // the last columns start at a constant
    return b.create<arith::AddIOp>(loc, x, index(v));
  }
  Value minimum(Value x, int64_t v) {
    return b.create<arith::MinSIOp>(loc, x, index(v));
  }

  Value mul(Value x, int64_t v) {
    return v == 1 ? x : b.create<arith::MulIOp>(loc, x, index(v));
  }
  Value divide(Value x, int64_t v) { return b.create<arith::DivUIOp>(loc, x, index(v)); }
  Value remainder(Value x, int64_t v) { return b.create<arith::RemUIOp>(loc, x, index(v)); }

  /// How the micro-kernel walks the sum and reads A's scalars and B's
  /// vectors along it. A matmul's sum is one loop over k, reading A[i, k]
  /// and B[k, j : j+w]; a direct convolution's is the window (kernel rows,
  /// then a contiguous run of KW * C) or the pixels (images, rows, columns),
  /// reading the image where im2col would have copied from. The sum is cut
  /// into `K` units (k, kernel rows or images) for the cache blocks.
  struct SumWalk {
    /// What one row of the tile needs before the sum (a pixel's image, row
    /// and column), from the row's index.
    std::function<SmallVector<Value>(Value row)> rowSetup;
    /// The loops over the units [begin, end), outermost first.
    std::function<SmallVector<std::pair<Value, Value>>(Value begin, Value end)> loops;
    /// A's scalar for a row (its rowSetup values) at the loops' indices.
    std::function<Value(ArrayRef<Value> row, ValueRange ivs)> loadA;
    /// B's vector of `type` from column `column` at the loops' indices.
    std::function<Value(VectorType type, Value column, ValueRange ivs)> loadB;
  };
  SumWalk walk;

  /// The matmul's walk: A[i, k] (or A^T's element at [k, i]), B[k, j].
  void walkMatmul() {
    walk.rowSetup = [](Value i) { return SmallVector<Value>{i}; };
    walk.loops = [](Value begin, Value end) {
      return SmallVector<std::pair<Value, Value>>{{begin, end}};
    };
    walk.loadA = [this](ArrayRef<Value> row, ValueRange ivs) -> Value {
      Value i = row[0], k = ivs[0];
      return transposedA ? b.create<memref::LoadOp>(loc, A, ValueRange{k, i})
                         : b.create<memref::LoadOp>(loc, A, ValueRange{i, k});
    };
    walk.loadB = [this](VectorType type, Value column, ValueRange ivs) -> Value {
      return b.create<vector::LoadOp>(loc, type, B, ValueRange{ivs[0], column});
    };
  }

  /// Loops `ranges` (step 1) nested around `body`, carrying `init` through
  /// them; `body` gets the indices, outermost first, and the carried values.
  SmallVector<Value>
  nestedSum(ArrayRef<std::pair<Value, Value>> ranges, ValueRange init, SmallVector<Value> &ivs,
            function_ref<SmallVector<Value>(ValueRange ivs, ValueRange carried)> body) {
    if (ranges.empty())
      return body(ivs, init);
    auto loop = b.create<scf::ForOp>(
        loc, ranges[0].first, ranges[0].second, index(1), init,
        [&](OpBuilder &, Location, Value iv, ValueRange carried) {
          ivs.push_back(iv);
          SmallVector<Value> next = nestedSum(ranges.drop_front(), carried, ivs, body);
          ivs.pop_back();
          b.create<scf::YieldOp>(loc, next);
        });
    return SmallVector<Value>(loop.getResults());
  }

  /// How a row of `width` columns is held: one vector when the width is a
  /// whole number of the CPU's vectors (VL = NR / 2 floats: LLVM splits a
  /// vector<32xf32> into two 512-bit registers cleanly), else the whole
  /// vectors and then one vector of the rest (10 = 8 + 2 with AVX2). A
  /// single vector<10xf32> would straddle two 256-bit registers with an odd
  /// part, which LLVM handles element by element (10.6 instead of 67
  /// GFLOP/s for 100x1024x10 on a Zen 4 core built for Zen 3).
  SmallVector<int64_t> rowPieces(int64_t width) const {
    if (width > t.NR) { // a wide row (fewer rows than the tile): NR at a time
      SmallVector<int64_t> pieces(width / t.NR, t.NR);
      if (width % t.NR)
        pieces.append(rowPieces(width % t.NR));
      return pieces;
    }
    int64_t VL = std::max<int64_t>(t.NR / 2, 1), rest = width % VL;
    if (rest == 0 || width < VL)
      return {width};
    return {width - rest, rest};
  }

  /// The micro-kernel: C[i : i+rows, j : j+width] += sum over k in
  /// [kBegin, kEnd) of A[i+r, k] * B[k, j : j+width], each row of the tile
  /// held as rowPieces(width).
  void microKernel(Value i, Value j, int64_t rows, int64_t width, Value kBegin, Value kEnd) {
    SmallVector<int64_t> pieces = rowPieces(width);
    SmallVector<VectorType> types;
    SmallVector<Value> columns; // j + the offset of each piece
    int64_t offset = 0;
    for (int64_t piece : pieces) {
      types.push_back(VectorType::get({piece}, b.getF32Type()));
      columns.push_back(offset == 0 ? j : add(j, offset));
      offset += piece;
    }
    int64_t P = pieces.size(); // accumulator r * P + p: row r, piece p
    SmallVector<Value> rowIndex, acc;
    SmallVector<SmallVector<Value>> rowValues;
    for (int64_t r = 0; r < rows; ++r) {
      rowIndex.push_back(r == 0 ? i : add(i, r));
      rowValues.push_back(walk.rowSetup(rowIndex[r]));
    }
    auto loadTile = [&] {
      SmallVector<Value> tile;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t p = 0; p < P; ++p)
          tile.push_back(
              b.create<vector::LoadOp>(loc, types[p], C, ValueRange{rowIndex[r], columns[p]}));
      return tile;
    };
    auto zeroTile = [&] {
      SmallVector<Value> zeros, tile;
      for (int64_t p = 0; p < P; ++p)
        zeros.push_back(b.create<arith::ConstantOp>(loc, types[p], b.getZeroAttr(types[p])));
      for (int64_t r = 0; r < rows; ++r)
        tile.append(zeros);
      return tile;
    };
    if (!zeroStart) {
      acc = loadTile();
    } else if (kBegin == index(0)) {
      acc = zeroTile();
    } else {
      // Inside the loop over blocks of the sum: zeros for the first block,
      // what the earlier blocks left in C for the others.
      Value first = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, kBegin, index(0));
      auto start = b.create<scf::IfOp>(
          loc, first,
          [&](OpBuilder &, Location) { b.create<scf::YieldOp>(loc, zeroTile()); },
          [&](OpBuilder &, Location) { b.create<scf::YieldOp>(loc, loadTile()); });
      acc.assign(start.getResults().begin(), start.getResults().end());
    }
    SmallVector<Value> ivs;
    SmallVector<Value> sums = nestedSum(
        walk.loops(kBegin, kEnd), acc, ivs, [&](ValueRange at, ValueRange c) {
          SmallVector<Value> bRow, next;
          for (int64_t p = 0; p < P; ++p)
            bRow.push_back(walk.loadB(types[p], columns[p], at));
          for (int64_t r = 0; r < rows; ++r) {
            Value a = walk.loadA(rowValues[r], at);
            for (int64_t p = 0; p < P; ++p) {
              Value broadcast = b.create<vector::BroadcastOp>(loc, types[p], a);
              next.push_back(b.create<vector::FMAOp>(loc, broadcast, bRow[p], c[r * P + p]));
            }
          }
          return next;
        });
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t p = 0; p < P; ++p)
        b.create<vector::StoreOp>(loc, sums[r * P + p], C, ValueRange{rowIndex[r], columns[p]});
  }

  /// for iv in [begin, end) step `step`: body(iv), at the builder's point.
  void forLoop(Value begin, Value end, int64_t step, function_ref<void(Value)> body) {
    auto loop = b.create<scf::ForOp>(loc, begin, end, index(step));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVar());
  }

  /// C[M, N] += A[M, K] B[N, K]^T (the backward pass's g x w^T, read in
  /// place instead of transposing w): both operands run along k in memory,
  /// so each element of C is a dot product of two contiguous rows. A tile of
  /// D x D dot products keeps one vector of partial sums each along k (D^2
  /// accumulators, D loads of A and D of B for D^2 FMAs), summed across
  /// lanes at the end; the last K mod VW steps are scalar.
  void emitTransposedB() {
    int64_t D = t.NR >= 32 ? 4 : 3, VW = std::max<int64_t>(t.NR / 2, 1);
    int64_t fullM = M - M % D, fullN = N - N % D, restM = M % D, restN = N % D;
    auto dotTile = [&](Value i, Value j, int64_t rows, int64_t cols) {
      auto vecType = VectorType::get({VW}, b.getF32Type());
      Value zeros = b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(vecType, 0.0f));
      auto at = [&](Value base, int64_t r) { return r == 0 ? base : add(base, r); };
      SmallVector<Value> sums(rows * cols, zeros);
      int64_t fullK = K - K % VW;
      if (fullK > 0) {
        auto loop = b.create<scf::ForOp>(
            loc, index(0), index(fullK), index(VW), sums,
            [&](OpBuilder &, Location, Value k, ValueRange acc) {
              SmallVector<Value> a, bv, next;
              for (int64_t r = 0; r < rows; ++r)
                a.push_back(b.create<vector::LoadOp>(loc, vecType, A, ValueRange{at(i, r), k}));
              for (int64_t c = 0; c < cols; ++c)
                bv.push_back(b.create<vector::LoadOp>(loc, vecType, B, ValueRange{at(j, c), k}));
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t c = 0; c < cols; ++c)
                  next.push_back(b.create<vector::FMAOp>(loc, a[r], bv[c], acc[r * cols + c]));
              b.create<scf::YieldOp>(loc, next);
            });
        sums.assign(loop.getResults().begin(), loop.getResults().end());
      }
      SmallVector<Value> dots;
      for (Value v : sums)
        dots.push_back(b.create<vector::ReductionOp>(loc, vector::CombiningKind::ADD, v));
      if (fullK < K) {
        auto loop = b.create<scf::ForOp>(
            loc, index(fullK), index(K), index(1), dots,
            [&](OpBuilder &, Location, Value k, ValueRange acc) {
              SmallVector<Value> next;
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t c = 0; c < cols; ++c) {
                  Value x = b.create<memref::LoadOp>(loc, A, ValueRange{at(i, r), k});
                  Value y = b.create<memref::LoadOp>(loc, B, ValueRange{at(j, c), k});
                  next.push_back(b.create<arith::AddFOp>(
                      loc, acc[r * cols + c], b.create<arith::MulFOp>(loc, x, y)));
                }
              b.create<scf::YieldOp>(loc, next);
            });
        dots.assign(loop.getResults().begin(), loop.getResults().end());
      }
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) {
          SmallVector<Value> idx = {at(i, r), at(j, c)};
          Value old = b.create<memref::LoadOp>(loc, C, idx);
          b.create<memref::StoreOp>(loc, b.create<arith::AddFOp>(loc, old, dots[r * cols + c]),
                                    C, idx);
        }
    };
    // Threads split whichever of rows and columns has more tiles.
    bool byRows = fullM >= fullN;
    auto rowsOf = [&](Value j, int64_t cols) {
      if (fullM > 0)
        forLoop(index(0), index(fullM), D, [&](Value i) { dotTile(i, j, D, cols); });
      if (restM > 0)
        dotTile(index(fullM), j, restM, cols);
    };
    auto colsOf = [&](Value i, int64_t rows) {
      if (fullN > 0)
        forLoop(index(0), index(fullN), D, [&](Value j) { dotTile(i, j, rows, D); });
      if (restN > 0)
        dotTile(i, index(fullN), rows, restN);
    };
    if (byRows) {
      if (fullM > 0)
        outerLoop(index(0), index(fullM), D, [&](Value i) { colsOf(i, D); });
      if (restM > 0)
        colsOf(index(fullM), restM);
    } else {
      if (fullN > 0)
        outerLoop(index(0), index(fullN), D, [&](Value j) { rowsOf(j, D); });
      if (restN > 0)
        rowsOf(index(fullN), restN);
    }
  }

  /// B^T for B stored [N, K], in a new [K, N] panel: row j of B goes down
  /// column j of the panel.
  Value packTransposedB() {
    auto panelType = MemRefType::get({K, N}, b.getF32Type());
    Value panel = b.create<memref::AllocOp>(loc, panelType, b.getI64IntegerAttr(64));
    forLoop(index(0), index(N), 1, [&](Value j) {
      forLoop(index(0), index(K), 1, [&](Value k) {
        Value x = b.create<memref::LoadOp>(loc, B, ValueRange{j, k});
        b.create<memref::StoreOp>(loc, x, panel, ValueRange{k, j});
      });
    });
    return panel;
  }

  /// Rows of B a page (4 KB) or more apart, as in w_fc1 [784, 1024] or any
  /// layer of 1024 units, fall on the same few sets of the L1 cache (its
  /// ways are 4 KB: 48 KB in 12 on an Intel Xeon, 32 KB in 8 on a Zen 4),
  /// so a KC x NR sliver of them does not stay in L1 between the tiles that
  /// read it, and the hardware prefetchers, which stay within a page, do
  /// not fetch the next rows. Copied to a contiguous KC x NR buffer first
  /// (KC NR loads and stores, against MC/MR tiles of KC NR loads each), it
  /// does: 100x784x1024 ran at 93.5 GFLOP/s against 168.8 for 100x784x1040
  /// on an Intel Xeon core (bench/matmul/run.sh) before it was copied.
  static bool needsPackedSlivers(MemRefType bType) {
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(getStridesAndOffset(bType, strides, offset)) || strides.size() != 2)
      return false;
    return strides[0] * 4 >= 4096;
  }

  /// body() with the KC x NR sliver buffer, when slivers are packed: one
  /// per outer block, so each thread has its own (inside the parallel
  /// loop's body). A heap buffer, allocated and freed around the block: a
  /// stack one (memref.alloca) would grow the stack at each iteration of a
  /// loop, and an alloca scope cannot hold the loops once they are lowered
  /// to branches. One malloc per block of thousands of tiles.
  void withSliverBuffer(function_ref<void()> body) {
    if (!packSlivers)
      return body();
    sliver = b.create<memref::AllocOp>(loc, MemRefType::get({std::min(t.KC, K), t.NR}, b.getF32Type()),
                                       b.getI64IntegerAttr(64));
    body();
    b.create<memref::DeallocOp>(loc, sliver);
    sliver = nullptr;
  }

  /// sliver[k - kc, :] = B[k, j : j+NR] for k in [kc, kEnd), then body()
  /// with the micro-kernel reading B's vectors from the sliver.
  void packSliver(Value kc, Value kEnd, Value j, function_ref<void()> body) {
    if (!packSlivers)
      return body();
    auto rowType = VectorType::get({t.NR}, b.getF32Type());
    forLoop(kc, kEnd, 1, [&](Value k) {
      Value row = b.create<vector::LoadOp>(loc, rowType, B, ValueRange{k, j});
      Value at = b.create<arith::SubIOp>(loc, k, kc);
      b.create<vector::StoreOp>(loc, row, sliver, ValueRange{at, index(0)});
    });
    auto plainLoadB = walk.loadB;
    walk.loadB = [this, kc, j](VectorType type, Value column, ValueRange ivs) -> Value {
      Value k = b.create<arith::SubIOp>(loc, ivs[0], kc);
      Value c = b.create<arith::SubIOp>(loc, column, j);
      return b.create<vector::LoadOp>(loc, type, sliver, ValueRange{k, c});
    };
    body();
    walk.loadB = plainLoadB;
  }

  /// The outermost loop: scf.parallel (threads, nn-outline-parallel-loops) or scf.for.
  void outerLoop(Value begin, Value end, int64_t step, function_ref<void(Value)> body) {
    if (!parallel)
      return forLoop(begin, end, step, body);
    auto loop = b.create<scf::ParallelOp>(loc, ValueRange{begin}, ValueRange{end},
                                          ValueRange{index(step)});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVars()[0]);
  }

  void emit() {
    // Named copies: C++17 lambdas cannot capture structured bindings.
    const int64_t MR = t.MR, NR = t.NR, MC = t.MC, NC = t.NC, KC = t.KC;
    int64_t fullM = M - M % MR, fullN = N - N % NR;
    int64_t restM = M % MR, restN = N % NR;
    Value zero = index(0), kAll = index(K);

    // The blocked main part: rows [0, fullM), columns [0, fullN). Threads
    // share it by blocks of rows, or of columns when a tile grid has more
    // columns (a batch of 100 times 1024 units): each thread writes its own
    // part of C, and every element is summed in the same order whatever the
    // number of threads, so results do not depend on it. The parallel
    // blocks are small enough to give each of `chunks` threads one.
    // The last M mod MR rows of a block of columns, full-width slivers: a
    // thin strip, no blocking.
    auto restRows = [&](Value jBegin, Value jEnd) {
      forLoop(jBegin, jEnd, NR,
              [&](Value j) { microKernel(index(fullM), j, restM, NR, zero, kAll); });
    };
    bool restRowsDone = false;
    if (fullM > 0 && fullN > 0) {
      bool byRows = fullM / MR >= fullN / NR;
      auto chunk = [&](int64_t size, int64_t tile, int64_t block) {
        int64_t tiles = (size / tile + chunks - 1) / chunks; // tiles per chunk
        return std::min(block, std::max<int64_t>(tiles, 1) * tile);
      };
      int64_t rowBlock = byRows ? chunk(fullM, MR, MC) : MC;
      int64_t colBlock = byRows ? NC : chunk(fullN, NR, NC);
      auto tiles = [&](Value ic, Value jc, Value kc) {
        Value kEnd = minimum(add(kc, KC), K);
        Value jEnd = minimum(add(jc, colBlock), fullN);
        Value iEnd = minimum(add(ic, rowBlock), fullM);
        forLoop(jc, jEnd, NR, [&](Value j) {
          packSliver(kc, kEnd, j, [&] {
            forLoop(ic, iEnd, MR, [&](Value i) { microKernel(i, j, MR, NR, kc, kEnd); });
          });
        });
      };
      if (byRows) {
        outerLoop(zero, index(fullM), rowBlock, [&](Value ic) {
          withSliverBuffer([&] {
            forLoop(zero, index(fullN), colBlock, [&](Value jc) {
              forLoop(zero, kAll, KC, [&](Value kc) { tiles(ic, jc, kc); });
            });
          });
        });
      } else {
        // Threads split the columns; each also takes the leftover rows of
        // its columns (a batch of 50 leaves 2 rows of 1024 columns, which
        // on one thread read all of w_fc1 while the others wait).
        outerLoop(zero, index(fullN), colBlock, [&](Value jc) {
          withSliverBuffer([&] {
            forLoop(zero, kAll, KC, [&](Value kc) {
              forLoop(zero, index(fullM), rowBlock, [&](Value ic) { tiles(ic, jc, kc); });
            });
          });
          if (restM > 0)
            restRows(jc, minimum(add(jc, colBlock), fullN));
        });
        restRowsDone = true;
      }
    }
    if (restM > 0 && fullN > 0 && fullM == 0) {
      // Fewer rows than the tile (an inference at batch 1): the registers of
      // the missing rows hold more columns instead (MR / M slivers of NR), so
      // that each step of the sum reads one long contiguous piece of a row
      // of B (1 KB for one row with AVX-512) instead of 128 bytes of it per
      // sliver, rows 4 KB apart; threads share the wide slivers.
      int64_t wide = std::min(std::max<int64_t>(MR / restM, 1) * NR, fullN);
      int64_t fullWide = fullN - fullN % wide;
      outerLoop(zero, index(fullWide), wide,
                [&](Value j) { microKernel(zero, j, restM, wide, zero, kAll); });
      if (fullWide < fullN)
        microKernel(zero, index(fullWide), restM, fullN - fullWide, zero, kAll);
    } else if (restM > 0 && fullN > 0 && !restRowsDone) {
      restRows(zero, index(fullN));
    }
    // The last N mod NR columns (all of them when N < NR, as in an output
    // layer of 10 classes): a narrower tile per MR rows. When that is the
    // whole matmul, threads share its rows.
    if (restN > 0) {
      auto narrowRows = [&](Value ic, Value iEnd) {
        forLoop(ic, iEnd, MR,
                [&](Value i) { microKernel(i, index(fullN), MR, restN, zero, kAll); });
      };
      if (fullM > 0 && fullN == 0) {
        int64_t tiles = fullM / MR, perChunk = std::max<int64_t>((tiles + chunks - 1) / chunks, 1);
        int64_t rowBlock = perChunk * MR;
        outerLoop(zero, index(fullM), rowBlock,
                  [&](Value ic) { narrowRows(ic, minimum(add(ic, rowBlock), fullM)); });
      } else if (fullM > 0) {
        narrowRows(zero, index(fullM));
      }
      if (restM > 0)
        microKernel(index(fullM), index(fullN), restM, restN, zero, kAll);
    }
  }
};

/// `linalg.fill 0 -> out` right before `op` (how every matmul and
/// convolution of a step starts: C = 0, then C += ...): erases the fill and
/// says so, and the kernel starts its accumulators from zeros. The fill, a
/// pass over C (12.8 MB for the CNN's w_fc1 gradient), and the kernel's
/// first load of C go away.
bool dropZeroFill(Operation *op, Value out) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode());
  if (!fill || fill.getOutputs()[0] != out || !matchPattern(fill.getInputs()[0], m_PosZeroFloat()))
    return false;
  fill->erase();
  return true;
}

/// Rewrites `op` (operands lhs, rhs, out on buffers) when its shapes are
/// static, its element type f32 and its rows contiguous; otherwise leaves it
/// for convert-linalg-to-loops.
enum class Layout { Plain, TransposedA, TransposedB };

void rewriteMatmul(linalg::LinalgOp op, Layout layout, TileSizes tiles, bool parallel,
                   int64_t chunks) {
  bool transposedA = layout == Layout::TransposedA;
  Value A = op.getDpsInputs()[0], B = op.getDpsInputs()[1], C = op.getDpsInits()[0];
  auto aType = dyn_cast<MemRefType>(A.getType());
  auto bType = dyn_cast<MemRefType>(B.getType());
  auto cType = dyn_cast<MemRefType>(C.getType());
  if (!aType || !bType || !cType)
    return;
  for (MemRefType t : {aType, bType, cType})
    if (!t.hasStaticShape() || !t.getElementType().isF32() || !hasUnitInnerStride(t))
      return;
  OpBuilder b(op);
  int64_t K = layout == Layout::TransposedB ? bType.getDimSize(1) : bType.getDimSize(0);
  MatmulEmitter emitter{b,     op.getLoc(),         A,     B, C, transposedA, cType.getDimSize(0),
                        cType.getDimSize(1), K, tiles, parallel,
                        std::max<int64_t>(chunks, 1)};
  // A short sum (g w^T of an output layer: K = 10 classes) leaves the dot
  // products of emitTransposedB too short to fill a vector. B^T is then at
  // most KC rows, so it is copied once into a [K, N] panel (a scalar
  // transpose, N K moves against M N K multiply-adds) and the plain kernel
  // runs on it.
  bool packB = layout == Layout::TransposedB && K <= tiles.KC;
  if (layout == Layout::TransposedB && !packB) {
    emitter.emitTransposedB();
    op->erase();
    return;
  }
  emitter.zeroStart = dropZeroFill(op, C); // before the packing's loops come between
  if (packB)
    emitter.B = emitter.packTransposedB();
  emitter.walkMatmul();
  emitter.packSlivers = MatmulEmitter::needsPackedSlivers(cast<MemRefType>(emitter.B.getType()));
  emitter.emit();
  if (packB)
    b.create<memref::DeallocOp>(op.getLoc(), emitter.B);
  op->erase();
}

/// A static f32 buffer whose last two dimensions are one contiguous run
/// (a row of pixels, channels innermost), so they collapse to one.
bool hasContiguousRows(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32() || type.getRank() != 4 ||
      failed(getStridesAndOffset(type, strides, offset)))
    return false;
  return strides[3] == 1 && strides[2] == type.getDimSize(3);
}

/// A static f32 buffer in row-major order.
bool isPlainF32(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.hasStaticShape() && type.getElementType().isF32() &&
         type.getLayout().isIdentity();
}

Value collapsed(OpBuilder &b, Location loc, Value v, ArrayRef<ReassociationIndices> groups) {
  return b.create<memref::CollapseShapeOp>(loc, v, groups);
}

/// The emitter for C[M, N] of a convolution, its sum cut into K units of
/// `unitSteps` steps each (the cache block KC counts steps, so it becomes
/// KC / unitSteps units, at least one).
MatmulEmitter convolutionEmitter(OpBuilder &b, Location loc, Value C, int64_t M, int64_t N,
                                 int64_t K, int64_t unitSteps, TileSizes tiles, bool parallel,
                                 int64_t chunks) {
  tiles.KC = std::max<int64_t>(tiles.KC / unitSteps, 1);
  return MatmulEmitter{b, loc, Value(), Value(), C, false, M, N, K, tiles, parallel,
                       std::max<int64_t>(chunks, 1)};
}

/// out[n, y, x, f] += img[n, y*sy + a, x*sx + b, c] * w[a, b, c, f] as the
/// matmul of rows (n, y, x) by w's [KH*KW*C, F] matrix, without the rows:
/// the micro-kernel's row r is a pixel, and its A along the sum is the
/// window at that pixel, read from the image (viewed as [N, H, W*C], so a
/// kernel row of the window is one contiguous run of KW*C floats):
///
///   for a in [0, KH):  for k in [0, KW*C):
///     acc[r] += img[n_r, y_r*sy + a, x_r*sx*C + k] * w[a, k, j : j+NR]
void rewriteConvolution(linalg::Conv2DNhwcHwcfOp op, TileSizes tiles, bool parallel,
                        int64_t chunks) {
  Value img = op.getDpsInputs()[0], filter = op.getDpsInputs()[1], out = op.getDpsInits()[0];
  if (!hasContiguousRows(img) || !isPlainF32(filter) || !isPlainF32(out) ||
      !llvm::all_of(op.getDilations().getValues<int64_t>(), [](int64_t d) { return d == 1; }))
    return;
  SmallVector<int64_t> s(op.getStrides().getValues<int64_t>());
  int64_t sy = s[0], sx = s[1];
  ArrayRef<int64_t> o = cast<MemRefType>(out.getType()).getShape();
  ArrayRef<int64_t> w = cast<MemRefType>(filter.getType()).getShape();
  int64_t N = o[0], OH = o[1], OW = o[2], F = o[3], KH = w[0], KW = w[1], C = w[2];
  OpBuilder b(op);
  Location loc = op.getLoc();
  bool zeros = dropZeroFill(op, out);
  Value rows = collapsed(b, loc, out, {{0, 1, 2}, {3}});
  MatmulEmitter e = convolutionEmitter(b, loc, rows, N * OH * OW, F, KH, KW * C, tiles, parallel,
                                       chunks);
  Value image = collapsed(b, loc, img, {{0}, {1}, {2, 3}});   // [N, H, W*C]
  Value matrix = collapsed(b, loc, filter, {{0}, {1, 2}, {3}}); // [KH, KW*C, F]
  e.walk.rowSetup = [&e, OH, OW, sy, sx, C](Value i) {
    Value pixel = e.remainder(i, OH * OW);
    return SmallVector<Value>{e.divide(i, OH * OW), e.mul(e.divide(pixel, OW), sy),
                              e.mul(e.remainder(pixel, OW), sx * C)};
  };
  e.walk.loops = [&e, KW, C](Value begin, Value end) {
    return SmallVector<std::pair<Value, Value>>{{begin, end}, {e.index(0), e.index(KW * C)}};
  };
  e.walk.loadA = [&e, image](ArrayRef<Value> pixel, ValueRange at) -> Value {
    Value y = e.b.create<arith::AddIOp>(e.loc, pixel[1], at[0]);
    Value x = e.b.create<arith::AddIOp>(e.loc, pixel[2], at[1]);
    return e.b.create<memref::LoadOp>(e.loc, image, ValueRange{pixel[0], y, x});
  };
  e.walk.loadB = [&e, matrix](VectorType type, Value column, ValueRange at) -> Value {
    return e.b.create<vector::LoadOp>(e.loc, type, matrix, ValueRange{at[0], at[1], column});
  };
  e.zeroStart = zeros;
  e.emit();
  op->erase();
}

/// The filter gradient nn-direct-convolutions writes: dw[a, b, c, f] += sum
/// over n, y, x of img[n, y*sy + a, x*sx + b, c] * g[n, y, x, f], as the
/// product of dw's [KH*KW*C, F] rows: row r is one filter element (a, b,
/// c), and the sum runs over the pixels, one image per unit:
///
///   for n:  for y in [0, OH):  for x in [0, OW):
///     acc[r] += img[n, y*sy + a_r, x*sx*C + (b_r*C + c_r)] * g[n, y, x, j : j+NR]
void rewriteFilterGradient(linalg::GenericOp op, TileSizes tiles, bool parallel, int64_t chunks) {
  std::optional<std::pair<int64_t, int64_t>> strides = nn::getConvFilterGradient(op);
  if (!strides || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return;
  Value img = op.getDpsInputs()[0], g = op.getDpsInputs()[1], dw = op.getDpsInits()[0];
  if (!hasContiguousRows(img) || !isPlainF32(g) || !isPlainF32(dw))
    return;
  int64_t sy = strides->first, sx = strides->second;
  // The op must be the one the mark describes: its maps and body.
  SmallVector<AffineMap> expected = nn::filterGradientMaps(op.getContext(), sy, sx);
  Block &body = op.getRegion().front();
  auto product = body.empty() ? nullptr : dyn_cast<arith::MulFOp>(body.front());
  auto sum = product ? dyn_cast_or_null<arith::AddFOp>(product->getNextNode()) : nullptr;
  if (op.getIndexingMapsArray() != expected || body.getOperations().size() != 3 ||
      !product || !sum || product.getLhs() != body.getArgument(0) ||
      product.getRhs() != body.getArgument(1) || sum.getLhs() != body.getArgument(2) ||
      sum.getRhs() != product.getResult() ||
      cast<linalg::YieldOp>(body.getTerminator()).getOperand(0) != sum.getResult())
    return;
  ArrayRef<int64_t> gs = cast<MemRefType>(g.getType()).getShape();
  ArrayRef<int64_t> ws = cast<MemRefType>(dw.getType()).getShape();
  int64_t N = gs[0], OH = gs[1], OW = gs[2], F = gs[3], KH = ws[0], KW = ws[1], C = ws[2];
  OpBuilder b(op);
  Location loc = op.getLoc();
  bool zeros = dropZeroFill(op, dw);
  Value rows = collapsed(b, loc, dw, {{0, 1, 2}, {3}});
  MatmulEmitter e = convolutionEmitter(b, loc, rows, KH * KW * C, F, N, OH * OW, tiles, parallel,
                                       chunks);
  Value image = collapsed(b, loc, img, {{0}, {1}, {2, 3}}); // [N, H, W*C]
  e.walk.rowSetup = [&e, KW, C](Value m) {
    return SmallVector<Value>{e.divide(m, KW * C), e.remainder(m, KW * C)};
  };
  e.walk.loops = [&e, OH, OW](Value begin, Value end) {
    return SmallVector<std::pair<Value, Value>>{
        {begin, end}, {e.index(0), e.index(OH)}, {e.index(0), e.index(OW)}};
  };
  e.walk.loadA = [&e, image, sy, sx, C](ArrayRef<Value> element, ValueRange at) -> Value {
    Value y = e.b.create<arith::AddIOp>(e.loc, e.mul(at[1], sy), element[0]);
    Value x = e.b.create<arith::AddIOp>(e.loc, e.mul(at[2], sx * C), element[1]);
    return e.b.create<memref::LoadOp>(e.loc, image, ValueRange{at[0], y, x});
  };
  e.walk.loadB = [&e, g](VectorType type, Value column, ValueRange at) -> Value {
    return e.b.create<vector::LoadOp>(e.loc, type, g, ValueRange{at[0], at[1], at[2], column});
  };
  e.zeroStart = zeros;
  e.emit();
  op->erase();
}

struct MatmulMicrokernel : nn::impl::NNMatmulMicrokernelPassBase<MatmulMicrokernel> {
  using NNMatmulMicrokernelPassBase::NNMatmulMicrokernelPassBase;
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, Layout>> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) { matmuls.push_back({op, Layout::Plain}); });
    getOperation().walk(
        [&](linalg::MatmulTransposeAOp op) { matmuls.push_back({op, Layout::TransposedA}); });
    getOperation().walk(
        [&](linalg::MatmulTransposeBOp op) { matmuls.push_back({op, Layout::TransposedB}); });
    // The register tile and cache blocks: as given, or chosen for the CPU
    // and recorded.
    TileSizes tiles{rows, width, blockRows, blockCols, blockDepth};
    bool choose = rows <= 0 || width <= 0 || blockRows <= 0 || blockCols <= 0 || blockDepth <= 0;
    nn::CPUTarget target;
    if (choose) {
      std::string error;
      FailureOr<nn::CPUTarget> found = nn::lookupCPUTarget(cpu, error);
      if (failed(found)) {
        getOperation().emitError(error);
        return signalPassFailure();
      }
      target = *found;
      auto chosen = [](int64_t given, int64_t choice) { return given > 0 ? given : choice; };
      int64_t MR = chosen(rows, target.matmulRows()), NR = chosen(width, target.matmulWidth());
      int64_t KC = chosen(blockDepth, target.matmulDepth(NR));
      tiles = {MR, NR, chosen(blockRows, target.matmulBlockRows(MR, KC)),
               chosen(blockCols, target.matmulBlockCols(NR, KC)), KC};
    }
    roundBlocks(tiles);
    if (choose)
      nn::setCPUChoice(getOperation(),
                       {target.name, target.vectorBits, target.vectorRegisters,
                        {target.l1Bytes, target.l2Bytes, target.l3Bytes}, target.cachesFrom,
                        {tiles.MR, tiles.NR}, {tiles.MC, tiles.NC, tiles.KC}});
    for (auto [op, layout] : matmuls)
      rewriteMatmul(op, layout, tiles, parallel, threadChunks);
    SmallVector<linalg::Conv2DNhwcHwcfOp> convolutions;
    SmallVector<linalg::GenericOp> filterGradients;
    getOperation().walk([&](linalg::Conv2DNhwcHwcfOp op) {
      if (op.hasPureBufferSemantics())
        convolutions.push_back(op);
    });
    getOperation().walk([&](linalg::GenericOp op) {
      if (op.hasPureBufferSemantics() && nn::getConvFilterGradient(op))
        filterGradients.push_back(op);
    });
    for (linalg::Conv2DNhwcHwcfOp op : convolutions)
      rewriteConvolution(op, tiles, parallel, threadChunks);
    for (linalg::GenericOp op : filterGradients)
      rewriteFilterGradient(op, tiles, parallel, threadChunks);
  }
};

} // namespace
