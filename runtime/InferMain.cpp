//===- InferMain.cpp - the main() of NAME-infer ---------------------------===//
//
// NAME-infer [--checkpoint FILE] [--data-dir DIR] [--feed NAME=FILE]...
//            [--output FILE.npy|FILE.csv] [--seed S] [--device cpu]
//
//  1. Initialise the variables (from their initializers and --seed).
//  2. Load every placeholder of `infer` from --feed or the `data test` block.
//  3. Run `infer` over all items in batches of the infer block's size, and
//     the items left after the last full batch through `infer_1` (batch 1).
//  4. Print each output row by row, or write them all to --output.
//
//===----------------------------------------------------------------------===//

#include "runtime/Checkpoint.h"
#include "runtime/CommandLine.h"
#include "runtime/Feeds.h"
#include "runtime/Initializers.h"
#include "runtime/Main.h"
#include "runtime/Writers.h"

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

std::string formatValue(const Tensor &t, double v) {
  char buffer[64];
  if (t.desc->dtype == NNRT_F32)
    std::snprintf(buffer, sizeof buffer, "%f", v);
  else
    std::snprintf(buffer, sizeof buffer, "%lld", (long long)v);
  return buffer;
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
                  {"device", true, false, "DEV  cpu (the only device of a --target=cpu program)"}});
  if (!cl.parse(argc, argv))
    return 0;
  setThreads(cl.getInt("threads", 0));
  if (cl.has("device") && cl.get("device") != "cpu")
    throw Error("device '" + cl.get("device") +
                "' is not available: this program was compiled with --target=cpu");
  std::string output = cl.get("output");
  bool toNpy = output.size() > 4 && output.compare(output.size() - 4, 4, ".npy") == 0;
  bool toCsv = output.size() > 4 && output.compare(output.size() - 4, 4, ".csv") == 0;
  if (!output.empty() && !toNpy && !toCsv)
    throw Error(output + ": --output must end in .npy or .csv");

  const Function *fn = program.function(abi::kInfer);
  if (!fn)
    throw Error("this program has no infer function");
  uint64_t seed = cl.getInt("seed", 0);
  for (const Tensor &v : program.variables())
    initializeVariable(v, seed);
  if (cl.has("checkpoint")) {
    std::string path = cl.get("checkpoint");
    restore(program, readCheckpoint(path), {NNRT_VARIABLE, NNRT_CONST}, true, path);
  }

  std::map<std::string, std::string> feeds;
  for (auto &[name, file] : cl.pairs("feed")) {
    bool known = false;
    std::string names;
    // Placeholders of the outputs and of the reported values.
    std::vector<const Function *> readers = {fn, program.function(abi::kEvaluate)};
    for (const Function *reader : readers)
      for (size_t i = 0; reader && i < reader->inputs.size(); ++i) {
        std::string in = reader->inputs[i].name();
        if ((", " + names + ", ").find(", " + in + ", ") != std::string::npos)
          continue; // listed already
        known |= name == in;
        names += std::string(names.empty() ? "" : ", ") + in;
      }
    if (!known)
      throw Error("--feed " + name + ": the infer program has no placeholder '" + name +
                  "' (it reads: " + (names.empty() ? "none" : names) + ")");
    feeds[name] = file;
  }
  std::map<std::string, std::string> inferFeeds;
  for (const Tensor &in : fn->inputs)
    if (feeds.count(in.name()))
      inferFeeds[in.name()] = feeds[in.name()];
  Feeds data = Feeds::load(program, *fn, inferFeeds, "test", cl.get("data-dir"));

  // Rows of every output, gathered over all batches.
  std::vector<std::vector<double>> rows(fn->outputs.size());
  std::vector<int64_t> rowLength(fn->outputs.size());
  int64_t batch = fn->desc->batch > 0 ? fn->desc->batch : 1;
  // Full batches go through `infer`; the items after the last full batch (a
  // single image, say) through its batch-1 twin `infer_1` one at a time, so
  // no work is spent on padding. Without the twin the last batch is padded.
  const Function *single = program.function(abi::kInferOne);
  for (int64_t first = 0; first < data.items;) {
    int64_t count = std::min(batch, data.items - first);
    const Function *f = fn;
    if (count < batch && single) {
      f = single;
      count = 1;
    }
    data.fillBatch(*f, first, count);
    f->run();
    for (size_t o = 0; o < f->outputs.size(); ++o) {
      const Tensor &out = f->outputs[o];
      bool batched = out.desc->batched;
      rowLength[o] = out.itemSize();
      int64_t n = batched ? count * out.itemSize() : out.numElements();
      for (int64_t i = 0; i < n; ++i)
        rows[o].push_back(elementAsDouble(out, i));
    }
    first += count;
  }

  // The train block's reported values over the same data, when the data
  // hold every placeholder they need: all of them given by --feed, or none
  // (then all from the data block). Feeding images alone (to classify
  // them) says nothing about labels, so no metrics then.
  std::string metrics;
  const Function *evaluate = program.function(abi::kEvaluate);
  const Function *evaluate1 = program.function(abi::kEvaluateOne);
  if (evaluate && evaluate1) {
    size_t fed = 0, fromBlock = 0;
    for (const Tensor &in : evaluate->inputs) {
      fed += feeds.count(in.name());
      fromBlock += !program.setting(abi::dataSourceSetting("test", in.name())).empty();
    }
    size_t needed = evaluate->inputs.size();
    bool complete = fed == needed || (fed == 0 && fromBlock == needed);
    if (complete) {
      Feeds batches = Feeds::load(program, *evaluate, feeds, "test", cl.get("data-dir"));
      Feeds items = Feeds::load(program, *evaluate1, feeds, "test", cl.get("data-dir"));
      std::vector<std::string> names = program.settingList(abi::kReportSetting), aggregates;
      for (const std::string &name : names)
        aggregates.push_back(program.setting(abi::aggregateSetting(name)));
      std::vector<double> values = evaluateOverItems(*evaluate, *evaluate1, batches, items,
                                                     aggregates);
      char buffer[64];
      for (size_t i = 0; i < names.size(); ++i) {
        std::snprintf(buffer, sizeof buffer, "%s%s: %f", i ? ", " : "", names[i].c_str(),
                      values[i]);
        metrics += buffer;
      }
    }
  }

  if (output.empty()) {
    // One line per item and output; with several outputs each line is named.
    size_t outputs = fn->outputs.size();
    std::vector<size_t> next(outputs, 0);
    bool more = true;
    while (more) {
      more = false;
      for (size_t o = 0; o < outputs; ++o) {
        if (next[o] >= rows[o].size())
          continue;
        more = true;
        std::string line = outputs > 1 ? std::string(fn->outputs[o].name()) + ": " : "";
        for (int64_t i = 0; i < rowLength[o]; ++i) {
          if (i)
            line += ' ';
          line += formatValue(fn->outputs[o], rows[o][next[o] + i]);
        }
        next[o] += rowLength[o];
        std::puts(line.c_str());
      }
    }
    if (!metrics.empty())
      std::puts(metrics.c_str());
    return 0;
  }

  // --output: one row per item, the outputs side by side.
  int64_t items = rowLength[0] ? rows[0].size() / rowLength[0] : 0;
  int64_t width = 0;
  for (size_t o = 0; o < fn->outputs.size(); ++o) {
    if (rowLength[o] && (int64_t)(rows[o].size() / rowLength[o]) != items)
      throw Error(output + ": outputs have different numbers of rows; write one at a time");
    width += rowLength[o];
  }
  std::vector<float> table;
  table.reserve(items * width);
  for (int64_t r = 0; r < items; ++r)
    for (size_t o = 0; o < fn->outputs.size(); ++o)
      for (int64_t i = 0; i < rowLength[o]; ++i)
        table.push_back((float)rows[o][r * rowLength[o] + i]);
  // A single batched output keeps its item shape ([N, 28, 28]); otherwise
  // each row is the outputs' values side by side ([N, width]).
  std::vector<int64_t> shape = {items};
  const Tensor &first = fn->outputs[0];
  if (fn->outputs.size() == 1 && first.desc->batched)
    for (int i = 1; i < first.desc->rank; ++i)
      shape.push_back(first.desc->dims[i]);
  else
    shape.push_back(width);
  if (toNpy)
    writeNPY(output, table, shape);
  else
    writeCSV(output, table, width ? width : 1);
  if (!metrics.empty())
    std::puts(metrics.c_str());
  return 0;
}

} // namespace nnrt
