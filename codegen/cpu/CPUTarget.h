//===- CPUTarget.h - the x86-64 CPU the code is generated for --*- C++ -*-===//
//
// The machine nnc builds for: the host (default) or the CPU named by
// `nnc --cpu=NAME` (one of LLVM's names: haswell, znver3, skylake-avx512,
// znver4, ...). It decides the LLVM target machine (instruction set and
// scheduling) and what the kernels are shaped for: the width and number of
// the vector registers set the matmul micro-kernel's register tile.
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

  /// The matmul micro-kernel's register tile: `rows` x `width` floats of C,
  /// each row two vectors, as many rows as leave registers for B, the
  /// broadcast of A and the addresses: 8 x 32 with AVX-512 (16 of 32
  /// registers), 6 x 16 with AVX2 (12 of 16), 6 x 8 with SSE.
  int64_t matmulRows() const { return vectorRegisters >= 32 ? 8 : 6; }
  int64_t matmulWidth() const { return 2 * vectorBits / 32; }
};

/// The host CPU (LLVM's name for it and the features it reports: a virtual
/// machine may hide some), or, for a non-empty `name` other than "native",
/// that CPU with all of its features. Fails with a message naming the CPU
/// for a name LLVM's x86-64 target does not know.
mlir::FailureOr<CPUTarget> lookupCPUTarget(llvm::StringRef name, std::string &error);

} // namespace nn

#endif // NNC_CODEGEN_CPU_CPUTARGET_H
