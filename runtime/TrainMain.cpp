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

#include <algorithm>
#include <cerrno>
#include <climits>
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
    int64_t j =
        (int64_t)(((uint64_t)random.nextU32() << 32 | random.nextU32()) % (uint64_t)(i + 1));
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

/// What a run does, from the train block (the table's settings) and the
/// command line.
struct RunSettings {
  int64_t steps, reportEvery, checkpointEvery;
  uint64_t seed;
  bool onTest, shuffle;
  std::vector<std::string> report; // the reported values' names
  std::string checkpoint, dataDir;
};

RunSettings readSettings(const Program &program, const CommandLine &cl) {
  RunSettings r;
  // Steps and the checkpoint interval as the .nn file's integer settings
  // (at most 2^31 - 1); a seed is any non-negative int64, recorded as given.
  const int64_t maxSteps = 2147483647, maxSeed = INT64_MAX;
  r.steps = cl.getInt("steps", std::stoll(program.setting(abi::kStepsSetting)), 0, maxSteps);
  r.seed = (uint64_t)cl.getInt("seed", 0, 0, maxSeed);
  r.checkpointEvery = cl.getInt("checkpoint-every", 0, 0, maxSteps);
  if (cl.has("resume") && cl.has("init"))
    throw Error("--resume continues a run from its own checkpoint, --init starts a new run "
                "from another's variables: give one of them");
  r.reportEvery = std::stoll(program.setting(abi::kReportEverySetting));
  r.onTest = program.setting(abi::kReportOnTestSetting) == "1";
  r.shuffle = program.setting(abi::kShuffleSetting) != "0";
  r.report = program.settingList(abi::kReportSetting);
  r.checkpoint = cl.get("checkpoint", program.model() + ".safetensors");
  r.dataDir = cl.get("data-dir");
  if (r.steps < 0 || r.checkpointEvery < 0)
    throw Error("--steps and --checkpoint-every must not be negative");
  return r;
}

/// Step 1: variables and optimizer state from their initializers, then
/// --resume (everything, and the step) or --init (variables only). Returns
/// the step the run starts after.
int64_t initializeState(const Program &program, const CommandLine &cl, const RunSettings &run) {
  for (const Tensor &v : program.variables())
    initializeVariable(v, run.seed);
  if (cl.has("resume")) {
    Checkpoint ck = readCheckpoint(run.checkpoint);
    restore(program, ck, {NNRT_VARIABLE, NNRT_CONST, NNRT_STATE}, true, run.checkpoint);
    auto it = ck.metadata.find("step");
    if (it == ck.metadata.end())
      throw Error(run.checkpoint + ": has no step to resume from");
    if (ck.metadata["seed"] != std::to_string(run.seed))
      std::fprintf(stderr, "%s-train: note: resuming a run of seed %s with --seed %llu\n",
                   program.model().c_str(), ck.metadata["seed"].c_str(),
                   (unsigned long long)run.seed);
    char *end = nullptr;
    errno = 0;
    long long step = std::strtoll(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || errno == ERANGE || step < 0 || step > INT32_MAX)
      throw Error(run.checkpoint + ": its step '" + it->second +
                  "' is not a step count (0 to 2147483647)");
    return step;
  }
  if (cl.has("init")) {
    std::string path = cl.get("init");
    int loaded = restore(program, readCheckpoint(path), {NNRT_VARIABLE, NNRT_CONST}, false, path);
    if (loaded == 0)
      throw Error(path + ": holds none of this program's variables");
  }
  return 0;
}

/// Step 2: the training data and, with `report ... on test`, the test data,
/// in full batches for `evaluate` and one by one for `evaluate_1`.
struct RunData {
  Feeds train, test, testSingle;
  std::vector<std::string> aggregates; // "sum" or "mean" per reported value
};

RunData loadData(const Program &program, const CommandLine &cl, const RunSettings &run,
                 const Function &step, const Function *evaluate, const Function *evaluate1) {
  RunData data;
  data.train = Feeds::load(program, step, checkedFeeds(cl.pairs("feed"), "feed", {&step}, "train"),
                           "train", run.dataDir);
  int64_t batch = step.desc->batch;
  if (data.train.items < batch)
    throw Error("the training data has " + std::to_string(data.train.items) +
                " items, fewer than one batch of " + std::to_string(batch));
  if (run.onTest && evaluate && evaluate1) {
    data.test = Feeds::load(program, *evaluate,
                            checkedFeeds(cl.pairs("test-feed"), "test-feed", {evaluate}, "train"),
                            "test", run.dataDir);
    data.testSingle = Feeds::load(
        program, *evaluate1, checkedFeeds(cl.pairs("test-feed"), "test-feed", {evaluate1}, "train"),
        "test", run.dataDir);
    for (const std::string &r : run.report)
      data.aggregates.push_back(program.setting(abi::aggregateSetting(r)));
  }
  return data;
}

/// --log FILE.csv: a header, then a row per report; appended to on --resume.
class ReportLog {
public:
  ReportLog(const CommandLine &cl, const std::vector<std::string> &report, bool resumed) {
    if (!cl.has("log"))
      return;
    file = std::fopen(cl.get("log").c_str(), resumed ? "a" : "w");
    if (!file)
      throw Error(cl.get("log") + ": cannot write");
    if (resumed)
      return;
    std::fprintf(file, "step");
    for (const std::string &r : report)
      std::fprintf(file, ",%s", r.c_str());
    std::fprintf(file, "\n");
  }
  ~ReportLog() {
    if (file)
      std::fclose(file);
  }
  void write(int64_t step, const std::vector<double> &values) {
    if (!file)
      return;
    std::fprintf(file, "%lld", (long long)step);
    for (double v : values)
      std::fprintf(file, ",%.9g", v);
    std::fprintf(file, "\n");
    std::fflush(file);
  }

private:
  FILE *file = nullptr;
};

/// The line `Step: 100, loss: 7747.077148, accuracy: 0.848400`.
void printReport(int64_t step, const std::vector<std::string> &names,
                 const std::vector<double> &values, bool bar) {
  std::string line = "Step: " + std::to_string(step);
  char buffer[64];
  for (size_t i = 0; i < names.size(); ++i) {
    std::snprintf(buffer, sizeof buffer, ", %s: %f", names[i].c_str(), values[i]);
    line += buffer;
  }
  if (bar)
    std::fprintf(stderr, "\r%60s\r", "");
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

/// The values a report shows: over the test set, or from this step's outputs.
std::vector<double> reportedValues(const RunSettings &run, const RunData &data,
                                   const Function &step, const Function *evaluate,
                                   const Function *evaluate1) {
  if (run.onTest)
    return evaluateOverItems(*evaluate, *evaluate1, data.test, data.testSingle, data.aggregates);
  std::vector<double> values;
  for (const std::string &r : run.report)
    for (const Tensor &out : step.outputs)
      if (r == out.name()) {
        values.push_back(scalarOf(out));
        break;
      }
  return values;
}

/// One optimizer step on the next batch of the epoch's order; a loss that
/// is not finite ends the run.
void runStep(const Function &step, const RunData &data, std::vector<int64_t> &order, int64_t &epoch,
             int64_t s, const RunSettings &run, bool bar) {
  int64_t batch = step.desc->batch, perEpoch = data.train.items / batch;
  int64_t index = (s - 1) % perEpoch, e = (s - 1) / perEpoch;
  if (e != epoch) {
    epochOrder(order, run.seed, e, run.shuffle);
    epoch = e;
  }
  data.train.fillBatch(step, index * batch, batch, &order);
  nnrt_dropout_key[0] = (int64_t)run.seed; // dropout masks: a function of (seed, step)
  nnrt_dropout_key[1] = s;
  step.run();
  float loss = scalarOf(step.outputs[0]);
  if (!std::isfinite(loss)) {
    if (bar)
      std::fprintf(stderr, "\n");
    throw Error("step " + std::to_string(s) + ": the loss is " +
                (std::isnan(loss) ? "NaN" : "infinite") +
                "; try a smaller learning rate (the last checkpoint is unchanged)");
  }
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
                  {"device", true, false,
                   "DEV  cpu for a --target=cpu program; cuda (default) or emu for --target=cuda"},
                  {"quiet", false, false, "no progress bar"}});
  if (!cl.parse(argc, argv))
    return 0;
  applyDeviceOptions(program, cl);
  const Function *step = program.function(abi::kTrainStep);
  if (!step)
    throw Error("this program has no train_step function");
  const Function *evaluate = program.function(abi::kEvaluate);
  const Function *evaluate1 = program.function(abi::kEvaluateOne);
  RunSettings run = readSettings(program, cl);

  int64_t start = initializeState(program, cl, run);                     // 1.
  RunData data = loadData(program, cl, run, *step, evaluate, evaluate1); // 2.
  ReportLog log(cl, run.report, start > 0);
  auto save = [&](int64_t at) {
    Checkpoint ck = snapshot(program, {NNRT_VARIABLE, NNRT_CONST, NNRT_STATE});
    ck.metadata["step"] = std::to_string(at);
    ck.metadata["seed"] = std::to_string(run.seed);
    ck.metadata["model"] = name;
    writeCheckpoint(run.checkpoint, ck);
  };

  // 3. The loop.
  bool bar = !cl.has("quiet") && isatty(2);
  int64_t epoch = -1;
  std::vector<int64_t> order(data.train.items);
  for (int64_t s = start + 1; s <= run.steps; ++s) {
    runStep(*step, data, order, epoch, s, run, bar);
    // Every K steps, and the last step too, so that a run shorter than K
    // (or not a multiple of it) still ends by saying where it got to.
    bool reportDue = s % std::max<int64_t>(run.reportEvery, 1) == 0 || s == run.steps;
    if (run.reportEvery > 0 && reportDue && !run.report.empty()) {
      std::vector<double> values = reportedValues(run, data, *step, evaluate, evaluate1);
      printReport(s, run.report, values, bar);
      log.write(s, values);
    }
    if (run.checkpointEvery > 0 && s % run.checkpointEvery == 0)
      save(s);
    progress(s, run.steps, bar && s % 10 == 0);
  }
  if (bar)
    std::fprintf(stderr, "\r%60s\r", "");
  // 4. The final checkpoint.
  save(std::max(start, run.steps));
  return 0;
}

} // namespace nnrt
