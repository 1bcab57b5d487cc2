//===- nnc.cpp - the nnc compiler driver ----------------------------------===//
//
//   nnc MODEL.nn [-o DIR] [--emit=STAGE] [--dump-dir DIR] [--report=FILE.html]
//                [--target=cpu|cuda]
//
// Runs the pipeline stage by stage, as MLIR's Toy tutorial does, and stops
// where --emit says. The stages are one ordered table (`stages()`): the
// frontend's (ast, nn), the graph stages every target shares
// (codegen/Pipeline.cpp: specialized, grad, linalg, fused, bufferized), the
// CPU target's (loops) or the GPU target's (gpu, kernels, nvvm), then
// mlir-llvm, and the back end's (llvm, ptx, obj); `dot` is a view of the
// grad stage, `memory` and `cost` of the bufferized one. Without --emit it
// builds DIR/NAME-train and DIR/NAME-infer. `--dump-dir` writes every stage
// to numbered files (and the picture), `--report` one HTML page of them all
// (CompileReport.cpp), and MLIR's own options work too
// (--mlir-print-ir-after-all; --help-hidden). `--mlir-timing` times every
// stage and pass of each program, and the back end; LLVM's `--time-passes`
// the passes of LLVM's -O3 and code generation.
//
// A model with a train and an infer block is two programs: the IR stages
// print both modules, separated by `// -----` so that nnc and nn-opt
// (-split-input-file) read the file back. An input ending in .mlir re-enters
// the pipeline where it was printed: every stage finds in the IR what is left
// for it to do.
//
// main() reads as the steps of the pipeline: options, the programs (from the
// frontend or from .mlir), the middle end of each program, then the back
// ends (LLVM IR, objects, linking).
//
//===----------------------------------------------------------------------===//

#include "codegen/LLVMEmitter.h"
#include "codegen/Linker.h"
#include "codegen/cpu/CPUPipeline.h"
#include "codegen/gpu/GPUPipeline.h"
#include "codegen/gpu/KernelEmitter.h"
#include "frontend/AST.h"
#include "frontend/Diagnostics.h"
#include "frontend/Lexer.h"
#include "frontend/MLIRGen.h"
#include "frontend/Parser.h"
#include "frontend/Sema.h"
#include "interp/GradientCheck.h"
#include "ir/NNAttributes.h"
#include "ir/NNDialect.h"
#include "ir/ProgramChecks.h"
#include "passes/Analysis/Cost.h"
#include "passes/Analysis/ExplainedIR.h"
#include "passes/Analysis/GraphPicture.h"
#include "passes/Analysis/MemoryPlan.h"
#include "passes/Passes.h"
#include "support/Error.h"
#include "support/Files.h"
#include "support/ProgramABI.h"
#include "tools/nnc/CompileReport.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Pass.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <deque>
#include <mutex>
#include <thread>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

cl::OptionCategory nncOptions("nnc options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.nn | model.mlir>"), cl::Required,
                               cl::cat(nncOptions));
cl::opt<std::string> outputDir("o", cl::desc("Directory for the programs (default .)"),
                               cl::value_desc("DIR"), cl::init("."), cl::cat(nncOptions));
/// An index into stages(), whose names main() adds as the option's values.
enum class StageIndex : unsigned {};
cl::opt<StageIndex> emit("emit", cl::desc("Print one stage instead of building programs:"),
                         cl::value_desc("STAGE"), cl::cat(nncOptions));
cl::opt<std::string> dumpDir("dump-dir", cl::desc("Write every stage to numbered files in DIR"),
                             cl::value_desc("DIR"), cl::cat(nncOptions));
cl::opt<std::string> reportFile("report",
                                cl::desc("Also write one HTML page of the whole compilation: the "
                                         "source, the picture, the cost, the memory plan and "
                                         "every stage with its diff"),
                                cl::value_desc("FILE.html"), cl::cat(nncOptions));
cl::opt<std::string> target("target", cl::desc("cpu (default) or cuda"), cl::init("cpu"),
                            cl::cat(nncOptions));
cl::opt<std::string> cpuName("cpu",
                             cl::desc("The x86-64 CPU to build for, by LLVM's name (haswell, "
                                      "znver3, skylake-avx512, znver4, ...; default: this one)"),
                             cl::value_desc("NAME"), cl::init(""), cl::cat(nncOptions));
/// The CPU the programs are built for: the host, or --cpu's (checkTarget).
nn::CPUTarget buildCPU;
cl::opt<std::string> gpuArch("gpu-arch",
                             cl::desc("GPU architecture of the PTX for --target=cuda "
                                      "(default sm_75: runs on every GPU CUDA 13 supports)"),
                             cl::value_desc("sm_XX"), cl::init(nn::defaultGPUArch()),
                             cl::cat(nncOptions));
cl::opt<bool> gradcheck("gradcheck",
                        cl::desc("Check the loss's gradients against finite differences "
                                 "in float64 instead of building programs"),
                        cl::cat(nncOptions));
cl::opt<int> gradcheckSamples("gradcheck-samples",
                              cl::desc("Elements checked per variable (default 20)"), cl::init(20),
                              cl::cat(nncOptions));
cl::opt<int> gradcheckBatch("gradcheck-batch",
                            cl::desc("Batch size of the gradient check (default 4)"), cl::init(4),
                            cl::cat(nncOptions));

//===----------------------------------------------------------------------===//
// The stages, in order
//===----------------------------------------------------------------------===//

/// One stage of nnc, or a view of one: --emit=NAME stops after stage `of`
/// (itself, for a stage) and prints it. `target` is the only target that has
/// the stage ("" for all).
struct Stage {
  std::string name, help, of, target = "";
  bool isView() const { return name != of; }
};

bool isGPU() { return target == "cuda"; }

/// The middle end of the target: the shared graph stages, then the target's.
std::vector<nn::PipelineStage> targetPipeline() {
  // --cpu as given: "" keeps the host's own features (a virtual machine may
  // hide AVX-512 from a CPU whose name has it), as the target machine does.
  nn::CPUPipelineOptions options;
  options.cpu = cpuName;
  return isGPU() ? nn::buildGPUPipeline({}) : nn::buildCPUPipeline(options);
}

/// The ordered table of everything --emit can print.
const std::vector<Stage> &stages() {
  static const std::vector<Stage> all = [] {
    std::vector<Stage> s = {{"ast", "the syntax tree", "ast"},
                            {"nn", "the nn dialect as parsed (batch still ?)", "nn"}};
    // The CPU's stages, with the GPU's own inserted before mlir-llvm.
    std::vector<nn::PipelineStage> cpu = nn::buildCPUPipeline({}), gpu = nn::buildGPUPipeline({});
    size_t shared = nn::buildGraphStages(1).size();
    for (size_t i = 0; i + 1 < cpu.size(); ++i)
      s.push_back({cpu[i].name, cpu[i].description + (i < shared ? "" : " (cpu)"), cpu[i].name,
                   i < shared ? "" : "cpu"});
    for (const nn::PipelineStage &p : llvm::ArrayRef(gpu).slice(shared, gpu.size() - shared - 1))
      s.push_back({p.name, p.description + " (cuda)", p.name, "cuda"});
    s.push_back({"mlir-llvm", "the LLVM dialect, with the program table", "mlir-llvm"});
    // The picture shows the backward and optimizer ops: draw it after grad.
    auto grad = llvm::find_if(s, [](const Stage &x) { return x.name == "grad"; });
    s.insert(grad + 1, {"dot", "the programs after autodiff, one Graphviz picture", "grad"});
    // The memory plan is made in the bufferized stage; print it after it.
    auto bufferized = llvm::find_if(s, [](const Stage &x) { return x.name == "bufferized"; });
    bufferized = s.insert(bufferized + 1,
                          {"memory", "the static memory plan of each program", "bufferized"});
    s.insert(bufferized + 1,
             {"cost", "FLOPs and bytes of every op, and the peak memory", "bufferized"});
    s.push_back({"llvm", "LLVM IR, optimised for this CPU", "llvm"});
    s.push_back({"obj", "write DIR/NAME-train.o and DIR/NAME-infer.o", "obj"});
    s.push_back({"ptx", "the GPU kernels as PTX (cuda)", "ptx", "cuda"});
    return s;
  }();
  return all;
}

/// What --emit asked for; null to build the programs.
const Stage *emitted() {
  return emit.getNumOccurrences() ? &stages()[(unsigned)emit.getValue()] : nullptr;
}
bool emits(llvm::StringRef name) { return emitted() && emitted()->name == name; }
bool stopsAfter(llvm::StringRef stage) { return emitted() && emitted()->of == stage; }

//===----------------------------------------------------------------------===//
// Step 1: the command line
//===----------------------------------------------------------------------===//

/// Parses nnc's options; --help lists only them (LLVM's and MLIR's are
/// behind --help-hidden), --version names nnc and the LLVM it uses.
void parseCommandLine(int argc, char **argv) {
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  for (auto [i, stage] : llvm::enumerate(stages()))
    emit.getParser().addLiteralOption(stage.name, StageIndex(i), stage.help);
  cl::HideUnrelatedOptions(nncOptions);
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "nnc " << NNC_VERSION << ", a static graph compiler for neural networks\n"
       << "  with LLVM and MLIR " << LLVM_VERSION_STRING
       << "; targets: cpu (x86-64), cuda (NVIDIA PTX)\n";
  });
  cl::ParseCommandLineOptions(
      argc, argv,
      "nnc: compiles a .nn model into NAME-train and NAME-infer programs\n\n"
      "  nnc MODEL.nn [-o DIR]         build the programs\n"
      "  nnc MODEL.nn --emit=STAGE     print one stage of the pipeline\n"
      "  nnc MODEL.nn --gradcheck      check every gradient in float64\n\n"
      "MLIR's options (--mlir-print-ir-after-all, --mlir-timing, ...) are listed by\n"
      "--help-hidden.\n");
}

int failWith(const llvm::Twine &message) {
  llvm::errs() << "nnc: " << message << "\n";
  return 1;
}

LogicalResult checkTarget() {
  if (target != "cpu" && target != "cuda")
    return failWith("unknown --target=" + target + " (cpu or cuda)"), failure();
  if (!reportFile.empty() && (emitted() || gradcheck))
    return failWith(std::string("--report writes the page of a whole build; it does not go with ") +
                    (gradcheck ? "--gradcheck" : "--emit")),
           failure();
  if (emitted() && !emitted()->target.empty() && emitted()->target != target)
    return failWith("--emit=" + emitted()->name + " is a stage of --target=" + emitted()->target),
           failure();
  llvm::StringRef arch = gpuArch;
  unsigned number = 0;
  if (!arch.consume_front("sm_") || arch.getAsInteger(10, number) || number < 75)
    return failWith("--gpu-arch=" + gpuArch +
                    ": expected sm_XX with XX at least 75 (what CUDA 13 supports)"),
           failure();
  std::string error;
  FailureOr<nn::CPUTarget> cpu = nn::lookupCPUTarget(cpuName, error);
  if (failed(cpu))
    return failWith(error), failure();
  buildCPU = *cpu;
  return success();
}

/// The dialects of the whole pipeline, with the external models that
/// bufferization and the LLVM lowering need.
DialectRegistry dialectRegistry() {
  DialectRegistry registry;
  registry.insert<nn::NNDialect, func::FuncDialect, arith::ArithDialect, linalg::LinalgDialect,
                  tensor::TensorDialect, math::MathDialect, memref::MemRefDialect,
                  bufferization::BufferizationDialect, scf::SCFDialect, affine::AffineDialect,
                  vector::VectorDialect, cf::ControlFlowDialect, LLVM::LLVMDialect, gpu::GPUDialect,
                  NVVM::NVVMDialect>();
  registerAllExtensions(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  nn::registerGPUExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(registry);
  return registry;
}

//===----------------------------------------------------------------------===//
// Printing and dumping stages
//===----------------------------------------------------------------------===//

/// Writes one stage of the pipeline to --dump-dir.
class StageDumper {
public:
  StageDumper(std::string dir, nn::CompileReport *report) : dir(std::move(dir)), report(report) {}
  /// The file written, or "" (no --dump-dir, or it could not be written).
  /// --report gets the stage too, as `forReport` prints it when given (MLIR
  /// with its source locations), else as `print` does; not the pictures.
  std::string write(llvm::StringRef program, llvm::StringRef stage, llvm::StringRef ext,
                    llvm::function_ref<void(llvm::raw_ostream &)> print,
                    llvm::function_ref<void(llvm::raw_ostream &)> forReport = nullptr) {
    std::lock_guard<std::mutex> lock(mutex); // the back ends run on threads
    if (report && ext != "dot") {
      std::string text;
      llvm::raw_string_ostream os(text);
      (forReport ? forReport : print)(os);
      report->addStage(program.empty() ? "model" : program, stage, ext, std::move(text));
    }
    if (dir.empty())
      return "";
    llvm::SmallString<256> path(dir);
    if (!program.empty())
      llvm::sys::path::append(path, program);
    llvm::sys::fs::create_directories(path);
    // A picture (.dot) shares the number of the stage it draws: 02-grad.dot
    // beside 02-grad.mlir.
    unsigned &next = counter[program.str()];
    unsigned number = ext == "dot" && next > 0 ? next - 1 : next++;
    char name[64];
    snprintf(name, sizeof name, "%02u-%s.%s", number, stage.str().c_str(), ext.str().c_str());
    llvm::sys::path::append(path, name);
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec) {
      llvm::errs() << "nnc: cannot write " << path << ": " << ec.message() << "\n";
      return "";
    }
    print(os);
    return path.str().str();
  }

  nn::CompileReport *getReport() { return report; }

private:
  std::string dir;
  nn::CompileReport *report;
  std::map<std::string, unsigned> counter;
  std::mutex mutex;
};

/// One program of the model: "train" or "infer", and its module.
struct Program {
  std::string kind;
  OwningOpRef<ModuleOp> module;
};

/// Prints one program's stage on stdout. With two programs each starts with
/// a comment naming it and the second follows a `// -----` line, the split
/// marker of `nnc` and of `nn-opt -split-input-file` (`;` for LLVM IR).
void printProgram(const Program &program, size_t index, size_t count, llvm::StringRef comment,
                  llvm::function_ref<void(llvm::raw_ostream &)> print) {
  llvm::raw_ostream &os = llvm::outs();
  if (index > 0)
    os << comment << " -----\n";
  if (count > 1)
    os << comment << " The " << program.kind << " program.\n";
  print(os);
}

/// --dump-dir's picture of a program after autodiff: NN-grad.dot beside
/// NN-grad.mlir, and NN-grad.svg when Graphviz's `dot` is on the PATH.
void dumpPicture(StageDumper &dumper, const Program &program) {
  std::string path = dumper.write(program.kind, "grad", "dot", [&](llvm::raw_ostream &os) {
    nn::printGraphPicture({{program.kind, *program.module}}, os);
  });
  if (path.empty())
    return;
  std::string svg = path.substr(0, path.size() - 3) + "svg", error;
  if (nn::drawWithGraphviz(path, svg, error) == nn::Drawn::Failed)
    llvm::errs() << "nnc: warning: Graphviz could not draw " << path << ": " << error << "\n";
}

//===----------------------------------------------------------------------===//
// Step 2: the programs, from a .nn file or from printed IR
//===----------------------------------------------------------------------===//

/// Lexes, parses and checks a .nn file; null after errors (all reported).
std::unique_ptr<nn::Module> parseModel(llvm::SourceMgr &sourceMgr, StageDumper &dumper) {
  nn::Diagnostics diags(sourceMgr, inputFile);
  llvm::StringRef source = sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer();
  std::vector<nn::Token> tokens = nn::lex(source, diags);
  auto ast = std::make_unique<nn::Module>(nn::parseModule(tokens, diags));
  nn::checkModule(*ast, diags); // also after syntax errors: report them all
  if (diags.errorCount())
    return nullptr;
  dumper.write("", "ast", "txt", [&](llvm::raw_ostream &os) { nn::dumpAST(*ast, os); });
  return ast;
}

/// The train program, then the infer program, of a checked model.
FailureOr<std::vector<Program>> generatePrograms(MLIRContext &context, const nn::Module &ast) {
  if (!ast.train && !ast.infer)
    return failWith(inputFile + " has neither a train nor an infer block: nothing to build"),
           failure();
  std::vector<Program> programs;
  if (ast.train) {
    auto module = nn::mlirGenTrain(context, ast);
    if (!module)
      return failure();
    programs.push_back({nn::abi::kTrainProgram, std::move(module)});
  }
  if (ast.infer) {
    auto module = nn::mlirGenInfer(context, ast);
    if (!module)
      return failure();
    programs.push_back({nn::abi::kInferProgram, std::move(module)});
  }
  if (!nn::checkUnused(context, ast)) // errors in what no program uses
    return failure();
  return programs;
}

/// The modules of a .mlir file, one program each, split at `// -----` lines.
/// Each chunk keeps its line numbers (it is parsed after as many newlines as
/// lines precede it), so diagnostics point into the file.
FailureOr<std::vector<Program>> parsePrograms(MLIRContext &context, llvm::StringRef text) {
  std::vector<Program> programs;
  SmallVector<llvm::StringRef> lines;
  text.split(lines, '\n');
  size_t first = 0;
  for (size_t i = 0; i <= lines.size(); ++i) {
    if (i < lines.size() && lines[i].rtrim() != "// -----")
      continue;
    std::string chunk(first, '\n');
    for (size_t l = first; l < i; ++l)
      chunk += lines[l].str() + "\n";
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(chunk, ParserConfig(&context), inputFile);
    if (!module)
      return failure();
    // What nnc and the runtime rely on beyond the ops' verifiers: the
    // settings, each function's batch, the train step and its optimizer.
    if (failed(nn::verifyProgramModule(*module)))
      return failure();
    std::string kind = nn::getSetting(*module, nn::abi::kProgramSetting);
    programs.push_back({kind, std::move(module)});
    first = i + 1;
  }
  return programs;
}

//===----------------------------------------------------------------------===//
// The gradient check (--gradcheck)
//===----------------------------------------------------------------------===//

/// Differentiates the train step at batch --gradcheck-batch and compares
/// each gradient with float64 finite differences.
int runGradientCheck(MLIRContext &context, const nn::Module &ast) {
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
  int64_t lossIndex = *nn::getMinimizedResult(step); // nn-autodiff consumes it
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
    llvm::outs() << "FAILED: a gradient differs from finite differences by more than " << tolerance
                 << "\n";
    return 1;
  }
  llvm::outs() << "all gradients agree within " << tolerance << "\n";
  return 0;
}

//===----------------------------------------------------------------------===//
// Step 3: the middle end of one program, stage by stage
//===----------------------------------------------------------------------===//

/// Whether `module` is past bufferization: it has functions, and no value
/// anywhere is a tensor.
bool holdsOnlyBuffers(ModuleOp module) {
  bool functions = false, tensors = false;
  auto isTensor = [](Type t) { return isa<TensorType>(t); };
  module.walk([&](Operation *op) {
    if (auto f = dyn_cast<func::FuncOp>(op)) {
      functions = true;
      tensors |= llvm::any_of(f.getArgumentTypes(), isTensor) ||
                 llvm::any_of(f.getResultTypes(), isTensor);
    }
    tensors |= llvm::any_of(op->getResultTypes(), isTensor);
    return tensors ? WalkResult::interrupt() : WalkResult::advance();
  });
  return functions && !tensors;
}

/// Runs the target's stages on `program`, dumping each, until the one
/// --emit asked for, which it prints. Returns true when the program went all
/// the way to the LLVM dialect (and the back end is next).
FailureOr<bool> runMiddleEnd(MLIRContext &context, Program &program, size_t index, size_t count,
                             StageDumper &dumper, TimingScope &timing) {
  auto print = [&](llvm::function_ref<void(llvm::raw_ostream &)> what) {
    printProgram(program, index, count, "//", what);
  };
  ModuleOp module = *program.module;
  // What --report shows of an MLIR stage: the IR with its locations, each
  // a link to the source line.
  OpPrintingFlags withLocations;
  withLocations.enableDebugInfo(/*enable=*/true, /*prettyForm=*/true);
  dumper.write(
      program.kind, "nn", "mlir", [&](llvm::raw_ostream &os) { module.print(os); },
      [&](llvm::raw_ostream &os) { module.print(os, withLocations); });
  if (stopsAfter("nn")) {
    print([&](llvm::raw_ostream &os) { module.print(os); });
    return false;
  }
  // IR printed after the bufferized stage holds only buffers: the graph
  // stages have nothing left to do on it, and upstream's buffer
  // deallocation, which the bufferized stage runs, does not know the ops
  // later stages made (a gpu.launch with shared memory, an alignment hint).
  const size_t graphStages = nn::buildGraphStages(1).size();
  const bool bufferized = holdsOnlyBuffers(module);
  // --emit=cost counts the ops of the grad stage (nn ops, static shapes, each
  // knowing its part) and the memory of the bufferized one.
  std::string cost;
  for (auto [i, stage] : llvm::enumerate(targetPipeline())) {
    if (bufferized && i < graphStages)
      continue;
    PassManager pm(&context);
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    TimingScope stageTiming = timing.nest(stage.name); // --mlir-timing: each pass under its stage
    pm.enableTiming(stageTiming);
    stage.addPasses(pm);
    if (failed(pm.run(module)))
      return failWith("the " + stage.name + " stage of the " + program.kind + " program failed"),
             failure();
    // The grad stage is printed with its story: sections and the rule of
    // every backward op.
    auto printStage = [&](llvm::raw_ostream &os, OpPrintingFlags flags) {
      stage.name == "grad" ? nn::printExplained(module, os, flags) : module.print(os, flags);
    };
    dumper.write(
        program.kind, stage.name, "mlir",
        [&](llvm::raw_ostream &os) { printStage(os, OpPrintingFlags()); },
        [&](llvm::raw_ostream &os) { printStage(os, withLocations); });
    nn::CompileReport *report = dumper.getReport();
    if ((emits("cost") || report) && stage.name == "grad") {
      llvm::raw_string_ostream os(cost);
      nn::printCost(module, os);
    }
    if (report && stage.name == "grad") {
      report->keepGraph(program.kind, module);
      report->addCost(program.kind, cost);
    }
    if (report && stage.name == "bufferized") {
      std::string plan;
      llvm::raw_string_ostream os(plan);
      nn::printMemoryPlan(module, os);
      nn::printPeakMemory(module, os);
      report->addMemoryPlan(program.kind, plan);
    }
    if (stage.name == "grad")
      dumpPicture(dumper, program);
    if (emits("dot") && stage.name == "grad")
      return false; // main() draws every program in one picture
    if (stopsAfter(stage.name)) {
      print([&](llvm::raw_ostream &os) {
        if (emits("memory"))
          return nn::printMemoryPlan(module, os);
        if (!emits("cost"))
          return printStage(os, OpPrintingFlags());
        os << (cost.empty() ? "no nn ops to count: the input is past the grad stage\n" : cost);
        nn::printPeakMemory(module, os);
      });
      return false;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Step 4: the back ends
//===----------------------------------------------------------------------===//

/// The back end of one program once it is LLVM IR: -O3, the object file,
/// the link with the runtime.
struct BackEndJob {
  std::string kind, name; // "train", "fashion_mlp-train"
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
};

/// A GPU program's kernels, in LLVM IR: PTX (printed for --emit=ptx) and
/// the same kernels for the emulator, linked into the host module `host`. Returns false when
/// --emit=ptx printed.
FailureOr<bool> emitKernels(Program &program, const llvm::Module *kernels, size_t index,
                            size_t count, StageDumper &dumper, llvm::Module &host) {
  dumper.write(program.kind, "kernels", "ll",
               [&](llvm::raw_ostream &os) { kernels->print(os, nullptr); });
  nn::KernelTarget gpu;
  gpu.arch = gpuArch;
  gpu.libdevice = nn::builtinLibdevicePath();
  FailureOr<std::string> ptx = nn::emitPTX(*kernels, gpu);
  if (failed(ptx))
    return failure();
  dumper.write(program.kind, "ptx", "ptx", [&](llvm::raw_ostream &os) { os << *ptx; });
  if (emits("ptx")) {
    printProgram(program, index, count, "//", [&](llvm::raw_ostream &os) { os << *ptx; });
    return false;
  }
  auto emulated = nn::buildEmulatedKernels(*kernels, *ptx, host);
  if (failed(emulated))
    return failure();
  dumper.write(program.kind, "emulated-kernels", "ll",
               [&](llvm::raw_ostream &os) { (*emulated)->print(os, nullptr); });
  if (llvm::Linker::linkModules(host, std::move(*emulated)))
    return failWith("linking the emulated kernels failed"), failure();
  return true;
}

/// The back ends of a model's programs. A model's programs share nothing
/// once they are LLVM IR (each has its own LLVMContext; each thread makes
/// its own TargetMachine), so each program's back end starts on a thread
/// of its own as soon as its LLVM IR is ready: the train program's -O3 and
/// code generation overlap the infer program's middle end, and on two cores
/// a model compiles in about the time of its larger program. --time-passes
/// keeps them on the main thread, one after the other, as LLVM's pass
/// timers are global.
class BackEnds {
public:
  BackEnds(StageDumper &dumper, const char *argv0) : dumper(dumper), argv0(argv0) {}
  BackEnds(const BackEnds &) = delete;
  ~BackEnds() { wait(); }

  void start(BackEndJob job) {
    jobs.push_back(std::move(job)); // a deque: earlier jobs stay where they are
    built.push_back(0);
    BackEndJob &started = jobs.back();
    char &ok = built.back();
    if (llvm::TimePassesIsEnabled)
      ok = build(started);
    else
      threads.emplace_back([this, &started, &ok] { ok = build(started); });
  }

  /// Waits for every back end; whether all built their program.
  bool wait() {
    for (std::thread &thread : threads)
      thread.join();
    threads.clear();
    return llvm::all_of(built, [](char ok) { return ok != 0; });
  }

private:
  /// -O3, the object file, and (unless --emit=obj) the linked program.
  bool build(BackEndJob &job) {
    std::unique_ptr<llvm::TargetMachine> machine = nn::createCPUTargetMachine(buildCPU);
    if (!machine)
      return false;
    nn::optimizeLLVMModule(*job.module, *machine);
    dumper.write(job.kind, "llvm-optimized", "ll",
                 [&](llvm::raw_ostream &os) { job.module->print(os, nullptr); });
    llvm::sys::fs::create_directories(outputDir);
    llvm::SmallString<256> object(outputDir), program(outputDir);
    llvm::sys::path::append(object, job.name + ".o");
    llvm::sys::path::append(program, job.name);
    if (failed(nn::writeObjectFile(*job.module, *machine, object)))
      return false;
    if (emits("obj"))
      return true;
    LogicalResult linked = nn::linkProgram(object, nn::findRuntimeLibrary(argv0), program);
    llvm::sys::fs::remove(object);
    return succeeded(linked);
  }

  StageDumper &dumper;
  const char *argv0;
  std::deque<BackEndJob> jobs;
  std::deque<char> built;
  std::vector<std::thread> threads;
};

/// Translates a program in the LLVM dialect to LLVM IR; with --emit=llvm,
/// optimises and prints it instead of starting its back end.
LogicalResult translateProgram(Program &program, size_t index, size_t count, StageDumper &dumper,
                               BackEnds &backEnds) {
  std::unique_ptr<llvm::TargetMachine> machine = nn::createCPUTargetMachine(buildCPU);
  if (!machine)
    return failure();
  auto context = std::make_unique<llvm::LLVMContext>();
  // The kernels leave the module first: what is translated is the host's.
  std::unique_ptr<llvm::Module> kernels;
  if (isGPU() && !(kernels = nn::takeKernels(*program.module, *context)))
    return failure();
  auto module = nn::translateToLLVMIR(*program.module, *context, *machine);
  if (!module)
    return failWith("translation to LLVM IR failed"), failure();
  if (isGPU()) {
    FailureOr<bool> go = emitKernels(program, kernels.get(), index, count, dumper, *module);
    if (failed(go) || !*go)
      return failure(failed(go));
  }
  dumper.write(program.kind, "llvm", "ll",
               [&](llvm::raw_ostream &os) { module->print(os, nullptr); });
  if (emits("llvm")) {
    nn::optimizeLLVMModule(*module, *machine);
    dumper.write(program.kind, "llvm-optimized", "ll",
                 [&](llvm::raw_ostream &os) { module->print(os, nullptr); });
    printProgram(program, index, count, ";",
                 [&](llvm::raw_ostream &os) { module->print(os, nullptr); });
    return success();
  }
  std::string name = nn::getModelName(*program.module).str() + "-" + program.kind;
  backEnds.start({program.kind, name, std::move(context), std::move(module)});
  return success();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  parseCommandLine(argc, argv);
  if (failed(checkTarget()))
    return 1;
  if (!isGPU())
    nn::setCPUCodeGenDefaults();
  MLIRContext context(dialectRegistry());
  context.loadAllAvailableDialects();

  if (inputFile != "-") {
    try {
      nn::requireRegularFile(inputFile); // not /dev/zero, which never ends
    } catch (const nn::Error &e) {
      return failWith(e.what());
    }
  }
  auto file = openInputFile(inputFile);
  if (!file)
    return failWith("cannot read " + inputFile);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  if (!dumpDir.empty()) { // a directory, or made one: not a file in the way
    std::error_code ec = llvm::sys::fs::create_directories(dumpDir.getValue());
    if (ec || !llvm::sys::fs::is_directory(dumpDir.getValue()))
      return failWith("--dump-dir " + dumpDir + ": cannot make it a directory: " +
                      (ec ? ec.message() : std::string("a file of that name exists")));
  }
  std::unique_ptr<nn::CompileReport> report;
  if (!reportFile.empty())
    report = std::make_unique<nn::CompileReport>(
        llvm::sys::path::stem(inputFile).str(), inputFile,
        sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer().str(), target);
  StageDumper dumper(dumpDir, report.get());

  // The programs: from the frontend, or printed IR read back.
  FailureOr<std::vector<Program>> programs = failure();
  if (llvm::StringRef(inputFile).ends_with(".mlir")) {
    if (emits("ast") || gradcheck)
      return failWith(std::string(emits("ast") ? "--emit=ast" : "--gradcheck") +
                      " needs a .nn file");
    programs =
        parsePrograms(context, sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer());
  } else {
    std::unique_ptr<nn::Module> ast = parseModel(sourceMgr, dumper);
    if (!ast)
      return 1;
    if (emits("ast")) {
      nn::dumpAST(*ast, llvm::outs());
      return 0;
    }
    if (gradcheck)
      return runGradientCheck(context, *ast);
    programs = generatePrograms(context, *ast);
  }
  if (failed(programs))
    return 1;

  // Each program through the middle end, then into LLVM IR. With
  // --mlir-timing, a tree of times: program, stage, pass; the back end.
  DefaultTimingManager timingManager;
  applyDefaultTimingManagerCLOptions(timingManager);
  TimingScope timing = timingManager.getRootScope();
  BackEnds backEnds(dumper, argv[0]);
  for (auto [i, program] : llvm::enumerate(*programs)) {
    TimingScope programTiming = timing.nest(program.kind + " program");
    FailureOr<bool> lowered =
        runMiddleEnd(context, program, i, programs->size(), dumper, programTiming);
    if (failed(lowered))
      return 1;
    TimingScope translation = programTiming.nest("translation to LLVM IR");
    if (*lowered && failed(translateProgram(program, i, programs->size(), dumper, backEnds)))
      return 1;
  }
  if (emits("dot")) {
    std::vector<std::pair<std::string, ModuleOp>> drawn;
    for (const Program &program : *programs)
      drawn.push_back({program.kind, *program.module});
    nn::printGraphPicture(drawn, llvm::outs());
    return 0;
  }
  // Each back end started when its program's LLVM IR was ready; what is
  // timed here is the wait for the last ones.
  TimingScope backEndTiming = timing.nest(
      "back end: LLVM -O3, objects, linking (one thread a program; the wait after the middle ends)");
  bool built = backEnds.wait();
  backEndTiming.stop();
  if (report && !report->write(reportFile))
    return 1;
  return built ? 0 : 1;
}
