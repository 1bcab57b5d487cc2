//===- Threads.cpp - the thread pool of the compiled parallel loops -------===//
//
// nnrt_parallel_for (support/ProgramABI.h) runs the ranges of a parallel
// loop that nn-outline-parallel-loops made into a function: the iterations
// [0, n) are cut into one contiguous range per thread, thread t taking
// [t n / T, (t + 1) n / T), and the caller runs range 0 itself.
//
// A step of a train program calls it dozens of times, a few microseconds of
// work each, with short serial stretches between (a softmax, a bias
// gradient). Waking a sleeping thread costs about as much as the work, so
// the T - 1 workers spin on the job counter for a while after each job
// (`kSpinTime`, as OpenMP runtimes do) and only then sleep on a condition
// variable. The caller spins until the workers are done: their ranges are as
// long as its own. Spinning threads yield the core now and then, so that
// they do not starve the thread they wait for when cores are oversubscribed.
//
// The pool starts its workers at the first parallel loop, with the number of
// threads set by --threads (setThreads) or, by default, one per core this
// process may run on.
//
//===----------------------------------------------------------------------===//

#include "runtime/Threads.h"
#include "support/Error.h"
#include "support/ProgramABI.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <sched.h>
#include <string>
#include <thread>
#include <vector>

namespace nnrt {

namespace {

/// How long an idle worker keeps spinning before it sleeps.
constexpr std::chrono::microseconds kSpinTime(2000);

/// One turn of a spin loop. Every 64th turn gives the core away if another
/// thread wants it: when more threads than cores are busy (two programs at
/// once, --threads above the core count), spinning would take the time the
/// thread it waits for needs.
void cpuRelax(unsigned spins) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
  if (spins % 64 == 63)
    sched_yield();
}

class ThreadPool {
public:
  ~ThreadPool() { stop(); }

  void setSize(int threads) {
    stop();
    size = threads;
  }

  void run(void (*body)(int64_t, int64_t), int64_t iterations) {
    if (iterations <= 0)
      return;
    if (size == 0)
      size = defaultSize();
    int parts = (int)std::min<int64_t>(size, iterations);
    if (parts <= 1 || insideJob) {
      body(0, iterations);
      return;
    }
    start();
    job = {body, iterations, parts};
    pending.store(parts - 1, std::memory_order_relaxed);
    // Publish the job; wake the workers that went to sleep (see wait()).
    generation.fetch_add(1, std::memory_order_seq_cst);
    if (sleeping.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lock(mutex);
      wake.notify_all();
    }
    insideJob = true;
    runPart(0);
    insideJob = false;
    for (unsigned spins = 0; pending.load(std::memory_order_acquire) != 0; ++spins)
      cpuRelax(spins);
  }

private:
  struct Job {
    void (*body)(int64_t, int64_t) = nullptr;
    int64_t iterations = 0;
    int parts = 0;
  };

  int size = 0; // 0: not set yet
  std::vector<std::thread> workers;
  Job job;
  std::atomic<uint64_t> generation{0};
  std::atomic<int> pending{0};
  std::atomic<int> sleeping{0};
  bool stopping = false;
  std::mutex mutex;
  std::condition_variable wake;
  static thread_local bool insideJob;

  static int defaultSize() {
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0)
      return std::max(1, CPU_COUNT(&cpus));
    return std::max(1u, std::thread::hardware_concurrency());
  }

  void runPart(int part) {
    int64_t n = job.iterations, first = n * part / job.parts, last = n * (part + 1) / job.parts;
    if (first < last)
      job.body(first, last);
  }

  void start() {
    if (!workers.empty())
      return;
    // Workers 1 .. size-1 take the parts 1 .. parts-1 of each job: every job
    // published after this generation (the first is about to be).
    uint64_t now = generation.load(std::memory_order_relaxed);
    for (int t = 1; t < size; ++t)
      workers.emplace_back([this, t, now] { work(t, now); });
  }

  void stop() {
    if (workers.empty())
      return;
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    generation.fetch_add(1, std::memory_order_seq_cst);
    wake.notify_all();
    for (std::thread &w : workers)
      w.join();
    workers.clear();
    stopping = false;
  }

  void work(int part, uint64_t seen) {
    insideJob = true; // a parallel loop inside a body runs on its thread
    for (;;) {
      seen = wait(seen);
      if (stopping)
        return;
      if (part < job.parts) {
        runPart(part);
        pending.fetch_sub(1, std::memory_order_acq_rel);
      }
    }
  }

  /// Waits for a generation after `seen`: spinning first, then asleep. The
  /// seq_cst order of `sleeping++; read generation` here against
  /// `generation++; read sleeping` in run() means that one of the two sees
  /// the other: a job is never published to a worker that sleeps unwoken.
  uint64_t wait(uint64_t seen) {
    auto until = std::chrono::steady_clock::now() + kSpinTime;
    for (unsigned spins = 0;; ++spins) {
      uint64_t now = generation.load(std::memory_order_acquire);
      if (now != seen)
        return now;
      cpuRelax(spins);
      if (spins % 256 == 0 && std::chrono::steady_clock::now() > until)
        break;
    }
    std::unique_lock<std::mutex> lock(mutex);
    sleeping.fetch_add(1, std::memory_order_seq_cst);
    uint64_t now;
    while ((now = generation.load(std::memory_order_seq_cst)) == seen && !stopping)
      wake.wait(lock);
    sleeping.fetch_sub(1, std::memory_order_relaxed);
    return now;
  }
};

thread_local bool ThreadPool::insideJob = false;

ThreadPool &pool() {
  static ThreadPool instance;
  return instance;
}

} // namespace

void setThreads(int64_t threads) {
  if (threads < 0 || threads > 4096)
    throw nn::Error("--threads " + std::to_string(threads) + ": expected 1 to 4096 (0: all cores)");
  if (threads > 0)
    pool().setSize((int)threads);
}

} // namespace nnrt

extern "C" void nnrt_parallel_for(void (*body)(int64_t, int64_t), int64_t iterations) {
  nnrt::pool().run(body, iterations);
}
