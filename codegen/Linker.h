//===- Linker.h - link a program with the runtime ---------------*- C++ -*-===//
//
// Turns the object nnc wrote into a standalone executable: the object, the
// runtime library libnnrt.a, libstdc++, libm and zlib, linked by the system's
// C++ compiler driver.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_LINKER_H
#define NNC_CODEGEN_LINKER_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace nn {

/// libnnrt.a next to nnc (<bin>/../lib), else where the build put it.
std::string findRuntimeLibrary(const char *argv0);

mlir::LogicalResult linkProgram(llvm::StringRef object, llvm::StringRef runtime,
                                llvm::StringRef output);

} // namespace nn

#endif // NNC_CODEGEN_LINKER_H
