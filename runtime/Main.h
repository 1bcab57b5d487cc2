//===- Main.h - the programs' entry points ----------------------*- C++ -*-===//

#ifndef NNC_RUNTIME_MAIN_H
#define NNC_RUNTIME_MAIN_H

#include "runtime/Program.h"
#include "runtime/Threads.h"

namespace nnrt {
class CommandLine;

int inferMain(const Program &program, int argc, char **argv);
int trainMain(const Program &program, int argc, char **argv);
/// --threads N and --device DEV, which both programs take.
void applyDeviceOptions(const Program &program, const CommandLine &cl);
} // namespace nnrt

#endif // NNC_RUNTIME_MAIN_H
