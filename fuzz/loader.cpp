//===- loader.cpp - fuzz one data loader ----------------------------------===//
//
// libFuzzer target for one of the programs' data loaders, chosen when it is
// built (NNC_FUZZ_LOADER: loadIDX, loadNPY or loadCSV; fuzz/CMakeLists.txt
// makes fuzz-idx, fuzz-npy and fuzz-csv). An input is a data file. The
// loader either returns a data set or throws nn::Error (a message for the
// user); anything else, a crash, a sanitizer report, an uncaught exception
// or a data set whose sizes disagree, is a bug.
//
//===----------------------------------------------------------------------===//

#include "fuzz/FuzzFile.h"
#include "runtime/DataLoaders.h"
#include "support/Error.h"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = nnfuzz::asFile(data, size);
  try {
    nnrt::Dataset ds = nnrt::NNC_FUZZ_LOADER(path);
    // What the programs rely on: items * item size values, none of them
    // negative-sized; the values are finite or Feeds::load reports them.
    nnfuzz::require(ds.items >= 0, "a negative item count");
    uint64_t itemSize = 1;
    for (int64_t d : ds.itemShape) {
      nnfuzz::require(d >= 0, "a negative dimension");
      itemSize *= (uint64_t)d;
    }
    nnfuzz::require((uint64_t)ds.items * itemSize == ds.size(),
                    "items * item size != the number of values");
  } catch (const nn::Error &) {
    // A clear message for bad input: what the loader should do.
  }
  return 0;
}
