//===- GPUEmulator.cpp - GPU kernels run on the CPU, thread by thread -----===//
//
// --device emu. nnc compiles every kernel twice from one LLVM IR module: as
// PTX, and for the CPU (codegen/gpu/KernelEmitter.cpp), where each special
// register is a call of nnrt_emu_tid_x() and friends, each barrier a call of
// nnrt_emu_barrier(), each warp shuffle nnrt_emu_shuffle(), and each access
// to shared memory is announced by nnrt_emu_shared_access(). This file is
// the other side of those calls. A launch runs its blocks one after another;
// a block:
//
//  1. Shared memory is poisoned (every byte 0xff: a float read before it is
//     written is NaN), and the race record is reset.
//  2. A kernel without barriers or shuffles runs each thread to its end, in
//     order: nothing can tell the order apart.
//  3. A kernel with them gets one execution context (a fiber: its own
//     stack and saved registers) per GPU thread. The scheduler runs every runnable
//     thread until it ends or reaches a barrier or a shuffle. A barrier
//     opens when every thread of the block waits at it: a thread that ends
//     while others wait is reported (the barrier is not reached by all). A
//     shuffle completes when every live thread of its warp has arrived, and
//     each thread then reads its source lane's value, as PTX defines it.
//  4. The race check: between two barriers (an "epoch"), each 4-byte word of
//     shared memory remembers the last thread that wrote it and the threads
//     that read it. A read of a word another thread wrote in the same epoch,
//     or a write of a word another thread read or wrote in it, is a race:
//     without a barrier between them, a GPU may order them either way. The
//     first few are printed (kernel, block, threads, offset) and the launch
//     fails.
//
// Slow is fine; wrong is not.
//
//===----------------------------------------------------------------------===//

#include "runtime/Device.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NNRT_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define NNRT_ASAN 1
#endif
#ifdef NNRT_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

// Switching fibers: saves the callee-saved registers, the SSE and x87
// control words and the stack pointer of the running context at *save, and
// resumes the context whose stack pointer is `load` (x86-64 System V). This
// is what swapcontext does, less its two system calls for the signal mask:
// the tiled matmul's kernels switch fibers tens of millions of times a step.
extern "C" void nnrt_emu_switch(void **save, void *load);
asm(R"(
  .text
  .globl nnrt_emu_switch
  .type nnrt_emu_switch, @function
nnrt_emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size nnrt_emu_switch, .-nnrt_emu_switch
)");

namespace nnrt {
namespace {

constexpr int kWarpSize = 32;
constexpr size_t kStackBytes = 64 * 1024;
constexpr int kRacesPrinted = 5;

enum class ThreadState { Runnable, AtBarrier, AtShuffle, Done };

/// What a thread waiting at a shuffle gave and will get.
struct ShuffleSlot {
  int mode = 0;
  uint32_t value = 0, lane = 0, clamp = 0;
  uint32_t result = 0;
  bool valid = false;
};

/// Who touched a word of shared memory in the current epoch.
struct WordRecord {
  int64_t writeEpoch = -1, readEpoch = -1;
  int writer = -1, reader = -1; // reader -2: several threads
};

struct SharedBuffer {
  char *base;
  int64_t bytes;
  std::vector<WordRecord> words;
};

/// The state of the block being run: what the nnrt_emu_* calls see.
struct BlockRun {
  const char *kernel = "";
  Dim3 grid, block, blockId;
  int current = 0; // linear thread id within the block
  int threads = 0;
  bool fibers = false;
  std::vector<ThreadState> state;
  std::vector<ShuffleSlot> shuffles;
  std::vector<void *> contexts; // each thread's saved stack pointer
  void *scheduler = nullptr;
  char *stacks = nullptr;        // thread t's stack: kStackBytes from stacks + t * kStackBytes
  const void *schedulerStack = nullptr; // the scheduler's stack (for AddressSanitizer)
  size_t schedulerStackBytes = 0;
  std::vector<SharedBuffer> shared;
  int64_t epoch = 0;
  int64_t races = 0;
  std::string firstRace;
  void (*thread)(void **) = nullptr;
  void **args = nullptr;

  int64_t threadIndex(int dim) const {
    int64_t t = current;
    if (dim == 0)
      return t % block.x;
    if (dim == 1)
      return t / block.x % block.y;
    return t / (block.x * block.y);
  }
  std::string where() const {
    char text[160];
    std::snprintf(text, sizeof text, "kernel %s, block (%lld, %lld, %lld)", kernel,
                  (long long)blockId.x, (long long)blockId.y, (long long)blockId.z);
    return text;
  }
};

BlockRun run;

/// Switches from the running context (saved at *save) to `load`, whose stack
/// is `bytes` from `stack`. AddressSanitizer keeps its own idea of the stack
/// in use; told of each switch, it checks fibers' frames as it checks
/// threads' (and does not mistake a fiber's stack for a buffer overflow).
/// `leaving` is the last switch of a fiber that is done.
void switchContext(void **save, void *load, const void *stack, size_t bytes,
                   bool leaving = false) {
#ifdef NNRT_ASAN
  void *fakeStack = nullptr;
  __sanitizer_start_switch_fiber(leaving ? nullptr : &fakeStack, stack, bytes);
  nnrt_emu_switch(save, load);
  __sanitizer_finish_switch_fiber(fakeStack, nullptr, nullptr);
#else
  (void)stack, (void)bytes, (void)leaving;
  nnrt_emu_switch(save, load);
#endif
}

/// From a thread's fiber back to the scheduler.
void switchToScheduler(bool leaving = false) {
  switchContext(&run.contexts[run.current], run.scheduler, run.schedulerStack,
                run.schedulerStackBytes, leaving);
}

/// The entry of a thread's fiber, which never returns: the last switch
/// leaves it for good.
void fiberMain() {
#ifdef NNRT_ASAN
  // The first switch into a fiber ends here: finish it, learning where the
  // scheduler's stack is.
  __sanitizer_finish_switch_fiber(nullptr, &run.schedulerStack, &run.schedulerStackBytes);
#endif
  run.thread(run.args);
  run.state[run.current] = ThreadState::Done;
  switchToScheduler(/*leaving=*/true);
  __builtin_unreachable();
}

/// A fresh fiber's stack, laid out as nnrt_emu_switch leaves a context: the
/// control words, six callee-saved registers, then fiberMain as the return
/// address, placed so that fiberMain starts with the stack aligned as after
/// a call (rsp = 8 mod 16).
void *newFiber(char *stack, size_t bytes) {
  uintptr_t top = reinterpret_cast<uintptr_t>(stack + bytes) & ~uintptr_t(15);
  auto *sp = reinterpret_cast<uint64_t *>(top - 8);
  *--sp = reinterpret_cast<uint64_t>(&fiberMain);
  for (int r = 0; r < 6; ++r)
    *--sp = 0;
  uint32_t mxcsr;
  uint16_t fpcw;
  asm volatile("stmxcsr %0" : "=m"(mxcsr));
  asm volatile("fnstcw %0" : "=m"(fpcw));
  *--sp = uint64_t(mxcsr) | uint64_t(fpcw) << 32;
  return sp;
}

/// Yields from a thread's fiber to the scheduler in state `s`.
void waitAs(ThreadState s) {
  int self = run.current;
  run.state[self] = s;
  switchToScheduler();
}

/// Reports and counts a race at word `offset` of buffer `buffer`.
void reportRace(const char *kind, const SharedBuffer &buffer, size_t word, int other) {
  char text[320];
  std::snprintf(text, sizeof text,
                "shared-memory race (%s) in %s: threads %d and %d, shared buffer %d, byte %zu",
                kind, run.where().c_str(), other, run.current, (int)(&buffer - run.shared.data()),
                word * 4);
  if (run.races == 0)
    run.firstRace = text;
  if (run.races < kRacesPrinted)
    std::fprintf(stderr, "emu: %s\n", text);
  ++run.races;
}

/// Step 3: runs the block's threads, one fiber each, until all are done.
void runWithFibers(std::vector<char> &stacks) {
  run.stacks = stacks.data();
  for (int t = 0; t < run.threads; ++t) {
    run.contexts[t] = newFiber(stacks.data() + t * kStackBytes, kStackBytes);
    run.state[t] = ThreadState::Runnable;
  }
  for (;;) {
    bool ran = false;
    for (int t = 0; t < run.threads; ++t) {
      if (run.state[t] != ThreadState::Runnable)
        continue;
      run.current = t;
      switchContext(&run.scheduler, run.contexts[t], run.stacks + t * kStackBytes, kStackBytes);
      ran = true;
    }
    // Shuffles: a warp whose live threads have all arrived completes.
    bool released = false;
    for (int w = 0; w * kWarpSize < run.threads; ++w) {
      int first = w * kWarpSize, last = std::min(run.threads, first + kWarpSize);
      bool waiting = false, all = true;
      for (int t = first; t < last; ++t) {
        waiting |= run.state[t] == ThreadState::AtShuffle;
        all &= run.state[t] == ThreadState::AtShuffle || run.state[t] == ThreadState::Done;
      }
      if (!waiting || !all)
        continue;
      for (int t = first; t < last; ++t) {
        if (run.state[t] != ThreadState::AtShuffle)
          continue;
        // PTX's shfl.sync: c = clamp & 0x1f, segment mask = (clamp >> 8) & 0x1f.
        ShuffleSlot &s = run.shuffles[t];
        int lane = t - first, c = s.clamp & 0x1f, segment = (s.clamp >> 8) & 0x1f;
        int minLane = lane & segment, maxLane = minLane | (c & ~segment), j = lane;
        bool ok = false;
        switch (s.mode) {
        case 0:
          j = minLane | (s.lane & ~segment);
          ok = j <= maxLane;
          break; // idx
        case 1:
          j = lane - (int)s.lane;
          ok = j >= maxLane;
          break; // up
        case 2:
          j = lane + (int)s.lane;
          ok = j <= maxLane;
          break; // down
        default:
          j = lane ^ (int)s.lane;
          ok = j <= maxLane;
          break; // bfly
        }
        if (!ok || first + j >= last || run.state[first + j] != ThreadState::AtShuffle)
          ok = false, j = lane;
        s.result = run.shuffles[first + j].value;
        s.valid = ok;
      }
      for (int t = first; t < last; ++t)
        if (run.state[t] == ThreadState::AtShuffle)
          run.state[t] = ThreadState::Runnable;
      released = true;
    }
    if (ran || released)
      continue;
    int done = 0, atBarrier = 0;
    for (ThreadState s : run.state)
      done += s == ThreadState::Done, atBarrier += s == ThreadState::AtBarrier;
    if (done == run.threads)
      return;
    if (atBarrier + done == run.threads && done > 0)
      throw Error("barrier not reached by every thread in " + run.where() + ": " +
                  std::to_string(done) + " of " + std::to_string(run.threads) +
                  " threads ended while the others wait at a barrier");
    if (atBarrier != run.threads)
      throw Error("threads of " + run.where() +
                  " wait at a shuffle that the rest of their warp never reaches");
    // Every thread is at the barrier: a new epoch begins.
    ++run.epoch;
    for (ThreadState &s : run.state)
      s = ThreadState::Runnable;
  }
}

class Emulator : public Device {
public:
  explicit Emulator(const nnrt_program &program) : program(program) {}
  ~Emulator() override {
    for (void *p : allocations)
      std::free(p);
  }

  void *allocate(size_t bytes) override {
    void *p = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
    if (!p)
      throw Error("the emulator's device memory is full");
    std::memset(p, 0xff, bytes); // uninitialised device memory reads as NaN
    allocations.push_back(p);
    return p;
  }
  void copyToDevice(void *device, const void *host, size_t bytes) override {
    std::memcpy(device, host, bytes);
  }
  void copyToHost(void *host, const void *device, size_t bytes) override {
    std::memcpy(host, device, bytes);
  }

  void launch(int32_t kernel, Dim3 grid, Dim3 block, void **args) override {
    if (kernel < 0 || kernel >= program.num_kernels)
      throw Error("kernel " + std::to_string(kernel) + " is not in the program table");
    const nnrt_kernel &k = program.kernels[kernel];
    const nnrt_emulated_kernel &e = *k.emulated;
    run.kernel = k.name;
    run.grid = grid;
    run.block = block;
    run.threads = (int)block.count();
    run.fibers = e.synchronizes != 0;
    run.thread = e.thread;
    run.args = args;
    run.races = 0;
    run.state.assign(run.threads, ThreadState::Runnable);
    run.shuffles.assign(run.threads, ShuffleSlot());
    run.contexts.resize(run.threads);
    run.shared.clear();
    for (int32_t i = 0; i < e.num_shared; ++i)
      run.shared.push_back({static_cast<char *>(e.shared[i]), e.shared_bytes[i], {}});
    if (run.fibers)
      stacks.resize(std::max(stacks.size(), (size_t)run.threads * kStackBytes));
    for (run.blockId.z = 0; run.blockId.z < grid.z; ++run.blockId.z)
      for (run.blockId.y = 0; run.blockId.y < grid.y; ++run.blockId.y)
        for (run.blockId.x = 0; run.blockId.x < grid.x; ++run.blockId.x)
          runBlock();
    if (run.races)
      throw Error(std::to_string(run.races) + " shared-memory race(s) in kernel " + k.name +
                  "; the first: " + run.firstRace);
  }

private:
  const nnrt_program &program;
  std::vector<void *> allocations;
  std::vector<char> stacks;

  void runBlock() {
    // Step 1.
    run.epoch += 1; // a block never shares an epoch with the one before
    for (SharedBuffer &b : run.shared) {
      std::memset(b.base, 0xff, b.bytes);
      b.words.assign((b.bytes + 3) / 4, WordRecord());
    }
    if (run.fibers) {
      runWithFibers(stacks); // step 3
      return;
    }
    for (run.current = 0; run.current < run.threads; ++run.current) // step 2
      run.thread(run.args);
  }
};

} // namespace

std::unique_ptr<Device> createEmulator(const nnrt_program &program) {
  return std::make_unique<Emulator>(program);
}

} // namespace nnrt

//===----------------------------------------------------------------------===//
// What the emulated kernels call (codegen/gpu/KernelEmitter.cpp)
//===----------------------------------------------------------------------===//

using nnrt::run;

extern "C" {
int32_t nnrt_emu_tid_x() { return (int32_t)run.threadIndex(0); }
int32_t nnrt_emu_tid_y() { return (int32_t)run.threadIndex(1); }
int32_t nnrt_emu_tid_z() { return (int32_t)run.threadIndex(2); }
int32_t nnrt_emu_ntid_x() { return (int32_t)run.block.x; }
int32_t nnrt_emu_ntid_y() { return (int32_t)run.block.y; }
int32_t nnrt_emu_ntid_z() { return (int32_t)run.block.z; }
int32_t nnrt_emu_ctaid_x() { return (int32_t)run.blockId.x; }
int32_t nnrt_emu_ctaid_y() { return (int32_t)run.blockId.y; }
int32_t nnrt_emu_ctaid_z() { return (int32_t)run.blockId.z; }
int32_t nnrt_emu_nctaid_x() { return (int32_t)run.grid.x; }
int32_t nnrt_emu_nctaid_y() { return (int32_t)run.grid.y; }
int32_t nnrt_emu_nctaid_z() { return (int32_t)run.grid.z; }
int32_t nnrt_emu_laneid() { return run.current % nnrt::kWarpSize; }
int32_t nnrt_emu_warpsize() { return nnrt::kWarpSize; }

void nnrt_emu_barrier() {
  if (!run.fibers) // the emitter marks every kernel with a barrier
    std::abort();
  nnrt::waitAs(nnrt::ThreadState::AtBarrier);
}

int32_t nnrt_emu_shuffle(int32_t mode, int32_t mask, int32_t value, int32_t lane, int32_t clamp,
                         int8_t *valid) {
  (void)mask; // every kernel nnc makes shuffles with the whole warp
  nnrt::ShuffleSlot &s = run.shuffles[run.current];
  s.mode = mode;
  s.value = (uint32_t)value;
  s.lane = (uint32_t)lane;
  s.clamp = (uint32_t)clamp;
  nnrt::waitAs(nnrt::ThreadState::AtShuffle);
  *valid = s.valid;
  return (int32_t)s.result;
}

void nnrt_emu_shared_access(char *p, int64_t bytes, int32_t store) {
  for (nnrt::SharedBuffer &b : run.shared) {
    if (p < b.base || p >= b.base + b.bytes)
      continue;
    size_t first = (p - b.base) / 4, last = (p + bytes - 1 - b.base) / 4;
    for (size_t w = first; w <= last && w < b.words.size(); ++w) {
      nnrt::WordRecord &r = b.words[w];
      int self = run.current;
      if (store) {
        if (r.writeEpoch == run.epoch && r.writer != self)
          nnrt::reportRace("write after write", b, w, r.writer);
        else if (r.readEpoch == run.epoch && r.reader != self)
          nnrt::reportRace("write after read", b, w, r.reader == -2 ? -1 : r.reader);
        r.writeEpoch = run.epoch;
        r.writer = self;
      } else {
        if (r.writeEpoch == run.epoch && r.writer != self)
          nnrt::reportRace("read after write", b, w, r.writer);
        if (r.readEpoch != run.epoch)
          r.readEpoch = run.epoch, r.reader = self;
        else if (r.reader != self)
          r.reader = -2;
      }
    }
    return;
  }
}
} // extern "C"
