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

/// "(100, 784)" -> {100, 784}; "()" -> {}.
std::vector<int64_t> parseShape(std::string text) {
  text = text.substr(text.find('(') + 1);
  text = text.substr(0, text.find(')'));
  std::vector<int64_t> shape;
  std::istringstream dims(text);
  std::string dim;
  while (std::getline(dims, dim, ','))
    if (dim.find_first_of("0123456789") != std::string::npos)
      shape.push_back(std::stoll(dim));
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
  std::string descr = headerField(header, "descr", path);
  descr = descr.substr(descr.find('\'') + 1);
  descr = descr.substr(0, descr.find('\''));
  std::string order = headerField(header, "fortran_order", path);
  if (order.find("True") < order.find(','))
    throw Error(path + ": Fortran-ordered arrays are not supported; save with C order");

  NpyArray array;
  array.shape = parseShape(headerField(header, "shape", path));
  size_t count = 1;
  for (int64_t d : array.shape)
    count *= d;
  // Little-endian or byte-wide types only ('<' or '|'), as numpy writes on x86.
  if (descr.size() < 3 || (descr[0] != '<' && descr[0] != '|'))
    throw Error(path + ": unsupported .npy dtype '" + descr + "'");
  std::string kind = descr.substr(1);
  int width = std::stoi(descr.substr(2));
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
