// Expressions: names (variables, constants, dotted parameter names), operators, indexing and
// calls (of nets here; of builtins through LowerBuiltins.cpp's table).
#include "compiler/Lowering.h"

#include "compiler/Limits.h"

#include "llvm/Support/SaveAndRestore.h"

#include <functional>

using namespace mlir;
using llvm::SMLoc;

namespace gnc::lowering {

Value Lowering::constTensor(const ConstVal &c, SMLoc l) {
  Shape s = c.isArray ? Shape{(int64_t)c.data.size()} : Shape{};
  std::vector<float> fs(c.data.begin(), c.data.end());
  auto ty = tensorTy(s);
  return mlir::gn::ConstantOp::create(b, loc(l), ty,
                                      DenseElementsAttr::get(ty, llvm::ArrayRef<float>(fs)));
}
Value Lowering::splat(const Shape &s, float v, SMLoc l) {
  auto ty = tensorTy(s);
  return mlir::gn::ConstantOp::create(b, loc(l), ty, DenseElementsAttr::get(ty, v));
}
// Evaluates `e` to an f32 tensor (constants become gn.constant).
Value Lowering::evalTensor(const Expr &e, const char *what) {
  std::optional<Val> v = eval(e);
  if (!v)
    return {};
  if (v->kind == Val::Const)
    return constTensor(v->c, e.loc);
  if (v->kind != Val::Tensor) {
    fail(e.loc, std::string("expected a tensor for ") + what);
    return {};
  }
  if (!isF32(v->v)) {
    fail(e.loc, std::string("expected a float tensor for ") + what +
                    ", got an integer tensor (convert it with float(...))");
    return {};
  }
  return v->v;
}
Value Lowering::broadcastTo(Value v, const Shape &to, SMLoc l) {
  if (shapeOf(v) == to)
    return v;
  return mlir::gn::BroadcastOp::create(b, loc(l), tensorTy(to), v);
}

std::optional<Val> Lowering::eval(const Expr &e) {
  if (evalDepth >= kMaxExprDepth) {
    fail(e.loc, "expression is nested too deeply (more than " + llvm::Twine(kMaxExprDepth) +
                    " levels, counting those of the nets it calls)");
    return std::nullopt;
  }
  llvm::SaveAndRestore<unsigned> nested(evalDepth, evalDepth + 1);
  switch (e.kind) {
  case Expr::Number: {
    ConstVal c;
    c.data = {e.number};
    c.isInt = e.isInt;
    return Val::constant(c);
  }
  case Expr::Bool: {
    Val v;
    v.kind = Val::Bool;
    v.c.data = {e.number};
    return v;
  }
  case Expr::String: {
    Val v;
    v.kind = Val::Str;
    v.s = e.text;
    return v;
  }
  case Expr::List:
    fail(e.loc, "a list is not a value here");
    return std::nullopt;
  case Expr::Name:
    return evalName(e);
  case Expr::Neg: {
    auto x = eval(*e.elems[0]);
    if (!x)
      return std::nullopt;
    if (x->kind == Val::Const) {
      for (double &d : x->c.data)
        d = -d;
      return x;
    }
    if (x->kind != Val::Tensor || !isF32(x->v)) {
      fail(e.loc, "'-' needs a number or a float tensor");
      return std::nullopt;
    }
    return Val::tensor(mlir::gn::NegOp::create(b, loc(e.loc), x->v.getType(), x->v));
  }
  case Expr::Binary:
    return evalBinary(e);
  case Expr::Index:
    return evalIndex(e);
  case Expr::Call:
    return evalCall(e);
  }
  return std::nullopt;
}

std::optional<Val> Lowering::evalName(const Expr &e) {
  if (llvm::StringRef(e.text).contains('.'))
    return evalParamName(e);
  if (fc) {
    auto it = fc->scope.find(e.text);
    if (it != fc->scope.end())
      return it->second;
  }
  auto c = consts.find(e.text);
  if (c != consts.end())
    return Val::constant(c->second);
  if (functions.count(e.text)) {
    fail(e.loc, "'" + e.text + "' is a " +
                    (functions[e.text]->kind == Function::Net ? "net" : "procedure") +
                    "; call it with arguments");
    return std::nullopt;
  }
  for (const Item &it : prog.items)
    if (it.kind == Item::Const && it.name == e.text) {
      fail(e.loc, "constant '" + e.text + "' is used before its definition");
      return std::nullopt;
    }
  if (e.text == "B") {
    fail(e.loc, "'B' is used before the 'batch' declaration");
    return std::nullopt;
  }
  // A variable of this function assigned elsewhere: later, or inside a loop that has ended.
  const char *p = e.loc.getPointer();
  const Stmt *later = nullptr;
  bool loopOnly = false;
  std::function<bool(const std::vector<StmtPtr> &)> assigns = [&](const std::vector<StmtPtr> &ss) {
    for (const StmtPtr &st : ss)
      if (((st->kind == Stmt::Assign || st->kind == Stmt::For) && st->name == e.text) ||
          (st->kind == Stmt::For && assigns(st->body)))
        return true;
    return false;
  };
  std::function<void(const std::vector<StmtPtr> &)> find = [&](const std::vector<StmtPtr> &ss) {
    for (size_t i = 0; i < ss.size(); ++i) {
      const Stmt &st = *ss[i];
      if (!later && st.kind == Stmt::Assign && st.name == e.text && st.loc.getPointer() > p)
        later = &st;
      if (st.kind != Stmt::For)
        continue;
      bool usedAfterLoop = i + 1 < ss.size() && ss[i + 1]->loc.getPointer() <= p;
      if (usedAfterLoop && (st.name == e.text || assigns(st.body)))
        loopOnly = true;
      find(st.body);
    }
  };
  if (fc)
    find(fc->ast->body);
  if (loopOnly) {
    fail(e.loc, "'" + e.text + "' is only defined inside a loop, not after it (assign it before "
                "the loop to carry its value out)");
  } else if (later) {
    fail(e.loc, "'" + e.text + "' is used before its definition");
    diag.note(later->loc, "'" + e.text + "' is defined here");
  } else {
    fail(e.loc, "use of undefined name '" + e.text + "'");
  }
  return std::nullopt;
}

std::optional<Val> Lowering::evalBinary(const Expr &e) {
  auto lhs = eval(*e.elems[0]);
  if (!lhs)
    return std::nullopt;
  auto rhs = eval(*e.elems[1]);
  if (!rhs)
    return std::nullopt;
  char op = e.op;
  if (lhs->kind == Val::Const && rhs->kind == Val::Const) {
    const ConstVal &x = lhs->c, &y = rhs->c;
    if (x.isArray && y.isArray && x.data.size() != y.data.size()) {
      fail(e.loc, "constant arrays of lengths " + std::to_string(x.data.size()) + " and " +
                      std::to_string(y.data.size()) + " cannot be combined");
      return std::nullopt;
    }
    ConstVal r;
    r.isArray = x.isArray || y.isArray;
    r.isInt = x.isInt && y.isInt && op != '/';
    size_t n = std::max(x.data.size(), y.data.size());
    for (size_t i = 0; i < n; ++i) {
      double a = x.data[x.isArray ? i : 0], c = y.data[y.isArray ? i : 0];
      if (op == '/' && c == 0) {
        fail(e.loc, "division by zero in a constant expression");
        return std::nullopt;
      }
      r.data.push_back(op == '+' ? a + c : op == '-' ? a - c : op == '*' ? a * c : a / c);
    }
    return Val::constant(r);
  }
  for (const Val *v : {&*lhs, &*rhs})
    if (v->kind != Val::Const && v->kind != Val::Tensor) {
      fail(e.loc, std::string("operator '") + op + "' needs numbers or tensors");
      return std::nullopt;
    }
  Value a = lhs->kind == Val::Const ? constTensor(lhs->c, e.elems[0]->loc) : lhs->v;
  Value c = rhs->kind == Val::Const ? constTensor(rhs->c, e.elems[1]->loc) : rhs->v;
  if (!isF32(a) || !isF32(c)) {
    fail(e.loc, std::string("operator '") + op +
                    "' needs float tensors; convert integer tensors with float(...)");
    return std::nullopt;
  }
  std::string err;
  auto shape = ::gn::shapes::broadcast(shapeOf(a), shapeOf(c), err);
  if (!shape) {
    fail(e.loc, "operator '" + std::string(1, op) + "': " + err);
    return std::nullopt;
  }
  if (!checkSize(*shape, e.loc))
    return std::nullopt;
  a = broadcastTo(a, *shape, e.loc);
  c = broadcastTo(c, *shape, e.loc);
  Location l = loc(e.loc);
  Type type = tensorTy(*shape);
  switch (op) {
  case '+':
    return Val::tensor(mlir::gn::AddOp::create(b, l, type, a, c));
  case '-':
    return Val::tensor(mlir::gn::SubOp::create(b, l, type, a, c));
  case '*':
    return Val::tensor(mlir::gn::MulOp::create(b, l, type, a, c));
  default:
    return Val::tensor(mlir::gn::DivOp::create(b, l, type, a, c));
  }
}

std::optional<Val> Lowering::evalIndex(const Expr &e) {
  auto base = eval(*e.elems[0]);
  if (!base)
    return std::nullopt;
  auto idx = eval(*e.elems[1]);
  if (!idx)
    return std::nullopt;
  if (base->kind == Val::Const && idx->kind == Val::Const) {
    if (!base->c.isArray) {
      fail(e.loc, "a scalar cannot be indexed");
      return std::nullopt;
    }
    if (idx->c.isArray || !idx->c.isInt) {
      fail(e.elems[1]->loc, "an index must be an integer");
      return std::nullopt;
    }
    if (!checkIntRange(idx->c.data[0], e.elems[1]->loc))
      return std::nullopt;
    int64_t i = (int64_t)idx->c.data[0], n = (int64_t)base->c.data.size();
    if (i < 0)
      i += n;
    if (i < 0 || i >= n) {
      fail(e.elems[1]->loc, "index " + std::to_string((int64_t)idx->c.data[0]) +
                                " is out of range for an array of " + std::to_string(n));
      return std::nullopt;
    }
    ConstVal r;
    r.isInt = base->c.isInt;
    r.data = {base->c.data[i]};
    return Val::constant(r);
  }
  if (idx->kind != Val::Tensor || isF32(idx->v)) {
    fail(e.elems[1]->loc, "an index must be an integer or an integer tensor");
    return std::nullopt;
  }
  Value table = base->kind == Val::Const ? constTensor(base->c, e.elems[0]->loc)
                                         : (base->kind == Val::Tensor ? base->v : Value());
  if (!table) {
    fail(e.elems[0]->loc, "only arrays can be indexed");
    return std::nullopt;
  }
  if (!isF32(table)) {
    fail(e.elems[0]->loc, "only float arrays can be indexed, got an integer tensor (convert it "
                          "with float(...))");
    return std::nullopt;
  }
  std::string err;
  auto s = ::gn::shapes::gather(shapeOf(table), shapeOf(idx->v), err);
  if (!s) {
    fail(e.loc, err);
    return std::nullopt;
  }
  return Val::tensor(mlir::gn::GatherOp::create(b, loc(e.loc), tensorTy(*s), table, idx->v));
}

std::optional<Val> Lowering::evalCall(const Expr &e) {
  auto net = nets.find(e.text);
  if (net != nets.end())
    return evalNetCall(e, net->second);
  if (functions.count(e.text)) {
    fail(e.loc, "'" + e.text + "' is a procedure; only nets can be called");
    return std::nullopt;
  }
  const Builtin *builtin = findBuiltin(e.text);
  if (!builtin) {
    fail(e.loc, "unknown operation '" + e.text + "'");
    return std::nullopt;
  }
  if (builtin->where == Builtin::Where::Net && (!fc || !fc->net)) {
    fail(e.loc, "layer '" + e.text + "' creates parameters, so it may only be used inside a net");
    return std::nullopt;
  }
  if (builtin->where == Builtin::Where::Function && !fc) {
    fail(e.loc, "'" + e.text + "' produces a tensor; constants must be computable at compile time");
    return std::nullopt;
  }
  BuiltinCall call{e, {}};
  if (!bind(e, builtin->args, builtin->required, call.args))
    return std::nullopt;
  return (this->*builtin->emit)(call);
}


std::optional<Val> Lowering::evalParamName(const Expr &e) {
  llvm::StringRef text = e.text;
  auto [netName, rest] = text.split('.');
  auto nit = nets.find(netName.str());
  if (nit == nets.end()) {
    fail(e.loc, "'" + netName.str() + "' is not a net, so '" + e.text + "' names no parameter");
    return std::nullopt;
  }
  NetInfo &net = nit->second;
  if (!llvm::is_contained(net.params, e.text)) {
    if (net.params.empty()) {
      fail(e.loc, "net '" + netName.str() + "' has no parameters yet: call it before referring "
                  "to its parameters");
      return std::nullopt;
    }
    std::string known;
    for (const std::string &p : net.params)
      known += (known.empty() ? "" : ", ") + p;
    fail(e.loc, "net '" + netName.str() + "' has no parameter '" + rest.str() + "' (it has " +
                    known + ")");
    return std::nullopt;
  }
  auto param = module.lookupSymbol<mlir::gn::ParamOp>(e.text);
  if (!param) {
    fail(e.loc, "internal error: parameter '" + e.text + "' has no declaration");
    return std::nullopt;
  }
  return Val::tensor(paramRef(e.text, param.getType(), e.loc));
}

std::optional<Val> Lowering::evalNetCall(const Expr &e, NetInfo &net) {
  if (!fc) {
    fail(e.loc, "nets can only be called inside nets and procedures");
    return std::nullopt;
  }
  if (net.emitting) {
    std::string cycle;
    bool on = false;
    for (NetInfo *n : emitStack) {
      on = on || n == &net;
      if (on)
        cycle += n->ast->name + " -> ";
    }
    fail(e.loc, "recursion between nets is not allowed: " + cycle + net.ast->name);
    return std::nullopt;
  }
  if (!net.fn && emitStack.size() >= kMaxNetDepth) {
    fail(e.loc, "net calls are nested too deeply (more than " + llvm::Twine(kMaxNetDepth) +
                    " nets calling each other)");
    return std::nullopt;
  }
  for (const Arg &a : e.args)
    if (!a.keyword.empty()) {
      fail(a.loc, "nets take positional arguments");
      return std::nullopt;
    }
  if (e.args.size() != net.ast->params.size()) {
    fail(e.loc, "net '" + net.ast->name + "' takes " + std::to_string(net.ast->params.size()) +
                    " argument(s), got " + std::to_string(e.args.size()));
    return std::nullopt;
  }
  llvm::SmallVector<Value> args;
  for (const Arg &a : e.args) {
    Value v = evalTensor(*a.value, "a net argument");
    if (!v)
      return std::nullopt;
    args.push_back(v);
  }
  if (fc->net)
    fc->net->callees.insert(net.ast->name);
  if (!net.fn) {
    if (!emitNet(net, args))
      return std::nullopt;
  } else {
    auto ins = net.fn.getFunctionType().getInputs();
    for (size_t i = 0; i < args.size(); ++i)
      if (args[i].getType() != ins[i]) {
        fail(e.args[i].loc, "net '" + net.ast->name + "' was first called with an argument of shape " +
                                ::gn::shapes::str(Shape(cast<RankedTensorType>(ins[i]).getShape().begin(),
                                                      cast<RankedTensorType>(ins[i]).getShape().end())) +
                                ", here it gets " + ::gn::shapes::str(shapeOf(args[i])));
        return std::nullopt;
      }
  }
  if (net.usesRandom) {
    // Each call site draws its own numbers.
    auto siteTy = RankedTensorType::get({}, b.getI32Type());
    Value site = mlir::gn::ConstantOp::create(
        b, loc(e.loc), siteTy, DenseElementsAttr::get(siteTy, (int32_t)nextCallSite++));
    args.push_back(mlir::gn::RngFoldInOp::create(b, loc(e.loc), keyTy(), key(e.loc), site));
  }
  auto call = func::CallOp::create(b, loc(e.loc), net.fn, args);
  return Val::tensor(call.getResult(0));
}

} // namespace gnc::lowering
