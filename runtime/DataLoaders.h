//===- DataLoaders.h - IDX, NPY and CSV data sets ---------------*- C++ -*-===//
//
// Loads a data set as float32 items (one row per item, in file order) from
// MNIST's IDX format (raw or gzip), NumPy's .npy, or CSV, and applies the
// transforms of a `data` block source: scaling and one-hot encoding.
//
// A data set of bytes (IDX's unsigned and signed byte types: every image
// set of the MNIST family) stays bytes in memory, a quarter of its size as
// float: each byte is a code for one of 256 floats, and the transforms
// apply to those 256 values, not to the 47 million pixels. A batch is
// decoded as it is copied into the step's input (Dataset::copyValues).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_DATALOADERS_H
#define NNC_RUNTIME_DATALOADERS_H

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace nnrt {

struct Dataset {
  std::string file;               // for error messages
  int64_t items = 0;
  std::vector<int64_t> itemShape; // the shape of one item ([28, 28] for IDX images)
  int64_t itemSize() const;

  // The values, items * itemSize of them, in one of two forms: floats, or
  // (when `codes` is not empty) a byte per value standing for
  // codeValues[byte].
  std::vector<float> values;
  std::vector<uint8_t> codes;
  std::array<float, 256> codeValues{};

  /// How many values the data set holds, and the k-th.
  size_t size() const { return codes.empty() ? values.size() : codes.size(); }
  float at(size_t k) const { return codes.empty() ? values[k] : codeValues[codes[k]]; }
  /// Values first .. first + count - 1, decoded into `dst`.
  void copyValues(size_t first, size_t count, float *dst) const;
  /// The first value that is a NaN or an infinity; size() if none is.
  size_t firstNonFinite() const;
  /// Applies `f` to every value: to the 256 code values of a byte set.
  template <typename F> void transform(F f) {
    float *begin = codes.empty() ? values.data() : codeValues.data();
    size_t n = codes.empty() ? values.size() : codeValues.size();
    for (size_t k = 0; k < n; ++k)
      begin[k] = f(begin[k]);
  }
};

Dataset loadIDX(const std::string &path);
Dataset loadNPY(const std::string &path);
Dataset loadCSV(const std::string &path);

/// Chooses the format from the name: .npy, .csv, .idx or -ubyte, each
/// optionally followed by .gz.
Dataset loadFile(const std::string &path);

/// A data block's path: relative to `dataDir` when given; else the first
/// that exists of the current directory, `sourceDir` (the .nn file's
/// folder) and the default data set directory.
std::string resolveDataPath(const std::string &file, const std::string &dataDir,
                            const std::string &sourceDir = "");

/// A source as nnc records it: "FORMAT:FILE" then "|div:X", "|mul:X" or
/// "|one_hot:N" transforms applied left to right.
Dataset loadSource(const std::string &spec, const std::string &dataDir,
                   const std::string &sourceDir = "");

/// Labels (one integer per item) to one-hot rows of `classes` values.
Dataset oneHot(const Dataset &labels, int64_t classes);

} // namespace nnrt

#endif // NNC_RUNTIME_DATALOADERS_H
