//===- Files.cpp - what may be read as a file -----------------------------===//

#include "support/Files.h"
#include "support/Error.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace nn {

void requireRegularFile(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    throw Error(path + ": cannot open: " + std::strerror(errno));
  if (S_ISREG(st.st_mode))
    return;
  const char *what = S_ISDIR(st.st_mode)                          ? "a directory"
                     : S_ISFIFO(st.st_mode)                       ? "a FIFO (a pipe)"
                     : S_ISSOCK(st.st_mode)                       ? "a socket"
                     : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                                  : "not a regular file";
  throw Error(path + ": is " + what + ", not a file");
}

} // namespace nn
