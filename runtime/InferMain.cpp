//===- InferMain.cpp - the main() of NAME-infer ---------------------------===//
//
// NAME-infer [--checkpoint FILE] [--data-dir DIR] [--feed NAME=FILE]...
//            [--output FILE.npy|FILE.csv] [--seed S] [--device cpu|cuda|emu]
//            [--benchmark N]
//
//  1. Initialise the variables (from their initializers and --seed).
//  2. Load every placeholder of `infer` from --feed or the `data test` block.
//  3. Run `infer` over all items in batches of the infer block's size, and
//     the items left after the last full batch through `infer_1` (batch 1).
//  4. Print each output row by row, or write them all to --output.
//
// With --benchmark N, steps 3 and 4 are replaced by a timing of the forward
// function alone: one batch of the data copied in once, then warm-up calls
// and N timed calls of `infer` (and of `infer_1`), no I/O in between, so the
// figure compares with a framework's in-process forward pass.
//
//===----------------------------------------------------------------------===//

#include "runtime/Checkpoint.h"
#include "runtime/CommandLine.h"
#include "runtime/Feeds.h"
#include "runtime/Initializers.h"
#include "runtime/Main.h"
#include "runtime/Writers.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>

namespace nnrt {

namespace abi = nn::abi;

namespace {

double elementAsDouble(const Tensor &t, int64_t i) {
  switch (t.desc->dtype) {
  case NNRT_I64:
    return (double)static_cast<const int64_t *>(t.desc->data)[i];
  case NNRT_BOOL:
    return static_cast<const uint8_t *>(t.desc->data)[i] ? 1.0 : 0.0;
  default:
    return static_cast<const float *>(t.desc->data)[i];
  }
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() > suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string formatValue(const Tensor &t, double v) {
  char buffer[64];
  if (t.desc->dtype == NNRT_F32)
    std::snprintf(buffer, sizeof buffer, "%f", v);
  else
    std::snprintf(buffer, sizeof buffer, "%lld", (long long)v);
  return buffer;
}

/// Every output's values, item after item, and the length of one item's.
struct OutputRows {
  std::vector<std::vector<double>> values; // per output
  std::vector<int64_t> rowLength;          // per output
};

/// Runs `infer` over all items in full batches; the items after the last
/// full batch (a single image, say) go through its batch-1 twin `infer_1`
/// one at a time, so no work is spent on padding. Without the twin the last
/// batch is padded.
OutputRows runOverItems(const Function &fn, const Function *single, const Feeds &data) {
  OutputRows rows{std::vector<std::vector<double>>(fn.outputs.size()),
                  std::vector<int64_t>(fn.outputs.size())};
  int64_t batch = fn.desc->batch > 0 ? fn.desc->batch : 1;
  for (int64_t first = 0; first < data.items;) {
    int64_t count = std::min(batch, data.items - first);
    const Function *f = &fn;
    if (count < batch && single) {
      f = single;
      count = 1;
    }
    data.fillBatch(*f, first, count);
    f->run();
    for (size_t o = 0; o < f->outputs.size(); ++o) {
      const Tensor &out = f->outputs[o];
      rows.rowLength[o] = out.itemSize();
      int64_t n = out.desc->batched ? count * out.itemSize() : out.numElements();
      for (int64_t i = 0; i < n; ++i)
        rows.values[o].push_back(elementAsDouble(out, i));
    }
    first += count;
  }
  return rows;
}

/// The train block's reported values over the same data ("loss: 4803.431303,
/// accuracy: 0.834200"), when the data hold every placeholder they need: all
/// of them given by --feed, or none (then all from the data block). Feeding
/// images alone (to classify them) says nothing about labels: "" then.
std::string metrics(const Program &program, const std::map<std::string, std::string> &feeds,
                    const std::string &dataDir) {
  const Function *evaluate = program.function(abi::kEvaluate);
  const Function *evaluate1 = program.function(abi::kEvaluateOne);
  if (!evaluate || !evaluate1)
    return "";
  size_t fed = 0, fromBlock = 0;
  for (const Tensor &in : evaluate->inputs) {
    fed += feeds.count(in.name());
    fromBlock += !program.setting(abi::dataSourceSetting("test", in.name())).empty();
  }
  size_t needed = evaluate->inputs.size();
  if (fed != needed && !(fed == 0 && fromBlock == needed))
    return "";
  Feeds batches = Feeds::load(program, *evaluate, feeds, "test", dataDir);
  Feeds items = Feeds::load(program, *evaluate1, feeds, "test", dataDir);
  std::vector<std::string> names = program.settingList(abi::kReportSetting), aggregates;
  for (const std::string &name : names)
    aggregates.push_back(program.setting(abi::aggregateSetting(name)));
  std::vector<double> values = evaluateOverItems(*evaluate, *evaluate1, batches, items, aggregates);
  std::string line;
  char buffer[64];
  for (size_t i = 0; i < names.size(); ++i) {
    std::snprintf(buffer, sizeof buffer, "%s%s: %f", i ? ", " : "", names[i].c_str(), values[i]);
    line += buffer;
  }
  return line;
}

/// One line per item and output; with several outputs each line is named.
void printRows(const Function &fn, const OutputRows &rows) {
  size_t outputs = fn.outputs.size();
  std::vector<size_t> next(outputs, 0);
  bool more = true;
  while (more) {
    more = false;
    for (size_t o = 0; o < outputs; ++o) {
      if (next[o] >= rows.values[o].size())
        continue;
      more = true;
      std::string line = outputs > 1 ? std::string(fn.outputs[o].name()) + ": " : "";
      for (int64_t i = 0; i < rows.rowLength[o]; ++i) {
        if (i)
          line += ' ';
        line += formatValue(fn.outputs[o], rows.values[o][next[o] + i]);
      }
      next[o] += rows.rowLength[o];
      std::puts(line.c_str());
    }
  }
}

/// --output FILE.npy|FILE.csv: one row per item, the outputs side by side.
/// A single batched output keeps its item shape ([N, 28, 28]); otherwise
/// each row is the outputs' values side by side ([N, width]).
void writeRows(const Function &fn, const OutputRows &rows, const std::string &output) {
  int64_t items = rows.rowLength[0] ? rows.values[0].size() / rows.rowLength[0] : 0;
  int64_t width = 0;
  for (size_t o = 0; o < fn.outputs.size(); ++o) {
    if (rows.rowLength[o] && (int64_t)(rows.values[o].size() / rows.rowLength[o]) != items)
      throw Error(output + ": outputs have different numbers of rows; write one at a time");
    width += rows.rowLength[o];
  }
  std::vector<float> table;
  table.reserve(items * width);
  for (int64_t r = 0; r < items; ++r)
    for (size_t o = 0; o < fn.outputs.size(); ++o)
      for (int64_t i = 0; i < rows.rowLength[o]; ++i)
        table.push_back((float)rows.values[o][r * rows.rowLength[o] + i]);
  std::vector<int64_t> shape = {items};
  const Tensor &first = fn.outputs[0];
  if (fn.outputs.size() == 1 && first.desc->batched)
    for (int i = 1; i < first.desc->rank; ++i)
      shape.push_back(first.desc->dims[i]);
  else
    shape.push_back(width);
  if (endsWith(output, ".npy"))
    writeNPY(output, table, shape);
  else
    writeCSV(output, table, width ? width : 1);
}

/// --benchmark N: fills one batch of `fn` with the first items of `data`,
/// calls it N/10 + 1 times to warm the caches (and the thread pool), then
/// times N calls one by one and prints the median, the range and the items
/// per second at the median:
///   benchmark: infer, batch 100, 200 calls: median 812.041 us (min 790.125,
///   max 1020.307), 123146 items/s
/// Times to the nanosecond: a small network's forward pass takes tens of
/// nanoseconds (sigmoid_network: 0.05 us), which one decimal of a
/// microsecond printed as 0.0.
/// The median, not the mean: one call preempted by another process on a
/// shared machine moves a mean but not a median.
void benchmark(const Function &fn, const Feeds &data, int64_t calls) {
  int64_t batch = fn.desc->batch > 0 ? fn.desc->batch : 1;
  data.fillBatch(fn, 0, std::min(batch, data.items));
  for (int64_t i = 0; i < calls / 10 + 1; ++i)
    fn.run();
  std::vector<double> us(calls);
  for (double &t : us) {
    auto start = std::chrono::steady_clock::now();
    fn.run();
    t = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  }
  std::sort(us.begin(), us.end());
  double median = calls % 2 ? us[calls / 2] : (us[calls / 2 - 1] + us[calls / 2]) / 2;
  std::printf("benchmark: %s, batch %lld, %lld calls: median %.3f us (min %.3f, max %.3f), "
              "%.0f items/s\n",
              fn.desc->name, (long long)batch, (long long)calls, median, us.front(), us.back(),
              batch * 1e6 / median);
}

} // namespace

int inferMain(const Program &program, int argc, char **argv) {
  CommandLine cl(program.model() + "-infer",
                 {{"checkpoint", true, false, "FILE  variables from a .safetensors checkpoint"},
                  {"data-dir", true, false, "DIR  where the data block's relative paths start"},
                  {"feed", true, true, "NAME=FILE  data for a placeholder (.npy, .csv, .idx)"},
                  {"output", true, false, "FILE  write the outputs to FILE.npy or FILE.csv"},
                  {"seed", true, false, "S  seed of the random initializers (default 0)"},
                  {"threads", true, false, "N  threads of the parallel loops (default: all cores)"},
                  {"device", true, false,
                   "DEV  cpu for a --target=cpu program; cuda (default) or emu for --target=cuda"},
                  {"benchmark", true, false,
                   "N  time N calls of the forward function alone (no output written)"}});
  if (!cl.parse(argc, argv))
    return 0;
  applyDeviceOptions(program, cl);
  std::string output = cl.get("output");
  if (!output.empty() && !endsWith(output, ".npy") && !endsWith(output, ".csv"))
    throw Error(output + ": --output must end in .npy or .csv");
  const Function *fn = program.function(abi::kInfer);
  if (!fn)
    throw Error("this program has no infer function");

  // 1. Variables.
  uint64_t seed = (uint64_t)cl.getInt("seed", 0, 0, INT64_MAX); // as the train program
  for (const Tensor &v : program.variables())
    initializeVariable(v, seed);
  if (cl.has("checkpoint")) {
    std::string path = cl.get("checkpoint");
    restore(program, readCheckpoint(path), {NNRT_VARIABLE, NNRT_CONST}, true, path);
  }

  // 2. The placeholders' data: --feed or the data test block.
  // --feed must name a placeholder that the outputs or the reported values read.
  std::map<std::string, std::string> feeds =
      checkedFeeds(cl.pairs("feed"), "feed", {fn, program.function(abi::kEvaluate)}, "infer");
  std::map<std::string, std::string> inferFeeds;
  for (const Tensor &in : fn->inputs)
    if (feeds.count(in.name()))
      inferFeeds[in.name()] = feeds[in.name()];
  Feeds data = Feeds::load(program, *fn, inferFeeds, "test", cl.get("data-dir"));

  if (cl.has("benchmark")) {
    if (data.items == 0)
      throw Error("--benchmark needs at least one item of data");
    int64_t calls = cl.getInt("benchmark", 0, 1, 1000000);
    benchmark(*fn, data, calls);
    if (const Function *single = program.function(abi::kInferOne)) {
      Feeds one = Feeds::load(program, *single, inferFeeds, "test", cl.get("data-dir"));
      benchmark(*single, one, calls);
    }
    return 0;
  }

  // 3. Every item through infer; 4. the outputs, then the metrics.
  OutputRows rows = runOverItems(*fn, program.function(abi::kInferOne), data);
  std::string summary = metrics(program, feeds, cl.get("data-dir"));
  if (output.empty())
    printRows(*fn, rows);
  else
    writeRows(*fn, rows, output);
  if (!summary.empty())
    std::puts(summary.c_str());
  return 0;
}

} // namespace nnrt
