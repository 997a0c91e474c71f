#include "compiler/AST.h"

#include "llvm/Support/Format.h"

using namespace gnc;

namespace {
struct Printer {
  llvm::raw_ostream &os;

  void expr(const Expr &e) {
    switch (e.kind) {
    case Expr::Number:
      if (e.isInt)
        os << (int64_t)e.number;
      else
        os << llvm::format("%g", e.number);
      return;
    case Expr::Bool: os << (e.number != 0 ? "true" : "false"); return;
    case Expr::String: os << '"' << e.text << '"'; return;
    case Expr::Name: os << e.text; return;
    case Expr::Neg: os << "(neg "; expr(*e.elems[0]); os << ")"; return;
    case Expr::Binary:
      os << "(" << e.op << " ";
      expr(*e.elems[0]);
      os << " ";
      expr(*e.elems[1]);
      os << ")";
      return;
    case Expr::Index:
      os << "(index ";
      expr(*e.elems[0]);
      os << " ";
      expr(*e.elems[1]);
      os << ")";
      return;
    case Expr::List:
      os << "[";
      for (size_t i = 0; i < e.elems.size(); ++i) {
        if (i) os << " ";
        expr(*e.elems[i]);
      }
      os << "]";
      return;
    case Expr::Call:
      os << "(" << e.text;
      args(e.args);
      os << ")";
      return;
    }
  }
  void args(const std::vector<Arg> &as) {
    for (const Arg &a : as) {
      os << " ";
      if (!a.keyword.empty()) os << a.keyword << "=";
      expr(*a.value);
    }
  }
  void stmts(const std::vector<StmtPtr> &ss, int ind) {
    for (const StmtPtr &s : ss) {
      os.indent(ind);
      switch (s->kind) {
      case Stmt::Assign: os << "(assign " << s->name << " "; expr(*s->value); os << ")\n"; break;
      case Stmt::Return: os << "(return "; expr(*s->value); os << ")\n"; break;
      case Stmt::Minimize:
        os << "(minimize ";
        expr(*s->value);
        os << " over";
        for (auto &n : s->names) os << " " << n;
        os << " with ";
        expr(*s->optimizer);
        os << ")\n";
        break;
      case Stmt::Report:
        os << "(report";
        for (auto &n : s->names) os << " " << n;
        os << ")\n";
        break;
      case Stmt::For:
        os << "(for " << s->name << " (range";
        args(s->range);
        os << ")\n";
        stmts(s->body, ind + 2);
        os.indent(ind) << ")\n";
        break;
      }
    }
  }
};
} // namespace

void gnc::printAST(const Program &p, llvm::raw_ostream &os) {
  Printer pr{os};
  for (const Item &it : p.items) {
    switch (it.kind) {
    case Item::Model: os << "(model " << it.name << ")\n"; break;
    case Item::Batch: os << "(batch " << it.batch << ")\n"; break;
    case Item::Input:
      os << "(input " << it.name << " [";
      for (size_t i = 0; i < it.shape.size(); ++i) {
        if (i) os << " ";
        pr.expr(*it.shape[i]);
      }
      os << "] from " << it.dataset << ")\n";
      break;
    case Item::Const: os << "(const " << it.name << " "; pr.expr(*it.value); os << ")\n"; break;
    case Item::Func: {
      const Function &f = *it.func;
      const char *kind = f.kind == Function::Net ? "net" : f.kind == Function::Train ? "train" : "sample";
      os << "(" << kind << " " << f.name << " (";
      for (size_t i = 0; i < f.params.size(); ++i) {
        os << (i ? " " : "") << f.params[i];
        if (i < f.paramShapes.size() && !f.paramShapes[i].empty()) {
          os << ":[";
          for (size_t d = 0; d < f.paramShapes[i].size(); ++d) {
            if (d) os << " ";
            pr.expr(*f.paramShapes[i][d]);
          }
          os << "]";
        }
      }
      os << ")\n";
      pr.stmts(f.body, 2);
      os << ")\n";
      break;
    }
    }
  }
}
