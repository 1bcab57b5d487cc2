//===- nnc.cpp - the nnc compiler driver ----------------------------------===//
//
//   nnc MODEL.nn [-o DIR] [--emit=KIND] [--dump-dir DIR] [--target=cpu]
//
// Runs the pipeline stage by stage, as MLIR's Toy tutorial does, and stops
// where --emit says (the stages are ordered: ast < nn < specialized < linalg <
// fused < bufferized < loops < mlir-llvm < llvm < obj; `memory` prints the
// plan made in bufferized). Without --emit it
// builds DIR/NAME-infer. `--dump-dir` writes every stage to numbered files.
// MLIR's own options work too, e.g. --mlir-print-ir-after-all.
//
// An input ending in .mlir re-enters the pipeline after the frontend: it must
// hold an nn module like the one `--emit=nn` prints.
//
//===----------------------------------------------------------------------===//

#include "codegen/LLVMEmitter.h"
#include "codegen/Linker.h"
#include "codegen/cpu/CPUPipeline.h"
#include "frontend/AST.h"
#include "interp/GradientCheck.h"
#include "frontend/Diagnostics.h"
#include "frontend/Lexer.h"
#include "frontend/MLIRGen.h"
#include "frontend/Parser.h"
#include "frontend/Sema.h"
#include "ir/NNAttributes.h"
#include "ir/NNDialect.h"
#include "support/ProgramABI.h"
#include "passes/Analysis/MemoryPlan.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Func/Extensions/AllExtensions.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMInterface.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Pass.h"

#include <mutex>
#include <thread>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

/// The stages, in pipeline order: --emit=KIND stops after KIND.
enum class Emit { PTX, AST, NN, Specialized, Grad, Linalg, Fused, Bufferized, Memory, Loops, MLIRLLVM,
                  LLVM, Obj, Dot, Program };

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.nn>"), cl::Required);
cl::opt<std::string> outputDir("o", cl::desc("Directory for the programs (default .)"),
                               cl::value_desc("DIR"), cl::init("."));
cl::opt<Emit> emit(
    "emit", cl::desc("Print one stage instead of building programs"),
    cl::init(Emit::Program),
    cl::values(clEnumValN(Emit::AST, "ast", "the syntax tree"),
               clEnumValN(Emit::NN, "nn", "the nn dialect as parsed"),
               clEnumValN(Emit::Specialized, "specialized", "nn with the batch fixed"),
               clEnumValN(Emit::Grad, "grad", "after autodiff and the optimizer"),
               clEnumValN(Emit::Linalg, "linalg", "linalg on tensors"),
               clEnumValN(Emit::Fused, "fused", "after elementwise fusion"),
               clEnumValN(Emit::Bufferized, "bufferized", "after bufferization"),
               clEnumValN(Emit::Memory, "memory", "the static memory plan of each program"),
               clEnumValN(Emit::Loops, "loops", "linalg as loops"),
               clEnumValN(Emit::MLIRLLVM, "mlir-llvm", "the LLVM dialect"),
               clEnumValN(Emit::LLVM, "llvm", "LLVM IR, optimised"),
               clEnumValN(Emit::Obj, "obj", "write DIR/NAME-train.o, DIR/NAME-infer.o"),
               clEnumValN(Emit::Dot, "dot", "the graph for Graphviz"),
               clEnumValN(Emit::PTX, "ptx", "PTX (needs --target=cuda)")));
cl::opt<std::string> dumpDir("dump-dir", cl::desc("Write every stage to numbered files in DIR"),
                             cl::value_desc("DIR"));
cl::opt<bool> gradcheck("gradcheck",
                        cl::desc("Check the loss's gradients against finite differences "
                                 "in float64 instead of building programs"));
cl::opt<int> gradcheckSamples("gradcheck-samples",
                              cl::desc("Elements checked per variable (default 20)"),
                              cl::init(20));
cl::opt<int> gradcheckBatch("gradcheck-batch",
                            cl::desc("Batch size of the gradient check (default 4)"),
                            cl::init(4));
cl::opt<std::string> target("target", cl::desc("cpu (default) or cuda"), cl::init("cpu"));
cl::opt<std::string> gpuArch("gpu-arch", cl::desc("GPU architecture for --target=cuda"),
                             cl::init("sm_80"));

/// Writes one stage of the pipeline to --dump-dir.
class StageDumper {
public:
  StageDumper(std::string dir) : dir(std::move(dir)) {}
  bool enabled() const { return !dir.empty(); }
  void write(llvm::StringRef program, llvm::StringRef stage, llvm::StringRef ext,
             llvm::function_ref<void(llvm::raw_ostream &)> print) {
    if (!enabled())
      return;
    std::lock_guard<std::mutex> lock(mutex); // the back ends run on threads
    llvm::SmallString<256> path(dir);
    if (!program.empty())
      llvm::sys::path::append(path, program);
    llvm::sys::fs::create_directories(path);
    char name[64];
    snprintf(name, sizeof name, "%02u-%s.%s", counter[program.str()]++, stage.str().c_str(),
             ext.str().c_str());
    llvm::sys::path::append(path, name);
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec) {
      llvm::errs() << "nnc: cannot write " << path << ": " << ec.message() << "\n";
      return;
    }
    print(os);
  }

private:
  std::string dir;
  std::map<std::string, unsigned> counter;
  std::mutex mutex;
};

/// The back end of one program once it is LLVM IR: -O3, the object file,
/// the link with the runtime.
struct BackEndJob {
  std::string kind, name; // "train", "fashion_mlp-train"
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
};

/// Runs the back ends. A model's programs share nothing once they are LLVM
/// IR (each has its own LLVMContext; each thread makes its own
/// TargetMachine), so they are built on one thread each: on two cores a
/// model with a train and an infer program compiles in about the time of
/// the larger one. --time-passes keeps them on one thread, as LLVM's pass
/// timers are global.
bool runBackEnds(std::vector<BackEndJob> &jobs, StageDumper &dumper, bool objectOnly,
                 const char *argv0) {
  std::vector<char> ok(jobs.size(), 0);
  auto build = [&](size_t i) {
    BackEndJob &job = jobs[i];
    std::unique_ptr<llvm::TargetMachine> machine = nn::createHostTargetMachine();
    if (!machine)
      return;
    nn::optimizeLLVMModule(*job.module, *machine);
    dumper.write(job.kind, "llvm-optimized", "ll",
                 [&](llvm::raw_ostream &os) { job.module->print(os, nullptr); });
    llvm::sys::fs::create_directories(outputDir);
    llvm::SmallString<256> object(outputDir), program(outputDir);
    llvm::sys::path::append(object, job.name + ".o");
    llvm::sys::path::append(program, job.name);
    if (failed(nn::writeObjectFile(*job.module, *machine, object)))
      return;
    if (objectOnly) {
      ok[i] = 1;
      return;
    }
    LogicalResult linked = nn::linkProgram(object, nn::findRuntimeLibrary(argv0), program);
    llvm::sys::fs::remove(object);
    ok[i] = succeeded(linked);
  };
  if (llvm::TimePassesIsEnabled) {
    for (size_t i = 0; i < jobs.size(); ++i)
      build(i);
  } else {
    std::vector<std::thread> threads;
    for (size_t i = 1; i < jobs.size(); ++i)
      threads.emplace_back(build, i);
    if (!jobs.empty())
      build(0);
    for (std::thread &thread : threads)
      thread.join();
  }
  return llvm::all_of(ok, [](char b) { return b != 0; });
}

/// The graph of the nn module for Graphviz: one node per op, an edge per use.
void printDot(ModuleOp module, llvm::raw_ostream &os) {
  os << "digraph nn {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n";
  llvm::DenseMap<Value, std::string> names;
  unsigned counter = 0;
  module.walk([&](func::FuncOp func) {
    for (BlockArgument arg : func.getArguments()) {
      std::string id = "n" + std::to_string(counter++);
      StringAttr name = nn::getPlaceholderName(func, arg.getArgNumber());
      os << "  " << id << " [label=\"placeholder " << (name ? name.str() : "") << "\\n"
         << arg.getType() << "\", shape=ellipse];\n";
      names[arg] = id;
    }
    func.walk([&](Operation *op) {
      if (isa<func::FuncOp>(op))
        return;
      std::string id = "n" + std::to_string(counter++);
      os << "  " << id << " [label=\"" << op->getName().getStringRef();
      if (auto read = dyn_cast<nn::ReadOp>(op))
        os << " @" << read.getVariable();
      for (Type t : op->getResultTypes())
        os << "\\n" << t;
      os << "\"];\n";
      for (Value operand : op->getOperands())
        if (names.count(operand))
          os << "  " << names[operand] << " -> " << id << ";\n";
      for (Value result : op->getResults())
        names[result] = id;
    });
  });
  os << "}\n";
}

int failWith(const llvm::Twine &message) {
  llvm::errs() << "nnc: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "nnc: a static graph compiler for neural networks\n");

  if (emit == Emit::PTX && target == "cpu")
    return failWith("--emit=ptx needs --target=cuda");
  if (target != "cpu")
    return failWith("--target=" + target + " is not supported by this version of nnc "
                    "(only --target=cpu)");

  DialectRegistry registry;
  registry.insert<nn::NNDialect, func::FuncDialect, arith::ArithDialect,
                  linalg::LinalgDialect, tensor::TensorDialect, math::MathDialect,
                  memref::MemRefDialect, bufferization::BufferizationDialect,
                  scf::SCFDialect, LLVM::LLVMDialect>();
  registerAllExtensions(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  auto file = openInputFile(inputFile);
  if (!file)
    return failWith("cannot read " + inputFile);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  StageDumper dumper(dumpDir);

  // The programs to build: (kind, module), train first.
  std::vector<std::pair<std::string, OwningOpRef<ModuleOp>>> programs;
  if (llvm::StringRef(inputFile).ends_with(".mlir")) {
    OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
    if (!module)
      return 1;
    if (emit == Emit::AST)
      return failWith("--emit=ast needs a .nn file");
    std::string kind = "infer";
    if (nn::getSetting(*module, nn::abi::kProgramSetting) == nn::abi::kTrainProgram)
      kind = "train";
    programs.emplace_back(kind, std::move(module));
  } else {
    // Frontend: lex, parse, check, build the nn dialect.
    nn::Diagnostics diags(sourceMgr, inputFile);
    llvm::StringRef source = sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer();
    std::vector<nn::Token> tokens = nn::lex(source, diags);
    nn::Module ast = nn::parseModule(tokens, diags);
    nn::checkModule(ast, diags); // also after syntax errors: report them all
    if (diags.errorCount())
      return 1;
    if (emit == Emit::AST) {
      nn::dumpAST(ast, llvm::outs());
      return 0;
    }
    dumper.write("", "ast", "txt", [&](llvm::raw_ostream &os) { nn::dumpAST(ast, os); });
    if (gradcheck) {
      if (!ast.train)
        return failWith(inputFile + " has no train block: there is no loss to check");
      auto module = nn::mlirGenTrain(context, ast);
      if (!module)
        return 1;
      func::FuncOp step;
      for (auto func : module->getOps<func::FuncOp>()) {
        nn::setBatch(func, gradcheckBatch);
        if (nn::getMinimizedResult(func))
          step = func;
      }
      int64_t lossIndex = *nn::getMinimizedResult(step);
      PassManager pm(&context);
      pm.addPass(nn::createNNSpecializeBatchPass());
      pm.addPass(nn::createNNSimplifyPass());
      pm.addPass(nn::createNNAutodiffPass());
      if (failed(pm.run(*module)))
        return 1;
      auto worst = nn::checkGradients(step, lossIndex, 0, gradcheckSamples, llvm::outs());
      if (failed(worst))
        return 1;
      const double tolerance = 1e-6;
      if (*worst > tolerance) {
        llvm::outs() << "FAILED: a gradient differs from finite differences by more than "
                     << tolerance << "\n";
        return 1;
      }
      llvm::outs() << "all gradients agree within " << tolerance << "\n";
      return 0;
    }
    if (!ast.train && !ast.infer)
      return failWith(inputFile + " has neither a train nor an infer block: nothing to build");
    if (ast.train) {
      auto module = nn::mlirGenTrain(context, ast);
      if (!module)
        return 1;
      programs.emplace_back("train", std::move(module));
    }
    if (ast.infer) {
      auto module = nn::mlirGenInfer(context, ast);
      if (!module)
        return 1;
      programs.emplace_back("infer", std::move(module));
    }
  }

  std::unique_ptr<llvm::TargetMachine> machine; // for translation and --emit=llvm
  std::vector<BackEndJob> jobs;
  for (auto &[kind, module] : programs) {
    auto print = [&, &kind = kind](auto &&ir) {
      if (programs.size() > 1)
        llvm::outs() << "// ----- the " << kind << " program\n";
      ir();
    };
    dumper.write(kind, "nn", "mlir", [&](llvm::raw_ostream &os) { module->print(os); });
    if (emit == Emit::NN) {
      print([&] { module->print(llvm::outs()); });
      continue;
    }
    if (emit == Emit::Dot) {
      print([&] { printDot(*module, llvm::outs()); });
      continue;
    }

    // Middle and back end: the CPU pipeline, stage by stage.
    nn::CPUPipelineOptions options;
    const Emit stageEmit[] = {Emit::Specialized, Emit::Grad, Emit::Linalg, Emit::Fused,
                              Emit::Bufferized, Emit::Loops, Emit::MLIRLLVM};
    std::vector<nn::PipelineStage> stages = nn::buildCPUPipeline(options);
    bool stopped = false;
    for (size_t i = 0; i < stages.size() && !stopped; ++i) {
      PassManager pm(&context);
      if (failed(applyPassManagerCLOptions(pm)))
        return 1;
      stages[i].addPasses(pm);
      if (failed(pm.run(*module)))
        return failWith("the " + stages[i].name + " stage of the " + kind + " program failed");
      dumper.write(kind, stages[i].name, "mlir",
                   [&](llvm::raw_ostream &os) { module->print(os); });
      if (emit == stageEmit[i]) {
        print([&] { module->print(llvm::outs()); });
        stopped = true;
      }
      if (emit == Emit::Memory && stages[i].name == "bufferized") {
        print([&] { nn::printMemoryPlan(*module, llvm::outs()); });
        stopped = true;
      }
    }
    if (stopped)
      continue;

    if (!machine)
      machine = nn::createHostTargetMachine();
    if (!machine)
      return 1;
    auto llvmContext = std::make_unique<llvm::LLVMContext>();
    auto llvmModule = nn::translateToLLVMIR(*module, *llvmContext, *machine);
    if (!llvmModule)
      return failWith("translation to LLVM IR failed");
    dumper.write(kind, "llvm", "ll",
                 [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); });
    if (emit == Emit::LLVM) {
      nn::optimizeLLVMModule(*llvmModule, *machine);
      dumper.write(kind, "llvm-optimized", "ll",
                   [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); });
      print([&] { llvmModule->print(llvm::outs(), nullptr); });
      continue;
    }
    jobs.push_back({kind, nn::getModelName(*module).str() + "-" + kind, std::move(llvmContext),
                    std::move(llvmModule)});
  }
  if (!runBackEnds(jobs, dumper, emit == Emit::Obj, argv[0]))
    return 1;
  return 0;
}
