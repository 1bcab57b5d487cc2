//===- AST.h - the abstract syntax tree of a .nn file -----------*- C++ -*-===//
//
// What the parser produces and `nnc --emit=ast` prints: expressions (numbers,
// names, calls, lists, unary and binary arithmetic) and the statements of
// docs/language.md (model, placeholder, variable/const, definitions, data,
// train and infer blocks).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_AST_H
#define NNC_FRONTEND_AST_H

#include "frontend/Diagnostics.h"

#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nn {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct KeywordArg {
  std::string name;
  SourceLoc loc;
  ExprPtr value;
};

struct Expr {
  enum Kind { Number, String, Name, Call, List, Unary, Binary } kind;
  SourceLoc loc;
  double number = 0;              // Number
  bool isInteger = false;         // Number written without '.' or exponent
  std::string text;               // String content, Name, Call's op name
  char op = 0;                    // Unary '-', Binary '+' '-' '*' '/'
  std::vector<ExprPtr> args;      // Call arguments, List elements, operands
  std::vector<KeywordArg> kwargs; // Call keyword arguments
  unsigned height = 1;            // levels of the tree from here down (a leaf: 1)

  const Expr *kwarg(llvm::StringRef name) const;
};

/// The most levels an expression's tree may have (each operator, call,
/// list and unary minus is a level). The checker, the MLIR generator and
/// the tree's own destructor walk it recursively: the limit keeps them far
/// from the end of the stack, and no model needs more (give parts names).
constexpr unsigned kMaxExpressionHeight = 256;

/// The largest tensor a declaration may have: 2^28 elements (1 GiB of f32),
/// and so each dimension at most that. A program's tensors live in its
/// static storage, which x86-64's small code model keeps under 2 GiB in all.
constexpr int64_t kMaxTensorElements = int64_t(1) << 28;

/// The largest integer a setting takes (batch, steps, report every K):
/// 2^31 - 1.
constexpr int64_t kMaxSettingInteger = 2147483647;

/// `f32[?, 784]`; dims are -1 for the batch `?`.
struct TypeSpec {
  std::string elementType;
  std::vector<int64_t> dims;
  SourceLoc loc;
};

struct Placeholder {
  std::string name;
  SourceLoc loc;
  TypeSpec type;
};

struct Variable {
  std::string name;
  SourceLoc loc;
  TypeSpec type;
  ExprPtr init; // an initializer call
  bool isConst = false;
};

struct Definition {
  std::string name;
  SourceLoc loc;
  ExprPtr value;
};

struct DataEntry {
  std::string name;
  SourceLoc loc;
  ExprPtr source;
};

struct DataBlock {
  std::string kind; // "train" or "test"
  SourceLoc loc;
  std::vector<DataEntry> entries;
};

struct NameRef {
  std::string name;
  SourceLoc loc;
};

struct TrainBlock {
  SourceLoc loc;
  std::optional<NameRef> minimize;
  ExprPtr optimizer; // a call: adam(learning_rate=0.001)
  std::optional<int64_t> batch, steps;
  SourceLoc batchLoc, stepsLoc;
  bool shuffle = true;
  std::vector<NameRef> report;
  int64_t reportEvery = 0;
  SourceLoc reportEveryLoc;
  bool reportOnTest = false;
};

struct InferBlock {
  SourceLoc loc;
  std::vector<NameRef> outputs;
  std::optional<int64_t> batch;
  SourceLoc batchLoc;
};

struct Module {
  std::string filename;
  std::optional<NameRef> model;
  std::vector<Placeholder> placeholders;
  std::vector<Variable> variables;
  std::vector<Definition> definitions;
  std::vector<DataBlock> data;
  std::optional<TrainBlock> train;
  std::optional<InferBlock> infer;
  /// Every declaration and definition in source order: (kind, index).
  enum class DeclKind { Placeholder, Variable, Definition };
  std::vector<std::pair<DeclKind, size_t>> order;
  /// Names whose statement had a syntax error: known to exist, so that using
  /// them reports nothing more.
  std::vector<std::string> brokenNames;
};

/// Prints the tree, one node a line, indented (nnc --emit=ast).
void dumpAST(const Module &module, llvm::raw_ostream &os);
void dumpExpr(const Expr &expr, llvm::raw_ostream &os);

} // namespace nn

#endif // NNC_FRONTEND_AST_H
