//===- DataLoaders.h - IDX, NPY and CSV data sets ---------------*- C++ -*-===//
//
// Loads a data set as float32 items (one row per item, in file order) from
// MNIST's IDX format (raw or gzip), NumPy's .npy, or CSV, and applies the
// transforms of a `data` block source: scaling and one-hot encoding.
//
// A data set of bytes (IDX's unsigned and signed byte types: every image
// set of the MNIST family) stays bytes in memory, a quarter of its size as
// float; the scaling transforms are recorded, not applied to the 47 million
// pixels, and a batch is decoded (converted and scaled, in vector
// instructions) as it is copied into the step's input (Dataset::copyValues).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_DATALOADERS_H
#define NNC_RUNTIME_DATALOADERS_H

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
  // (when `codes` is not empty) a byte per value, whose value is the byte as
  // a number (signed for IDX's signed byte type) with the `scales` applied
  // in order. Scaling a byte set only records the scale: a byte's value is
  // computed with the same float operations, in the same order, as the
  // float path would have applied to every value, so it is the same float.
  std::vector<float> values;
  std::vector<uint8_t> codes;
  bool signedCodes = false;
  struct Scale {
    bool divide; // value / by, else value * by
    float by;
  };
  std::vector<Scale> scales;

  /// How many values the data set holds, and the k-th.
  size_t size() const { return codes.empty() ? values.size() : codes.size(); }
  float at(size_t k) const { return codes.empty() ? values[k] : codeValue(codes[k]); }
  /// The value a byte stands for.
  float codeValue(uint8_t code) const;
  /// Values first .. first + count - 1, decoded into `dst`.
  void copyValues(size_t first, size_t count, float *dst) const;
  /// Asks the processor to start loading those values' memory now, for a
  /// copyValues a little later (see Feeds::fillBatch).
  void prefetchValues(size_t first, size_t count) const;
  /// The first value that is a NaN or an infinity; size() if none is.
  size_t firstNonFinite() const;
  /// Every value divided by, or multiplied by, `by` (a `div:` or `mul:`
  /// transform).
  void scale(Scale s);
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
