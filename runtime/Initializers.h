//===- Initializers.h - initial values of variables -------------*- C++ -*-===//
//
// The initializers of the .nn language (docs/language.md, "Initializers"),
// drawn from a Philox stream keyed by (--seed, the variable's name).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_INITIALIZERS_H
#define NNC_RUNTIME_INITIALIZERS_H

#include "runtime/Program.h"

namespace nnrt {

/// Fills `variable` according to its spec ("truncated_normal stddev=0.1");
/// `constant` values are already in place (nnc put them in the data section).
void initializeVariable(const Tensor &variable, uint64_t seed);

} // namespace nnrt

#endif // NNC_RUNTIME_INITIALIZERS_H
