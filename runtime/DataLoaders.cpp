//===- DataLoaders.cpp - IDX, NPY and CSV data sets -----------------------===//
//
// Every loader checks what it reads against what the header promised and
// names the file (and the line or item) in its errors. zlib's gzread reads
// gzip and plain files alike, so every format may be compressed.
//
//===----------------------------------------------------------------------===//

#include "runtime/DataLoaders.h"
#include "runtime/Program.h"
#include "support/Files.h"
#include "support/NPY.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <sys/stat.h>

namespace nnrt {

int64_t Dataset::itemSize() const {
  int64_t n = 1;
  for (int64_t d : itemShape)
    n *= d;
  return n;
}

namespace {

// The loops of a byte set's batch copy (scaleFloats also scales a float
// set, once, at load), built for AVX-512, AVX2 and the baseline (GCC's
// target_clones: the loader picks one for the processor at start), since
// the runtime itself is built for any x86-64. Each is one exact IEEE
// operation per value, so every version gives the same floats.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define NNRT_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NNRT_VECTOR_CLONES
#endif

NNRT_VECTOR_CLONES void bytesToFloats(const uint8_t *__restrict code, size_t count, bool isSigned,
                                      float *__restrict out) {
  if (isSigned)
    for (size_t k = 0; k < count; ++k)
      out[k] = (float)(int8_t)code[k];
  else
    for (size_t k = 0; k < count; ++k)
      out[k] = (float)code[k];
}

NNRT_VECTOR_CLONES void scaleFloats(float *out, size_t count, bool divide, float by) {
  if (divide)
    for (size_t k = 0; k < count; ++k)
      out[k] = out[k] / by;
  else
    for (size_t k = 0; k < count; ++k)
      out[k] = out[k] * by;
}

} // namespace

float Dataset::codeValue(uint8_t code) const {
  float v = signedCodes ? (float)(int8_t)code : (float)code;
  for (const Scale &s : scales)
    v = s.divide ? v / s.by : v * s.by;
  return v;
}

void Dataset::copyValues(size_t first, size_t count, float *dst) const {
  if (codes.empty()) {
    std::memcpy(dst, values.data() + first, count * sizeof(float));
    return;
  }
  bytesToFloats(codes.data() + first, count, signedCodes, dst);
  for (const Scale &s : scales)
    scaleFloats(dst, count, s.divide, s.by);
}

void Dataset::prefetchValues(size_t first, size_t count) const {
  if (count == 0)
    return;
  const char *begin = codes.empty() ? (const char *)(values.data() + first)
                                    : (const char *)(codes.data() + first);
  const char *last = begin + (codes.empty() ? sizeof(float) : 1) * count - 1;
  for (const char *p = begin; p < last + 64; p += 64)
    __builtin_prefetch(std::min(p, last));
}

size_t Dataset::firstNonFinite() const {
  // A byte set has a non-finite value only if a byte's value is (after a
  // transform such as div:0): the codes are searched only then.
  bool possible = codes.empty();
  for (int b = 0; !possible && b < 256; ++b)
    possible = !std::isfinite(codeValue((uint8_t)b));
  for (size_t k = 0; possible && k < size(); ++k)
    if (!std::isfinite(at(k)))
      return k;
  return size();
}

void Dataset::scale(Scale s) {
  if (!codes.empty()) {
    scales.push_back(s);
    return;
  }
  scaleFloats(values.data(), values.size(), s.divide, s.by);
}

namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

uint32_t bigEndian32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/// A (possibly gzip-compressed) file read in pieces.
class GzReader {
public:
  explicit GzReader(const std::string &path)
      : path(path), f((nn::requireRegularFile(path), gzopen(path.c_str(), "rb"))) {
    if (!f)
      throw Error(path + ": cannot open: " + std::strerror(errno));
  }
  ~GzReader() { gzclose(f); }
  GzReader(const GzReader &) = delete;
  GzReader &operator=(const GzReader &) = delete;

  /// Up to `size` bytes; fewer only at the end of the file.
  size_t read(void *into, size_t size) {
    size_t done = 0;
    while (done < size) {
      int n = gzread(f, (char *)into + done, (unsigned)std::min<size_t>(size - done, 1 << 30));
      if (n < 0) {
        int err;
        throw Error(path + ": read error: " + gzerror(f, &err));
      }
      if (n == 0)
        break;
      done += n;
    }
    return done;
  }

  /// How many bytes the file holds once decompressed, as a hint: a plain
  /// file's size, or a gzip file's own record of it (its last four bytes,
  /// the size mod 2^32; wrong for files over 4 GiB or of several members).
  /// 0 when unknown. Nothing is trusted to it but the size of a reservation.
  uint64_t sizeHint() const {
    std::FILE *raw = std::fopen(path.c_str(), "rb");
    if (!raw)
      return 0;
    unsigned char magic[2] = {0, 0}, tail[4];
    uint64_t size = 0;
    bool gzip = std::fread(magic, 1, 2, raw) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (std::fseek(raw, 0, SEEK_END) == 0) {
      long end = std::ftell(raw);
      if (!gzip)
        size = end > 0 ? (uint64_t)end : 0;
      else if (end >= 4 && std::fseek(raw, -4, SEEK_END) == 0 && std::fread(tail, 1, 4, raw) == 4)
        size = (uint64_t)tail[0] | (uint64_t)tail[1] << 8 | (uint64_t)tail[2] << 16 |
               (uint64_t)tail[3] << 24;
    }
    std::fclose(raw);
    return size;
  }

private:
  std::string path;
  gzFile f;
};

/// One IDX value of the given type code, big-endian at `p`.
float decodeIDX(int type, const unsigned char *p) {
  switch (type) {
  case 0x08:
    return p[0];
  case 0x09:
    return (signed char)p[0];
  case 0x0B:
    return (int16_t)(p[0] << 8 | p[1]);
  case 0x0C:
    return (int32_t)bigEndian32(p);
  case 0x0D: {
    uint32_t bits = bigEndian32(p);
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  default: { // 0x0E
    uint64_t bits = (uint64_t)bigEndian32(p) << 32 | bigEndian32(p + 4);
    double d;
    std::memcpy(&d, &bits, 8);
    return (float)d;
  }
  }
}

} // namespace

Dataset loadIDX(const std::string &path) {
  // Header: two zero bytes, the element type, the number of dimensions, then
  // each dimension as a big-endian uint32; data follows, big-endian.
  // The file is decoded in chunks straight into the float values: holding
  // the whole file first would cost its size again at the peak (47 MB for
  // Fashion-MNIST's training images).
  GzReader in(path);
  unsigned char head[4];
  if (in.read(head, 4) < 4 || head[0] != 0 || head[1] != 0)
    throw Error(path + ": not an IDX file (bad magic number)");
  int type = head[2], rank = head[3];
  int width;
  switch (type) {
  case 0x08:
  case 0x09:
    width = 1;
    break; // unsigned / signed byte
  case 0x0B:
    width = 2;
    break; // short
  case 0x0C:
  case 0x0D:
    width = 4;
    break; // int, float
  case 0x0E:
    width = 8;
    break; // double
  default:
    throw Error(path + ": unknown IDX element type 0x" + std::to_string(type));
  }
  std::vector<unsigned char> dims(4 * (size_t)rank);
  if (rank < 1 || in.read(dims.data(), dims.size()) < dims.size())
    throw Error(path + ": truncated IDX header");
  Dataset ds;
  ds.file = path;
  ds.items = bigEndian32(dims.data());
  // The count, overflow-checked, within 2^32 values (16 GiB of float): the
  // header of a broken file may promise anything.
  const uint64_t kMaxValues = uint64_t(1) << 32;
  uint64_t count = (uint64_t)ds.items;
  for (int i = 1; i < rank; ++i) {
    uint64_t d = bigEndian32(dims.data() + 4 * i);
    ds.itemShape.push_back((int64_t)d);
    count = d == 0 || count <= kMaxValues / d ? count * d : kMaxValues + 1;
  }
  if (count > kMaxValues)
    throw Error(path + ": the IDX header promises more than 2^32 values");
  // Grown as the data arrive, not allocated from the header's promise, but
  // reserved at once for as many values as the file seems to hold (its
  // size, decompressed: GzReader::sizeHint), at most 2^28 (1 GiB of
  // float; a reservation touches no memory until it is filled). Growing
  // by doubling copied the values to an array twice as large: at the copy
  // both were in memory (fashion_softmax-train's peak resident memory was
  // 385 MB against 254 MB with the reservation).
  uint64_t headerBytes = 4 + 4 * (uint64_t)rank, hint = in.sizeHint();
  uint64_t likely = hint > headerBytes ? (hint - headerBytes) / width : 0;
  size_t reserve = std::min({count, likely, uint64_t(1) << 28});
  // Bytes stay bytes (codes for the 256 values a byte can stand for): the
  // 60,000 training images are 47 MB so, 188 MB as float.
  bool bytes = width == 1;
  if (bytes) {
    ds.codes.reserve(reserve);
    ds.signedCodes = type == 0x09;
  } else {
    ds.values.reserve(reserve);
  }
  std::vector<unsigned char> chunk((size_t)width << 14);
  size_t done = 0;
  while (done < count) {
    size_t want = std::min<uint64_t>(count - done, chunk.size() / width);
    size_t got = in.read(chunk.data(), want * width) / width;
    const unsigned char *p = chunk.data();
    if (bytes)
      ds.codes.insert(ds.codes.end(), p, p + got);
    else
      for (size_t i = 0; i < got; ++i, p += width)
        ds.values.push_back(decodeIDX(type, p));
    done += got;
    if (got < want)
      break;
  }
  size_t extra = 0;
  while (size_t n = in.read(chunk.data(), chunk.size()))
    extra += n;
  if (done < count || extra > 0)
    throw Error(path + ": IDX header promises " + std::to_string(count) +
                " values but the file holds " + std::to_string(done + extra / width));
  return ds;
}

Dataset loadNPY(const std::string &path) {
  nn::NpyArray array = nn::readNPY(path);
  Dataset ds;
  ds.file = path;
  ds.items = array.shape.empty() ? 1 : array.shape[0];
  if (array.shape.size() > 1)
    ds.itemShape.assign(array.shape.begin() + 1, array.shape.end());
  ds.values = std::move(array.values);
  return ds;
}

namespace {

/// `cell` without the spaces around it and, as CSV quotes it, without a
/// pair of double quotes around it ("1.5" is 1.5).
std::string unquoted(const std::string &cell) {
  size_t first = cell.find_first_not_of(" \t"), last = cell.find_last_not_of(" \t");
  if (first == std::string::npos)
    return "";
  std::string text = cell.substr(first, last - first + 1);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
    text = text.substr(1, text.size() - 2);
  return text;
}

/// A decimal number as people write them: [+-] digits [. digits] [e [+-]
/// digits], or nan / inf (which the loader then reports by item). Not the
/// hexadecimal (0x10) strtof also takes.
bool isDecimal(const std::string &t) {
  size_t i = 0, n = t.size();
  if (i < n && (t[i] == '+' || t[i] == '-'))
    ++i;
  std::string rest = t.substr(i);
  for (char &c : rest)
    c = (char)std::tolower((unsigned char)c);
  if (rest == "nan" || rest == "inf" || rest == "infinity")
    return true;
  size_t digits = 0;
  while (i < n && std::isdigit((unsigned char)t[i]))
    ++i, ++digits;
  if (i < n && t[i] == '.') {
    ++i;
    while (i < n && std::isdigit((unsigned char)t[i]))
      ++i, ++digits;
  }
  if (digits == 0)
    return false;
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-'))
      ++i;
    size_t exponent = 0;
    while (i < n && std::isdigit((unsigned char)t[i]))
      ++i, ++exponent;
    if (exponent == 0)
      return false;
  }
  return i == n;
}

} // namespace

Dataset loadCSV(const std::string &path) {
  // One item per line, values separated by commas (each may be quoted); a
  // first line without any number is a header. Blank lines are
  // skipped. Every cell counts: "1,2," has an empty third value, an error
  // at its line, as is a NUL byte or a number strtof would read but people
  // do not write (0x10).
  std::istringstream in(nn::readWholeFile(path));
  Dataset ds;
  ds.file = path;
  std::string line;
  int64_t lineNo = 0, width = -1;
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    std::string where = path + ":" + std::to_string(lineNo);
    if (line.find('\0') != std::string::npos)
      throw Error(where + ": a NUL byte (is this a text file?)");
    if (line.find_first_not_of(" \t") == std::string::npos)
      continue;
    std::vector<std::string> cells;
    for (size_t from = 0;;) {
      size_t comma = line.find(',', from);
      cells.push_back(unquoted(line.substr(from, comma - from)));
      if (comma == std::string::npos)
        break;
      from = comma + 1;
    }
    bool numeric = std::all_of(cells.begin(), cells.end(),
                               [](const std::string &c) { return c.empty() || isDecimal(c); });
    bool anyNumber = std::any_of(cells.begin(), cells.end(), isDecimal);
    if (!numeric || !anyNumber) {
      if (width == -1 && ds.items == 0 && !anyNumber)
        continue; // the header: names only ("0x10,1" is a row with a bad value)
      for (const std::string &c : cells)
        if (!c.empty() && !isDecimal(c))
          throw Error(where + ": '" + c + "' is not a number");
    }
    std::vector<float> row;
    for (size_t k = 0; k < cells.size(); ++k) {
      if (cells[k].empty())
        throw Error(where + ": value " + std::to_string(k + 1) + " is empty");
      row.push_back(std::strtof(cells[k].c_str(), nullptr));
    }
    if (width == -1)
      width = row.size();
    else if ((int64_t)row.size() != width)
      throw Error(where + ": expected " + std::to_string(width) + " values, got " +
                  std::to_string(row.size()));
    ds.values.insert(ds.values.end(), row.begin(), row.end());
    ++ds.items;
  }
  if (ds.items == 0)
    throw Error(path + ": no data rows");
  ds.itemShape = {width};
  return ds;
}

Dataset loadFile(const std::string &path) {
  std::string name = endsWith(path, ".gz") ? path.substr(0, path.size() - 3) : path;
  if (endsWith(name, ".npy"))
    return loadNPY(path);
  if (endsWith(name, ".csv"))
    return loadCSV(path);
  if (endsWith(name, ".idx") || endsWith(name, "-ubyte"))
    return loadIDX(path);
  throw Error(path + ": unknown data format (use .npy, .csv, .idx or -ubyte, "
                     "optionally .gz)");
}

static bool fileExists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string resolveDataPath(const std::string &file, const std::string &dataDir,
                            const std::string &sourceDir) {
  if (!file.empty() && file[0] == '/')
    return file;
  if (!dataDir.empty())
    return dataDir + "/" + file;
  if (fileExists(file))
    return file;
  if (!sourceDir.empty() && fileExists(sourceDir + "/" + file))
    return sourceDir + "/" + file;
  std::string fallback = std::string(NNRT_DEFAULT_DATA_DIR) + "/" + file;
  return fileExists(fallback) ? fallback : file;
}

Dataset oneHot(const Dataset &labels, int64_t classes) {
  if (labels.itemSize() != 1)
    throw Error(labels.file + ": one_hot needs one label per item, got " +
                std::to_string(labels.itemSize()));
  Dataset ds;
  ds.file = labels.file;
  ds.items = labels.items;
  ds.itemShape = {classes};
  ds.values.assign(labels.items * classes, 0.0f);
  for (int64_t i = 0; i < labels.items; ++i) {
    float label = labels.at(i);
    if (label != std::floor(label) || label < 0 || label >= classes)
      throw Error(labels.file + ": item " + std::to_string(i) + ": label " + std::to_string(label) +
                  " is not a class in 0.." + std::to_string(classes - 1));
    ds.values[i * classes + (int64_t)label] = 1.0f;
  }
  return ds;
}

Dataset loadSource(const std::string &spec, const std::string &dataDir,
                   const std::string &sourceDir) {
  std::vector<std::string> parts;
  std::istringstream in(spec);
  std::string part;
  while (std::getline(in, part, '|'))
    parts.push_back(part);
  if (parts.empty())
    throw Error("empty data source");
  size_t colon = parts[0].find(':');
  std::string format = parts[0].substr(0, colon);
  std::string path = resolveDataPath(parts[0].substr(colon + 1), dataDir, sourceDir);
  Dataset ds = format == "idx"   ? loadIDX(path)
               : format == "npy" ? loadNPY(path)
               : format == "csv" ? loadCSV(path)
                                 : loadFile(path);
  for (size_t i = 1; i < parts.size(); ++i) {
    size_t c = parts[i].find(':');
    std::string op = parts[i].substr(0, c);
    double arg = std::stod(parts[i].substr(c + 1));
    if (op == "div")
      ds.scale({true, (float)arg});
    else if (op == "mul")
      ds.scale({false, (float)arg});
    else if (op == "one_hot")
      ds = oneHot(ds, (int64_t)arg);
    else
      throw Error("unknown data transform '" + op + "'");
  }
  return ds;
}

} // namespace nnrt
