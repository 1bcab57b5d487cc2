//===- NPY.h - NumPy's .npy arrays ------------------------------*- C++ -*-===//
//
// Reads a .npy file (raw or gzip-compressed) into float32 values and a shape.
// Both nnc (`load("F.npy")` initializers, read at compile time) and the
// generated programs (`npy("F")` data sources, `--feed x=F.npy`) read .npy
// files, so the one reader lives here.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_SUPPORT_NPY_H
#define NNC_SUPPORT_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace nn {

struct NpyArray {
  std::vector<int64_t> shape; // () for a scalar
  std::vector<float> values;  // row-major (C order)
};

/// The whole content of a file, gunzipped when it is gzip-compressed (zlib
/// reads plain files too). Throws nn::Error naming the file.
std::string readWholeFile(const std::string &path);

/// Reads a .npy array of float32, float64, int64, int32, int8, uint8 or bool
/// (little-endian, C order), converted to float32. Throws nn::Error naming the
/// file and what is wrong with it.
NpyArray readNPY(const std::string &path);

} // namespace nn

#endif // NNC_SUPPORT_NPY_H
