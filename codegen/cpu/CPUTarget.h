//===- CPUTarget.h - the x86-64 CPU the code is generated for --*- C++ -*-===//
//
// The machine nnc builds for: the host (default) or the CPU named by
// `nnc --cpu=NAME` (one of LLVM's names: haswell, znver3, skylake-avx512,
// znver4, ...). It decides the LLVM target machine (instruction set and
// scheduling) and what the kernels are shaped for: the width and number of
// the vector registers set the matmul micro-kernel's register tile, and the
// data caches its cache blocks.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_CPU_CPUTARGET_H
#define NNC_CODEGEN_CPU_CPUTARGET_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace nn {

struct CPUTarget {
  std::string name;              // LLVM's name of the CPU ("znver4")
  std::string features;          // LLVM's feature string ("+avx2,+fma,..."), as the CPU has them
  unsigned vectorBits = 128;     // the widest float vectors: 512 (AVX-512), 256 (AVX2), 128
  unsigned vectorRegisters = 16; // 32 with AVX-512, 16 otherwise
  /// Data cache sizes in bytes: L1d and L2 of one core, L3 as one core sees
  /// it. The host's are read from Linux (sysfs); another CPU's are LLVM's
  /// name looked up in a short table, or typical sizes.
  int64_t l1Bytes = 32 << 10, l2Bytes = 512 << 10, l3Bytes = 8 << 20;
  std::string cachesFrom = "typical"; // "host", "table" or "typical"

  /// The matmul micro-kernel's register tile: `rows` x `width` floats of C,
  /// each row two vectors, as many rows as leave registers for B, the
  /// broadcast of A and the addresses: 8 x 32 with AVX-512 (16 of 32
  /// registers), 6 x 16 with AVX2 (12 of 16), 6 x 8 with SSE.
  int64_t matmulRows() const { return vectorRegisters >= 32 ? 8 : 6; }
  int64_t matmulWidth() const { return 2 * vectorBits / 32; }

  /// The cache blocks around an MR x NR tile, after the analytical model of
  /// BLIS (Low et al., "Analytical modeling is enough for high-performance
  /// BLIS", 2016), adapted to a kernel that packs neither operand:
  ///   KC: a KC x NR sliver of B, reused by every tile of a block of rows,
  ///       fills L1 (C stays in registers, A streams through):
  ///                                  KC = L1 / (4 NR), a multiple of 16
  ///   MC: an MC x KC block of A, reused by every sliver, half of L2:
  ///                                  MC = L2 / 2 / (4 KC), a multiple of MR
  ///   NC: a KC x NC block of B, reused by every block of rows, half of L3:
  ///                                  NC = L3 / 2 / (4 KC), a multiple of NR
  /// each kept within a range where the loops' overhead stays small
  /// (KC in [64, 512], MC in [4, 256] tiles, NC in [4, 256] slivers).
  /// KC = L1 / (8 NR), the model's half of L1, measured 5 % slower on a Zen 4
  /// core (bench/matmul/run.sh): B's rows are a whole row of B apart, so a
  /// sliver maps onto few L1 sets either way.
  int64_t matmulDepth(int64_t NR) const;
  int64_t matmulBlockRows(int64_t MR, int64_t KC) const;
  int64_t matmulBlockCols(int64_t NR, int64_t KC) const;
};

/// The host CPU (LLVM's name for it and the features it reports: a virtual
/// machine may hide some), or, for a non-empty `name` other than "native",
/// that CPU with all of its features. Fails with a message naming the CPU
/// for a name LLVM's x86-64 target does not know.
mlir::FailureOr<CPUTarget> lookupCPUTarget(llvm::StringRef name, std::string &error);

} // namespace nn

#endif // NNC_CODEGEN_CPU_CPUTARGET_H
