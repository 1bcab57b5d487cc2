//===- Files.h - what may be read as a file ---------------------*- C++ -*-===//
//
// nnc and the generated programs read only regular files: a directory has
// no bytes to read, and /dev/zero, a FIFO or a terminal never end (a reader
// would wait or allocate forever). Every reader of a user's file asks here
// first.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_SUPPORT_FILES_H
#define NNC_SUPPORT_FILES_H

#include <string>

namespace nn {

/// Throws nn::Error("PATH: cannot open: ...") when `path` does not exist or
/// cannot be examined, and "PATH: is a directory, not a file" (or a device,
/// a FIFO, a socket) when it is not a regular file. Symbolic links are
/// followed.
void requireRegularFile(const std::string &path);

} // namespace nn

#endif // NNC_SUPPORT_FILES_H
