//===- CommandLine.h - options of the generated programs --------*- C++ -*-===//
//
// A small parser for `--name value`, `--name=value` and `--flag`, with the
// repeated `--feed NAME=FILE` collected in order. Unknown options are errors.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_RUNTIME_COMMANDLINE_H
#define NNC_RUNTIME_COMMANDLINE_H

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nnrt {

struct OptionSpec {
  std::string name; // without the dashes
  bool takesValue;
  bool repeated;
  std::string help; // "FILE  what it does"
};

class CommandLine {
public:
  CommandLine(std::string program, std::vector<OptionSpec> specs);
  /// Throws nnrt::Error on an unknown option or a missing value; returns
  /// false when --help was given (after printing the usage).
  bool parse(int argc, char **argv);
  bool has(const std::string &name) const;
  std::string get(const std::string &name, const std::string &fallback = "") const;
  /// The option's integer (whole, in int64_t's range), or `fallback`.
  int64_t getInt(const std::string &name, int64_t fallback) const;
  /// The same, which must lie in [low, high] when given.
  int64_t getInt(const std::string &name, int64_t fallback, int64_t low, int64_t high) const;
  const std::vector<std::string> &all(const std::string &name) const;
  /// NAME=FILE pairs of a repeated option.
  std::vector<std::pair<std::string, std::string>> pairs(const std::string &name) const;
  void printUsage() const;

private:
  std::string program_;
  std::vector<OptionSpec> specs_;
  std::map<std::string, std::vector<std::string>> values_;
};

} // namespace nnrt

#endif // NNC_RUNTIME_COMMANDLINE_H
