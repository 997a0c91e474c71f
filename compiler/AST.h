// The .gn abstract syntax tree: what the parser produces and `gnc ir --stage=ast` prints.
// It is untyped; types and shapes are checked while the tree is lowered to the gn dialect.
#ifndef GNC_COMPILER_AST_H
#define GNC_COMPILER_AST_H

#include "llvm/Support/SMLoc.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace gnc {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Arg {
  std::string keyword; // empty for a positional argument
  llvm::SMLoc loc;
  ExprPtr value;
};

struct Expr {
  // A Name may be dotted, `encoder.dense_0.weight`: a parameter of a net.
  enum Kind { Number, String, Bool, Name, Call, Index, Binary, Neg, List } kind;
  llvm::SMLoc loc;
  double number = 0;     // Number, Bool
  bool isInt = false;    // Number: written without '.' or exponent
  std::string text;      // String contents, Name, Call callee
  char op = 0;           // Binary: + - * /
  std::vector<Arg> args; // Call
  std::vector<ExprPtr> elems; // List elements; Index {base, index}; Binary {lhs, rhs}; Neg {x}
  // Levels of nesting, 1 for a leaf; the parser keeps it within kMaxExprDepth (Limits.h).
  unsigned depth = 1;
  Expr(Kind k, llvm::SMLoc l) : kind(k), loc(l) {}
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;

struct Stmt {
  enum Kind { Assign, Return, Minimize, Report, For } kind;
  llvm::SMLoc loc;
  std::string name;                 // Assign target, For variable
  ExprPtr value;                    // Assign/Return value, Minimize loss
  std::vector<std::string> names;    // Minimize: the nets; Report: the reported variables
  std::vector<llvm::SMLoc> nameLocs; // Minimize, Report
  ExprPtr optimizer;                // Minimize: a Call expression
  std::vector<Arg> range;           // For: range(...) arguments
  std::vector<StmtPtr> body;        // For
  Stmt(Kind k, llvm::SMLoc l) : kind(k), loc(l) {}
};

struct Function {
  enum Kind { Net, Train, Sample } kind;
  llvm::SMLoc loc;
  std::string name;
  std::vector<std::string> params;
  std::vector<llvm::SMLoc> paramLocs;
  // Sample procedures: a declared shape per parameter (`sample decode(z: [B, 2])`); empty
  // when the parameter is a batch of the model's input.
  std::vector<std::vector<ExprPtr>> paramShapes;
  std::vector<StmtPtr> body;
};

// Top-level items in source order (constants may refer to earlier ones).
struct Item {
  enum Kind { Model, Batch, Input, Const, Func } kind;
  llvm::SMLoc loc;
  std::string name;           // Model, Input, Const
  int64_t batch = 0;          // Batch
  std::vector<ExprPtr> shape; // Input
  std::string dataset;        // Input
  ExprPtr value;              // Const
  std::unique_ptr<Function> func;
};

struct Program {
  std::vector<Item> items;
};

// Prints the tree as an indented S-expression (the `ast` stage).
void printAST(const Program &p, llvm::raw_ostream &os);

} // namespace gnc

#endif
