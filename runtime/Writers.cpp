//===- Writers.cpp - write results as .npy or .csv ------------------------===//

#include "runtime/Writers.h"
#include "runtime/Program.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nnrt {

/// The process's umask (read by setting it and setting it back).
static mode_t currentUmask() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

void writeFileAtomically(const std::string &path, const std::string &bytes) {
  writeFileAtomically(path, {{bytes.data(), bytes.size()}});
}

namespace {

/// The directory `path` is in ("." for a bare name).
std::string directoryOf(const std::string &path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

/// An open file descriptor, closed at the end of its scope.
struct Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0)
      ::close(fd);
  }
};

} // namespace

// How a file is replaced so that a crash at any moment leaves either the old
// file or the new one, whole, and nothing else:
//
//  1. Only a regular file is replaced: a FIFO, a device or a directory at
//     `path` is an error (a checkpoint written "into" /dev/null would be
//     lost).
//  2. The bytes go into a file without a name in the same directory
//     (O_TMPFILE): if the process is killed now, the kernel frees it and no
//     temporary is left behind. (Where the file system has no O_TMPFILE,
//     a named PATH.tmp.XXXXXX from mkstemp instead.)
//  3. fsync: the bytes are on the disk before any name points at them.
//  4. The file gets a unique temporary name (linkat), which rename() then
//     moves over `path` in one step; fsync of the directory makes the
//     rename itself durable.
void writeFileAtomically(const std::string &path, const std::vector<FilePiece> &pieces) {
  auto fail = [&](const std::string &what) {
    return Error(path + ": cannot write: " + what + ": " + std::strerror(errno));
  };
  // Step 1.
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw Error(path + ": is not a regular file (a directory, a device or a FIFO): not replaced");
  // Step 2.
  std::string dir = directoryOf(path), tmp;
  Descriptor file;
  file.fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  bool named = file.fd < 0;
  if (named) {
    tmp = path + ".tmp.XXXXXX";
    file.fd = ::mkstemp(tmp.data());
    if (file.fd < 0)
      throw fail("cannot create a temporary file");
    ::fchmod(file.fd, 0666 & ~currentUmask());
  }
  auto removeTemporary = [&] {
    if (!tmp.empty())
      ::unlink(tmp.c_str());
  };
  for (const FilePiece &piece : pieces) {
    const char *p = static_cast<const char *>(piece.data);
    for (size_t left = piece.size; left > 0;) {
      ssize_t n = ::write(file.fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        Error e = fail("write");
        removeTemporary();
        throw e;
      }
      p += n, left -= (size_t)n;
    }
  }
  // Step 3.
  if (::fsync(file.fd) != 0) {
    Error e = fail("fsync");
    removeTemporary();
    throw e;
  }
  // Step 4.
  if (!named) {
    std::string self = "/proc/self/fd/" + std::to_string(file.fd);
    for (int attempt = 0;; ++attempt) {
      tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(attempt);
      if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, tmp.c_str(), AT_SYMLINK_FOLLOW) == 0)
        break;
      if (errno != EEXIST || attempt == 100) {
        tmp.clear();
        throw fail("cannot name the new file");
      }
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = fail("rename");
    removeTemporary();
    throw e;
  }
  Descriptor directory;
  directory.fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory.fd >= 0)
    ::fsync(directory.fd);
}

void writeNPY(const std::string &path, const std::vector<float> &values,
              const std::vector<int64_t> &shape) {
  std::string dims;
  for (int64_t d : shape)
    dims += std::to_string(d) + ", ";
  if (shape.size() > 1)
    dims.resize(dims.size() - 1); // "(100, 10)" but "(100,)"
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces so that the data starts at a multiple of 64 bytes.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY\x01";
  bytes += '\0';
  bytes += (char)(header.size() & 0xff);
  bytes += (char)(header.size() >> 8);
  bytes += header;
  bytes.append(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(float));
  writeFileAtomically(path, bytes);
}

void writeCSV(const std::string &path, const std::vector<float> &values, int64_t rowLength) {
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
