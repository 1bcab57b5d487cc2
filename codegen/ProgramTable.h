//===- ProgramTable.h - the table each generated program exports -*- C++ -*-===//
//
// What the runtime must know about a program (runtime/ProgramTable.h): its
// tensors with names, shapes and storage, and its functions. Collected from
// the nn module once its batch is fixed (before nn-state-to-globals erases the
// variables), and emitted into the LLVM module as `nnrt_program_table`.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_PROGRAMTABLE_H
#define NNC_CODEGEN_PROGRAMTABLE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"

#include <string>
#include <vector>

namespace nn {

struct TableTensor {
  std::string name;   // the .nn name
  int role;           // nnrt_role
  int dtype;          // nnrt_dtype
  bool batched;
  std::vector<int64_t> dims;
  std::string global; // the symbol of its storage (nn-state-to-globals' naming)
  std::string init;   // variables: the initializer spec
};

struct TableFunction {
  std::string name;   // "infer"
  std::string symbol; // "nnc_infer"
  int64_t batch;
  int firstTensor, numTensors;
};

struct ProgramTable {
  std::string model, source;
  std::vector<TableTensor> tensors;
  std::vector<TableFunction> functions;
  std::vector<std::string> settings;
};

/// Module attributes that carry what the table needs from the .nn file.
constexpr llvm::StringLiteral kModelAttr = "nn.model";
constexpr llvm::StringLiteral kSourceAttr = "nn.source";
constexpr llvm::StringLiteral kSettingsAttr = "nn.settings";

/// Reads the table off a module whose batch is fixed (after
/// nn-specialize-batch, before nn-state-to-globals).
ProgramTable collectProgramTable(mlir::ModuleOp module);

/// Adds `nnrt_program_table` (and the strings and arrays it points to) to the
/// translated module; every storage global and entry function must exist.
mlir::LogicalResult emitProgramTable(llvm::Module &module,
                                     const ProgramTable &table);

} // namespace nn

#endif // NNC_CODEGEN_PROGRAMTABLE_H
