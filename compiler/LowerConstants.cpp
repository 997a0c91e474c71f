// Compile-time values: constants, integers, lists and shapes that arguments must be, the
// binding of call arguments to names, and the builtins that only make constants (linspace,
// arange, cumprod).
#include "compiler/Lowering.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace mlir;
using llvm::SMLoc;

namespace gnc::lowering {

// Compile-time integers live in doubles; beyond 2^53 they are inexact and would not convert
// to int64_t safely (constant arithmetic such as 99999999 * 99999999 * ... gets there).
bool Lowering::checkIntRange(double d, SMLoc l) {
  if (std::fabs(d) <= 9007199254740992.0)
    return true;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return fail(l, llvm::Twine("integer ") + buf + " is out of range");
}

// Every tensor (and parameter) has at most 2^32 elements; that also keeps the shape
// arithmetic of later operations far from int64_t overflow.
bool Lowering::checkSize(const Shape &s, SMLoc l) {
  int64_t n = 1;
  for (int64_t d : s)
    if (d <= 0 || __builtin_mul_overflow(n, d, &n) || n > (int64_t(1) << 32))
      return fail(l, "a tensor of shape " + ::gn::shapes::str(s) +
                         " is too large (at most 4294967296 elements)");
  return true;
}

// Binds call arguments to `names` (positional first, then keywords). Names after
// `required` are optional.
bool Lowering::bind(const Expr &call, llvm::ArrayRef<const char *> names, size_t required,
                    std::vector<const Expr *> &out) {
  out.assign(names.size(), nullptr);
  size_t pos = 0;
  for (const Arg &a : call.args) {
    size_t idx;
    if (a.keyword.empty()) {
      if (pos >= names.size())
        return fail(a.loc, "too many arguments to '" + call.text + "' (it takes at most " +
                               std::to_string(names.size()) + ")");
      idx = pos++;
    } else {
      auto it = std::find_if(names.begin(), names.end(),
                             [&](const char *n) { return a.keyword == n; });
      if (it == names.end()) {
        std::string known;
        for (const char *n : names)
          known += (known.empty() ? "" : ", ") + std::string(n);
        return fail(a.loc, "'" + call.text + "' has no argument named '" + a.keyword +
                               "' (its arguments: " + known + ")");
      }
      idx = it - names.begin();
    }
    if (out[idx])
      return fail(a.loc, "argument '" + std::string(names[idx]) + "' of '" + call.text +
                             "' is given twice");
    out[idx] = a.value.get();
  }
  for (size_t i = 0; i < required; ++i)
    if (!out[i])
      return fail(call.loc, "'" + call.text + "' needs the argument '" + names[i] + "'");
  return true;
}

std::optional<ConstVal> Lowering::evalConst(const Expr &e) {
  std::optional<Val> v = eval(e);
  if (!v)
    return std::nullopt;
  if (v->kind != Val::Const) {
    fail(e.loc, "expected a compile-time constant here");
    return std::nullopt;
  }
  return v->c;
}

std::optional<int64_t> Lowering::evalInt(const Expr *e, int64_t dflt, const char *what) {
  if (!e)
    return dflt;
  auto c = evalConst(*e);
  if (!c)
    return std::nullopt;
  if (c->isArray || !c->isInt) {
    fail(e->loc, std::string("expected an integer for ") + what);
    return std::nullopt;
  }
  if (!checkIntRange(c->data[0], e->loc))
    return std::nullopt;
  return (int64_t)c->data[0];
}

std::optional<double> Lowering::evalFloat(const Expr *e, double dflt, const char *what) {
  if (!e)
    return dflt;
  auto c = evalConst(*e);
  if (!c)
    return std::nullopt;
  if (c->isArray) {
    fail(e->loc, std::string("expected a number for ") + what);
    return std::nullopt;
  }
  if (!std::isfinite(c->data[0])) {
    fail(e->loc, std::string("expected a finite number for ") + what);
    return std::nullopt;
  }
  return c->data[0];
}

std::optional<bool> Lowering::evalBool(const Expr *e, bool dflt, const char *what) {
  if (!e)
    return dflt;
  if (e->kind != Expr::Bool) {
    fail(e->loc, std::string("expected true or false for ") + what);
    return std::nullopt;
  }
  return e->number != 0;
}

std::optional<std::string> Lowering::evalString(const Expr *e, const char *dflt, const char *what) {
  if (!e)
    return std::string(dflt);
  if (e->kind != Expr::String) {
    fail(e->loc, std::string("expected a string for ") + what);
    return std::nullopt;
  }
  return e->text;
}

// A list of integers, or an integer constant: a scalar or an array such as arange(4).
std::optional<std::vector<int64_t>> Lowering::evalInts(const Expr *e, const char *what) {
  std::vector<int64_t> r;
  if (e->kind == Expr::List) {
    for (const ExprPtr &x : e->elems) {
      auto i = evalInt(x.get(), 0, what);
      if (!i)
        return std::nullopt;
      r.push_back(*i);
    }
    return r;
  }
  auto c = evalConst(*e);
  if (!c)
    return std::nullopt;
  if (!c->isInt) {
    fail(e->loc, std::string("expected a list of integers for ") + what);
    return std::nullopt;
  }
  for (double d : c->data) {
    if (!checkIntRange(d, e->loc))
      return std::nullopt;
    r.push_back((int64_t)d);
  }
  return r;
}

std::optional<Shape> Lowering::evalShape(const Expr *e) {
  if (e->kind != Expr::List) {
    fail(e->loc, "expected a shape such as [B, 28, 28, 1]");
    return std::nullopt;
  }
  auto s = evalInts(e, "a shape dimension");
  if (!s)
    return std::nullopt;
  std::string err;
  if (s->empty() || !::gn::shapes::validShape(*s, err)) {
    fail(e->loc, s->empty() ? "a shape needs at least one dimension" : err);
    return std::nullopt;
  }
  for (int64_t d : *s)
    if (d > (int64_t(1) << 24)) {
      fail(e->loc, "dimension " + std::to_string(d) + " is too large");
      return std::nullopt;
    }
  if (!checkSize(*s, e->loc))
    return std::nullopt;
  return s;
}

std::optional<Val> Lowering::linspace(const BuiltinCall &c) {
  const auto &a = c.args;
  auto s = evalFloat(a[0], 0, "start"), t = evalFloat(a[1], 0, "stop");
  auto n = evalInt(a[2], 0, "num");
  if (!s || !t || !n)
    return std::nullopt;
  if (*n < 1 || *n > 1000000) {
    fail(a[2]->loc, "linspace needs between 1 and 1000000 points");
    return std::nullopt;
  }
  ConstVal r;
  r.isArray = true;
  for (int64_t i = 0; i < *n; ++i)
    r.data.push_back(*n == 1 ? *s : *s + (*t - *s) * (double)i / (double)(*n - 1));
  return Val::constant(r);
}

std::optional<Val> Lowering::arange(const BuiltinCall &c) {
  auto n = evalInt(c.args[0], 0, "n");
  if (!n)
    return std::nullopt;
  if (*n < 1 || *n > 1000000) {
    fail(c.args[0]->loc, "arange needs between 1 and 1000000 elements");
    return std::nullopt;
  }
  ConstVal r;
  r.isArray = true;
  r.isInt = true;
  for (int64_t i = 0; i < *n; ++i)
    r.data.push_back((double)i);
  return Val::constant(r);
}

std::optional<Val> Lowering::cumprod(const BuiltinCall &c) {
  auto x = evalConst(*c.args[0]);
  if (!x)
    return std::nullopt;
  ConstVal r;
  r.isArray = true;
  r.isInt = x->isInt;
  double p = 1;
  for (double d : x->data)
    r.data.push_back(p *= d);
  return Val::constant(r);
}

} // namespace gnc::lowering
