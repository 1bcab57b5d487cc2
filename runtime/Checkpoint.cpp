//===- Checkpoint.cpp - safetensors checkpoints ---------------------------===//
//
// The JSON header is small and regular ({"name": {"dtype": "F32", "shape":
// [..], "data_offsets": [begin, end]}, "__metadata__": {"k": "v"}}); a short
// recursive-descent reader handles it and reports malformed files by name.
//
//===----------------------------------------------------------------------===//

#include "runtime/Checkpoint.h"
#include "runtime/Device.h"
#include "runtime/Writers.h"
#include "support/Files.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace nnrt {

namespace {

/// The most elements a stored tensor may have: the compiler's limit
/// (kMaxTensorElements in frontend/AST.h, 2^28).
constexpr double kMaxStoredElements = 268435456;

/// A JSON value: enough of JSON for safetensors headers.
struct Json {
  enum Kind { Null, Number, String, Array, Object } kind = Null;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;
};

class JsonReader {
public:
  JsonReader(const std::string &text, const std::string &file) : s(text), file(file) {}
  Json parse() {
    Json v = value();
    skip();
    if (i != s.size())
      fail("trailing characters");
    return v;
  }

private:
  /// Far more than a safetensors header needs (3 levels), and far from the
  /// end of the stack: 10^5 nested '[' is an error, not a crash.
  static constexpr int kMaxDepth = 32;
  const std::string &s;
  const std::string &file;
  size_t i = 0;
  int depth = 0;

  [[noreturn]] void fail(const std::string &what) {
    throw Error(file + ": malformed safetensors header (" + what + " at byte " + std::to_string(i) +
                ")");
  }
  void skip() {
    while (i < s.size() && std::isspace((unsigned char)s[i]))
      ++i;
  }
  void expect(char c) {
    skip();
    if (i >= s.size() || s[i] != c)
      fail(std::string("expected '") + c + "'");
    ++i;
  }
  std::string str() {
    expect('"');
    std::string out;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size())
        ++i;
      out += s[i++];
    }
    if (i >= s.size())
      fail("unterminated string");
    ++i;
    return out;
  }
  Json value() {
    skip();
    if (i >= s.size())
      fail("unexpected end");
    if (++depth > kMaxDepth)
      fail("nested more than " + std::to_string(kMaxDepth) + " levels");
    Json v = scalarOrContainer();
    --depth;
    return v;
  }
  Json scalarOrContainer() {
    Json v;
    char c = s[i];
    if (c == '{') {
      v.kind = Json::Object;
      ++i;
      skip();
      if (s[i] == '}') {
        ++i;
        return v;
      }
      do {
        std::string key = str();
        expect(':');
        v.object.emplace_back(key, value());
        skip();
      } while (i < s.size() && s[i] == ',' && ++i);
      expect('}');
    } else if (c == '[') {
      v.kind = Json::Array;
      ++i;
      skip();
      if (s[i] == ']') {
        ++i;
        return v;
      }
      do
        v.array.push_back(value());
      while ((skip(), i < s.size() && s[i] == ',') && ++i);
      expect(']');
    } else if (c == '"') {
      v.kind = Json::String;
      v.string = str();
    } else {
      size_t start = i;
      while (i < s.size() && (std::isdigit((unsigned char)s[i]) || s[i] == '-' || s[i] == '+' ||
                              s[i] == '.' || s[i] == 'e' || s[i] == 'E'))
        ++i;
      if (start == i)
        fail("unexpected character");
      v.kind = Json::Number;
      std::string text = s.substr(start, i - start);
      char *end = nullptr;
      v.number = std::strtod(text.c_str(), &end);
      if (*end != '\0' || !std::isfinite(v.number))
        fail("bad number '" + text + "'");
    }
    return v;
  }
};

std::string quote(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

bool hasRole(const nnrt_tensor *t, const std::vector<int> &roles) {
  return std::find(roles.begin(), roles.end(), t->role) != roles.end();
}

} // namespace

Checkpoint readCheckpoint(const std::string &path) {
  nn::requireRegularFile(path);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(path + ": cannot open: " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  if (bytes.size() < 8)
    throw Error(path + ": not a safetensors file (too short)");
  uint64_t headerSize = 0;
  for (int b = 7; b >= 0; --b)
    headerSize = headerSize << 8 | (unsigned char)bytes[b];
  if (headerSize > bytes.size() - 8)
    throw Error(path + ": not a safetensors file (header length " + std::to_string(headerSize) +
                " beyond the end)");
  Json header = JsonReader(bytes.substr(8, headerSize), path).parse();
  if (header.kind != Json::Object)
    throw Error(path + ": malformed safetensors header (not an object)");
  size_t dataStart = 8 + headerSize, dataSize = bytes.size() - dataStart;
  Checkpoint ck;
  std::vector<std::pair<size_t, size_t>> extents; // each tensor's [begin, end)
  for (auto &item : header.object) {
    const std::string &name = item.first; // a plain reference: the lambda below captures it
    const Json &entry = item.second;
    if (name == "__metadata__") {
      for (auto &[k, v] : entry.object)
        ck.metadata[k] = v.string;
      continue;
    }
    if (ck.tensors.count(name))
      throw Error(path + ": tensor '" + name + "' appears twice in the header");
    const Json *dtype = nullptr, *shape = nullptr, *offsets = nullptr;
    for (auto &[k, v] : entry.object) {
      if (k == "dtype")
        dtype = &v;
      if (k == "shape")
        shape = &v;
      if (k == "data_offsets")
        offsets = &v;
    }
    if (!dtype || !shape || !offsets || offsets->array.size() != 2)
      throw Error(path + ": tensor '" + name + "' lacks dtype, shape or data_offsets");
    if (dtype->string != "F32")
      throw Error(path + ": tensor '" + name + "' is " + dtype->string + ", not F32");
    // Whole numbers in range, checked before any is converted: a shape of
    // [1e300] or an offset of -5 or 2.5 is the file's error, not a wrap.
    auto whole = [&](const Json &n, double most, const char *what) {
      if (n.kind != Json::Number || n.number < 0 || n.number > most ||
          n.number != std::floor(n.number)) {
        char text[32] = "not a number";
        if (n.kind == Json::Number)
          std::snprintf(text, sizeof text, "%g", n.number);
        throw Error(path + ": tensor '" + name + "' has a bad " + what + " (" + text + ")");
      }
      return (size_t)n.number;
    };
    StoredTensor t;
    size_t count = 1;
    for (const Json &d : shape->array) {
      size_t dim = whole(d, kMaxStoredElements, "dimension");
      t.shape.push_back((int64_t)dim);
      count *= dim;
      if (count > kMaxStoredElements)
        throw Error(path + ": tensor '" + name + "' has more than " +
                    std::to_string(kMaxStoredElements) + " elements");
    }
    size_t begin = whole(offsets->array[0], (double)dataSize, "data offset");
    size_t end = whole(offsets->array[1], (double)dataSize, "data offset");
    if (end < begin || end - begin != count * 4)
      throw Error(path + ": tensor '" + name +
                  "' has bad data offsets (the file may be truncated)");
    extents.push_back({begin, end});
    t.values.resize(count);
    std::memcpy(t.values.data(), bytes.data() + dataStart + begin, count * 4);
    ck.tensors[name] = std::move(t);
  }
  // No two tensors share bytes.
  std::sort(extents.begin(), extents.end());
  for (size_t k = 1; k < extents.size(); ++k)
    if (extents[k].first < extents[k - 1].second)
      throw Error(path + ": two tensors' data overlap (bytes " + std::to_string(extents[k].first) +
                  " to " + std::to_string(extents[k - 1].second) + ")");
  return ck;
}

void writeCheckpoint(const std::string &path, const Checkpoint &ck) {
  std::string header = "{\"__metadata__\":{";
  bool first = true;
  for (auto &[k, v] : ck.metadata) {
    header += (first ? "" : ",") + quote(k) + ":" + quote(v);
    first = false;
  }
  header += "}";
  std::vector<FilePiece> pieces(2); // the length and the header come first
  size_t offset = 0;
  for (auto &[name, t] : ck.tensors) {
    std::string shape;
    for (int64_t d : t.shape)
      shape += (shape.empty() ? "" : ",") + std::to_string(d);
    size_t bytes = t.values.size() * 4;
    pieces.push_back({t.values.data(), bytes});
    header += "," + quote(name) + ":{\"dtype\":\"F32\",\"shape\":[" + shape +
              "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' '); // align the data to 8 bytes
  char length[8];
  uint64_t n = header.size();
  for (int b = 0; b < 8; ++b)
    length[b] = (char)(n >> (8 * b));
  pieces[0] = {length, 8};
  pieces[1] = {header.data(), header.size()};
  writeFileAtomically(path, pieces);
}

Checkpoint snapshot(const Program &program, const std::vector<int> &roles) {
  if (DeviceProgram *device = activeDevice())
    device->fetchVariables(); // a GPU program's variables live on its device
  Checkpoint ck;
  for (const Tensor &v : program.variables()) {
    if (!hasRole(v.desc, roles))
      continue;
    StoredTensor t;
    t.shape.assign(v.desc->dims, v.desc->dims + v.desc->rank);
    t.values.assign(v.f32(), v.f32() + v.numElements());
    ck.tensors[v.name()] = std::move(t);
  }
  return ck;
}

int restore(const Program &program, const Checkpoint &ck, const std::vector<int> &roles,
            bool requireAll, const std::string &path) {
  int loaded = 0;
  for (const Tensor &v : program.variables()) {
    if (!hasRole(v.desc, roles))
      continue;
    auto it = ck.tensors.find(v.name());
    if (it == ck.tensors.end()) {
      if (requireAll)
        throw Error(path + ": has no tensor '" + v.name() + "'");
      continue;
    }
    std::vector<int64_t> shape(v.desc->dims, v.desc->dims + v.desc->rank);
    if (it->second.shape != shape)
      throw Error(path + ": tensor '" + v.name() + "' has another shape than the " + "program's " +
                  v.shapeString());
    std::memcpy(v.f32(), it->second.values.data(), v.numElements() * sizeof(float));
    ++loaded;
  }
  return loaded;
}

} // namespace nnrt
