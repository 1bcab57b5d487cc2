//===- checkpoint.cpp - fuzz the checkpoint reader -------------------------===//
//
// libFuzzer target for nnrt::readCheckpoint, the reader of the safetensors
// files that --resume and --init (train) and --checkpoint (infer) load. An
// input is a checkpoint file. The reader either returns tensors or throws
// nn::Error; a crash, a sanitizer report, another exception, or a tensor
// whose values disagree with its shape is a bug.
//
//===----------------------------------------------------------------------===//

#include "fuzz/FuzzFile.h"
#include "runtime/Checkpoint.h"
#include "support/Error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = nnfuzz::asFile(data, size);
  try {
    nnrt::Checkpoint checkpoint = nnrt::readCheckpoint(path);
    uint64_t total = 0;
    for (const auto &[name, tensor] : checkpoint.tensors) {
      uint64_t count = 1;
      for (int64_t d : tensor.shape) {
        nnfuzz::require(d >= 0, "a negative dimension");
        count *= (uint64_t)d;
      }
      nnfuzz::require(count == tensor.values.size(), "values != the product of the shape");
      total += count * 4;
    }
    // The tensors are views of the data after the header: together no more
    // than the file holds.
    nnfuzz::require(total <= size, "tensors hold more bytes than the file");
  } catch (const nn::Error &) {
  }
  return 0;
}
