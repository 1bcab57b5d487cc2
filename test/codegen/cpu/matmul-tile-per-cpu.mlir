// The micro-kernel's register tile is chosen for the CPU built for (nnc
// --cpu=NAME; the host by default), from its vector registers, and recorded
// on the module as nn.cpu, which --emit=loops prints:
//   AVX-512 (skylake-avx512, znver4): 32 registers of 16 floats -> 8 x 32
//     (16 accumulators: 8 rows of two vectors);
//   AVX2 (haswell, znver3): 16 registers of 8 floats -> 6 x 16 (12);
//   SSE only (x86-64): 16 registers of 4 floats -> 6 x 8.
// The cache blocks come from the CPU's data caches (KC x NR of B in L1,
// MC x KC of A in half of L2, KC x NC of B in half of L3): the host's as
// Linux reports them, a named CPU's from CPUTarget.cpp's table.
//   haswell 32K/256K/8M, NR 16: KC = 32K / 64 = 512, MC = 128K / 2K = 64
//     -> 60 (a multiple of 6), NC = 4M / 2K = 2048;
//   skylake-avx512 and znver4 32K/1M/32M, NR 32: KC = 32K / 128 = 256,
//     MC = 512K / 1K = 512, NC = 16M / 1K = 16384 -> 8192 (at most 256 NR);
//   znver3 32K/512K/32M, NR 16: KC 512, MC 128 -> 126, NC 8192 -> 4096;
//   x86-64 (not in the table: typical 32K/512K/8M), NR 8: KC = 1024 -> 512
//     (at most), MC = 256K / 2K = 128 -> 126, NC = 4M / 2K = 2048.
// check-cpu-choice.py recomputes the blocks from the recorded caches, and
// for the host compares the caches with Linux's.
// RUN: nn-opt %s --nn-matmul-microkernel | python3 %S/../../tools/check-cpu-choice.py --host
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=haswell" | python3 %S/../../tools/check-cpu-choice.py
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=skylake-avx512" | FileCheck %s --check-prefix=AVX512
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=znver4" | FileCheck %s --check-prefix=AVX512
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=haswell" | FileCheck %s --check-prefix=AVX2
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=znver3" | FileCheck %s --check-prefix=AVX2
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=x86-64" | FileCheck %s --check-prefix=SSE
// A tile and blocks given as options are used as they are, and nothing is
// recorded; a tile alone gets blocks chosen for it from the CPU's caches
// (haswell, 2 x 8: KC = 32K / 32 = 1024 -> 512, MC = 128K / 2K = 64, NC = 2048).
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=haswell rows=2 width=8 block-rows=4 block-cols=16 block-depth=4" | FileCheck %s --check-prefix=GIVEN
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=haswell rows=2 width=8" | FileCheck %s --check-prefix=GIVEN-TILE
// RUN: nn-opt %s --nn-matmul-microkernel="cpu=haswell rows=2 width=8" | python3 %S/../../tools/check-cpu-choice.py
// nnc --cpu=NAME: the loops stage records the choice, and the program's
// machine code is for that CPU: no 512-bit registers (zmm) for haswell.
// RUN: nnc %examples/fashion_softmax.nn --emit=loops --cpu=haswell | FileCheck %s --check-prefix=NNC-AVX2
// RUN: nnc %examples/fashion_softmax.nn --emit=loops --cpu=skylake-avx512 | FileCheck %s --check-prefix=NNC-AVX512
// RUN: rm -rf %t && nnc %examples/fashion_softmax.nn --emit=obj --cpu=haswell -o %t
// RUN: llvm-objdump -d %t/fashion_softmax-infer.o | FileCheck %s --check-prefix=NO-ZMM
// RUN: not nnc %examples/fashion_softmax.nn --cpu=pentium9 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// NNC-AVX2: module attributes {nn.cpu = {caches = array<i64: 32768, 262144, 8388608>, caches_from = "table", matmul_blocks = array<i64: 60, 2048, 512>, matmul_tile = array<i64: 6, 16>, name = "haswell"
// NNC-AVX512: module attributes {nn.cpu = {caches = array<i64: 32768, 1048576, 33554432>, caches_from = "table", matmul_blocks = array<i64: 512, 8192, 256>, matmul_tile = array<i64: 8, 32>, name = "skylake-avx512"
// NO-ZMM: vfmadd
// NO-ZMM-NOT: zmm
// RUN: not nn-opt %s --nn-matmul-microkernel="cpu=pentium9" 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// AVX512: module attributes {nn.cpu = {caches = array<i64: 32768, 1048576, 33554432>, caches_from = "table", matmul_blocks = array<i64: 512, 8192, 256>, matmul_tile = array<i64: 8, 32>, name = "{{skylake-avx512|znver4}}", vector_bits = 512 : i64, vector_registers = 32 : i64}}
// AVX512-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// AVX512-NOT: vector.fma {{.*}} : vector<32xf32>
// AVX512: vector.fma {{.*}} : vector<16xf32>

// AVX2: module attributes {nn.cpu = {caches = array<i64: 32768, {{262144|524288}}, {{8388608|33554432}}>, caches_from = "table", matmul_blocks = array<i64: {{60, 2048|126, 4096}}, 512>, matmul_tile = array<i64: 6, 16>, name = "{{haswell|znver3}}", vector_bits = 256 : i64, vector_registers = 16 : i64}}
// AVX2-COUNT-6: vector.fma {{.*}} : vector<16xf32>
// AVX2-NOT: vector.fma

// SSE: module attributes {nn.cpu = {caches = array<i64: 32768, 524288, 8388608>, caches_from = "typical", matmul_blocks = array<i64: 126, 2048, 512>, matmul_tile = array<i64: 6, 8>, name = "x86-64", vector_bits = 128 : i64, vector_registers = 16 : i64}}
// SSE-COUNT-6: vector.fma {{.*}} : vector<8xf32>

// GIVEN-NOT: nn.cpu
// GIVEN-COUNT-2: vector.fma {{.*}} : vector<8xf32>
// GIVEN-TILE: nn.cpu = {caches = array<i64: 32768, 262144, 8388608>, caches_from = "table", matmul_blocks = array<i64: 64, 2048, 512>, matmul_tile = array<i64: 2, 8>, name = "haswell"

// UNKNOWN: unknown --cpu=pentium9 (LLVM's x86-64 names: haswell, znver3, skylake-avx512, znver4, ...;

// C[48x48] += A[48x64] B[64x48]: 48 = 32 + 16 columns on AVX-512 (one
// full-width kernel, then a 16-wide one), 3 x 16 on AVX2 (one kernel).
func.func @matmul(%a: memref<48x64xf32>, %b: memref<64x48xf32>, %c: memref<48x48xf32>) {
  linalg.matmul ins(%a, %b : memref<48x64xf32>, memref<64x48xf32>) outs(%c : memref<48x48xf32>)
  return
}
