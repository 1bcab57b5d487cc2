//===- Program.h - the generated program, seen from the runtime -*- C++ -*-===//
//
// Typed access to `nnrt_program_table` (support/ProgramABI.h): tensors by name and
// role, functions by name, the settings nnc recorded, and the error type every
// part of the runtime throws (main() prints it and exits with status 1).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_PROGRAM_H
#define NNC_RUNTIME_PROGRAM_H

#include "support/Error.h"
#include "support/ProgramABI.h"

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace nnrt {

/// A user-facing error: bad input, a missing file, a shape mismatch.
using nn::Error;

/// One tensor of the table.
struct Tensor {
  const nnrt_tensor *desc;
  const char *name() const { return desc->name; }
  int64_t numElements() const;
  /// Elements per batch item (all of them when not batched).
  int64_t itemSize() const;
  size_t elementBytes() const;
  std::string shapeString() const; // "[?, 784]" when batched
  float *f32() const { return static_cast<float *>(desc->data); }
};

struct Function {
  const nnrt_function *desc;
  std::vector<Tensor> inputs, outputs;
  /// Runs the function on the program's device (the CPU, or for a
  /// --target=cuda program the GPU or its emulator: runtime/Device.h).
  void run() const;
};

class Program {
public:
  explicit Program(const nnrt_program &table);
  const nnrt_program &table() const { return table_; }
  std::string model() const { return table_.model; }
  std::vector<Tensor> variables() const; // variables, consts, optimizer state
  const Function *function(const std::string &name) const;
  /// A setting nnc recorded ("data.test.x"), or "" when absent.
  std::string setting(const std::string &key) const;
  /// A comma-separated setting as a list ("report=loss,accuracy").
  std::vector<std::string> settingList(const std::string &key) const;

private:
  const nnrt_program &table_;
  std::vector<Function> functions_;
  std::map<std::string, std::string> settings_;
};

} // namespace nnrt

#endif // NNC_RUNTIME_PROGRAM_H
