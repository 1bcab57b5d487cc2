//===- Lexer.h - tokens of the .nn language ---------------------*- C++ -*-===//
//
// Splits a .nn file into tokens: identifiers, numbers, strings and
// punctuation, each with its line and column. `#` starts a comment to the end
// of the line. Newlines carry no meaning: statements are told apart by their
// first words (see Parser.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_LEXER_H
#define NNC_FRONTEND_LEXER_H

#include "frontend/Diagnostics.h"

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace nn {

enum class TokenKind {
  Identifier, // [A-Za-z_][A-Za-z0-9_]*
  Integer,    // 784
  Float,      // 0.1  1e-4  .5
  String,     // "train-images-idx3-ubyte.gz"
  Punct,      // ( ) [ ] { } , : = + - * / ?
  End,
};

struct Token {
  TokenKind kind;
  std::string text; // the spelling (a string's content, without quotes)
  double number = 0;
  SourceLoc loc;
  bool is(TokenKind k) const { return kind == k; }
  bool isPunct(char c) const { return kind == TokenKind::Punct && text[0] == c; }
  bool isWord(llvm::StringRef w) const {
    return kind == TokenKind::Identifier && text == w;
  }
};

/// All tokens of `source`, ending with one End token; lexical errors are
/// reported to `diags` and the bad characters skipped.
std::vector<Token> lex(llvm::StringRef source, Diagnostics &diags);

} // namespace nn

#endif // NNC_FRONTEND_LEXER_H
