//===- Parser.cpp - recursive-descent parser for .nn files ----------------===//
//
// The grammar (docs/language.md), one function per rule:
//
//   file     := stmt*
//   stmt     := 'model' NAME
//             | 'placeholder' NAME ':' type
//             | ('variable' | 'const') NAME ':' type '=' expr
//             | 'data' NAME '{' (NAME '=' expr)* '}'
//             | 'train' '{' train-entry* '}'  |  'infer' '{' infer-entry* '}'
//             | NAME '=' expr
//   type     := NAME ['[' dim (',' dim)* ']']        dim := INT | '?'
//   expr     := term (('+' | '-') term)*
//   term     := unary (('*' | '/') unary)*
//   unary    := '-' unary | primary
//   primary  := NUMBER | STRING | NAME | NAME '(' [arg (',' arg)*] ')'
//             | '[' [expr (',' expr)*] ']' | '(' expr ')'
//   arg      := NAME '=' expr | expr
//
// The statement keywords are only keywords where a statement starts and the
// next token fits (`data = x * 2` is a definition named `data`).
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringMap.h"

namespace nn {

namespace {

class Parser {
public:
  Parser(const std::vector<Token> &tokens, Diagnostics &diags) : tokens(tokens), diags(diags) {}

  Module parseFile() {
    Module m;
    m.filename = diags.file();
    while (!peek().is(TokenKind::End)) {
      size_t before = pos;
      syntaxError = false;
      statementStart = pos;
      parseStatement(m);
      if (!syntaxError)
        expectEndOfLine();
      if (syntaxError)
        synchronize();
      if (pos == before) // never loop without consuming
        ++pos;
    }
    return m;
  }

private:
  const std::vector<Token> &tokens;
  Diagnostics &diags;
  size_t pos = 0;
  unsigned errorLine = 0;
  unsigned depth = 0;       // open ( and [: inside them an expression may span lines
  unsigned nesting = 0;     // parseUnary calls active: how deep the descent is
  bool syntaxError = false; // the statement being parsed is broken: skip its line
  size_t statementStart = 0;

  /// An expression goes on to the next line only inside brackets, as in
  /// Python: `y = x +` at the end of a line is an error, not `x + <next line>`.
  bool continuesExpression() const {
    return depth > 0 || pos == 0 || peek().loc.line == tokens[pos - 1].loc.line;
  }
  bool operandMissing(const Token &op) {
    if (continuesExpression() && !peek().is(TokenKind::End))
      return false;
    if (!diags.hasErrorOnLine(op.loc.line))
      diags.error(op.loc, "expected an expression after '" + op.text + "' on the same line");
    errorLine = op.loc.line;
    syntaxError = true;
    return true;
  }

  const Token &peek(size_t ahead = 0) const {
    return tokens[std::min(pos + ahead, tokens.size() - 1)];
  }
  const Token &next() {
    const Token &t = peek();
    if (pos < tokens.size() - 1)
      ++pos;
    return t;
  }
  bool acceptPunct(char c) {
    if (!peek().isPunct(c))
      return false;
    ++pos;
    return true;
  }
  /// Reports "expected X, found Y" once per line, then fails.
  bool fail(const llvm::Twine &expected) {
    syntaxError = true;
    const Token &t = peek();
    if (t.loc.line != errorLine && !diags.hasErrorOnLine(t.loc.line)) {
      std::string found = t.is(TokenKind::String) ? "\"" + t.text + "\"" : "'" + t.text + "'";
      if (t.is(TokenKind::End))
        found = "the end of the file";
      diags.error(t.loc, "expected " + expected + ", found " + found);
      errorLine = t.loc.line;
    }
    return false;
  }
  bool expectPunct(char c) {
    if (acceptPunct(c))
      return true;
    return fail(llvm::Twine("'") + llvm::Twine(c) + "'");
  }
  bool expectName(std::string &name, SourceLoc &loc, const char *what = "a name") {
    if (!peek().is(TokenKind::Identifier))
      return fail(what);
    loc = peek().loc;
    name = next().text;
    return true;
  }
  /// A statement ends with its line: `y = x z` is an error at `z`.
  void expectEndOfLine() {
    if (!peek().is(TokenKind::End) && pos > 0 && peek().loc.line == tokens[pos - 1].loc.line)
      fail("the end of the line");
  }
  /// Skips the rest of the line where the error happened.
  void synchronize() {
    depth = 0;
    // The broken statement's line: where its last good token was, unless
    // nothing of it was consumed yet.
    unsigned line = tokens[std::min(pos, tokens.size() - 1)].loc.line;
    if (pos > 0 && tokens[pos - 1].loc.line < line && statementStart < pos)
      line = tokens[pos - 1].loc.line;
    while (!peek().is(TokenKind::End) && peek().loc.line <= line && !peek().isPunct('}'))
      ++pos;
  }

  /// An integer setting (batch, steps, every K): read from its digits, at
  /// most kMaxSettingInteger.
  bool parseInteger(int64_t &value, SourceLoc &loc, const char *what) {
    if (!peek().is(TokenKind::Integer))
      return fail(what);
    loc = peek().loc;
    const Token &t = next();
    uint64_t v = 0;
    if (llvm::StringRef(t.text).getAsInteger(10, v) || v > (uint64_t)kMaxSettingInteger)
      return lineError(t.loc, "integer " + t.text + " is too large: a setting is at most " +
                                  std::to_string(kMaxSettingInteger));
    value = (int64_t)v;
    return true;
  }

  /// Reports a block setting given twice; true the first time.
  bool firstTime(llvm::StringMap<SourceLoc> &seen, const std::string &key, SourceLoc loc,
                 const char *block) {
    auto [it, inserted] = seen.try_emplace(key, loc);
    if (inserted)
      return true;
    diags.error(loc, "`" + key + ":` is set twice in the " + block + " block",
                "the first is at line " + std::to_string(it->second.line));
    return false;
  }

  void parseStatement(Module &m) {
    const Token &t = peek();
    const Token &after = peek(1);
    if (!t.is(TokenKind::Identifier)) {
      fail("a statement (a definition `NAME = ...`, `placeholder`, `variable`, "
           "`const`, `data`, `train` or `infer`)");
      return;
    }
    bool named = after.is(TokenKind::Identifier);
    if (t.isWord("model") && named) {
      next();
      NameRef ref;
      expectName(ref.name, ref.loc, "the model's name");
      if (m.model)
        diags.error(t.loc, "the model is named twice");
      else if (!m.order.empty() || !m.data.empty() || m.train || m.infer)
        diags.error(t.loc, "`model` must be the first statement");
      m.model = ref;
    } else if (t.isWord("placeholder") && named) {
      next();
      Placeholder p;
      if (!expectName(p.name, p.loc))
        return;
      m.brokenNames.push_back(p.name);
      if (!expectPunct(':') || !parseType(p.type))
        return;
      m.brokenNames.pop_back();
      m.order.push_back({Module::DeclKind::Placeholder, m.placeholders.size()});
      m.placeholders.push_back(std::move(p));
    } else if ((t.isWord("variable") || t.isWord("const")) && named) {
      Variable v;
      v.isConst = next().text == "const";
      if (!expectName(v.name, v.loc))
        return;
      m.brokenNames.push_back(v.name);
      if (!expectPunct(':') || !parseType(v.type) || !peek().isPunct('='))
        return (void)fail("'='");
      if (operandMissing(next()))
        return;
      v.init = parseExpr();
      if (!v.init)
        return;
      m.brokenNames.pop_back();
      m.order.push_back({Module::DeclKind::Variable, m.variables.size()});
      m.variables.push_back(std::move(v));
    } else if (t.isWord("data") && named) {
      parseDataBlock(m);
    } else if (t.isWord("train") && after.isPunct('{')) {
      parseTrainBlock(m);
    } else if (t.isWord("infer") && after.isPunct('{')) {
      parseInferBlock(m);
    } else {
      Definition d;
      d.name = next().text;
      d.loc = t.loc;
      m.brokenNames.push_back(d.name); // until it parses
      if (!peek().isPunct('=')) {
        fail("'=' after '" + d.name + "' (a definition is `NAME = EXPRESSION`)");
        return;
      }
      if (operandMissing(next()))
        return;
      d.value = parseExpr();
      if (!d.value)
        return;
      m.brokenNames.pop_back();
      m.order.push_back({Module::DeclKind::Definition, m.definitions.size()});
      m.definitions.push_back(std::move(d));
    }
  }

  bool parseType(TypeSpec &type) {
    if (!expectName(type.elementType, type.loc, "a type such as f32[?, 784]"))
      return false;
    if (!acceptPunct('['))
      return true;
    int64_t elements = 1; // of the dimensions written out (? counts 1)
    do {
      if (peek().isPunct('?')) {
        next();
        type.dims.push_back(-1);
      } else if (peek().is(TokenKind::Integer)) {
        const Token &dim = next();
        uint64_t value = 0;
        // The spelling, not the lexer's double: 2^53 + 1 must not round.
        // (0 is the checker's to report: "dimensions must be positive".)
        if (llvm::StringRef(dim.text).getAsInteger(10, value) ||
            value > (uint64_t)kMaxTensorElements)
          return lineError(dim.loc, "dimension " + dim.text +
                                        " is out of range: a dimension is 1 to " +
                                        std::to_string(kMaxTensorElements));
        type.dims.push_back((int64_t)value);
        elements *= (int64_t)value; // both factors <= 2^28: no overflow
        if (elements > kMaxTensorElements)
          return lineError(type.loc,
                           "this tensor type has more than " + std::to_string(kMaxTensorElements) +
                               " elements (2^28, 1 GiB of f32), the most a tensor may have");
      } else {
        return fail("a dimension (an integer or '?')");
      }
    } while (acceptPunct(','));
    return expectPunct(']');
  }

  /// A located error, one a line; the statement is skipped. Returns false.
  bool lineError(SourceLoc loc, const std::string &message, const std::string &hint = "") {
    if (!diags.hasErrorOnLine(loc.line))
      diags.error(loc, message, hint);
    errorLine = loc.line;
    syntaxError = true;
    return false;
  }

  // Block helpers: `{` entries `}`; a missing `}` is reported at the end.
  template <typename Fn> void parseBlockBody(SourceLoc open, Fn entry) {
    if (!expectPunct('{'))
      return;
    while (!peek().isPunct('}') && !peek().is(TokenKind::End)) {
      size_t before = pos;
      syntaxError = false;
      statementStart = pos;
      entry();
      if (!syntaxError && !peek().isPunct('}'))
        expectEndOfLine();
      if (syntaxError)
        synchronize();
      if (pos == before)
        ++pos;
    }
    if (!acceptPunct('}'))
      diags.error(open, "this block has no closing '}'");
  }

  void parseDataBlock(Module &m) {
    DataBlock block;
    block.loc = next().loc;
    SourceLoc kindLoc;
    expectName(block.kind, kindLoc, "`train` or `test`");
    if (block.kind != "train" && block.kind != "test")
      diags.error(kindLoc, "a data block is `data train { ... }` or `data test { ... }`, not '" +
                               block.kind + "'");
    parseBlockBody(block.loc, [&] {
      DataEntry e;
      if (!expectName(e.name, e.loc, "a placeholder's name") || !expectPunct('='))
        return;
      e.source = parseExpr();
      if (e.source)
        block.entries.push_back(std::move(e));
    });
    m.data.push_back(std::move(block));
  }

  bool parseNameList(std::vector<NameRef> &names) {
    do {
      NameRef r;
      if (!expectName(r.name, r.loc))
        return false;
      names.push_back(r);
    } while (acceptPunct(','));
    return true;
  }

  void parseTrainBlock(Module &m) {
    TrainBlock t;
    llvm::StringMap<SourceLoc> seen;
    t.loc = next().loc;
    if (m.train)
      diags.error(t.loc, "a file has at most one train block");
    parseBlockBody(t.loc, [&] {
      std::string key;
      SourceLoc keyLoc;
      if (!expectName(key, keyLoc, "a train setting") || !expectPunct(':'))
        return;
      firstTime(seen, key, keyLoc, "train");
      if (key == "minimize") {
        NameRef r;
        if (expectName(r.name, r.loc))
          t.minimize = r;
      } else if (key == "optimizer") {
        t.optimizer = parseExpr();
      } else if (key == "batch") {
        int64_t v;
        if (parseInteger(v, t.batchLoc, "an integer batch size"))
          t.batch = v;
      } else if (key == "steps") {
        int64_t v;
        if (parseInteger(v, t.stepsLoc, "an integer number of steps"))
          t.steps = v;
      } else if (key == "shuffle") {
        if (peek().isWord("true") || peek().isWord("false"))
          t.shuffle = next().text == "true";
        else
          fail("`true` or `false`");
      } else if (key == "report") {
        if (!parseNameList(t.report))
          return;
        if (!peek().isWord("every")) {
          fail("`every K` after the reported names");
          return;
        }
        next();
        if (!parseInteger(t.reportEvery, t.reportEveryLoc, "an integer K in `every K`"))
          return;
        if (peek().isWord("on")) {
          next();
          if (!peek().isWord("test")) {
            fail("`test` after `on`");
            return;
          }
          next();
          t.reportOnTest = true;
        }
      } else {
        diags.error(keyLoc, "unknown train setting '" + key + "'",
                    "the settings are minimize, optimizer, batch, steps, shuffle, report");
        syntaxError = true; // skip its value
      }
    });
    m.train = std::move(t);
  }

  void parseInferBlock(Module &m) {
    InferBlock b;
    llvm::StringMap<SourceLoc> seen;
    b.loc = next().loc;
    if (m.infer)
      diags.error(b.loc, "a file has at most one infer block");
    parseBlockBody(b.loc, [&] {
      std::string key;
      SourceLoc keyLoc;
      if (!expectName(key, keyLoc, "an infer setting") || !expectPunct(':'))
        return;
      firstTime(seen, key, keyLoc, "infer");
      if (key == "output") {
        parseNameList(b.outputs);
      } else if (key == "batch") {
        int64_t v;
        if (parseInteger(v, b.batchLoc, "an integer batch size"))
          b.batch = v;
      } else {
        diags.error(keyLoc, "unknown infer setting '" + key + "'",
                    "the settings are output and batch");
        syntaxError = true; // skip its value
      }
    });
    m.infer = std::move(b);
  }

  ExprPtr makeExpr(Expr::Kind kind, SourceLoc loc) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->loc = loc;
    return e;
  }

  /// The expression is too deep: one error, at `loc`, and the statement is
  /// skipped.
  ExprPtr tooDeep(SourceLoc loc) {
    lineError(loc,
              "expression nested more than " + std::to_string(kMaxExpressionHeight) +
                  " levels deep (operators, calls, brackets and unary minus each count one)",
              "give parts of it names: `h = ...` on a line of its own");
    return nullptr;
  }

  /// `e` with its height set from its operands; null past the limit.
  ExprPtr measured(ExprPtr e) {
    unsigned below = 0;
    for (const ExprPtr &a : e->args)
      below = std::max(below, a->height);
    for (const KeywordArg &k : e->kwargs)
      below = std::max(below, k.value->height);
    e->height = below + 1;
    if (e->height > kMaxExpressionHeight)
      return tooDeep(e->loc);
    return e;
  }

  ExprPtr parseExpr() {
    ExprPtr lhs = parseTerm();
    while (lhs && (peek().isPunct('+') || peek().isPunct('-')) && continuesExpression()) {
      const Token &op = next();
      if (operandMissing(op))
        return nullptr;
      ExprPtr rhs = parseTerm();
      if (!rhs)
        return nullptr;
      auto bin = makeExpr(Expr::Binary, op.loc);
      bin->op = op.text[0];
      bin->args.push_back(std::move(lhs));
      bin->args.push_back(std::move(rhs));
      lhs = measured(std::move(bin)); // a chain a + b + c ... grows leftwards
    }
    return lhs;
  }

  ExprPtr parseTerm() {
    ExprPtr lhs = parseUnary();
    while (lhs && (peek().isPunct('*') || peek().isPunct('/')) && continuesExpression()) {
      const Token &op = next();
      if (operandMissing(op))
        return nullptr;
      ExprPtr rhs = parseUnary();
      if (!rhs)
        return nullptr;
      auto bin = makeExpr(Expr::Binary, op.loc);
      bin->op = op.text[0];
      bin->args.push_back(std::move(lhs));
      bin->args.push_back(std::move(rhs));
      lhs = measured(std::move(bin)); // a chain a + b + c ... grows leftwards
    }
    return lhs;
  }

  /// Every descent into a subexpression (brackets, calls, lists, unary
  /// minus) passes here: the count stops a 10^5-deep input before it ends
  /// the parser's own stack.
  ExprPtr parseUnary() {
    if (nesting >= kMaxExpressionHeight)
      return tooDeep(peek().loc);
    ++nesting;
    auto done = llvm::make_scope_exit([&] { --nesting; });
    if (peek().isPunct('-')) {
      SourceLoc loc = next().loc;
      ExprPtr operand = parseUnary();
      if (!operand)
        return nullptr;
      auto e = makeExpr(Expr::Unary, loc);
      e->op = '-';
      e->args.push_back(std::move(operand));
      return measured(std::move(e));
    }
    return parsePrimary();
  }

  ExprPtr parsePrimary() {
    const Token &t = peek();
    if (t.is(TokenKind::Integer) || t.is(TokenKind::Float)) {
      next();
      auto e = makeExpr(Expr::Number, t.loc);
      e->number = t.number;
      e->isInteger = t.is(TokenKind::Integer);
      return e;
    }
    if (t.is(TokenKind::String)) {
      next();
      auto e = makeExpr(Expr::String, t.loc);
      e->text = t.text;
      return e;
    }
    if (t.isPunct('(')) {
      next();
      ++depth;
      ExprPtr inner = parseExpr();
      --depth;
      if (!inner || !expectPunct(')'))
        return nullptr;
      return inner;
    }
    if (t.isPunct('[')) {
      next();
      auto list = makeExpr(Expr::List, t.loc);
      if (!acceptPunct(']')) {
        ++depth;
        do {
          ExprPtr element = parseExpr();
          if (!element) {
            --depth;
            return nullptr;
          }
          list->args.push_back(std::move(element));
        } while (acceptPunct(','));
        --depth;
        if (!expectPunct(']'))
          return nullptr;
      }
      return measured(std::move(list));
    }
    if (t.is(TokenKind::Identifier)) {
      next();
      if (!peek().isPunct('(')) {
        auto e = makeExpr(Expr::Name, t.loc);
        e->text = t.text;
        return e;
      }
      next();
      auto call = makeExpr(Expr::Call, t.loc);
      call->text = t.text;
      if (acceptPunct(')'))
        return call;
      ++depth;
      auto done = llvm::make_scope_exit([&] { --depth; });
      do {
        if (peek().is(TokenKind::Identifier) && peek(1).isPunct('=')) {
          KeywordArg k;
          k.loc = peek().loc;
          k.name = next().text;
          next();
          k.value = parseExpr();
          if (!k.value)
            return nullptr;
          call->kwargs.push_back(std::move(k));
        } else {
          if (!call->kwargs.empty()) {
            diags.error(peek().loc, "a positional argument cannot follow a keyword argument");
            errorLine = peek().loc.line;
            syntaxError = true;
            return nullptr;
          }
          ExprPtr arg = parseExpr();
          if (!arg)
            return nullptr;
          call->args.push_back(std::move(arg));
        }
      } while (acceptPunct(','));
      done.release();
      --depth;
      if (!expectPunct(')'))
        return nullptr;
      return measured(std::move(call));
    }
    fail("an expression");
    return nullptr;
  }
};

} // namespace

Module parseModule(const std::vector<Token> &tokens, Diagnostics &diags) {
  return Parser(tokens, diags).parseFile();
}

} // namespace nn
