//===- Main.h - the programs' entry points ----------------------*- C++ -*-===//

#ifndef NNC_RUNTIME_MAIN_H
#define NNC_RUNTIME_MAIN_H

#include "runtime/Program.h"

namespace nnrt {
int inferMain(const Program &program, int argc, char **argv);
int trainMain(const Program &program, int argc, char **argv);
/// --threads N: the threads of the compiled parallel loops (OpenMP); 0 keeps
/// the default, one per core.
void setThreads(int64_t threads);
} // namespace nnrt

#endif // NNC_RUNTIME_MAIN_H
