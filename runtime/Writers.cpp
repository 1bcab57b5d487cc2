//===- Writers.cpp - write results as .npy or .csv ------------------------===//

#include "runtime/Writers.h"
#include "runtime/Program.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace nnrt {

void writeFileAtomically(const std::string &path, const std::string &bytes) {
  writeFileAtomically(path, {{bytes.data(), bytes.size()}});
}

void writeFileAtomically(const std::string &path, const std::vector<FilePiece> &pieces) {
  std::string tmp = path + ".tmp";
  FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    throw Error(path + ": cannot write: " + std::strerror(errno));
  bool ok = true;
  for (const FilePiece &piece : pieces)
    ok = ok && std::fwrite(piece.data, 1, piece.size, f) == piece.size;
  ok = std::fflush(f) == 0 && ok;
  ok = fsync(fileno(f)) == 0 && ok;
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    std::remove(tmp.c_str());
    throw Error(path + ": cannot write: " + reason);
  }
}

void writeNPY(const std::string &path, const std::vector<float> &values,
              const std::vector<int64_t> &shape) {
  std::string dims;
  for (int64_t d : shape)
    dims += std::to_string(d) + ", ";
  if (shape.size() > 1)
    dims.resize(dims.size() - 1); // "(100, 10)" but "(100,)"
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces so that the data starts at a multiple of 64 bytes.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY\x01";
  bytes += '\0';
  bytes += (char)(header.size() & 0xff);
  bytes += (char)(header.size() >> 8);
  bytes += header;
  bytes.append(reinterpret_cast<const char *>(values.data()),
               values.size() * sizeof(float));
  writeFileAtomically(path, bytes);
}

void writeCSV(const std::string &path, const std::vector<float> &values,
              int64_t rowLength) {
  std::string text;
  char buffer[32];
  for (size_t i = 0; i < values.size(); ++i) {
    std::snprintf(buffer, sizeof buffer, "%.9g", values[i]);
    text += buffer;
    text += (int64_t)((i + 1) % rowLength) == 0 ? "\n" : ",";
  }
  writeFileAtomically(path, text);
}

} // namespace nnrt
