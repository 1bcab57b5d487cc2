// The micro-kernel's register tile is chosen for the CPU built for (nnc
// --cpu=NAME; the host by default), from its vector registers, and recorded
// on the module as nn.cpu, which --emit=loops prints:
//   AVX-512 (skylake-avx512, znver4): 32 registers of 16 floats -> 8 x 32
//     (16 accumulators: 8 rows of two vectors);
//   AVX2 (haswell, znver3): 16 registers of 8 floats -> 6 x 16 (12);
//   SSE only (x86-64): 16 registers of 4 floats -> 6 x 8.
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=skylake-avx512" | FileCheck %s --check-prefix=AVX512
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=znver4" | FileCheck %s --check-prefix=AVX512
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=haswell" | FileCheck %s --check-prefix=AVX2
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=znver3" | FileCheck %s --check-prefix=AVX2
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=x86-64" | FileCheck %s --check-prefix=SSE
// A tile given as options is used as it is, and nothing is recorded.
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=haswell rows=2 width=8" | FileCheck %s --check-prefix=GIVEN
// nnc --cpu=NAME: the loops stage records the choice, and the program's
// machine code is for that CPU: no 512-bit registers (zmm) for haswell.
// RUN: nnc %examples/fashion_softmax.nn --emit=loops --cpu=haswell | FileCheck %s --check-prefix=NNC-AVX2
// RUN: nnc %examples/fashion_softmax.nn --emit=loops --cpu=skylake-avx512 | FileCheck %s --check-prefix=NNC-AVX512
// RUN: rm -rf %t && nnc %examples/fashion_softmax.nn --emit=obj --cpu=haswell -o %t
// RUN: llvm-objdump -d %t/fashion_softmax-infer.o | FileCheck %s --check-prefix=NO-ZMM
// RUN: not nnc %examples/fashion_softmax.nn --cpu=pentium9 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// NNC-AVX2: module attributes {nn.cpu = {matmul_tile = array<i64: 6, 16>, name = "haswell"
// NNC-AVX512: module attributes {nn.cpu = {matmul_tile = array<i64: 8, 32>, name = "skylake-avx512"
// NO-ZMM: vfmadd
// NO-ZMM-NOT: zmm
// RUN: not nn-opt %s --nn-matmul-microkernel="cpu=pentium9" 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// AVX512: module attributes {nn.cpu = {matmul_tile = array<i64: 8, 32>, name = "{{skylake-avx512|znver4}}", vector_bits = 512 : i64, vector_registers = 32 : i64}}
// AVX512-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// AVX512-NOT: vector.fma {{.*}} : vector<32xf32>
// AVX512: vector.fma {{.*}} : vector<16xf32>

// AVX2: module attributes {nn.cpu = {matmul_tile = array<i64: 6, 16>, name = "{{haswell|znver3}}", vector_bits = 256 : i64, vector_registers = 16 : i64}}
// AVX2-COUNT-6: vector.fma {{.*}} : vector<16xf32>
// AVX2-NOT: vector.fma

// SSE: module attributes {nn.cpu = {matmul_tile = array<i64: 6, 8>, name = "x86-64", vector_bits = 128 : i64, vector_registers = 16 : i64}}
// SSE-COUNT-6: vector.fma {{.*}} : vector<8xf32>

// GIVEN-NOT: nn.cpu
// GIVEN-COUNT-2: vector.fma {{.*}} : vector<8xf32>

// UNKNOWN: unknown --cpu=pentium9 (LLVM's x86-64 names: haswell, znver3, skylake-avx512, znver4, ...;

// C[48x48] += A[48x64] B[64x48]: 48 = 32 + 16 columns on AVX-512 (one
// full-width kernel, then a 16-wide one), 3 x 16 on AVX2 (one kernel).
func.func @matmul(%a: memref<48x64xf32>, %b: memref<64x48xf32>, %c: memref<48x48xf32>) {
  linalg.matmul ins(%a, %b : memref<48x64xf32>, memref<64x48xf32>) outs(%c : memref<48x48xf32>)
  return
}
