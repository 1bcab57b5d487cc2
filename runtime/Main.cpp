//===- Main.cpp - main() of every generated program -----------------------===//
//
// Reads the program's table and hands over to the main of its kind (the
// table's "program" setting: train or infer). Every runtime error ends here: it is
// printed as "NAME-infer: error: ..." and the exit status is 1.
//
//===----------------------------------------------------------------------===//

#include "runtime/Main.h"
#include "runtime/CommandLine.h"
#include "runtime/Device.h"

#include <cstdio>
#include <malloc.h>
#include <exception>
#include <string>

void nnrt::applyDeviceOptions(const Program &program, const CommandLine &cl) {
  setThreads(cl.getInt("threads", 0));
  selectDevice(program, cl.has("device") ? cl.get("device") : "");
}

/// The runtime's half of dropout's key (support/ProgramABI.h, section 5):
/// the train loop writes (seed, step) here before each step.
int64_t nnrt_dropout_key[2] = {0, 1};

/// The generated object's main() is a call of this (support/ProgramABI.h).
extern "C" int nnrt_main(int argc, char **argv) {
  // A step allocates and frees the same large temporaries every time. By
  // default glibc serves blocks over 128 KiB with mmap and returns them on
  // free, so each step would fault in (and the kernel zero) tens of MiB
  // again. Keep freed memory in the heap instead: the next step reuses it.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  std::string self = argv[0];
  self = self.substr(self.find_last_of('/') + 1);
  try {
    nnrt::Program program(nnrt_program_table);
    std::string kind = program.setting(nn::abi::kProgramSetting);
    if (kind == nn::abi::kInferProgram)
      return nnrt::inferMain(program, argc, argv);
    if (kind == nn::abi::kTrainProgram)
      return nnrt::trainMain(program, argc, argv);
    throw nnrt::Error("unknown program kind '" + kind + "'");
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s: error: %s\n", self.c_str(), e.what());
    return 1;
  }
}
