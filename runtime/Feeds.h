//===- Feeds.h - data for a function's placeholders -------------*- C++ -*-===//
//
// Finds the data of every placeholder of a function (from --feed or from the
// .nn file's data block), checks it against the placeholder's shape, and
// copies batches of items into the function's input buffers.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_FEEDS_H
#define NNC_RUNTIME_FEEDS_H

#include "runtime/DataLoaders.h"
#include "runtime/Program.h"

#include <map>

namespace nnrt {

struct Feeds {
  std::vector<Dataset> data; // one per input of the function, in order
  int64_t items = 0;         // the common item count

  /// Loads the inputs of `fn`: `feeds` (placeholder -> file) first, else the
  /// setting `data.<block>.<name>` recorded from the .nn file.
  static Feeds load(const Program &program, const Function &fn,
                    const std::map<std::string, std::string> &feeds, const std::string &block,
                    const std::string &dataDir);

  /// Copies items [first, first + count) into the input buffers, zero-filling
  /// the rest of the batch; `order` maps positions to items when shuffled.
  void fillBatch(const Function &fn, int64_t first, int64_t count,
                 const std::vector<int64_t> *order = nullptr) const;
};

/// `--OPTION NAME=FILE` pairs as a map, each NAME checked against the
/// placeholders that `readers` read (null entries skipped): otherwise an
/// error, "--OPTION NAME: the PROGRAM program has no placeholder 'NAME' (it
/// reads: ...)".
std::map<std::string, std::string>
checkedFeeds(const std::vector<std::pair<std::string, std::string>> &pairs,
             const std::string &option, const std::vector<const Function *> &readers,
             const std::string &program);

/// The first element of a scalar output.
float scalarOf(const Tensor &t);

/// Reported values over every item: full batches through `full`, the rest
/// one item at a time through `single` (batch 1), combined per value as a
/// sum or as a mean weighted by item count (`aggregates`: "sum" | "mean"),
/// exactly as if the whole set had been one batch.
std::vector<double> evaluateOverItems(const Function &full, const Function &single,
                                      const Feeds &batches, const Feeds &items,
                                      const std::vector<std::string> &aggregates);

} // namespace nnrt

#endif // NNC_RUNTIME_FEEDS_H
