//===- Writers.h - write results as .npy or .csv ----------------*- C++ -*-===//

#ifndef NNC_RUNTIME_WRITERS_H
#define NNC_RUNTIME_WRITERS_H

#include <cstdint>
#include <string>
#include <vector>

namespace nnrt {

/// A float32 array in NumPy's format (version 1.0, C order). Written to a
/// temporary name and renamed, so a crash never leaves half a file.
void writeNPY(const std::string &path, const std::vector<float> &values,
              const std::vector<int64_t> &shape);

/// One row per line, `rowLength` values separated by commas, printed with
/// enough digits (%.9g) to read back the same float32.
void writeCSV(const std::string &path, const std::vector<float> &values, int64_t rowLength);

/// Replaces `path` (a regular file, or nothing yet) with `bytes` so that a
/// crash at any moment leaves the old file or the new one, whole, and no
/// temporary: an unnamed file in the same directory, fsync, a unique name,
/// rename, fsync of the directory (Writers.cpp). Throws Error naming the
/// file.
void writeFileAtomically(const std::string &path, const std::string &bytes);

/// The same for a file made of pieces that are written one after the other
/// (a checkpoint's tensors, without first copying them into one string).
struct FilePiece {
  const void *data;
  size_t size;
};
void writeFileAtomically(const std::string &path, const std::vector<FilePiece> &pieces);

} // namespace nnrt

#endif // NNC_RUNTIME_WRITERS_H
