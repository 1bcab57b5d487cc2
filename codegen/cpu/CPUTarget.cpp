//===- CPUTarget.cpp - the x86-64 CPU the code is generated for -----------===//
//
// Looks a CPU up in LLVM's x86-64 target: the host's own name and features
// (llvm::sys::getHostCPUName/Features), or a named CPU's through its
// subtarget description (MCSubtargetInfo), which knows every CPU LLVM can
// schedule for and the features each has.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CPUTarget.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/X86TargetParser.h"

#include <memory>

namespace nn {

namespace {

/// Vector width and registers from what the CPU has.
void setVectorRegisters(CPUTarget &cpu, bool avx512, bool avx) {
  cpu.vectorBits = avx512 ? 512 : avx ? 256 : 128;
  cpu.vectorRegisters = avx512 ? 32 : 16;
}

} // namespace

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
  return cpu;
}

} // namespace nn
