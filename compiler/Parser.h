// Recursive-descent parser for .gn files (grammar in docs/language.md).
#ifndef GNC_COMPILER_PARSER_H
#define GNC_COMPILER_PARSER_H

#include "compiler/AST.h"
#include "compiler/Diagnostics.h"
#include "compiler/Lexer.h"

#include <optional>

namespace gnc {

// Parses the main buffer of the diagnostics' SourceMgr; std::nullopt after a reported error.
std::optional<Program> parseProgram(Diagnostics &diag);

} // namespace gnc

#endif
