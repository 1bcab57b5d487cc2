//===- NPY.cpp - NumPy's .npy arrays --------------------------------------===//
//
// The format (numpy.lib.format): the magic "\x93NUMPY", a version byte pair,
// the header's length (2 bytes in version 1, 4 in versions 2 and 3), then a
// Python dict literal such as
//
//   {'descr': '<f4', 'fortran_order': False, 'shape': (100, 784), }
//
// and the raw data. Everything is checked against what the header promises.
//
//===----------------------------------------------------------------------===//

#include "support/NPY.h"
#include "support/Error.h"
#include "support/Files.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

namespace nn {

std::string readWholeFile(const std::string &path) {
  requireRegularFile(path);
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f)
    throw Error(path + ": cannot open: " + std::strerror(errno));
  std::string data;
  char buffer[1 << 16];
  int n;
  while ((n = gzread(f, buffer, sizeof buffer)) > 0)
    data.append(buffer, n);
  int err;
  std::string message = gzerror(f, &err);
  gzclose(f);
  if (n < 0 || (err != Z_OK && err != Z_STREAM_END))
    throw Error(path + ": read error: " + message);
  return data;
}

namespace {

/// The value text after `'key':` in the header dict.
std::string headerField(const std::string &header, const std::string &key,
                        const std::string &path) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos)
    throw Error(path + ": .npy header lacks '" + key + "'");
  size_t colon = header.find(':', k);
  return header.substr(colon + 1);
}

/// The most values a .npy array may hold: 2^32 (16 GiB of float32), far
/// beyond any data set here; a larger header is a broken or hostile file.
constexpr uint64_t kMaxNpyValues = uint64_t(1) << 32;

/// "(100, 784)" -> {100, 784}; "()" -> {}. Each dimension whole digits, the
/// product at most kMaxNpyValues.
std::vector<int64_t> parseShape(const std::string &field, const std::string &path) {
  size_t open = field.find('('), close = field.find(')');
  if (open == std::string::npos || close == std::string::npos || close < open)
    throw Error(path + ": .npy header: the shape is not a tuple");
  std::string text = field.substr(open + 1, close - open - 1);
  std::vector<int64_t> shape;
  std::istringstream dims(text);
  std::string dim;
  uint64_t count = 1;
  while (std::getline(dims, dim, ',')) {
    size_t first = dim.find_first_not_of(" \t"), last = dim.find_last_not_of(" \t");
    if (first == std::string::npos)
      continue; // "(100,)": the empty part after the comma
    std::string digits = dim.substr(first, last - first + 1);
    uint64_t value = 0;
    bool whole = !digits.empty() && digits.size() <= 19 &&
                 digits.find_first_not_of("0123456789") == std::string::npos;
    if (whole)
      value = std::stoull(digits);
    if (!whole || (value > 0 && count > kMaxNpyValues / value))
      throw Error(path + ": .npy header: dimension '" + digits + "' is not a size, or the array " +
                  "would hold more than 2^32 values");
    count *= value;
    shape.push_back((int64_t)value);
  }
  return shape;
}

/// One element of type `kind` ("f4", "i8", ...) as float32.
bool convertElement(const std::string &kind, const char *p, float &out) {
  if (kind == "f4") {
    float v;
    std::memcpy(&v, p, 4);
    out = v;
  } else if (kind == "f8") {
    double v;
    std::memcpy(&v, p, 8);
    out = (float)v;
  } else if (kind == "i8") {
    int64_t v;
    std::memcpy(&v, p, 8);
    out = (float)v;
  } else if (kind == "i4") {
    int32_t v;
    std::memcpy(&v, p, 4);
    out = (float)v;
  } else if (kind == "u1" || kind == "b1")
    out = (unsigned char)*p;
  else if (kind == "i1")
    out = (signed char)*p;
  else
    return false;
  return true;
}

} // namespace

NpyArray readNPY(const std::string &path) {
  std::string data = readWholeFile(path);
  if (data.size() < 10 || data.compare(0, 6, "\x93NUMPY") != 0)
    throw Error(path + ": not a .npy file (bad magic string)");
  int major = (unsigned char)data[6];
  if (major < 1 || major > 3)
    throw Error(path + ": .npy format version " + std::to_string(major) + " is not one of 1, 2, 3");
  size_t headerLen, start;
  if (major == 1) {
    headerLen = (unsigned char)data[8] | (unsigned char)data[9] << 8;
    start = 10;
  } else {
    if (data.size() < 12)
      throw Error(path + ": truncated .npy header");
    headerLen = (unsigned char)data[8] | (unsigned char)data[9] << 8 |
                (unsigned char)data[10] << 16 | (size_t)(unsigned char)data[11] << 24;
    start = 12;
  }
  if (data.size() < start + headerLen)
    throw Error(path + ": truncated .npy header");
  std::string header = data.substr(start, headerLen);
  size_t open = header.find('{'), close = header.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open)
    throw Error(path + ": .npy header is not a dict ({...})");
  std::string descr = headerField(header, "descr", path);
  descr = descr.substr(descr.find('\'') + 1);
  descr = descr.substr(0, descr.find('\''));
  std::string order = headerField(header, "fortran_order", path);
  if (order.find("True") < order.find(','))
    throw Error(path + ": Fortran-ordered arrays are not supported; save with C order");

  NpyArray array;
  array.shape = parseShape(headerField(header, "shape", path), path);
  size_t count = 1;
  for (int64_t d : array.shape)
    count *= d;
  // Little-endian or byte-wide types only ('<' or '|'), as numpy writes on x86.
  if (descr.size() < 3 || (descr[0] != '<' && descr[0] != '|'))
    throw Error(path + ": unsupported .npy dtype '" + descr + "'");
  std::string kind = descr.substr(1);
  static const char *const kinds[] = {"f4", "f8", "i8", "i4", "u1", "b1", "i1"};
  if (std::find(std::begin(kinds), std::end(kinds), kind) == std::end(kinds))
    throw Error(path + ": unsupported .npy dtype '" + descr + "'");
  int width = kind[1] - '0';
  const char *p = data.data() + start + headerLen;
  if (data.size() - start - headerLen != count * width)
    throw Error(path + ": .npy header promises " + std::to_string(count) + " values of " +
                std::to_string(width) + " bytes, the file holds " +
                std::to_string(data.size() - start - headerLen) + " bytes");
  array.values.resize(count);
  for (size_t i = 0; i < count; ++i, p += width)
    if (!convertElement(kind, p, array.values[i]))
      throw Error(path + ": unsupported .npy dtype '" + descr + "'");
  return array;
}

} // namespace nn
