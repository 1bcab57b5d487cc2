//===- Error.h - the error of bad input -------------------------*- C++ -*-===//
//
// The one error type of the code that the compiler and the generated programs
// share (support/) and of the runtime: a message for the user about what they
// gave (a missing or malformed file, a shape mismatch), never an internal
// failure. The runtime's main() prints it as "NAME-train: error: ..." and
// exits with status 1; nnc reports it at the source line that asked for the
// file.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_SUPPORT_ERROR_H
#define NNC_SUPPORT_ERROR_H

#include <stdexcept>

namespace nn {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

} // namespace nn

#endif // NNC_SUPPORT_ERROR_H
