//===- CompileReport.cpp - one HTML page of everything nnc did ------------===//
//
// The page of `--report` (CompileReport.h). Sections, each with an id the
// test checks: #source, #picture, #cost, #memory, #stages (a list of every
// stage, then one <section class="stage" data-program= data-stage=> each).
// A stage shows its diff against the program's previous stage (LineDiff.h,
// three lines of context around each change) and its whole text, folded.
// Source positions ("model.nn":12:5 in MLIR locations, model.nn:12:5 in the
// tables and the explained train step) become links to the source line.
//
//===----------------------------------------------------------------------===//

#include "tools/nnc/CompileReport.h"
#include "passes/Analysis/GraphPicture.h"
#include "tools/nnc/LineDiff.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <regex>

namespace nn {
namespace {

/// A diff longer than this many edits is not shown: the stages are too
/// different (LLVM IR against the LLVM dialect) for it to help.
constexpr int kMaxDiffEdits = 3000;
constexpr int kContext = 3;

std::string escapeHTML(llvm::StringRef text) {
  std::string s;
  s.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '&':
      s += "&amp;";
      break;
    case '<':
      s += "&lt;";
      break;
    case '>':
      s += "&gt;";
      break;
    case '"':
      s += "&quot;";
      break;
    default:
      s += c;
    }
  }
  return s;
}

/// One escaped line, with each position in the .nn file a link to its line.
std::string lineHTML(llvm::StringRef line, llvm::StringRef sourceFile) {
  std::string html = escapeHTML(line);
  if (!line.contains(sourceFile))
    return html;
  // NAME.nn:12:5, or "path/NAME.nn":12:5 as MLIR prints a location.
  static const std::regex position(R"(((&quot;)?[\w./-]*?([\w-]+\.nn)(&quot;)?):(\d+):(\d+))");
  return std::regex_replace(html, position, "<a class=\"src\" href=\"#L$5\">$&</a>");
}

std::string anchor(llvm::StringRef program, size_t index, llvm::StringRef stage) {
  return (program + "-" + llvm::Twine(index) + "-" + stage).str();
}

} // namespace

void CompileReport::addStage(llvm::StringRef program, llvm::StringRef stage, llvm::StringRef ext,
                             std::string text) {
  std::lock_guard<std::mutex> lock(mutex);
  stages.push_back({program.str(), stage.str(), ext.str(), std::move(text)});
}

void CompileReport::keepGraph(llvm::StringRef program, mlir::ModuleOp module) {
  std::lock_guard<std::mutex> lock(mutex);
  graphs.emplace_back(program.str(), mlir::OwningOpRef<mlir::ModuleOp>(module.clone()));
}

void CompileReport::addCost(llvm::StringRef program, std::string text) {
  std::lock_guard<std::mutex> lock(mutex);
  costs.push_back({program.str(), std::move(text)});
}

void CompileReport::addMemoryPlan(llvm::StringRef program, std::string text) {
  std::lock_guard<std::mutex> lock(mutex);
  memoryPlans.push_back({program.str(), std::move(text)});
}

/// The picture as inline SVG, drawn by Graphviz's `dot`; without Graphviz,
/// a note and the DOT text.
std::string CompileReport::picture() const {
  std::string dot;
  {
    llvm::raw_string_ostream os(dot);
    std::vector<std::pair<std::string, mlir::ModuleOp>> drawn;
    for (const auto &[program, module] : graphs)
      drawn.push_back({program, *module});
    printGraphPicture(drawn, os);
  }
  llvm::SmallString<128> in, out;
  std::string svg, error;
  if (!llvm::sys::fs::createTemporaryFile("nnc-report", "dot", in) &&
      !llvm::sys::fs::createTemporaryFile("nnc-report", "svg", out)) {
    {
      std::error_code ec;
      llvm::raw_fd_ostream file(in, ec);
      file << dot;
    }
    if (drawWithGraphviz(in, out, error) == Drawn::Yes)
      if (auto buffer = llvm::MemoryBuffer::getFile(out))
        svg = (*buffer)->getBuffer().str();
    llvm::sys::fs::remove(in);
    llvm::sys::fs::remove(out);
  }
  size_t start = svg.find("<svg");
  if (start != std::string::npos)
    return svg.substr(start);
  return "<p class=\"note\">Graphviz's <code>dot</code> was not found (or failed" +
         (error.empty() ? std::string() : ": " + escapeHTML(error)) +
         "): the picture is given as DOT text; <code>dot -Tsvg</code> draws it.</p><pre>" +
         escapeHTML(dot) + "</pre>";
}

void CompileReport::writeStages(llvm::raw_ostream &os) const {
  std::string file = llvm::sys::path::filename(sourceName).str();
  os << "<section id=\"stages\">\n<h2>Stages</h2>\n<ol class=\"stage-list\">\n";
  for (auto [i, s] : llvm::enumerate(stages))
    os << "<li><a href=\"#" << anchor(s.program, i, s.stage) << "\">" << s.program << ": "
       << escapeHTML(s.stage) << "</a></li>\n";
  os << "</ol>\n";
  for (auto [i, s] : llvm::enumerate(stages)) {
    llvm::SmallVector<llvm::StringRef> lines;
    llvm::StringRef(s.text).split(lines, '\n');
    os << "<section class=\"stage\" id=\"" << anchor(s.program, i, s.stage) << "\" data-program=\""
       << s.program << "\" data-stage=\"" << escapeHTML(s.stage) << "\">\n<h3>" << s.program << ": "
       << escapeHTML(s.stage) << " <small>(" << lines.size() << " lines of " << s.ext
       << ")</small></h3>\n";
    // The previous stage of the same program.
    const Stage *previous = nullptr;
    for (size_t j = i; j-- > 0;)
      if (stages[j].program == s.program) {
        previous = &stages[j];
        break;
      }
    if (previous) {
      llvm::SmallVector<llvm::StringRef> old;
      llvm::StringRef(previous->text).split(old, '\n');
      std::optional<std::vector<DiffLine>> diff = diffLines(old, lines, kMaxDiffEdits);
      os << "<details class=\"diff\" open><summary>against " << escapeHTML(previous->stage);
      if (!diff) {
        os << ": rewritten (" << old.size() << " lines became " << lines.size() << "; more than "
           << kMaxDiffEdits << " edits)</summary></details>\n";
      } else {
        int added = 0, removed = 0;
        for (const DiffLine &d : *diff) {
          added += d.kind == '+';
          removed += d.kind == '-';
        }
        os << ": " << added << " lines added, " << removed << " removed</summary><pre>";
        // Changes, with kContext kept lines around each; "..." between.
        std::vector<bool> shown(diff->size(), false);
        for (size_t k = 0; k < diff->size(); ++k)
          if ((*diff)[k].kind != ' ')
            for (size_t c = k >= kContext ? k - kContext : 0;
                 c < std::min(diff->size(), k + kContext + 1); ++c)
              shown[c] = true;
        bool gap = false;
        for (size_t k = 0; k < diff->size(); ++k) {
          if (!shown[k]) {
            gap = true;
            continue;
          }
          if (gap)
            os << "<span class=\"gap\">...</span>\n";
          gap = false;
          const DiffLine &d = (*diff)[k];
          const char *kind = d.kind == '+' ? "add" : d.kind == '-' ? "del" : "same";
          os << "<span class=\"" << kind << "\">" << d.kind << " " << lineHTML(d.text, file)
             << "</span>\n";
        }
        os << "</pre></details>\n";
      }
    }
    os << "<details class=\"whole\"" << (previous ? "" : " open") << "><summary>the whole "
       << escapeHTML(s.stage) << "</summary><pre>";
    for (llvm::StringRef line : lines)
      os << lineHTML(line, file) << "\n";
    os << "</pre></details>\n</section>\n";
  }
  os << "</section>\n";
}

void CompileReport::writeBody(llvm::raw_ostream &os) const {
  std::string file = llvm::sys::path::filename(sourceName).str();
  os << "<header><h1>" << escapeHTML(model) << "</h1><p>" << escapeHTML(sourceName)
     << ", compiled by nnc for " << escapeHTML(target) << "</p>\n<nav><a href=\"#source\">source"
     << "</a> <a href=\"#picture\">picture</a> <a href=\"#cost\">cost</a> <a href=\"#memory\">"
     << "memory</a> <a href=\"#stages\">stages</a></nav></header>\n";
  os << "<section id=\"source\">\n<h2>Source</h2>\n<pre class=\"source\">";
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(sourceText).split(lines, '\n');
  if (!lines.empty() && lines.back().empty())
    lines.pop_back();
  for (auto [i, line] : llvm::enumerate(lines))
    os << "<span class=\"line\" id=\"L" << i + 1 << "\"><a class=\"ln\" href=\"#L" << i + 1 << "\">"
       << llvm::format_decimal(i + 1, 4) << "</a>  " << escapeHTML(line) << "</span>\n";
  os << "</pre>\n</section>\n";
  os << "<section id=\"picture\">\n<h2>The programs after autodiff</h2>\n<div class=\"picture\">"
     << picture() << "</div>\n</section>\n";
  auto texts = [&](const char *id, const char *title, const std::vector<Text> &parts) {
    os << "<section id=\"" << id << "\">\n<h2>" << title << "</h2>\n";
    for (const Text &t : parts) {
      os << "<h3>" << t.program << " program</h3>\n<pre>";
      llvm::SmallVector<llvm::StringRef> rows;
      llvm::StringRef(t.text).split(rows, '\n');
      for (llvm::StringRef row : rows)
        os << lineHTML(row, file) << "\n";
      os << "</pre>\n";
    }
    os << "</section>\n";
  };
  texts("cost", "Cost: FLOPs and bytes of every op", costs);
  texts("memory", "The static memory plan", memoryPlans);
  writeStages(os);
}

bool CompileReport::write(llvm::StringRef path) const {
  std::lock_guard<std::mutex> lock(mutex);
  llvm::Error error = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) -> llvm::Error {
    os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>nnc: "
       << escapeHTML(model) << "</title>\n<style>\n"
       << "body { font-family: sans-serif; margin: 1em 2em; color: #222; }\n"
       << "pre { font-family: monospace; font-size: 12px; background: #f8f8f8; padding: 0.5em;"
       << " overflow-x: auto; }\n"
       << "nav a { margin-right: 1em; } a.ln { color: #999; text-decoration: none; }\n"
       << "span.line:target { background: #fff2cc; } a.src { color: #1155cc; }\n"
       << "span.add { background: #e6ffed; display: block; }\n"
       << "span.del { background: #ffeef0; display: block; }\n"
       << "span.gap { color: #999; } summary { cursor: pointer; font-weight: bold; }\n"
       << "section.stage { border-top: 1px solid #ddd; }\n"
       << ".picture { overflow: auto; max-height: 60em; border: 1px solid #ddd; }\n"
       << "</style>\n</head>\n<body>\n";
    writeBody(os);
    os << "</body>\n</html>\n";
    return llvm::Error::success();
  });
  if (error) {
    llvm::errs() << "nnc: error: cannot write the report " << path << ": "
                 << llvm::toString(std::move(error)) << "\n";
    return false;
  }
  return true;
}

} // namespace nn
