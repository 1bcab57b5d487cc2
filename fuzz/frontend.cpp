//===- frontend.cpp - fuzz nnc's frontend down to linalg -------------------===//
//
// libFuzzer target for what nnc does with a .nn file before code generation:
// lexing, parsing, checking, MLIRGen of the train and infer programs (and of
// the definitions no program uses), the dialect's verifiers, then the graph
// stages (specialized, grad, linalg) exactly as nnc runs them. An input is
// the text of a .nn file; fuzz/nn.dict gives the fuzzer the language's words.
//
// Bad input must end in diagnostics (errors with a line and column), never
// in a crash, a sanitizer report, an assertion, an exception or a hang; and
// what the frontend accepts must verify and lower: a pass that fails on a
// checked program is a bug in the frontend's checks or in the pass.
//
//===----------------------------------------------------------------------===//

#include "codegen/Pipeline.h"
#include "frontend/Diagnostics.h"
#include "frontend/Lexer.h"
#include "frontend/MLIRGen.h"
#include "frontend/Parser.h"
#include "frontend/Sema.h"
#include "fuzz/FuzzFile.h"
#include "ir/NNDialect.h"
#include "support/Error.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace {

/// The dialects the graph stages produce (the passes load them as they go).
DialectRegistry registry() {
  DialectRegistry r;
  r.insert<nn::NNDialect, func::FuncDialect, arith::ArithDialect, linalg::LinalgDialect,
           tensor::TensorDialect, math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
           affine::AffineDialect>();
  return r;
}

/// specialized, grad, linalg: nnc's stages up to linalg on tensors.
void lowerToLinalg(MLIRContext &context, ModuleOp module) {
  for (const nn::PipelineStage &stage : nn::buildGraphStages(/*batch=*/1)) {
    PassManager pm(&context);
    stage.addPasses(pm);
    nnfuzz::require(succeeded(pm.run(module)), "a stage failed on a program the frontend accepted");
    if (stage.name == "linalg")
      return;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A fresh context each input, without threads: nothing one input interns
  // (dense constants, types) outlives it, so each run reproduces alone.
  static const DialectRegistry dialects = registry();
  MLIRContext context(dialects, MLIRContext::Threading::DISABLED);
  context.getOrLoadDialect<nn::NNDialect>();
  bool mlirErrors = false;
  ScopedDiagnosticHandler quiet(&context, [&](Diagnostic &d) {
    mlirErrors |= d.getSeverity() == DiagnosticSeverity::Error;
    return success(); // handled: not printed
  });

  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.nn"),
      llvm::SMLoc());
  nn::Diagnostics diags(sourceMgr, "fuzz.nn");
  try {
    std::vector<nn::Token> tokens = nn::lex(sourceMgr.getMemoryBuffer(1)->getBuffer(), diags);
    nn::Module ast = nn::parseModule(tokens, diags);
    nn::checkModule(ast, diags);
    if (diags.errorCount())
      return 0;
    std::vector<OwningOpRef<ModuleOp>> programs;
    if (ast.train)
      programs.push_back(nn::mlirGenTrain(context, ast));
    if (ast.infer)
      programs.push_back(nn::mlirGenInfer(context, ast));
    for (OwningOpRef<ModuleOp> &program : programs) {
      if (!*program) // an error MLIRGen reported (a load() that failed, ...)
        return 0;
      nnfuzz::require(!mlirErrors, "MLIRGen built a module after reporting an error");
      nnfuzz::require(succeeded(verify(*program)), "MLIRGen built a module that does not verify");
    }
    if (!nn::checkUnused(context, ast)) // errors in what no program uses
      return 0;
    for (OwningOpRef<ModuleOp> &program : programs)
      lowerToLinalg(context, *program);
  } catch (const nn::Error &) {
    // A located message for bad input (thrown by the .npy reader of load()).
  }
  return 0;
}
