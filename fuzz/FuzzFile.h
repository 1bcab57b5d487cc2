//===- FuzzFile.h - a fuzzer's input as a file --------------------*- C++ -*-===//
//
// The loaders and the checkpoint reader read files by name, and their checks
// start there (only regular files, sizes against the real length), so the
// fuzz targets give them files: each input is written to one anonymous
// in-memory file (memfd_create), read as /proc/self/fd/N. Nothing is left on
// disk, and the code under test is exactly the code the programs run.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FUZZ_FUZZFILE_H
#define NNC_FUZZ_FUZZFILE_H

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace nnfuzz {

/// The path of a file that holds exactly `data` (the same file each call).
inline std::string asFile(const uint8_t *data, size_t size) {
  static int fd = memfd_create("fuzz-input", 0);
  if (fd < 0 || ftruncate(fd, 0) != 0) {
    std::perror("fuzz: memfd");
    std::abort();
  }
  for (size_t done = 0; done < size;) {
    ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
    if (n <= 0) {
      std::perror("fuzz: write");
      std::abort();
    }
    done += (size_t)n;
  }
  return "/proc/self/fd/" + std::to_string(fd);
}

/// A property every accepted input must have; a violation is a crash the
/// fuzzer reports (and minimises) like any other.
inline void require(bool holds, const char *what) {
  if (!holds) {
    // On stdout: scripts/fuzz.sh closes the targets' stderr (close_fd_mask=2).
    std::printf("fuzz: property violated: %s\n", what);
    std::fflush(stdout);
    std::abort();
  }
}

} // namespace nnfuzz

#endif // NNC_FUZZ_FUZZFILE_H
