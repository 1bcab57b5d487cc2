//===- Linker.cpp - link a program with the runtime -----------------------===//
//
// The driver is the C++ compiler CMake configured (NNC_LINKER_DRIVER), or
// $NNC_CXX when set; it knows where the C++ standard library lives. A
// sanitizer build (NNC_SANITIZE) adds the sanitizers' runtimes, which its
// libnnrt.a needs (NNC_PROGRAM_LINK_FLAGS).
//
//===----------------------------------------------------------------------===//

#include "codegen/Linker.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace mlir;

namespace nn {

std::string findRuntimeLibrary(const char *argv0) {
  std::string self = llvm::sys::fs::getMainExecutable(argv0, (void *)&findRuntimeLibrary);
  llvm::SmallString<256> path(llvm::sys::path::parent_path(self));
  llvm::sys::path::append(path, "..", "lib", "libnnrt.a");
  if (llvm::sys::fs::exists(path))
    return std::string(path);
  return NNC_RUNTIME_LIBRARY;
}

LogicalResult linkProgram(llvm::StringRef object, llvm::StringRef runtime,
                          llvm::StringRef output) {
  std::string driver = NNC_LINKER_DRIVER;
  if (const char *env = std::getenv("NNC_CXX"))
    driver = env;
  auto program = llvm::sys::findProgramByName(driver);
  if (!program) {
    llvm::errs() << "nnc: cannot find the linker driver '" << driver
                 << "' (set NNC_CXX to a C++ compiler)\n";
    return failure();
  }
  std::vector<llvm::StringRef> args = {*program, object, runtime, "-o", output,
                                       "-lz", "-lm", "-lpthread"};
  llvm::SmallVector<llvm::StringRef> extra;
  llvm::StringRef(NNC_PROGRAM_LINK_FLAGS).split(extra, ' ', -1, /*KeepEmpty=*/false);
  args.insert(args.end(), extra.begin(), extra.end());
  std::string error;
  int status = llvm::sys::ExecuteAndWait(*program, args, std::nullopt, {}, 0, 0, &error);
  if (status != 0) {
    llvm::errs() << "nnc: linking " << output << " failed";
    if (!error.empty())
      llvm::errs() << ": " << error;
    llvm::errs() << "\n";
    return failure();
  }
  return success();
}

} // namespace nn
