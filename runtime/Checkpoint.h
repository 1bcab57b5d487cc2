//===- Checkpoint.h - safetensors checkpoints -------------------*- C++ -*-===//
//
// A checkpoint is a safetensors file (8-byte little-endian header length, a
// JSON header, then the raw data): every variable by its .nn name as F32 with
// its declared shape and, for training, the optimizer's state (`w.adam_m`,
// ...) and the step in `__metadata__`. Written through a temporary file and a
// rename, so a crash never leaves a broken checkpoint.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_CHECKPOINT_H
#define NNC_RUNTIME_CHECKPOINT_H

#include "runtime/Program.h"

#include <map>
#include <string>
#include <vector>

namespace nnrt {

struct StoredTensor {
  std::vector<int64_t> shape;
  std::vector<float> values;
};

struct Checkpoint {
  std::map<std::string, StoredTensor> tensors;
  std::map<std::string, std::string> metadata;
};

Checkpoint readCheckpoint(const std::string &path);
void writeCheckpoint(const std::string &path, const Checkpoint &checkpoint);

/// The program's variables with the given roles, as a checkpoint.
Checkpoint snapshot(const Program &program, const std::vector<int> &roles);

/// Copies the checkpoint's tensors into the program's variables with the
/// given roles. With `requireAll`, each such variable must be in the file;
/// shapes must match. Returns how many were loaded.
int restore(const Program &program, const Checkpoint &checkpoint,
            const std::vector<int> &roles, bool requireAll, const std::string &path);

} // namespace nnrt

#endif // NNC_RUNTIME_CHECKPOINT_H
