//===- Parser.h - recursive-descent parser for .nn files --------*- C++ -*-===//

#ifndef NNC_FRONTEND_PARSER_H
#define NNC_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Lexer.h"

namespace nn {

/// Parses a whole file. Syntax errors are reported to `diags`; the parser
/// skips to the next line and goes on, so one run reports several errors.
Module parseModule(const std::vector<Token> &tokens, Diagnostics &diags);

} // namespace nn

#endif // NNC_FRONTEND_PARSER_H
