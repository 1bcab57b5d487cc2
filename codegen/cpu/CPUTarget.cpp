//===- CPUTarget.cpp - the x86-64 CPU the code is generated for -----------===//
//
// Looks a CPU up in LLVM's x86-64 target: the host's own name and features
// (llvm::sys::getHostCPUName/Features), or a named CPU's through its
// subtarget description (MCSubtargetInfo), which knows every CPU LLVM can
// schedule for and the features each has. The host's caches come from
// Linux (/sys/devices/system/cpu/cpu0/cache); LLVM's x86 target does not
// know cache sizes, so a named CPU's come from a short table of the kinds
// learners have (or typical sizes for the others).
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CPUTarget.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/X86TargetParser.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>

namespace nn {

namespace {

/// Vector width and registers from what the CPU has.
void setVectorRegisters(CPUTarget &cpu, bool avx512, bool avx) {
  cpu.vectorBits = avx512 ? 512 : avx ? 256 : 128;
  cpu.vectorRegisters = avx512 ? 32 : 16;
}

/// The contents of a one-line sysfs file, or "" when it cannot be read.
std::string readLine(const std::string &path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

/// "32K", "1024K", "32M" (sysfs's cache sizes) in bytes; 0 when malformed.
int64_t parseCacheSize(llvm::StringRef text) {
  int64_t scale = 1;
  if (text.consume_back("K"))
    scale = 1 << 10;
  else if (text.consume_back("M"))
    scale = 1 << 20;
  int64_t value = 0;
  if (text.getAsInteger(10, value) || value <= 0)
    return 0;
  return value * scale;
}

/// The host's data caches (index0..: level, type, size of each cache cpu0
/// uses). Leaves the typical sizes where Linux does not say.
void readHostCaches(CPUTarget &cpu) {
  bool found = false;
  for (int index = 0; index < 8; ++index) {
    std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    std::string level = readLine(dir + "level"), type = readLine(dir + "type");
    int64_t size = parseCacheSize(readLine(dir + "size"));
    if (level.empty() || type == "Instruction" || size == 0)
      continue;
    int64_t *slot = level == "1" ? &cpu.l1Bytes : level == "2" ? &cpu.l2Bytes
                                  : level == "3" ? &cpu.l3Bytes : nullptr;
    if (slot) {
      *slot = size;
      found = true;
    }
  }
  if (found)
    cpu.cachesFrom = "host";
}

/// Caches (L1d, L2 per core; L3 of a core complex or socket) of the CPUs
/// in LLVM's names, from the vendors' optimisation manuals.
void setTableCaches(CPUTarget &cpu) {
  struct Caches {
    int64_t l1K, l2K, l3M;
  };
  Caches none{0, 0, 0};
  Caches c = llvm::StringSwitch<Caches>(cpu.name)
                 .Cases("haswell", "broadwell", "skylake", {32, 256, 8})
                 .Cases("skylake-avx512", "cascadelake", "cooperlake", {32, 1024, 32})
                 .Cases("icelake-server", "icelake-client", "tigerlake", {48, 1280, 32})
                 .Cases("sapphirerapids", "emeraldrapids", "graniterapids", {48, 2048, 96})
                 .Cases("alderlake", "raptorlake", "meteorlake", {48, 1280, 30})
                 .Cases("znver1", "znver2", {32, 512, 16})
                 .Case("znver3", {32, 512, 32})
                 .Case("znver4", {32, 1024, 32})
                 .Case("znver5", {48, 1024, 32})
                 .Default(none);
  if (c.l1K == 0)
    return;
  cpu.l1Bytes = c.l1K << 10;
  cpu.l2Bytes = c.l2K << 10;
  cpu.l3Bytes = c.l3M << 20;
  cpu.cachesFrom = "table";
}

/// `value` rounded down to a multiple of `step`, kept within [lo, hi].
int64_t blockSize(int64_t value, int64_t step, int64_t lo, int64_t hi) {
  return std::clamp(value / step * step, lo, hi);
}

} // namespace

int64_t CPUTarget::matmulDepth(int64_t NR) const {
  return blockSize(l1Bytes / (4 * NR), 16, 64, 512);
}
int64_t CPUTarget::matmulBlockRows(int64_t MR, int64_t KC) const {
  return blockSize(l2Bytes / 2 / (4 * KC), MR, 4 * MR, 256 * MR);
}
int64_t CPUTarget::matmulBlockCols(int64_t NR, int64_t KC) const {
  return blockSize(l3Bytes / 2 / (4 * KC), NR, 4 * NR, 256 * NR);
}

mlir::FailureOr<CPUTarget> lookupCPUTarget(llvm::StringRef name, std::string &error) {
  CPUTarget cpu;
  if (name.empty() || name == "native") {
    cpu.name = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures features;
    llvm::StringMap<bool> host = llvm::sys::getHostCPUFeatures();
    for (auto &feature : host)
      features.AddFeature(feature.first(), feature.second);
    cpu.features = features.getString();
    setVectorRegisters(cpu, host.lookup("avx512f"), host.lookup("avx"));
    readHostCaches(cpu);
    return cpu;
  }
  if (llvm::X86::parseArchX86(name, /*Only64Bit=*/true) == llvm::X86::CK_None) {
    error = "unknown --cpu=" + name.str() +
            " (LLVM's x86-64 names: haswell, znver3, skylake-avx512, znver4, ...; "
            "`llc -march=x86-64 -mcpu=help` lists them)";
    return mlir::failure();
  }
  llvm::InitializeNativeTarget();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return mlir::failure();
  std::unique_ptr<llvm::MCSubtargetInfo> info(target->createMCSubtargetInfo(triple, name, ""));
  if (!info || !info->isCPUStringValid(name)) {
    error = "--cpu=" + name.str() + ": LLVM has no description of this CPU";
    return mlir::failure();
  }
  cpu.name = name.str();
  // The features the named CPU has; the target machine adds them itself.
  cpu.features = "";
  setVectorRegisters(cpu, info->checkFeatures("+avx512f"), info->checkFeatures("+avx"));
  setTableCaches(cpu);
  return cpu;
}

} // namespace nn
