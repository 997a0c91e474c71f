#include "compiler/Lexer.h"

#include "llvm/ADT/StringSwitch.h"

#include <cctype>

using namespace gnc;

const char *gnc::tokSpelling(Tok t) {
  switch (t) {
  case Tok::Eof: return "end of file";
  case Tok::Newline: return "end of line";
  case Tok::Ident: return "identifier";
  case Tok::Int: return "integer";
  case Tok::Float: return "number";
  case Tok::String: return "string";
  case Tok::Error: return "invalid character";
  case Tok::LParen: return "'('";
  case Tok::RParen: return "')'";
  case Tok::LBracket: return "'['";
  case Tok::RBracket: return "']'";
  case Tok::LBrace: return "'{'";
  case Tok::RBrace: return "'}'";
  case Tok::Comma: return "','";
  case Tok::Colon: return "':'";
  case Tok::Semi: return "';'";
  case Tok::Assign: return "'='";
  case Tok::Dot: return "'.'";
  case Tok::Plus: return "'+'";
  case Tok::Minus: return "'-'";
  case Tok::Star: return "'*'";
  case Tok::Slash: return "'/'";
  case Tok::KwModel: return "'model'";
  case Tok::KwBatch: return "'batch'";
  case Tok::KwInput: return "'input'";
  case Tok::KwFrom: return "'from'";
  case Tok::KwConst: return "'const'";
  case Tok::KwNet: return "'net'";
  case Tok::KwTrain: return "'train'";
  case Tok::KwSample: return "'sample'";
  case Tok::KwReturn: return "'return'";
  case Tok::KwMinimize: return "'minimize'";
  case Tok::KwReport: return "'report'";
  case Tok::KwOver: return "'over'";
  case Tok::KwWith: return "'with'";
  case Tok::KwFor: return "'for'";
  case Tok::KwIn: return "'in'";
  case Tok::KwRange: return "'range'";
  case Tok::KwTrue: return "'true'";
  case Tok::KwFalse: return "'false'";
  }
  return "token";
}

Token Lexer::next() {
  const char *end = buf.end();
  for (;;) {
    while (cur < end && (*cur == ' ' || *cur == '\t' || *cur == '\r' ||
                         (*cur == '\n' && depth > 0)))
      ++cur;
    if (cur < end && *cur == '#') {
      while (cur < end && *cur != '\n')
        ++cur;
      continue;
    }
    break;
  }
  const char *start = cur;
  if (cur >= end)
    return make(Tok::Eof, start);
  char c = *cur++;
  switch (c) {
  case '\n': return make(Tok::Newline, start);
  case '(': ++depth; return make(Tok::LParen, start);
  case '[': ++depth; return make(Tok::LBracket, start);
  case ')': if (depth > 0) --depth; return make(Tok::RParen, start);
  case ']': if (depth > 0) --depth; return make(Tok::RBracket, start);
  case '{': return make(Tok::LBrace, start);
  case '}': return make(Tok::RBrace, start);
  case ',': return make(Tok::Comma, start);
  case ':': return make(Tok::Colon, start);
  case ';': return make(Tok::Semi, start);
  case '=': return make(Tok::Assign, start);
  case '+': return make(Tok::Plus, start);
  case '-': return make(Tok::Minus, start);
  case '*': return make(Tok::Star, start);
  case '/': return make(Tok::Slash, start);
  case '.': // `encoder.dense_0.weight`; '.5' is a number (below)
    if (cur >= end || !std::isdigit((unsigned char)*cur))
      return make(Tok::Dot, start);
    break;
  case '"': {
    while (cur < end && *cur != '"' && *cur != '\n')
      ++cur;
    if (cur >= end || *cur != '"')
      return make(Tok::Error, start);
    ++cur;
    return make(Tok::String, start);
  }
  default: break;
  }
  if (std::isdigit((unsigned char)c) || (c == '.' && cur < end && std::isdigit((unsigned char)*cur))) {
    bool isFloat = c == '.';
    while (cur < end && std::isdigit((unsigned char)*cur))
      ++cur;
    if (cur < end && *cur == '.') {
      isFloat = true;
      ++cur;
      while (cur < end && std::isdigit((unsigned char)*cur))
        ++cur;
    }
    if (cur < end && (*cur == 'e' || *cur == 'E')) {
      const char *save = cur++;
      if (cur < end && (*cur == '+' || *cur == '-'))
        ++cur;
      if (cur < end && std::isdigit((unsigned char)*cur)) {
        isFloat = true;
        while (cur < end && std::isdigit((unsigned char)*cur))
          ++cur;
      } else {
        cur = save;
      }
    }
    return make(isFloat ? Tok::Float : Tok::Int, start);
  }
  if (std::isalpha((unsigned char)c) || c == '_') {
    while (cur < end && (std::isalnum((unsigned char)*cur) || *cur == '_'))
      ++cur;
    llvm::StringRef word(start, cur - start);
    Tok k = llvm::StringSwitch<Tok>(word)
                .Case("model", Tok::KwModel).Case("batch", Tok::KwBatch)
                .Case("input", Tok::KwInput).Case("from", Tok::KwFrom)
                .Case("const", Tok::KwConst).Case("net", Tok::KwNet)
                .Case("train", Tok::KwTrain).Case("sample", Tok::KwSample)
                .Case("return", Tok::KwReturn).Case("minimize", Tok::KwMinimize)
                .Case("report", Tok::KwReport)
                .Case("over", Tok::KwOver).Case("with", Tok::KwWith)
                .Case("for", Tok::KwFor).Case("in", Tok::KwIn)
                .Case("range", Tok::KwRange).Case("true", Tok::KwTrue)
                .Case("false", Tok::KwFalse).Default(Tok::Ident);
    return make(k, start);
  }
  return make(Tok::Error, start);
}
