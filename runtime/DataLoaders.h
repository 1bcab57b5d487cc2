//===- DataLoaders.h - IDX, NPY and CSV data sets ---------------*- C++ -*-===//
//
// Loads a data set as float32 items (one row per item, in file order) from
// MNIST's IDX format (raw or gzip), NumPy's .npy, or CSV, and applies the
// transforms of a `data` block source: scaling and one-hot encoding.
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
  std::vector<float> values;      // items * itemSize values
  int64_t items = 0;
  std::vector<int64_t> itemShape; // the shape of one item ([28, 28] for IDX images)
  int64_t itemSize() const;
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
