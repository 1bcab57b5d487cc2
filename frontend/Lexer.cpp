//===- Lexer.cpp - tokens of the .nn language -----------------------------===//

#include "frontend/Lexer.h"

#include <cmath>

#include <cctype>
#include <cstdlib>

namespace nn {

std::vector<Token> lex(llvm::StringRef source, Diagnostics &diags) {
  std::vector<Token> tokens;
  unsigned line = 1, col = 1;
  size_t i = 0, n = source.size();
  auto advance = [&]() {
    if (source[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
    ++i;
  };
  while (i < n) {
    char c = source[i];
    if (c == '#') {
      while (i < n && source[i] != '\n')
        advance();
      continue;
    }
    if (std::isspace((unsigned char)c)) {
      advance();
      continue;
    }
    Token tok;
    tok.loc = {line, col};
    size_t start = i;
    if (std::isalpha((unsigned char)c) || c == '_') {
      while (i < n && (std::isalnum((unsigned char)source[i]) || source[i] == '_'))
        advance();
      tok.kind = TokenKind::Identifier;
      tok.text = source.slice(start, i).str();
    } else if (std::isdigit((unsigned char)c) ||
               (c == '.' && i + 1 < n && std::isdigit((unsigned char)source[i + 1]))) {
      // digits [. digits] [e [+-] digits]
      bool isFloat = false;
      while (i < n && std::isdigit((unsigned char)source[i]))
        advance();
      if (i < n && source[i] == '.') {
        isFloat = true;
        advance();
        while (i < n && std::isdigit((unsigned char)source[i]))
          advance();
      }
      if (i < n && (source[i] == 'e' || source[i] == 'E')) {
        size_t save = i;
        unsigned saveCol = col;
        advance();
        if (i < n && (source[i] == '+' || source[i] == '-'))
          advance();
        if (i < n && std::isdigit((unsigned char)source[i])) {
          isFloat = true;
          while (i < n && std::isdigit((unsigned char)source[i]))
            advance();
        } else {
          i = save; // "2e" is the number 2 then the name e
          col = saveCol;
        }
      }
      tok.kind = isFloat ? TokenKind::Float : TokenKind::Integer;
      tok.text = source.slice(start, i).str();
      tok.number = std::strtod(tok.text.c_str(), nullptr);
      if (!std::isfinite(tok.number)) // 1e99999: past the largest double
        diags.error(tok.loc, "number " + tok.text + " is too large",
                    "a number is at most about 1.8e308 (and a tensor value 3.4e38, f32)");
    } else if (c == '"') {
      advance();
      std::string text;
      while (i < n && source[i] != '"' && source[i] != '\n') {
        text += source[i];
        advance();
      }
      if (i >= n || source[i] != '"') {
        diags.error(tok.loc, "unterminated string");
        continue;
      }
      advance();
      tok.kind = TokenKind::String;
      tok.text = text;
    } else if (llvm::StringRef("()[]{},:=+-*/?").contains(c)) {
      advance();
      tok.kind = TokenKind::Punct;
      tok.text = std::string(1, c);
    } else {
      diags.error(tok.loc, llvm::Twine("unexpected character '") + llvm::Twine(c) + "'");
      advance();
      continue;
    }
    tokens.push_back(tok);
  }
  Token end;
  end.kind = TokenKind::End;
  end.text = "end of file";
  end.loc = {line, col};
  tokens.push_back(end);
  return tokens;
}

} // namespace nn
