//===- TrainMain.cpp - the main() of NAME-train ---------------------------===//
//
// NAME-train [--steps N] [--seed S] [--data-dir DIR] [--feed NAME=FILE]...
//            [--test-feed NAME=FILE]... [--init FILE] [--checkpoint FILE]
//            [--checkpoint-every K] [--resume] [--log FILE.csv] [--quiet]
//
//  1. Variables and optimizer state from their initializers (--seed), then
//     --init (variables only) or --resume (everything, and the step).
//  2. The training data (data train block or --feed); with `report ... on
//     test`, the test data (data test block or --test-feed).
//  3. For each step: the next batch (an epoch is floor(N / batch) batches of
//     a permutation of the items, drawn anew per epoch from --seed unless
//     `shuffle: false`), one call of train_step, a report line every K steps,
//     a checkpoint every --checkpoint-every steps.
//  4. A checkpoint at the end.
//
//===----------------------------------------------------------------------===//

#include "runtime/Checkpoint.h"
#include "runtime/CommandLine.h"
#include "runtime/Feeds.h"
#include "runtime/Initializers.h"
#include "runtime/Main.h"
#include "support/Random.h"

#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>
#include <unistd.h>

namespace nnrt {

namespace abi = nn::abi;

namespace {

/// The epoch's order of the items: a Fisher-Yates shuffle driven by a Philox
/// stream of (seed, epoch), so any epoch can be re-created when resuming.
/// Written into `order` (sized once, before the loop: the loop allocates
/// nothing).
void epochOrder(std::vector<int64_t> &order, uint64_t seed, int64_t epoch, bool shuffle) {
  int64_t items = (int64_t)order.size();
  std::iota(order.begin(), order.end(), 0);
  if (!shuffle)
    return;
  nn::RandomStream random(seed, nn::streamId("shuffle") + (uint64_t)epoch);
  for (int64_t i = items - 1; i > 0; --i) {
    int64_t j = (int64_t)(((uint64_t)random.nextU32() << 32 | random.nextU32()) %
                          (uint64_t)(i + 1));
    std::swap(order[i], order[j]);
  }
}

void progress(int64_t step, int64_t steps, bool show) {
  if (!show)
    return;
  const int width = 30;
  int filled = (int)(width * step / std::max<int64_t>(steps, 1));
  std::fprintf(stderr, "\r[%.*s%*s] step %lld/%lld", filled,
               "==============================", width - filled, "", (long long)step,
               (long long)steps);
  std::fflush(stderr);
}

} // namespace

int trainMain(const Program &program, int argc, char **argv) {
  std::string name = program.model();
  CommandLine cl(name + "-train",
                 {{"steps", true, false, "N  optimizer steps (default: the train block's)"},
                  {"seed", true, false, "S  seed of initializers and shuffling (default 0)"},
                  {"threads", true, false, "N  threads of the parallel loops (default: all cores)"},
                  {"data-dir", true, false, "DIR  where the data blocks' relative paths start"},
                  {"feed", true, true, "NAME=FILE  training data for a placeholder"},
                  {"test-feed", true, true, "NAME=FILE  test data for a placeholder"},
                  {"init", true, false, "FILE  start from a checkpoint's variables"},
                  {"checkpoint", true, false, "FILE  the checkpoint (default NAME.safetensors)"},
                  {"checkpoint-every", true, false, "K  also write the checkpoint every K steps"},
                  {"resume", false, false, "continue from the checkpoint where it stopped"},
                  {"log", true, false, "FILE  every reported value as CSV"},
                  {"device", true, false, "DEV  cpu (the only device of a --target=cpu program)"},
                  {"quiet", false, false, "no progress bar"}});
  if (!cl.parse(argc, argv))
    return 0;
  setThreads(cl.getInt("threads", 0));
  if (cl.has("device") && cl.get("device") != "cpu")
    throw Error("device '" + cl.get("device") +
                "' is not available: this program was compiled with --target=cpu");
  const Function *step = program.function(abi::kTrainStep);
  if (!step)
    throw Error("this program has no train_step function");
  const Function *evaluate = program.function(abi::kEvaluate);
  const Function *evaluate1 = program.function(abi::kEvaluateOne);

  int64_t steps = cl.getInt("steps", std::stoll(program.setting(abi::kStepsSetting)));
  uint64_t seed = cl.getInt("seed", 0);
  int64_t checkpointEvery = cl.getInt("checkpoint-every", 0);
  int64_t reportEvery = std::stoll(program.setting(abi::kReportEverySetting));
  bool onTest = program.setting(abi::kReportOnTestSetting) == "1";
  bool shuffle = program.setting(abi::kShuffleSetting) != "0";
  std::vector<std::string> report = program.settingList(abi::kReportSetting);
  std::string checkpointPath = cl.get("checkpoint", name + ".safetensors");
  std::string dataDir = cl.get("data-dir");
  if (steps < 0 || checkpointEvery < 0)
    throw Error("--steps and --checkpoint-every must not be negative");

  // 1. Variables.
  for (const Tensor &v : program.variables())
    initializeVariable(v, seed);
  int64_t start = 0;
  if (cl.has("resume")) {
    Checkpoint ck = readCheckpoint(checkpointPath);
    restore(program, ck, {NNRT_VARIABLE, NNRT_CONST, NNRT_STATE}, true, checkpointPath);
    auto it = ck.metadata.find("step");
    if (it == ck.metadata.end())
      throw Error(checkpointPath + ": has no step to resume from");
    start = std::stoll(it->second);
    if (ck.metadata["seed"] != std::to_string(seed))
      std::fprintf(stderr, "%s-train: note: resuming a run of seed %s with --seed %llu\n",
                   name.c_str(), ck.metadata["seed"].c_str(), (unsigned long long)seed);
  } else if (cl.has("init")) {
    std::string path = cl.get("init");
    int loaded = restore(program, readCheckpoint(path), {NNRT_VARIABLE, NNRT_CONST}, false, path);
    if (loaded == 0)
      throw Error(path + ": holds none of this program's variables");
  }

  // 2. Data.
  auto feedMap = [&](const char *option) {
    std::map<std::string, std::string> m;
    for (auto &[n, f] : cl.pairs(option))
      m[n] = f;
    return m;
  };
  Feeds train = Feeds::load(program, *step, feedMap("feed"), "train", dataDir);
  int64_t batch = step->desc->batch;
  if (train.items < batch)
    throw Error("the training data has " + std::to_string(train.items) +
                " items, fewer than one batch of " + std::to_string(batch));
  Feeds test, testSingle;
  std::vector<std::string> aggregates;
  if (onTest && evaluate && evaluate1) {
    test = Feeds::load(program, *evaluate, feedMap("test-feed"), "test", dataDir);
    testSingle = Feeds::load(program, *evaluate1, feedMap("test-feed"), "test", dataDir);
    for (const std::string &r : report)
      aggregates.push_back(program.setting(abi::aggregateSetting(r)));
  }

  FILE *log = nullptr;
  if (cl.has("log")) {
    log = std::fopen(cl.get("log").c_str(), start > 0 ? "a" : "w");
    if (!log)
      throw Error(cl.get("log") + ": cannot write");
    if (start == 0) {
      std::fprintf(log, "step");
      for (const std::string &r : report)
        std::fprintf(log, ",%s", r.c_str());
      std::fprintf(log, "\n");
    }
  }

  auto save = [&](int64_t at) {
    Checkpoint ck = snapshot(program, {NNRT_VARIABLE, NNRT_CONST, NNRT_STATE});
    ck.metadata["step"] = std::to_string(at);
    ck.metadata["seed"] = std::to_string(seed);
    ck.metadata["model"] = name;
    writeCheckpoint(checkpointPath, ck);
  };

  // 3. The loop.
  bool bar = !cl.has("quiet") && isatty(2);
  int64_t perEpoch = train.items / batch, epoch = -1;
  std::vector<int64_t> order(train.items);
  for (int64_t s = start + 1; s <= steps; ++s) {
    int64_t index = (s - 1) % perEpoch, e = (s - 1) / perEpoch;
    if (e != epoch) {
      epochOrder(order, seed, e, shuffle);
      epoch = e;
    }
    train.fillBatch(*step, index * batch, batch, &order);
    nnrt_dropout_key[0] = (int64_t)seed; // dropout masks: a function of (seed, step)
    nnrt_dropout_key[1] = s;
    step->run();
    float loss = scalarOf(step->outputs[0]);
    if (!std::isfinite(loss)) {
      if (bar)
        std::fprintf(stderr, "\n");
      throw Error("step " + std::to_string(s) + ": the loss is " +
                  (std::isnan(loss) ? "NaN" : "infinite") +
                  "; try a smaller learning rate (the last checkpoint is unchanged)");
    }
    if (reportEvery > 0 && s % reportEvery == 0 && !report.empty()) {
      std::vector<double> values;
      if (onTest) {
        values = evaluateOverItems(*evaluate, *evaluate1, test, testSingle, aggregates);
      } else {
        for (const std::string &r : report)
          for (const Tensor &out : step->outputs)
            if (r == out.name()) {
              values.push_back(scalarOf(out));
              break;
            }
      }
      std::string line = "Step: " + std::to_string(s);
      char buffer[64];
      for (size_t i = 0; i < report.size(); ++i) {
        std::snprintf(buffer, sizeof buffer, ", %s: %f", report[i].c_str(), values[i]);
        line += buffer;
      }
      if (bar)
        std::fprintf(stderr, "\r%60s\r", "");
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
      if (log) {
        std::fprintf(log, "%lld", (long long)s);
        for (double v : values)
          std::fprintf(log, ",%.9g", v);
        std::fprintf(log, "\n");
        std::fflush(log);
      }
    }
    if (checkpointEvery > 0 && s % checkpointEvery == 0)
      save(s);
    progress(s, steps, bar && s % 10 == 0);
  }
  if (bar)
    std::fprintf(stderr, "\r%60s\r", "");
  if (log)
    std::fclose(log);
  // 4. The final checkpoint.
  save(std::max(start, steps));
  return 0;
}

} // namespace nnrt
