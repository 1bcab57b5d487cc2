//===- CommandLine.cpp - options of the generated programs ----------------===//

#include "runtime/CommandLine.h"

#include "runtime/Program.h"
#include <cerrno>

#include <cstdio>
#include <cstdlib>

namespace nnrt {

CommandLine::CommandLine(std::string program, std::vector<OptionSpec> specs)
    : program_(std::move(program)), specs_(std::move(specs)) {}

bool CommandLine::parse(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      printUsage();
      return false;
    }
    if (arg.rfind("--", 0) != 0)
      throw Error("unexpected argument '" + arg + "' (see --help)");
    std::string name = arg.substr(2), value;
    bool inlineValue = false;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inlineValue = true;
    }
    const OptionSpec *spec = nullptr;
    for (const OptionSpec &s : specs_)
      if (s.name == name)
        spec = &s;
    if (!spec)
      throw Error("unknown option '--" + name + "' (see --help)");
    if (spec->takesValue && !inlineValue) {
      if (i + 1 >= argc)
        throw Error("option '--" + name + "' needs a value");
      value = argv[++i];
    } else if (!spec->takesValue && inlineValue) {
      throw Error("option '--" + name + "' takes no value");
    }
    if (!spec->repeated && values_.count(name))
      throw Error("option '--" + name + "' given twice");
    values_[name].push_back(value);
  }
  return true;
}

bool CommandLine::has(const std::string &name) const { return values_.count(name); }

std::string CommandLine::get(const std::string &name, const std::string &fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

int64_t CommandLine::getInt(const std::string &name, int64_t fallback) const {
  if (!has(name))
    return fallback;
  std::string text = get(name);
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0')
    throw Error("option '--" + name + "' needs an integer, got '" + text + "'");
  if (errno == ERANGE) // strtoll saturates: 10^20 is not 2^63 - 1
    throw Error("option '--" + name + "': " + text + " is out of range");
  return v;
}

int64_t CommandLine::getInt(const std::string &name, int64_t fallback, int64_t low,
                            int64_t high) const {
  int64_t v = getInt(name, fallback);
  if (has(name) && (v < low || v > high))
    throw Error("option '--" + name + "' must be " + std::to_string(low) + " to " +
                std::to_string(high) + ", not " + get(name));
  return v;
}

const std::vector<std::string> &CommandLine::all(const std::string &name) const {
  static const std::vector<std::string> none;
  auto it = values_.find(name);
  return it == values_.end() ? none : it->second;
}

std::vector<std::pair<std::string, std::string>> CommandLine::pairs(const std::string &name) const {
  std::vector<std::pair<std::string, std::string>> result;
  for (const std::string &v : all(name)) {
    size_t eq = v.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
      throw Error("option '--" + name + "' needs NAME=FILE, got '" + v + "'");
    result.emplace_back(v.substr(0, eq), v.substr(eq + 1));
  }
  return result;
}

void CommandLine::printUsage() const {
  std::printf("usage: %s [options]\n\noptions:\n", program_.c_str());
  for (const OptionSpec &s : specs_) {
    std::string left = "--" + s.name;
    std::string help = s.help;
    if (s.takesValue) {
      size_t space = help.find("  ");
      left += " " + help.substr(0, space);
      help = space == std::string::npos ? "" : help.substr(space + 2);
    }
    std::printf("  %-28s %s\n", left.c_str(), help.c_str());
  }
}

} // namespace nnrt
