//===- NNAttributes.h - the attributes the stages pass on -------*- C++ -*-===//
//
// Typed access to the nn dialect's discardable attributes (declared in
// NNDialect.td, `discardableAttrs`): what one stage of nnc writes on a
// function, an argument, a result, a variable or the module for a later one
// to read. No other file spells an `nn.` attribute name; each accessor
// below says who writes the attribute and who reads it.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_IR_NNATTRIBUTES_H
#define NNC_IR_NNATTRIBUTES_H

#include "ir/NNDialect.h"

#include "mlir/Interfaces/FunctionInterfaces.h"

#include <optional>
#include <string>

namespace nn {

//===----------------------------------------------------------------------===//
// On a function
//===----------------------------------------------------------------------===//

/// `nn.batch`: the size of the batch dimension `?` in this function. Set by
/// MLIRGen (each function of a program has its own: `evaluate_1` is 1) and
/// kept by nn-specialize-batch, which fixes `?` to it; the program table
/// reports it to the runtime.
std::optional<int64_t> getBatch(mlir::Operation *function);
void setBatch(mlir::Operation *function, int64_t batch);

/// `nn.minimize`: the index of the result that is the loss. Set by MLIRGen on
/// `train_step`; consumed by nn-autodiff, which appends the gradients.
std::optional<int64_t> getMinimizedResult(mlir::Operation *function);
void setMinimizedResult(mlir::Operation *function, int64_t result);
void removeMinimizedResult(mlir::Operation *function);

/// `nn.optimizer`: {name = "adam", learning_rate = ..., ...} from the train
/// block. Set by MLIRGen; consumed by nn-optimizer.
mlir::DictionaryAttr getOptimizer(mlir::Operation *function);
void setOptimizer(mlir::Operation *function, mlir::DictionaryAttr optimizer);
void removeOptimizer(mlir::Operation *function);

//===----------------------------------------------------------------------===//
// On a function's arguments and results
//===----------------------------------------------------------------------===//

/// `nn.placeholder` on an argument: the placeholder it is fed from. Set by
/// MLIRGen; nn-state-to-globals names the argument's storage after it.
mlir::StringAttr getPlaceholderName(mlir::FunctionOpInterface function, unsigned argument);
void setPlaceholderName(mlir::FunctionOpInterface function, unsigned argument,
                        llvm::StringRef name);

/// `nn.output` on a result: the .nn name of the value returned. Set by MLIRGen.
mlir::StringAttr getOutputName(mlir::FunctionOpInterface function, unsigned result);
void setOutputName(mlir::FunctionOpInterface function, unsigned result, llvm::StringRef name);

/// `nn.gradient` on a result: it is dL/dw of the variable named. Set by
/// nn-autodiff; consumed by nn-optimizer (and read by the gradient check).
mlir::StringAttr getGradientOf(mlir::FunctionOpInterface function, unsigned result);
/// The attribute dictionary of a new gradient result of variable `variable`.
mlir::DictionaryAttr gradientResultAttrs(mlir::MLIRContext *context, llvm::StringRef variable);

/// `nn.batched` on an argument or a result: its first dimension is the
/// batch. Set by nn-specialize-batch when it fixes a `?`; the program table
/// tells the runtime, which fills and reads such tensors item by item.
bool isBatchedArgument(mlir::FunctionOpInterface function, unsigned argument);
bool isBatchedResult(mlir::FunctionOpInterface function, unsigned result);
void setBatchedArgument(mlir::FunctionOpInterface function, unsigned argument);
void setBatchedResult(mlir::FunctionOpInterface function, unsigned result);

//===----------------------------------------------------------------------===//
// On a variable
//===----------------------------------------------------------------------===//

/// `nn.optimizer_state`: the variable is an optimizer's state (Adam's
/// moments), not a parameter of the model. Set by nn-optimizer; the program
/// table gives it the role `state` (saved in checkpoints, not loaded by
/// `--init`).
bool isOptimizerState(VariableOp variable);
void setOptimizerState(VariableOp variable);

//===----------------------------------------------------------------------===//
// On a constant
//===----------------------------------------------------------------------===//

/// `nn.folded`: the arithmetic nn-simplify folded into this constant
/// ("1 - 0.9 = 0.1"), so --emit=grad shows a folded constant as such (a
/// location would not do: the folder keeps constants at the top of the
/// function, under an unknown location). Read by passes/Analysis/ExplainedIR.
mlir::StringAttr getFolded(ConstantOp constant);
void setFolded(ConstantOp constant, llvm::StringRef what);

//===----------------------------------------------------------------------===//
// On the module
//===----------------------------------------------------------------------===//

/// `nn.model` and `nn.source`: the model's name and its .nn file. Set by
/// MLIRGen; the program table reports them.
mlir::StringAttr getModelName(mlir::ModuleOp module);
void setModelName(mlir::ModuleOp module, llvm::StringRef name);
mlir::StringAttr getSourceFile(mlir::ModuleOp module);
void setSourceFile(mlir::ModuleOp module, llvm::StringRef file);

/// `nn.settings`: "key=value" strings for the runtime (support/ProgramABI.h,
/// section 4). Set by MLIRGen; the program table carries them.
mlir::ArrayAttr getSettings(mlir::ModuleOp module);
void setSettings(mlir::ModuleOp module, llvm::ArrayRef<std::string> settings);
/// The value of setting `key`, or "" when the module has none.
std::string getSetting(mlir::ModuleOp module, llvm::StringRef key);

/// `nn.cpu`: the CPU the kernels were shaped for, as nn-matmul-microkernel
/// chose for it: {name = "znver4", vector_bits = 512, vector_registers = 32,
/// caches = array<i64: L1d, L2, L3 bytes>, caches_from = "host",
/// matmul_tile = array<i64: MR, NR>, matmul_blocks = array<i64: MC, NC, KC>}.
/// So `--emit=loops` shows the choice.
struct CPUChoice {
  llvm::StringRef name;
  int64_t vectorBits, vectorRegisters;
  llvm::ArrayRef<int64_t> caches; // L1d, L2, L3 in bytes
  llvm::StringRef cachesFrom;     // "host", "table" or "typical"
  llvm::ArrayRef<int64_t> matmulTile, matmulBlocks;
};
void setCPUChoice(mlir::ModuleOp module, const CPUChoice &choice);

//===----------------------------------------------------------------------===//
// On a linalg.generic
//===----------------------------------------------------------------------===//

/// `nn.conv_filter_gradient = array<i64: sy, sx>`: the generic is the filter
/// gradient of a convolution of these strides, as nn-direct-convolutions
/// writes it, for nn-matmul-microkernel's direct kernel.
std::optional<std::pair<int64_t, int64_t>> getConvFilterGradient(mlir::Operation *generic);
void setConvFilterGradient(mlir::Operation *generic, int64_t sy, int64_t sx);

//===----------------------------------------------------------------------===//
// On a view into the memory arena
//===----------------------------------------------------------------------===//

/// `nn.offset`, `nn.bytes`, `nn.live`: where nn-plan-memory placed a buffer in
/// the arena (bytes from its start, size) and the first and last top-level
/// op of its function that touch it. Read by `nnc --emit=memory`.
struct ArenaPlacement {
  int64_t offset, bytes, firstOp, lastOp;
};
std::optional<ArenaPlacement> getArenaPlacement(mlir::Operation *view);
void setArenaPlacement(mlir::Operation *view, const ArenaPlacement &placement);

} // namespace nn

#endif // NNC_IR_NNATTRIBUTES_H
