//===- CompileReport.h - one HTML page of everything nnc did -----*- C++ -*-===//
//
// `nnc M.nn --report=FILE.html` builds as usual and writes one self-contained
// page (no network: styles inline, the picture as inline SVG): the source
// with line anchors; the graph after autodiff; the cost table and the memory
// plan of each program; every stage of each program, as a diff against the
// stage before it and in full, every source position a link to its line.
// nnc collects the pieces as the pipeline runs (add*, keepGraph) and writes
// the page at the end.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_TOOLS_NNC_COMPILEREPORT_H
#define NNC_TOOLS_NNC_COMPILEREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <mutex>
#include <string>
#include <vector>

namespace nn {

class CompileReport {
public:
  CompileReport(std::string model, std::string sourceName, std::string sourceText,
                std::string target)
      : model(std::move(model)), sourceName(std::move(sourceName)),
        sourceText(std::move(sourceText)), target(std::move(target)) {}

  /// One stage of one program ("train", "grad", "mlir", its printed text),
  /// in pipeline order. Thread-safe: the back ends run on threads.
  void addStage(llvm::StringRef program, llvm::StringRef stage, llvm::StringRef ext,
                std::string text);
  /// A program's module after autodiff, for the picture (a copy is kept).
  void keepGraph(llvm::StringRef program, mlir::ModuleOp module);
  void addCost(llvm::StringRef program, std::string text);
  void addMemoryPlan(llvm::StringRef program, std::string text);

  /// Writes the page to `path` (atomically: a temporary file, then a
  /// rename); false after an error on stderr.
  bool write(llvm::StringRef path) const;

private:
  struct Stage {
    std::string program, stage, ext, text;
  };
  struct Text {
    std::string program, text;
  };
  std::string model, sourceName, sourceText, target;
  std::vector<Stage> stages;
  std::vector<std::pair<std::string, mlir::OwningOpRef<mlir::ModuleOp>>> graphs;
  std::vector<Text> costs, memoryPlans;
  mutable std::mutex mutex;

  void writeBody(llvm::raw_ostream &os) const;
  void writeStages(llvm::raw_ostream &os) const;
  std::string picture() const;
};

} // namespace nn

#endif // NNC_TOOLS_NNC_COMPILEREPORT_H
