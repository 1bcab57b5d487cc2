//===- Threads.h - the thread pool of the compiled parallel loops -*- C++ -*-===//
//
// The runtime's side of nnrt_parallel_for (support/ProgramABI.h): a pool of
// threads that runs the parallel loops of a step.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_THREADS_H
#define NNC_RUNTIME_THREADS_H

#include <cstdint>

namespace nnrt {

/// --threads N: the threads of the compiled parallel loops, the calling one
/// included; 0 keeps the default, one per core the process may run on.
void setThreads(int64_t threads);

} // namespace nnrt

#endif // NNC_RUNTIME_THREADS_H
