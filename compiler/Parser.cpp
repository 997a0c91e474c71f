#include "compiler/Parser.h"
#include "compiler/Limits.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

using namespace gnc;
using llvm::SMLoc;

namespace {

class Parser {
public:
  Parser(Diagnostics &diag)
      : diag(diag),
        lex(diag.sourceMgr().getMemoryBuffer(diag.sourceMgr().getMainFileID())->getBuffer()) {
    advance();
  }

  std::optional<Program> program() {
    Program p;
    skipNewlines();
    while (tok.kind != Tok::Eof && !diag.hadError()) {
      std::optional<Item> it = item();
      if (!it)
        return std::nullopt;
      p.items.push_back(std::move(*it));
      if (!endOfStatement())
        return std::nullopt;
      skipNewlines();
    }
    if (diag.hadError())
      return std::nullopt;
    return p;
  }

private:
  Diagnostics &diag;
  Lexer lex;
  Token tok;
  unsigned depth = 0;     // expr() calls open: parentheses, brackets, arguments
  unsigned loopDepth = 0; // `for` blocks open

  void advance() {
    tok = lex.next();
    // A lexical error is reported where it is, whatever the parser expected there.
    if (is(Tok::Error))
      fail(tok.loc, tok.text.starts_with("\"")
                        ? "unterminated string (a string ends on the same line)"
                        : describe(tok));
  }
  bool is(Tok k) const { return tok.kind == k; }
  bool consumeIf(Tok k) {
    if (!is(k))
      return false;
    advance();
    return true;
  }
  void skipNewlines() {
    while (is(Tok::Newline) || is(Tok::Semi))
      advance();
  }
  bool fail(SMLoc loc, const llvm::Twine &msg) {
    diag.error(loc, msg);
    return false;
  }
  std::string describe(const Token &t) {
    if (t.kind == Tok::Error) {
      if (t.text.starts_with("\""))
        return "an unterminated string";
      unsigned char c = t.text.empty() ? 0 : t.text[0];
      return std::isprint(c) ? "invalid character '" + t.text.str() + "'"
                             : "invalid character (byte 0x" + llvm::utohexstr(c, false, 2) + ")";
    }
    if (t.kind == Tok::Ident || t.kind == Tok::Int || t.kind == Tok::Float)
      return "'" + t.text.str() + "'";
    return tokSpelling(t.kind);
  }
  bool expect(Tok k, const char *context) {
    if (consumeIf(k))
      return true;
    return fail(tok.loc, llvm::Twine("expected ") + tokSpelling(k) + " " + context + ", found " +
                             describe(tok));
  }
  // Like expect() for a closing bracket; the note shows where the bracket was opened (newlines
  // inside brackets are ignored, so the error may be lines below it).
  bool expectClosing(Tok k, const char *context, SMLoc open) {
    if (expect(k, context))
      return true;
    diag.note(open, k == Tok::RParen ? "to match this '('" : "to match this '['");
    return false;
  }
  bool endOfStatement() {
    if (is(Tok::Newline) || is(Tok::Semi) || is(Tok::Eof) || is(Tok::RBrace))
      return true;
    return fail(tok.loc, "expected end of line after statement, found " + describe(tok));
  }
  // One error for every way of exceeding kMaxExprDepth: while descending into brackets and
  // while building a chain (a + b + ..., - - x, x[0][0]...), whose tree grows one level per link.
  bool tooDeep(SMLoc loc) {
    return fail(loc, "expression is nested too deeply (more than " +
                         llvm::Twine(kMaxExprDepth) + " levels)");
  }
  // `e` now holds `child`, one level below it.
  bool nest(Expr &e, const Expr &child) {
    e.depth = std::max(e.depth, child.depth + 1);
    return e.depth <= kMaxExprDepth || tooDeep(e.loc);
  }

  bool ident(std::string &out, SMLoc &loc, const char *what) {
    if (!is(Tok::Ident))
      return fail(tok.loc, llvm::Twine("expected ") + what + ", found " + describe(tok));
    out = tok.text.str();
    loc = tok.loc;
    advance();
    return true;
  }

  // IDENT (',' IDENT)*: the nets of a minimize, the variables of a report.
  bool identList(std::vector<std::string> &names, std::vector<SMLoc> &locs, const char *what) {
    do {
      std::string n;
      SMLoc nl;
      if (!ident(n, nl, what))
        return false;
      names.push_back(n);
      locs.push_back(nl);
    } while (consumeIf(Tok::Comma));
    return true;
  }

  std::optional<Item> item() {
    Item it;
    it.loc = tok.loc;
    SMLoc dummy;
    switch (tok.kind) {
    case Tok::KwModel:
      advance();
      it.kind = Item::Model;
      if (!ident(it.name, dummy, "a model name"))
        return std::nullopt;
      return it;
    case Tok::KwBatch: {
      advance();
      it.kind = Item::Batch;
      if (!is(Tok::Int)) {
        fail(tok.loc, "expected a positive integer batch size, found " + describe(tok));
        return std::nullopt;
      }
      it.batch = std::strtoll(tok.text.str().c_str(), nullptr, 10);
      if (it.batch <= 0 || tok.text.size() > 9) {
        fail(tok.loc, "batch size must be between 1 and 99999999, got " + tok.text.str());
        return std::nullopt;
      }
      advance();
      return it;
    }
    case Tok::KwInput: {
      advance();
      it.kind = Item::Input;
      if (!ident(it.name, dummy, "an input name") || !expect(Tok::Colon, "after the input name"))
        return std::nullopt;
      SMLoc l = tok.loc;
      ExprPtr shape = primary();
      if (!shape)
        return std::nullopt;
      if (shape->kind != Expr::List) {
        fail(l, "expected a shape such as [B, 28, 28, 1]");
        return std::nullopt;
      }
      it.shape = std::move(shape->elems);
      if (!expect(Tok::KwFrom, "after the input shape") ||
          !ident(it.dataset, dummy, "a dataset name"))
        return std::nullopt;
      return it;
    }
    case Tok::KwConst:
      advance();
      it.kind = Item::Const;
      if (!ident(it.name, dummy, "a constant name") || !expect(Tok::Assign, "after the constant name"))
        return std::nullopt;
      it.value = expr();
      if (!it.value)
        return std::nullopt;
      return it;
    case Tok::KwNet:
    case Tok::KwTrain:
    case Tok::KwSample: {
      auto f = std::make_unique<Function>();
      f->kind = is(Tok::KwNet) ? Function::Net : is(Tok::KwTrain) ? Function::Train : Function::Sample;
      f->loc = tok.loc;
      advance();
      if (!ident(f->name, dummy, "a name") || !expect(Tok::LParen, "to start the parameter list"))
        return std::nullopt;
      if (!is(Tok::RParen)) {
        do {
          std::string p;
          SMLoc pl;
          if (!ident(p, pl, "a parameter name"))
            return std::nullopt;
          f->params.push_back(p);
          f->paramLocs.push_back(pl);
          f->paramShapes.emplace_back();
          if (consumeIf(Tok::Colon)) {
            SMLoc l = tok.loc;
            ExprPtr shape = primary();
            if (!shape)
              return std::nullopt;
            if (shape->kind != Expr::List) {
              fail(l, "expected a shape such as [B, 2]");
              return std::nullopt;
            }
            f->paramShapes.back() = std::move(shape->elems);
          }
        } while (consumeIf(Tok::Comma));
      }
      if (!expect(Tok::RParen, "to end the parameter list") || !block(f->body))
        return std::nullopt;
      it.kind = Item::Func;
      it.name = f->name;
      it.func = std::move(f);
      return it;
    }
    default:
      fail(tok.loc, "expected 'model', 'batch', 'input', 'const', 'net', 'train' or 'sample' at "
                    "top level, found " + describe(tok));
      return std::nullopt;
    }
  }

  bool block(std::vector<StmtPtr> &out) {
    if (!expect(Tok::LBrace, "to start a block"))
      return false;
    skipNewlines();
    while (!is(Tok::RBrace)) {
      if (is(Tok::Eof))
        return fail(tok.loc, "expected '}' to end the block, found end of file");
      StmtPtr s = stmt();
      if (!s || !endOfStatement())
        return false;
      out.push_back(std::move(s));
      skipNewlines();
    }
    advance();
    return true;
  }

  StmtPtr stmt() {
    SMLoc loc = tok.loc;
    if (consumeIf(Tok::KwReturn)) {
      auto s = std::make_unique<Stmt>(Stmt::Return, loc);
      s->value = expr();
      return s->value ? std::move(s) : nullptr;
    }
    if (consumeIf(Tok::KwMinimize)) {
      auto s = std::make_unique<Stmt>(Stmt::Minimize, loc);
      s->value = expr();
      if (!s->value || !expect(Tok::KwOver, "after the loss"))
        return nullptr;
      if (!identList(s->names, s->nameLocs, "a net name"))
        return nullptr;
      if (!expect(Tok::KwWith, "before the optimizer"))
        return nullptr;
      SMLoc ol = tok.loc;
      s->optimizer = postfix();
      if (!s->optimizer)
        return nullptr;
      if (s->optimizer->kind != Expr::Call) {
        fail(ol, "expected an optimizer call such as adam(lr=1e-3)");
        return nullptr;
      }
      return s;
    }
    if (consumeIf(Tok::KwReport)) {
      auto s = std::make_unique<Stmt>(Stmt::Report, loc);
      if (!identList(s->names, s->nameLocs, "a variable to report"))
        return nullptr;
      return s;
    }
    if (consumeIf(Tok::KwFor)) {
      if (loopDepth >= kMaxLoopDepth) {
        fail(loc, "loops are nested too deeply (more than " + llvm::Twine(kMaxLoopDepth) +
                      " levels)");
        return nullptr;
      }
      struct Nest {
        unsigned &d;
        ~Nest() { --d; }
      } inLoop{++loopDepth};
      auto s = std::make_unique<Stmt>(Stmt::For, loc);
      SMLoc dummy;
      if (!ident(s->name, dummy, "a loop variable") || !expect(Tok::KwIn, "after the loop variable") ||
          !expect(Tok::KwRange, "(loops are written 'for t in range(...)')"))
        return nullptr;
      SMLoc open = tok.loc;
      if (!expect(Tok::LParen, "after 'range'") || !callArgs(s->range, open) || !block(s->body))
        return nullptr;
      return s;
    }
    if (is(Tok::Ident)) {
      Token name = tok;
      advance();
      if (!is(Tok::Assign)) {
        fail(tok.loc, "expected '=' after '" + name.text.str() +
                          "' (a statement is an assignment, 'return', 'minimize', 'report' or 'for')");
        return nullptr;
      }
      advance();
      auto s = std::make_unique<Stmt>(Stmt::Assign, name.loc);
      s->name = name.text.str();
      s->value = expr();
      return s->value ? std::move(s) : nullptr;
    }
    fail(tok.loc, "expected a statement, found " + describe(tok));
    return nullptr;
  }

  // expr := term (('+'|'-') term)*
  ExprPtr expr() {
    // Bounded recursion keeps hostile input (fuzzing) from exhausting the parser's stack; a
    // bracket inside d open ones ends up at least d levels deep in the tree, so this is the
    // same limit as nest()'s.
    if (depth >= kMaxExprDepth) {
      tooDeep(tok.loc);
      return nullptr;
    }
    struct Nest {
      unsigned &d;
      ~Nest() { --d; }
    } inExpr{++depth};
    return binaryChain(&Parser::term, Tok::Plus, Tok::Minus);
  }
  // term := unary (('*'|'/') unary)*
  ExprPtr term() { return binaryChain(&Parser::unary, Tok::Star, Tok::Slash); }
  // operand ((first|second) operand)*, left-associative.
  ExprPtr binaryChain(ExprPtr (Parser::*operand)(), Tok first, Tok second) {
    ExprPtr lhs = (this->*operand)();
    while (lhs && (is(first) || is(second))) {
      auto b = std::make_unique<Expr>(Expr::Binary, tok.loc);
      b->op = tok.text[0]; // the operator token is its one character
      advance();
      ExprPtr rhs = (this->*operand)();
      if (!rhs || !nest(*b, *lhs) || !nest(*b, *rhs))
        return nullptr;
      b->elems.push_back(std::move(lhs));
      b->elems.push_back(std::move(rhs));
      lhs = std::move(b);
    }
    return lhs;
  }
  ExprPtr unary() {
    // Iterative, so that a long run of '-' cannot recurse.
    std::vector<SMLoc> minus;
    while (is(Tok::Minus)) {
      // Each sign is a level (even one folded into a literal), and so is the operand.
      if (minus.size() + 1 >= kMaxExprDepth) {
        tooDeep(tok.loc);
        return nullptr;
      }
      minus.push_back(tok.loc);
      advance();
    }
    ExprPtr x = postfix();
    for (auto it = minus.rbegin(); x && it != minus.rend(); ++it) {
      if (x->kind == Expr::Number) { // fold literals so that -1 stays a literal
        x->number = -x->number;
        x->loc = *it;
        continue;
      }
      auto n = std::make_unique<Expr>(Expr::Neg, *it);
      if (!nest(*n, *x))
        return nullptr;
      n->elems.push_back(std::move(x));
      x = std::move(n);
    }
    return x;
  }
  ExprPtr postfix() {
    ExprPtr e = primary();
    while (e && is(Tok::LBracket)) {
      auto ix = std::make_unique<Expr>(Expr::Index, tok.loc);
      advance();
      ExprPtr idx = expr();
      if (!idx || !expectClosing(Tok::RBracket, "to close the index", ix->loc) ||
          !nest(*ix, *e) || !nest(*ix, *idx))
        return nullptr;
      ix->elems.push_back(std::move(e));
      ix->elems.push_back(std::move(idx));
      e = std::move(ix);
    }
    return e;
  }
  bool callArgs(std::vector<Arg> &args, SMLoc open) { // after '(' up to and including ')'
    if (consumeIf(Tok::RParen))
      return true;
    do {
      Arg a;
      a.loc = tok.loc;
      if (is(Tok::Ident)) {
        // keyword argument: IDENT '=' expr (needs one token of lookahead)
        Token save = tok;
        Lexer saveLex = lex;
        advance();
        if (is(Tok::Assign)) {
          a.keyword = save.text.str();
          advance();
        } else {
          tok = save;
          lex = saveLex;
        }
      }
      a.value = expr();
      if (!a.value)
        return false;
      args.push_back(std::move(a));
    } while (consumeIf(Tok::Comma));
    return expectClosing(Tok::RParen, "to close the argument list", open);
  }
  ExprPtr primary() {
    SMLoc loc = tok.loc;
    switch (tok.kind) {
    case Tok::Int:
    case Tok::Float: {
      auto e = std::make_unique<Expr>(Expr::Number, loc);
      e->isInt = is(Tok::Int);
      e->number = std::strtod(tok.text.str().c_str(), nullptr);
      if (e->isInt && tok.text.size() > 15) {
        fail(loc, "integer literal " + tok.text.str() + " is too large");
        return nullptr;
      }
      advance();
      return e;
    }
    case Tok::String: {
      auto e = std::make_unique<Expr>(Expr::String, loc);
      e->text = tok.text.drop_front().drop_back().str();
      advance();
      return e;
    }
    case Tok::KwTrue:
    case Tok::KwFalse: {
      auto e = std::make_unique<Expr>(Expr::Bool, loc);
      e->number = is(Tok::KwTrue) ? 1 : 0;
      advance();
      return e;
    }
    case Tok::Ident: {
      std::string name = tok.text.str();
      advance();
      SMLoc open = tok.loc;
      if (consumeIf(Tok::LParen)) {
        auto e = std::make_unique<Expr>(Expr::Call, loc);
        e->text = name;
        if (!callArgs(e->args, open))
          return nullptr;
        for (const Arg &a : e->args)
          if (!nest(*e, *a.value))
            return nullptr;
        return e;
      }
      auto e = std::make_unique<Expr>(Expr::Name, loc);
      e->text = name;
      while (consumeIf(Tok::Dot)) {
        std::string part;
        SMLoc pl;
        if (!ident(part, pl, "a name after '.'"))
          return nullptr;
        e->text += "." + part;
      }
      return e;
    }
    case Tok::LParen: {
      advance();
      ExprPtr e = expr();
      if (!e || !expectClosing(Tok::RParen, "to close the parenthesis", loc))
        return nullptr;
      // Parentheses are a level too, so that the tree is at least as deep as the recursion.
      if (++e->depth > kMaxExprDepth) {
        tooDeep(loc);
        return nullptr;
      }
      return e;
    }
    case Tok::LBracket: {
      advance();
      auto e = std::make_unique<Expr>(Expr::List, loc);
      if (!is(Tok::RBracket)) {
        do {
          ExprPtr x = expr();
          if (!x || !nest(*e, *x))
            return nullptr;
          e->elems.push_back(std::move(x));
        } while (consumeIf(Tok::Comma));
      }
      if (!expectClosing(Tok::RBracket, "to close the list", loc))
        return nullptr;
      return e;
    }
    default:
      fail(loc, "expected an expression, found " + describe(tok));
      return nullptr;
    }
  }
};

} // namespace

std::optional<Program> gnc::parseProgram(Diagnostics &diag) { return Parser(diag).program(); }
