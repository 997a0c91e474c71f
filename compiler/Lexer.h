// Tokens of the .gn language. Newlines end statements except inside (...) and [...].
#ifndef GNC_COMPILER_LEXER_H
#define GNC_COMPILER_LEXER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <string>

namespace gnc {

enum class Tok {
  Eof, Newline, Ident, Int, Float, String, Error,
  // punctuation
  LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Colon, Semi, Assign, Dot,
  Plus, Minus, Star, Slash,
  // keywords
  KwModel, KwBatch, KwInput, KwFrom, KwConst, KwNet, KwTrain, KwSample, KwReturn,
  KwMinimize, KwReport, KwOver, KwWith, KwFor, KwIn, KwRange, KwTrue, KwFalse,
};

const char *tokSpelling(Tok t);

struct Token {
  Tok kind = Tok::Eof;
  llvm::StringRef text; // points into the source buffer
  llvm::SMLoc loc;
};

class Lexer {
public:
  explicit Lexer(llvm::StringRef buffer) : buf(buffer), cur(buffer.begin()) {}
  Token next();
  // Parenthesis depth is tracked by the lexer so that newlines inside (...) / [...] vanish.
private:
  Token make(Tok k, const char *start) {
    return Token{k, llvm::StringRef(start, cur - start), llvm::SMLoc::getFromPointer(start)};
  }
  llvm::StringRef buf;
  const char *cur;
  int depth = 0;
};

} // namespace gnc

#endif
