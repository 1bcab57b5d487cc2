//===- Feeds.cpp - data for a function's placeholders ---------------------===//

#include "runtime/Feeds.h"
#include "runtime/Device.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace nnrt {

Feeds Feeds::load(const Program &program, const Function &fn,
                  const std::map<std::string, std::string> &feeds, const std::string &block,
                  const std::string &dataDir) {
  Feeds result;
  std::string firstName;
  for (const Tensor &input : fn.inputs) {
    std::string name = input.name();
    Dataset ds;
    auto feed = feeds.find(name);
    if (feed != feeds.end()) {
      ds = loadFile(feed->second);
    } else {
      std::string spec = program.setting(nn::abi::dataSourceSetting(block, name));
      if (spec.empty())
        throw Error("no data for placeholder '" + name + "': give --feed " + name +
                    "=FILE (the .nn file has no `data " + block + "` source for it)");
      ds = loadSource(spec, dataDir, program.setting(nn::abi::kSourceDirSetting));
    }
    // A NaN or an infinity in the data would only show later as "the loss
    // is NaN": name the file and the item now.
    if (size_t k = ds.firstNonFinite(); k < ds.size()) {
      size_t size = std::max<int64_t>(1, ds.itemSize());
      throw Error(ds.file + ": item " + std::to_string(k / size) + ", value " +
                  std::to_string(k % size) + " is " + (std::isnan(ds.at(k)) ? "NaN" : "infinite") +
                  " (items count from 0)");
    }
    if (!input.desc->batched) {
      if (ds.items * ds.itemSize() != input.numElements())
        throw Error(ds.file + ": placeholder '" + name + "' of shape " + input.shapeString() +
                    " needs " + std::to_string(input.numElements()) + " values, the file has " +
                    std::to_string(ds.items * ds.itemSize()));
      ds.itemShape.clear();
      for (int i = 0; i < input.desc->rank; ++i)
        ds.itemShape.push_back(input.desc->dims[i]);
      ds.items = 1;
    } else if (ds.itemSize() != input.itemSize()) {
      throw Error(ds.file + ": items have " + std::to_string(ds.itemSize()) +
                  " values, but placeholder '" + name + "' of shape " + input.shapeString() +
                  " needs " + std::to_string(input.itemSize()));
    }
    if (input.desc->batched) {
      if (result.items == 0 && firstName.empty()) {
        result.items = ds.items;
        firstName = name;
      } else if (ds.items != result.items) {
        throw Error(ds.file + ": " + std::to_string(ds.items) + " items for '" + name + "', but " +
                    std::to_string(result.items) + " for '" + firstName + "'");
      }
    }
    result.data.push_back(std::move(ds));
  }
  if (firstName.empty())
    result.items = 1; // no batched input: the function runs once
  return result;
}

void Feeds::fillBatch(const Function &fn, int64_t first, int64_t count,
                      const std::vector<int64_t> *order) const {
  for (size_t i = 0; i < fn.inputs.size(); ++i) {
    const Tensor &input = fn.inputs[i];
    const Dataset &ds = data[i];
    float *dst = input.f32();
    if (!input.desc->batched) {
      ds.copyValues(0, ds.size(), dst);
      continue;
    }
    int64_t size = input.itemSize(), batch = input.desc->dims[0];
    if (DeviceProgram *device = activeDevice()) {
      // A GPU program: the rows are gathered on the device, where the data
      // set stays.
      std::vector<int64_t> items(batch, -1);
      for (int64_t row = 0; row < count && row < batch; ++row)
        items[row] = order ? (*order)[first + row] : first + row;
      if (device->gatherBatch(input, ds, items))
        continue;
    }
    // A shuffled batch's rows are scattered over the data set, mostly out
    // of the caches; the copy of one row cannot start loading the next, so
    // each row's lines are requested two rows ahead: a batch of 100
    // Fashion-MNIST images (bytes) took 80 us to copy without, 40 with.
    auto itemAt = [&](int64_t row) { return order ? (*order)[first + row] : first + row; };
    const int64_t kAhead = 2;
    for (int64_t row = 0; row < std::min(kAhead, count); ++row)
      ds.prefetchValues(itemAt(row) * size, size);
    for (int64_t row = 0; row < batch; ++row) {
      if (row < count) {
        if (row + kAhead < count)
          ds.prefetchValues(itemAt(row + kAhead) * size, size);
        ds.copyValues(itemAt(row) * size, size, dst + row * size);
      } else {
        std::memset(dst + row * size, 0, size * sizeof(float));
      }
    }
  }
}

std::map<std::string, std::string>
checkedFeeds(const std::vector<std::pair<std::string, std::string>> &pairs,
             const std::string &option, const std::vector<const Function *> &readers,
             const std::string &program) {
  std::vector<std::string> names; // every placeholder read, once each
  for (const Function *reader : readers)
    for (size_t i = 0; reader && i < reader->inputs.size(); ++i)
      if (std::find(names.begin(), names.end(), reader->inputs[i].name()) == names.end())
        names.push_back(reader->inputs[i].name());
  std::map<std::string, std::string> feeds;
  for (auto &[name, file] : pairs) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string list;
      for (const std::string &n : names)
        list += (list.empty() ? "" : ", ") + n;
      throw Error("--" + option + " " + name + ": the " + program +
                  " program has no placeholder '" + name +
                  "' (it reads: " + (list.empty() ? "none" : list) + ")");
    }
    feeds[name] = file;
  }
  return feeds;
}

float scalarOf(const Tensor &t) { return t.f32()[0]; }

/// The reported values over the whole test set: full batches through
/// `evaluate`, the rest one item at a time through `evaluate_1`, combined as
/// sums or as means weighted by item count.
std::vector<double> evaluateOverItems(const Function &full, const Function &single,
                                      const Feeds &batches, const Feeds &items,
                                      const std::vector<std::string> &aggregates) {
  std::vector<double> total(aggregates.size(), 0.0);
  int64_t n = batches.items, b = full.desc->batch, done = 0;
  auto add = [&](const Function &fn, int64_t count) {
    for (size_t i = 0; i < total.size(); ++i) {
      double v = scalarOf(fn.outputs[i]);
      total[i] += aggregates[i] == "mean" ? v * count : v;
    }
  };
  for (; done + b <= n; done += b) {
    batches.fillBatch(full, done, b);
    full.run();
    add(full, b);
  }
  for (; done < n; ++done) {
    items.fillBatch(single, done, 1);
    single.run();
    add(single, 1);
  }
  for (size_t i = 0; i < total.size(); ++i)
    if (aggregates[i] == "mean")
      total[i] /= (double)n;
  return total;
}

} // namespace nnrt
