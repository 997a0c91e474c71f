// Lowers the .gn AST to the gn dialect, checking names, types and shapes on the way.
//
// Every check reports at the AST node that caused it, so users see `file:line:col` of their
// own source. Shape rules come from dialects/gn/GnShapes.h, the same functions the op verifiers
// use. Nets are emitted on their first call, with the caller's argument types (a net is
// generic in its input shape until it is used; every later call must agree).
#include "compiler/Frontend.h"
#include "compiler/Limits.h"
#include "dialects/gn/GnOps.h"
#include "dialects/gn/GnShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/SaveAndRestore.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

using namespace mlir;
using ::gn::shapes::Shape;
using llvm::SMLoc;

namespace gnc {
namespace {

// A compile-time constant: a scalar or a 1-D array.
struct ConstVal {
  std::vector<double> data;
  bool isInt = false;
  bool isArray = false;
};

// What a name or an expression denotes while lowering.
struct Val {
  enum Kind { None, Tensor, Const, Str, Bool } kind = None;
  Value v;
  ConstVal c;
  std::string s;
  static Val tensor(Value v) { Val r; r.kind = Tensor; r.v = v; return r; }
  static Val constant(ConstVal c) { Val r; r.kind = Const; r.c = std::move(c); return r; }
};

struct NetInfo {
  const Function *ast = nullptr;
  func::FuncOp fn;
  bool emitting = false;
  bool usesRandom = false;
  std::vector<std::string> params;     // gn.param symbols owned by this net, in order
  std::set<std::string> callees;       // nets called directly
};

// State of the function being lowered.
struct FnCtx {
  const Function *ast = nullptr;
  func::FuncOp fn;
  NetInfo *net = nullptr; // when lowering a net
  Value key;              // rng key (train/sample: an argument; nets: added on first use)
  std::map<std::string, Val> scope;
  std::map<std::string, int> layerCount;
  std::vector<Value> losses;
  std::vector<std::string> lossNames; // for progress output: the minimized variable's name
  std::vector<Value> reports;          // `report` values: results after the losses
  std::vector<std::string> reportNames;
  bool returned = false;
  int loopDepth = 0;
};

class Lowering {
public:
  Lowering(const Program &p, MLIRContext &ctx, Diagnostics &diag, const ConstOverrides &defines)
      : prog(p), ctx(ctx), diag(diag), defines(defines), b(&ctx) {}

  OwningOpRef<ModuleOp> run();

private:
  const Program &prog;
  MLIRContext &ctx;
  Diagnostics &diag;
  const ConstOverrides &defines;
  OpBuilder b;
  ModuleOp module;
  std::string filename;

  std::string modelName;
  int64_t batch = 0;
  const Item *input = nullptr;
  Shape inputShape;
  std::map<std::string, ConstVal> consts;
  std::map<std::string, SMLoc> constLocs;
  std::map<std::string, const Function *> functions;
  std::map<std::string, NetInfo> nets;
  std::map<std::string, std::string> paramOwner; // param symbol -> net
  std::vector<NetInfo *> emitStack;
  // eval() calls open, across the nets being emitted: the parser bounds each expression's
  // depth, but an expression in a net continues the one that called the net.
  unsigned evalDepth = 0;
  int64_t nextStream = 0;
  int64_t nextCallSite = 0;
  FnCtx *fc = nullptr;

  // ---- helpers -------------------------------------------------------------------------
  bool fail(SMLoc loc, const llvm::Twine &msg) {
    diag.error(loc, msg);
    return false;
  }
  Location loc(SMLoc l) {
    auto lc = diag.sourceMgr().getLineAndColumn(l);
    return FileLineColLoc::get(&ctx, filename, lc.first, lc.second);
  }
  Type f32() { return b.getF32Type(); }
  RankedTensorType tensorTy(const Shape &s, Type elt = {}) {
    return RankedTensorType::get(s, elt ? elt : b.getF32Type());
  }
  RankedTensorType keyTy() { return RankedTensorType::get({2}, b.getI32Type()); }
  static Shape shapeOf(Value v) {
    auto t = cast<RankedTensorType>(v.getType());
    return Shape(t.getShape().begin(), t.getShape().end());
  }
  static bool isF32(Value v) { return cast<RankedTensorType>(v.getType()).getElementType().isF32(); }
  static std::string typeStr(Value v) {
    return ::gn::shapes::str(shapeOf(v)) + (isF32(v) ? "" : " (integer)");
  }

  Value emit(llvm::StringRef name, SMLoc l, ValueRange operands, Type result,
             llvm::ArrayRef<NamedAttribute> attrs = {}) {
    OperationState st(loc(l), ("gn." + name).str());
    st.addOperands(operands);
    st.addAttributes(attrs);
    if (result)
      st.addTypes(result);
    Operation *op = b.create(st);
    return result ? op->getResult(0) : Value();
  }
  NamedAttribute attr(llvm::StringRef n, Attribute a) { return b.getNamedAttr(n, a); }
  // Compile-time integers live in doubles; beyond 2^53 they are inexact and would not convert
  // to int64_t safely (constant arithmetic such as 99999999 * 99999999 * ... gets there).
  bool checkIntRange(double d, SMLoc l) {
    if (std::fabs(d) <= 9007199254740992.0)
      return true;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", d);
    return fail(l, llvm::Twine("integer ") + buf + " is out of range");
  }
  // Every tensor (and parameter) has at most 2^32 elements; that also keeps the shape
  // arithmetic of later operations far from int64_t overflow.
  bool checkSize(const Shape &s, SMLoc l) {
    int64_t n = 1;
    for (int64_t d : s)
      if (d <= 0 || __builtin_mul_overflow(n, d, &n) || n > (int64_t(1) << 32))
        return fail(l, "a tensor of shape " + ::gn::shapes::str(s) +
                           " is too large (at most 4294967296 elements)");
    return true;
  }
  Attribute i64s(llvm::ArrayRef<int64_t> v) { return b.getDenseI64ArrayAttr(v); }

  // ---- argument binding -------------------------------------------------------------
  // Binds call arguments to `names` (positional first, then keywords). Names after
  // `required` are optional.
  bool bind(const Expr &call, llvm::ArrayRef<const char *> names, size_t required,
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

  // ---- compile-time values -------------------------------------------------------------
  std::optional<ConstVal> evalConst(const Expr &e) {
    std::optional<Val> v = eval(e);
    if (!v)
      return std::nullopt;
    if (v->kind != Val::Const) {
      fail(e.loc, "expected a compile-time constant here");
      return std::nullopt;
    }
    return v->c;
  }
  std::optional<int64_t> evalInt(const Expr *e, int64_t dflt, const char *what) {
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
  std::optional<double> evalFloat(const Expr *e, double dflt, const char *what) {
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
  std::optional<bool> evalBool(const Expr *e, bool dflt, const char *what) {
    if (!e)
      return dflt;
    if (e->kind != Expr::Bool) {
      fail(e->loc, std::string("expected true or false for ") + what);
      return std::nullopt;
    }
    return e->number != 0;
  }
  std::optional<std::string> evalString(const Expr *e, const char *dflt, const char *what) {
    if (!e)
      return std::string(dflt);
    if (e->kind != Expr::String) {
      fail(e->loc, std::string("expected a string for ") + what);
      return std::nullopt;
    }
    return e->text;
  }
  // A list of integers (or a single integer when `allowScalar`).
  std::optional<std::vector<int64_t>> evalInts(const Expr *e, const char *what) {
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
  std::optional<Shape> evalShape(const Expr *e) {
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

  // ---- tensors ----------------------------------------------------------------------------
  Value constTensor(const ConstVal &c, SMLoc l) {
    Shape s = c.isArray ? Shape{(int64_t)c.data.size()} : Shape{};
    std::vector<float> fs(c.data.begin(), c.data.end());
    auto ty = tensorTy(s);
    return emit("constant", l, {}, ty,
                {attr("value", DenseElementsAttr::get(ty, llvm::ArrayRef<float>(fs)))});
  }
  Value splat(const Shape &s, float v, SMLoc l) {
    auto ty = tensorTy(s);
    return emit("constant", l, {}, ty, {attr("value", DenseElementsAttr::get(ty, v))});
  }
  // Evaluates `e` to an f32 tensor (constants become gn.constant).
  Value evalTensor(const Expr &e, const char *what = "this operand") {
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
  Value broadcastTo(Value v, const Shape &to, SMLoc l) {
    if (shapeOf(v) == to)
      return v;
    return emit("broadcast", l, {v}, tensorTy(to));
  }
  Value key(SMLoc l) {
    if (!fc->key) {
      // A net that draws random numbers takes the caller's key as an extra argument.
      Block &entry = fc->fn.getBody().front();
      fc->key = entry.addArgument(keyTy(), loc(l));
      fc->net->usesRandom = true;
    }
    return fc->key;
  }

  // ---- expressions ------------------------------------------------------------------------
  std::optional<Val> eval(const Expr &e);
  std::optional<Val> evalName(const Expr &e);
  std::optional<Val> evalBinary(const Expr &e);
  std::optional<Val> evalIndex(const Expr &e);
  std::optional<Val> evalCall(const Expr &e);
  std::optional<Val> evalConstCall(const Expr &e);
  std::optional<Val> evalLayer(const Expr &e);
  std::optional<Val> evalNetCall(const Expr &e, NetInfo &net);
  std::optional<Val> evalBuiltin(const Expr &e, bool &handled);

  // ---- statements / functions -------------------------------------------------------------
  bool lowerBody(const std::vector<StmtPtr> &body);
  bool lowerStmt(const Stmt &s);
  bool lowerMinimize(const Stmt &s);
  bool lowerReport(const Stmt &s);
  std::optional<Val> evalParamName(const Expr &e);
  bool lowerFor(const Stmt &s);
  bool emitNet(NetInfo &net, llvm::ArrayRef<Value> args, SMLoc callLoc);
  bool lowerEntry(const Function &f);
  std::string declareParam(const std::string &net, const std::string &layer, const char *suffix,
                           const Shape &shape, const std::string &init, double scale, SMLoc l);
  void netDependencies(Value v, std::set<std::string> &out, std::set<Operation *> &seen);
};

// ==== top level ================================================================================

OwningOpRef<ModuleOp> Lowering::run() {
  auto &sm = diag.sourceMgr();
  filename = sm.getMemoryBuffer(sm.getMainFileID())->getBufferIdentifier().str();
  SMLoc top = SMLoc::getFromPointer(sm.getMemoryBuffer(sm.getMainFileID())->getBufferStart());
  OwningOpRef<ModuleOp> owned = ModuleOp::create(loc(top));
  module = *owned;
  b.setInsertionPointToEnd(module.getBody());

  // Declarations first, in order (constants may use earlier ones and B).
  std::map<std::string, SMLoc> topNames;
  auto declare = [&](const std::string &n, SMLoc l, const char *what) {
    auto [it, fresh] = topNames.emplace(n, l);
    if (!fresh) {
      fail(l, "redefinition of '" + n + "' (" + what + ")");
      diag.note(it->second, "previous definition is here");
      return false;
    }
    return true;
  };
  for (const Item &it : prog.items) {
    switch (it.kind) {
    case Item::Model:
      if (!modelName.empty())
        return fail(it.loc, "the model name is declared twice"), nullptr;
      modelName = it.name;
      break;
    case Item::Batch:
      if (batch)
        return fail(it.loc, "the batch size is declared twice"), nullptr;
      batch = it.batch;
      consts["B"] = ConstVal{{(double)batch}, true, false};
      constLocs["B"] = it.loc;
      break;
    case Item::Input: {
      if (input)
        return fail(it.loc, "only one input can be declared"), nullptr;
      if (!declare(it.name, it.loc, "input"))
        return nullptr;
      input = &it;
      if (!batch)
        return fail(it.loc, "declare 'batch' before the input"), nullptr;
      for (const ExprPtr &d : it.shape) {
        // shape expressions are owned by the AST; evaluate them one by one
        auto i = evalInt(d.get(), 0, "an input dimension");
        if (!i)
          return nullptr;
        if (*i <= 0)
          return fail(d->loc, "dimension sizes must be positive, got " + std::to_string(*i)),
                 nullptr;
        inputShape.push_back(*i);
      }
      if (inputShape.empty() || inputShape[0] != batch)
        return fail(it.loc, "the input's first dimension must be the batch size B"), nullptr;
      if (it.dataset != "mnist")
        return fail(it.loc, "unknown dataset '" + it.dataset + "' (available: mnist)"), nullptr;
      if (inputShape != Shape{batch, 28, 28, 1})
        return fail(it.loc, "mnist images have the shape [B, 28, 28, 1], not " +
                                ::gn::shapes::str(inputShape)),
               nullptr;
      break;
    }
    case Item::Const: {
      if (it.name == "B")
        return fail(it.loc, "'B' is the batch size and cannot be redefined"), nullptr;
      if (!declare(it.name, it.loc, "constant"))
        return nullptr;
      auto c = evalConst(*it.value);
      if (!c)
        return nullptr;
      if (auto d = defines.find(it.name); d != defines.end()) {
        // `gnc -D NAME=VALUE`: a scalar constant of the file gets another value.
        if (c->isArray)
          return fail(it.loc, "-D " + it.name + ": constant '" + it.name +
                                  "' is an array; only scalar constants can be overridden"),
                 nullptr;
        if (c->isInt && d->second != std::floor(d->second))
          return fail(it.loc, "-D " + it.name + "=" + std::to_string(d->second) + ": constant '" +
                                  it.name + "' is an integer"),
                 nullptr;
        c->data = {d->second};
      }
      consts[it.name] = *c;
      constLocs[it.name] = it.loc;
      break;
    }
    case Item::Func:
      if (!declare(it.name, it.loc, "function"))
        return nullptr;
      functions[it.name] = it.func.get();
      if (it.func->kind == Function::Net)
        nets[it.name].ast = it.func.get();
      break;
    }
  }
  if (modelName.empty())
    return fail(top, "missing 'model NAME' declaration"), nullptr;
  if (!batch)
    return fail(top, "missing 'batch N' declaration"), nullptr;
  module.setSymName(modelName);
  module->setAttr("gn.batch", b.getI64IntegerAttr(batch));
  if (input) {
    module->setAttr("gn.input", b.getStringAttr(input->name));
    module->setAttr("gn.dataset", b.getStringAttr(input->dataset));
  }

  bool anyEntry = false;
  for (const Item &it : prog.items) {
    if (it.kind != Item::Func || it.func->kind == Function::Net)
      continue;
    anyEntry = true;
    if (!lowerEntry(*it.func))
      return nullptr;
  }
  if (!anyEntry)
    return fail(top, "the model has no 'train' or 'sample' procedure"), nullptr;
  // A net's argument types come from its calls: one that is never called cannot be checked.
  for (auto &[name, net] : nets)
    if (!net.fn)
      diag.warning(net.ast->loc, "net '" + name + "' is never called; it is not type-checked "
                                 "and has no parameters");
  // Parameter declarations lead the module, in creation order.
  llvm::SmallVector<Operation *> params;
  for (Operation &op : *module.getBody())
    if (op.getName().getStringRef() == "gn.param")
      params.push_back(&op);
  for (Operation *op : llvm::reverse(params))
    op->moveBefore(&module.getBody()->front());
  if (diag.hadError())
    return nullptr;
  return owned;
}

std::string Lowering::declareParam(const std::string &net, const std::string &layer,
                                   const char *suffix, const Shape &shape,
                                   const std::string &init, double scale, SMLoc l) {
  std::string name = net + "." + layer + "." + suffix;
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToEnd(module.getBody());
  llvm::SmallVector<NamedAttribute> attrs = {
      attr("sym_name", b.getStringAttr(name)), attr("type", TypeAttr::get(tensorTy(shape))),
      attr("init", b.getStringAttr(init))};
  if (init == "uniform" || init == "normal")
    attrs.push_back(attr("scale", b.getF64FloatAttr(scale)));
  emit("param", l, {}, Type(), attrs);
  paramOwner[name] = net;
  nets[net].params.push_back(name);
  return name;
}

// ==== functions ================================================================================

bool Lowering::lowerEntry(const Function &f) {
  FnCtx ctxFn;
  ctxFn.ast = &f;
  // `fc` must not outlive ctxFn, also when lowering stops at an error.
  llvm::SaveAndRestore<FnCtx *> restoreFc(fc, &ctxFn);
  llvm::SmallVector<Type> args;
  for (size_t i = 0; i < f.paramShapes.size(); ++i)
    if (!f.paramShapes[i].empty() && f.kind != Function::Sample)
      return fail(f.paramLocs[i], "only a sample procedure's argument may declare a shape; a " +
                                      std::string(f.kind == Function::Train ? "train procedure's argument is a batch of the input"
                                                                            : "net's arguments take the shapes of its call") );
  if (f.kind == Function::Sample && f.params.size() == 1 && !f.paramShapes[0].empty()) {
    // e.g. `sample decode(z: [B, 2])`: the procedure works on a batch of its own kind.
    Shape s;
    for (const ExprPtr &d : f.paramShapes[0]) {
      auto i = evalInt(d.get(), 0, "a dimension");
      if (!i)
        return false;
      if (*i <= 0)
        return fail(d->loc, "dimension sizes must be positive, got " + std::to_string(*i));
      s.push_back(*i);
    }
    if (s[0] != batch)
      return fail(f.paramShapes[0][0]->loc, "a sample procedure's argument is a batch: its first "
                                            "dimension must be B");
    args.push_back(tensorTy(s));
  } else if (f.kind == Function::Train) {
    if (!input)
      return fail(f.loc, "a train procedure needs an 'input' declaration for its data");
    if (f.params.size() != 1)
      return fail(f.loc, "a train procedure takes exactly one argument, the batch of '" +
                             input->name + "'");
    args.push_back(tensorTy(inputShape));
  } else if (f.params.size() > 1) {
    return fail(f.paramLocs[1], "a sample procedure takes at most one argument, a batch of the input");
  } else if (f.params.size() == 1) {
    // e.g. `sample reconstruct(x)`: the procedure works on a batch of the data.
    if (!input)
      return fail(f.paramLocs[0], "a sample procedure with an argument needs an 'input' declaration");
    args.push_back(tensorTy(inputShape));
  }
  args.push_back(keyTy());
  b.setInsertionPointToEnd(module.getBody());
  auto fn = func::FuncOp::create(b, loc(f.loc), f.name, b.getFunctionType(args, {}));
  fn->setAttr("gn.kind", b.getStringAttr(f.kind == Function::Train ? "train" : "sample"));
  Block *entry = fn.addEntryBlock();
  ctxFn.fn = fn;
  for (size_t i = 0; i < f.params.size(); ++i)
    ctxFn.scope[f.params[i]] = Val::tensor(entry->getArgument(i));
  ctxFn.key = entry->getArguments().back();
  b.setInsertionPointToEnd(entry);
  if (!lowerBody(f.body))
    return false;
  llvm::SmallVector<Value> results;
  if (f.kind == Function::Train) {
    if (ctxFn.losses.empty())
      return fail(f.loc, "train procedure '" + f.name + "' has no 'minimize' statement");
    results.assign(ctxFn.losses.begin(), ctxFn.losses.end());
    results.append(ctxFn.reports.begin(), ctxFn.reports.end());
    llvm::SmallVector<Attribute> names;
    for (const std::string &n : ctxFn.lossNames)
      names.push_back(b.getStringAttr(n));
    for (const std::string &n : ctxFn.reportNames)
      names.push_back(b.getStringAttr(n));
    fn->setAttr("gn.losses", b.getArrayAttr(names));
  } else {
    if (!ctxFn.returned)
      return fail(f.loc, "sample procedure '" + f.name + "' has no 'return'");
    results.push_back(ctxFn.scope["$return"].v);
  }
  func::ReturnOp::create(b, loc(f.loc), results);
  llvm::SmallVector<Type> resTypes;
  for (Value v : results)
    resTypes.push_back(v.getType());
  fn.setFunctionType(b.getFunctionType(args, resTypes));
  return true;
}

bool Lowering::emitNet(NetInfo &net, llvm::ArrayRef<Value> args, SMLoc callLoc) {
  const Function &f = *net.ast;
  OpBuilder::InsertionGuard guard(b);
  FnCtx ctxFn;
  ctxFn.ast = &f;
  ctxFn.net = &net;
  // Restored on every exit, errors included: `fc` must not outlive ctxFn.
  llvm::SaveAndRestore<FnCtx *> restoreFc(fc, &ctxFn);
  llvm::SaveAndRestore<bool> restoreEmitting(net.emitting, true);
  emitStack.push_back(&net);
  llvm::scope_exit popStack([&] { emitStack.pop_back(); });
  llvm::SmallVector<Type> argTypes;
  for (Value v : args)
    argTypes.push_back(v.getType());
  b.setInsertionPointToEnd(module.getBody());
  auto fn = func::FuncOp::create(b, loc(f.loc), f.name, b.getFunctionType(argTypes, {}));
  fn->setAttr("gn.kind", b.getStringAttr("net"));
  fn.setPrivate();
  net.fn = fn;
  Block *entry = fn.addEntryBlock();
  ctxFn.fn = fn;
  std::set<std::string> seenParams;
  for (size_t i = 0; i < f.params.size(); ++i) {
    if (!seenParams.insert(f.params[i]).second)
      return fail(f.paramLocs[i], "duplicate parameter name '" + f.params[i] + "'");
    ctxFn.scope[f.params[i]] = Val::tensor(entry->getArgument(i));
  }
  b.setInsertionPointToEnd(entry);
  if (!lowerBody(f.body))
    return false;
  if (!ctxFn.returned)
    return fail(f.loc, "net '" + f.name + "' has no 'return'");
  Value result = ctxFn.scope["$return"].v;
  func::ReturnOp::create(b, loc(f.loc), ValueRange{result});
  llvm::SmallVector<Type> ins(entry->getArgumentTypes());
  fn.setFunctionType(b.getFunctionType(ins, {result.getType()}));
  (void)callLoc;
  return true;
}

bool Lowering::lowerBody(const std::vector<StmtPtr> &body) {
  for (const StmtPtr &s : body) {
    if (fc->returned)
      return fail(s->loc, "statement after 'return' is never reached");
    if (!lowerStmt(*s))
      return false;
  }
  return true;
}

bool Lowering::lowerStmt(const Stmt &s) {
  switch (s.kind) {
  case Stmt::Assign: {
    if (consts.count(s.name))
      return fail(s.loc, "'" + s.name + "' is a constant and cannot be assigned");
    if (functions.count(s.name))
      return fail(s.loc, "'" + s.name + "' is a " +
                             (functions[s.name]->kind == Function::Net ? "net" : "procedure") +
                             " and cannot be assigned");
    auto v = eval(*s.value);
    if (!v)
      return false;
    if (v->kind != Val::Tensor && v->kind != Val::Const)
      return fail(s.value->loc, "only tensors and numbers can be assigned");
    fc->scope[s.name] = *v;
    return true;
  }
  case Stmt::Return: {
    if (fc->ast->kind == Function::Train)
      return fail(s.loc, "a train procedure does not return a value; it ends with 'minimize'");
    if (fc->loopDepth)
      return fail(s.loc, "'return' inside a loop is not allowed");
    Value v = evalTensor(*s.value, "the returned value");
    if (!v)
      return false;
    if (fc->ast->kind == Function::Sample && (shapeOf(v).empty() || shapeOf(v)[0] != batch))
      return fail(s.value->loc, "a sample procedure returns a batch [B, ...], got " +
                                    ::gn::shapes::str(shapeOf(v)));
    fc->scope["$return"] = Val::tensor(v);
    fc->returned = true;
    return true;
  }
  case Stmt::Minimize:
    return lowerMinimize(s);
  case Stmt::Report:
    return lowerReport(s);
  case Stmt::For:
    return lowerFor(s);
  }
  return false;
}

// Nets whose parameters `v` depends on, through calls, not through stop_gradient. A worklist,
// not recursion: a chain of statements makes a use-def chain of any length.
void Lowering::netDependencies(Value v, std::set<std::string> &out, std::set<Operation *> &seen) {
  std::vector<Value> values{v};
  while (!values.empty()) {
    Operation *def = values.back().getDefiningOp();
    values.pop_back();
    if (!def || !seen.insert(def).second)
      continue;
    llvm::StringRef name = def->getName().getStringRef();
    if (name == "gn.stop_gradient")
      continue;
    if (name == "gn.param_ref") {
      auto sym = def->getAttrOfType<FlatSymbolRefAttr>("name");
      if (sym && paramOwner.count(sym.getValue().str()))
        out.insert(paramOwner[sym.getValue().str()]);
    }
    if (auto call = dyn_cast<func::CallOp>(def)) {
      std::vector<std::string> work{call.getCallee().str()};
      while (!work.empty()) {
        std::string n = work.back();
        work.pop_back();
        if (!out.insert(n).second)
          continue;
        for (const std::string &c : nets[n].callees)
          work.push_back(c);
      }
    }
    for (Value o : def->getOperands())
      values.push_back(o);
  }
}

// `report a, b`: scalars a train procedure returns after its losses, so that `train` and
// `eval` print them (a VAE's reconstruction and KL terms) without optimizing them.
bool Lowering::lowerReport(const Stmt &s) {
  if (fc->ast->kind != Function::Train)
    return fail(s.loc, "'report' is only allowed in train procedures");
  for (size_t i = 0; i < s.nets.size(); ++i) {
    const std::string &n = s.nets[i];
    auto it = fc->scope.find(n);
    if (it == fc->scope.end() || it->second.kind != Val::Tensor)
      return fail(s.netLocs[i], "'" + n + "' is not a tensor variable of this procedure");
    if (!shapeOf(it->second.v).empty())
      return fail(s.netLocs[i], "only scalars can be reported; '" + n + "' has the shape " +
                                    ::gn::shapes::str(shapeOf(it->second.v)));
    if (llvm::is_contained(fc->reportNames, n) || llvm::is_contained(fc->lossNames, n))
      return fail(s.netLocs[i], "'" + n + "' is already reported");
    fc->reports.push_back(it->second.v);
    fc->reportNames.push_back(n);
  }
  return true;
}

// `encoder.dense_0.weight`: a parameter of a net that has been called before this point (a
// contractive penalty needs the encoder's weights).
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
  Operation *param = SymbolTable::lookupSymbolIn(module, e.text);
  auto type = param ? param->getAttrOfType<TypeAttr>("type") : TypeAttr();
  if (!type) {
    fail(e.loc, "internal error: parameter '" + e.text + "' has no declaration");
    return std::nullopt;
  }
  return Val::tensor(emit("param_ref", e.loc, {}, type.getValue(),
                          {attr("name", FlatSymbolRefAttr::get(&ctx, e.text))}));
}

bool Lowering::lowerMinimize(const Stmt &s) {
  if (fc->ast->kind != Function::Train)
    return fail(s.loc, "'minimize' is only allowed in a train procedure");
  if (fc->loopDepth)
    return fail(s.loc, "'minimize' inside a loop is not allowed");
  Value loss = evalTensor(*s.value, "the loss");
  if (!loss)
    return false;
  if (!shapeOf(loss).empty())
    return fail(s.value->loc, "the loss must be a scalar, got a tensor of shape " +
                                  ::gn::shapes::str(shapeOf(loss)) + " (reduce it with mean or sum)");
  std::set<std::string> deps;
  std::set<Operation *> seen;
  netDependencies(loss, deps, seen);
  llvm::SmallVector<Attribute> netAttrs, paramAttrs;
  std::set<std::string> listed;
  for (size_t i = 0; i < s.nets.size(); ++i) {
    const std::string &n = s.nets[i];
    if (!nets.count(n))
      return fail(s.netLocs[i], "'" + n + "' is not a net");
    if (!listed.insert(n).second)
      return fail(s.netLocs[i], "net '" + n + "' is listed twice");
    if (!deps.count(n))
      return fail(s.netLocs[i], "the loss does not depend on net '" + n +
                                    "' (is it behind stop_gradient, or never called?)");
    if (nets[n].params.empty())
      return fail(s.netLocs[i], "net '" + n + "' has no parameters to train");
    netAttrs.push_back(b.getStringAttr(n));
    for (const std::string &p : nets[n].params)
      paramAttrs.push_back(FlatSymbolRefAttr::get(&ctx, p));
  }
  const Expr &opt = *s.optimizer;
  static const std::map<std::string, std::vector<const char *>> optimizers = {
      {"sgd", {"lr", "momentum", "nesterov", "weight_decay", "clip", "lr_decay"}},
      {"adam", {"lr", "beta1", "beta2", "eps", "weight_decay", "clip", "lr_decay"}},
      {"adamw", {"lr", "beta1", "beta2", "eps", "weight_decay", "clip", "lr_decay"}},
      {"rmsprop", {"lr", "alpha", "eps", "weight_decay", "clip", "lr_decay"}},
  };
  auto oit = optimizers.find(opt.text);
  if (oit == optimizers.end())
    return fail(opt.loc, "unknown optimizer '" + opt.text + "' (available: sgd, adam, adamw, rmsprop)");
  std::vector<const Expr *> a;
  if (!bind(opt, oit->second, 1, a))
    return false;
  llvm::SmallVector<NamedAttribute> hyper;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i])
      continue;
    llvm::StringRef n = oit->second[i];
    if (n == "nesterov") {
      auto v = evalBool(a[i], false, "nesterov");
      if (!v)
        return false;
      hyper.push_back(attr(n, b.getBoolAttr(*v)));
      continue;
    }
    auto v = evalFloat(a[i], 0, oit->second[i]);
    if (!v)
      return false;
    if (*v < 0 || ((n == "lr" || n == "lr_decay" || n == "clip") && *v == 0) ||
        (n == "lr_decay" && *v > 1) || ((n == "beta1" || n == "beta2" || n == "momentum" || n == "alpha") && *v >= 1))
      return fail(a[i]->loc, "invalid value for '" + n.str() + "' of " + opt.text);
    hyper.push_back(attr(n, b.getF64FloatAttr(*v)));
  }
  emit("minimize", s.loc, {loss}, Type(),
       {attr("optimizer", b.getStringAttr(opt.text)), attr("hyper", b.getDictionaryAttr(hyper)),
        attr("nets", b.getArrayAttr(netAttrs)), attr("params", b.getArrayAttr(paramAttrs))});
  fc->losses.push_back(loss);
  fc->lossNames.push_back(s.value->kind == Expr::Name ? s.value->text
                                                      : "loss" + std::to_string(fc->losses.size() - 1));
  return true;
}

bool Lowering::lowerFor(const Stmt &s) {
  if (fc->ast->kind != Function::Sample)
    return fail(s.loc, "'for' loops are only allowed in sample procedures");
  std::vector<const Expr *> a;
  Expr rangeCall(Expr::Call, s.loc);
  rangeCall.text = "range";
  for (const Arg &arg : s.range)
    if (!arg.keyword.empty())
      return fail(arg.loc, "range takes positional arguments");
  int64_t start = 0, stop = 0, step = 1;
  size_t n = s.range.size();
  if (n < 1 || n > 3)
    return fail(s.loc, "range takes 1 to 3 arguments");
  auto v0 = evalInt(s.range[0].value.get(), 0, "range");
  if (!v0)
    return false;
  if (n == 1) {
    stop = *v0;
  } else {
    start = *v0;
    auto v1 = evalInt(s.range[1].value.get(), 0, "range");
    if (!v1)
      return false;
    stop = *v1;
    if (n == 3) {
      auto v2 = evalInt(s.range[2].value.get(), 0, "range");
      if (!v2)
        return false;
      step = *v2;
      if (step == 0)
        return fail(s.range[2].loc, "range step must not be zero");
    }
  }
  int64_t trips = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
  if (trips < 0)
    trips = 0;
  if (trips > 1000000)
    return fail(s.loc, "loop runs " + std::to_string(trips) + " times; at most 1000000 allowed");
  if (consts.count(s.name) || functions.count(s.name))
    return fail(s.loc, "loop variable '" + s.name + "' hides a constant or function");

  // Variables that exist before the loop and are assigned in its body are carried (numbers
  // become scalar tensors, as their value now changes at run time).
  std::vector<std::string> carried;
  std::map<std::string, SMLoc> lastAssign; // for errors: the assignment that changes the type
  std::function<void(const std::vector<StmtPtr> &)> scan = [&](const std::vector<StmtPtr> &ss) {
    for (const StmtPtr &st : ss) {
      if (st->kind == Stmt::Assign && fc->scope.count(st->name) &&
          (fc->scope[st->name].kind == Val::Tensor || fc->scope[st->name].kind == Val::Const)) {
        if (std::find(carried.begin(), carried.end(), st->name) == carried.end())
          carried.push_back(st->name);
        lastAssign[st->name] = st->loc;
      }
      if (st->kind == Stmt::For)
        scan(st->body);
    }
  };
  scan(s.body);
  llvm::SmallVector<Value> inits;
  for (const std::string &c : carried) {
    Val &v = fc->scope[c];
    inits.push_back(v.kind == Val::Const ? constTensor(v.c, s.loc) : v.v);
  }
  Location l = loc(s.loc);
  Value lb = arith::ConstantIndexOp::create(b, l, 0);
  Value ub = arith::ConstantIndexOp::create(b, l, trips);
  Value one = arith::ConstantIndexOp::create(b, l, 1);
  auto forOp = scf::ForOp::create(b, l, lb, ub, one, inits);
  std::map<std::string, Val> outer = fc->scope;
  Value outerKey = fc->key;
  {
    OpBuilder::InsertionGuard g(b);
    Block *body = forOp.getBody();
    // Without loop-carried values the builder adds an empty scf.yield; ours replaces it.
    if (!body->empty())
      body->back().erase();
    b.setInsertionPointToStart(body);
    // t = start + i * step, as an i32 scalar tensor.
    Value iv = forOp.getInductionVar();
    Value i64 = arith::IndexCastOp::create(b, l, b.getI64Type(), iv);
    Value t = arith::AddIOp::create(
        b, l, arith::ConstantIntOp::create(b, l, start, 64),
        arith::MulIOp::create(b, l, i64, arith::ConstantIntOp::create(b, l, step, 64)));
    Value t32 = arith::TruncIOp::create(b, l, b.getI32Type(), t);
    Value tTensor = tensor::FromElementsOp::create(
        b, l, RankedTensorType::get({}, b.getI32Type()), ValueRange{t32});
    fc->scope[s.name] = Val::tensor(tTensor);
    for (size_t i = 0; i < carried.size(); ++i)
      fc->scope[carried[i]] = Val::tensor(forOp.getRegionIterArgs()[i]);
    // Fresh random numbers every iteration.
    if (fc->key)
      fc->key = emit("rng_fold_in", s.loc, {fc->key, tTensor}, keyTy());
    ++fc->loopDepth;
    bool ok = lowerBody(s.body);
    --fc->loopDepth;
    if (!ok)
      return false;
    llvm::SmallVector<Value> yields;
    for (size_t i = 0; i < carried.size(); ++i) {
      Val &v = fc->scope[carried[i]];
      bool value = v.kind == Val::Tensor || v.kind == Val::Const;
      Value y = v.kind == Val::Const ? constTensor(v.c, s.loc) : v.v;
      if (!value || y.getType() != inits[i].getType())
        return fail(lastAssign[carried[i]],
                    "variable '" + carried[i] + "' changes its type inside the loop, from " +
                        typeStr(inits[i]) + " to " + (value ? typeStr(y) : "a non-tensor") +
                        " (a variable carried from one iteration to the next keeps its type)");
      yields.push_back(y);
    }
    scf::YieldOp::create(b, l, yields);
  }
  fc->scope = outer;
  fc->key = outerKey;
  for (size_t i = 0; i < carried.size(); ++i)
    fc->scope[carried[i]] = Val::tensor(forOp.getResult(i));
  return true;
}

// ==== expressions ==============================================================================

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
    Expr zero(Expr::Number, e.loc);
    zero.isInt = true;
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
    return Val::tensor(emit("neg", e.loc, {x->v}, x->v.getType()));
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
  const char *name = op == '+' ? "add" : op == '-' ? "sub" : op == '*' ? "mul" : "div";
  return Val::tensor(emit(name, e.loc, {a, c}, tensorTy(*shape)));
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
  return Val::tensor(emit("gather", e.loc, {table, idx->v}, tensorTy(*s)));
}

std::optional<Val> Lowering::evalCall(const Expr &e) {
  auto net = nets.find(e.text);
  if (net != nets.end())
    return evalNetCall(e, net->second);
  if (functions.count(e.text)) {
    fail(e.loc, "'" + e.text + "' is a procedure; only nets can be called");
    return std::nullopt;
  }
  static const std::set<std::string> layers = {"dense", "conv2d", "conv2d_transpose", "group_norm"};
  if (layers.count(e.text))
    return evalLayer(e);
  bool handled = false;
  auto r = evalConstCall(e);
  if (r || diag.hadError())
    return r;
  r = evalBuiltin(e, handled);
  if (handled)
    return r;
  fail(e.loc, "unknown operation '" + e.text + "'");
  return std::nullopt;
}

// linspace, arange, cumprod, and math on compile-time constants.
std::optional<Val> Lowering::evalConstCall(const Expr &e) {
  std::vector<const Expr *> a;
  if (e.text == "linspace" || e.text == "arange" || e.text == "cumprod") {
    ConstVal r;
    r.isArray = true;
    if (e.text == "linspace") {
      if (!bind(e, {"start", "stop", "num"}, 3, a))
        return std::nullopt;
      auto s = evalFloat(a[0], 0, "start"), t = evalFloat(a[1], 0, "stop");
      auto n = evalInt(a[2], 0, "num");
      if (!s || !t || !n)
        return std::nullopt;
      if (*n < 1 || *n > 1000000) {
        fail(a[2]->loc, "linspace needs between 1 and 1000000 points");
        return std::nullopt;
      }
      for (int64_t i = 0; i < *n; ++i)
        r.data.push_back(*n == 1 ? *s : *s + (*t - *s) * (double)i / (double)(*n - 1));
    } else if (e.text == "arange") {
      if (!bind(e, {"n"}, 1, a))
        return std::nullopt;
      auto n = evalInt(a[0], 0, "n");
      if (!n)
        return std::nullopt;
      if (*n < 1 || *n > 1000000) {
        fail(a[0]->loc, "arange needs between 1 and 1000000 elements");
        return std::nullopt;
      }
      r.isInt = true;
      for (int64_t i = 0; i < *n; ++i)
        r.data.push_back((double)i);
    } else {
      if (!bind(e, {"x"}, 1, a))
        return std::nullopt;
      auto x = evalConst(*a[0]);
      if (!x)
        return std::nullopt;
      double p = 1;
      r.isInt = x->isInt;
      for (double d : x->data)
        r.data.push_back(p *= d);
    }
    return Val::constant(r);
  }
  static const std::set<std::string> math = {"sqrt", "exp", "log", "sin", "cos"};
  if (math.count(e.text) && e.args.size() == 1 && e.args[0].keyword.empty()) {
    auto v = eval(*e.args[0].value);
    if (!v)
      return std::nullopt;
    if (v->kind == Val::Tensor && isF32(v->v))
      return Val::tensor(emit(e.text, e.loc, {v->v}, v->v.getType()));
    if (v->kind != Val::Const) {
      fail(e.args[0].value->loc, "'" + e.text + "' expects a number or a float tensor");
      return std::nullopt;
    }
    ConstVal r = v->c;
    r.isInt = false;
    for (double &d : r.data) {
      if ((e.text == "sqrt" && d < 0) || (e.text == "log" && d <= 0)) {
        fail(e.loc, e.text + " of " + std::to_string(d) + " in a constant expression");
        return std::nullopt;
      }
      d = e.text == "sqrt" ? std::sqrt(d) : e.text == "exp" ? std::exp(d) : e.text == "log" ? std::log(d)
          : e.text == "sin" ? std::sin(d) : std::cos(d);
    }
    return Val::constant(r);
  }
  return std::nullopt;
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
    if (!emitNet(net, args, e.loc))
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
    Value site = emit("constant", e.loc, {}, RankedTensorType::get({}, b.getI32Type()),
                      {attr("value", DenseElementsAttr::get(RankedTensorType::get({}, b.getI32Type()),
                                                            (int32_t)nextCallSite++))});
    args.push_back(emit("rng_fold_in", e.loc, {key(e.loc), site}, keyTy()));
  }
  auto call = func::CallOp::create(b, loc(e.loc), net.fn, args);
  return Val::tensor(call.getResult(0));
}

std::optional<Val> Lowering::evalLayer(const Expr &e) {
  if (!fc || !fc->net) {
    fail(e.loc, "layer '" + e.text + "' creates parameters, so it may only be used inside a net");
    return std::nullopt;
  }
  const std::string &netName = fc->net->ast->name;
  std::string layerName = e.text + "_" + std::to_string(fc->layerCount[e.text]++);
  std::vector<const Expr *> a;
  std::string err;
  auto weightInit = [&](const Expr *initE, int64_t fanIn, int64_t fanOut, std::string &init,
                        double &scale) -> bool {
    auto name = evalString(initE, "default", "init");
    if (!name)
      return false;
    if (*name == "default") {
      init = "uniform";
      scale = 1.0 / std::sqrt((double)fanIn);
    } else if (*name == "he_uniform") {
      init = "uniform";
      scale = std::sqrt(6.0 / (double)fanIn);
    } else if (*name == "glorot_uniform") {
      init = "uniform";
      scale = std::sqrt(6.0 / (double)(fanIn + fanOut));
    } else if (*name == "zeros") {
      init = "zeros";
      scale = 0;
    } else {
      return fail(initE->loc, "unknown initializer '" + *name +
                                  "' (available: default, he_uniform, glorot_uniform, zeros)");
    }
    return true;
  };

  if (e.text == "dense") {
    if (!bind(e, {"x", "units", "bias", "init"}, 2, a))
      return std::nullopt;
    Value x = evalTensor(*a[0], "the input");
    if (!x)
      return std::nullopt;
    auto units = evalInt(a[1], 0, "units");
    auto bias = evalBool(a[2], true, "bias");
    if (!units || !bias)
      return std::nullopt;
    if (*units <= 0 || *units > (1 << 24)) {
      fail(a[1]->loc, "dense needs a positive number of units, got " + std::to_string(*units));
      return std::nullopt;
    }
    Shape xs = shapeOf(x);
    if (xs.size() != 2) {
      fail(a[0]->loc, "dense expects a 2-D input [B, features], got " + ::gn::shapes::str(xs) +
                          (xs.size() > 2 ? " (flatten it first)" : ""));
      return std::nullopt;
    }
    Shape ws{xs[1], *units};
    if (!checkSize(ws, e.loc) || !checkSize({xs[0], *units}, e.loc))
      return std::nullopt;
    std::string init;
    double scale;
    if (!weightInit(a[3], xs[1], *units, init, scale))
      return std::nullopt;
    llvm::SmallVector<Value> ops{x};
    std::string w = declareParam(netName, layerName, "weight", ws, init, scale, e.loc);
    ops.push_back(emit("param_ref", e.loc, {}, tensorTy(ws), {attr("name", FlatSymbolRefAttr::get(&ctx, w))}));
    Shape bs{*units};
    if (*bias) {
      std::string bn = declareParam(netName, layerName, "bias", bs, "uniform", 1.0 / std::sqrt((double)xs[1]), e.loc);
      ops.push_back(emit("param_ref", e.loc, {}, tensorTy(bs), {attr("name", FlatSymbolRefAttr::get(&ctx, bn))}));
    }
    auto out = ::gn::shapes::dense(xs, ws, *bias ? &bs : nullptr, err);
    if (!out) {
      fail(e.loc, err);
      return std::nullopt;
    }
    return Val::tensor(emit("dense", e.loc, ops, tensorTy(*out)));
  }

  if (e.text == "conv2d" || e.text == "conv2d_transpose") {
    bool transposed = e.text == "conv2d_transpose";
    std::vector<const char *> names = {"x", "filters", "kernel", "stride", "padding",
                                       "dilation", "bias", "init"};
    if (transposed)
      names.push_back("output_padding");
    if (!bind(e, names, 2, a))
      return std::nullopt;
    Value x = evalTensor(*a[0], "the input");
    if (!x)
      return std::nullopt;
    auto filters = evalInt(a[1], 0, "filters");
    auto k = evalInt(a[2], 3, "kernel");
    auto s = evalInt(a[3], 1, "stride");
    auto d = evalInt(a[5], 1, "dilation");
    auto bias = evalBool(a[6], true, "bias");
    auto op = transposed ? evalInt(a[8], 0, "output_padding") : std::optional<int64_t>(0);
    if (!filters || !k || !s || !d || !bias || !op)
      return std::nullopt;
    Shape xs = shapeOf(x);
    if (xs.size() != 4) {
      fail(a[0]->loc, e.text + " expects a 4-D NHWC input [B, H, W, C], got " + ::gn::shapes::str(xs) +
                          (xs.size() == 2 ? " (reshape it first)" : ""));
      return std::nullopt;
    }
    if (*filters <= 0 || *filters > (1 << 20)) {
      fail(a[1]->loc, e.text + " needs a positive number of filters");
      return std::nullopt;
    }
    if (*k <= 0 || *k > 64) {
      fail(a[2] ? a[2]->loc : e.loc, "kernel size must be between 1 and 64, got " + std::to_string(*k));
      return std::nullopt;
    }
    for (auto [v, arg, what] : {std::make_tuple(*s, a[3], "stride"),
                                std::make_tuple(*d, a[5], "dilation")})
      if (v <= 0 || v > (1 << 24)) {
        fail(arg ? arg->loc : e.loc, std::string(what) + " must be between 1 and 16777216, got " +
                                         std::to_string(v));
        return std::nullopt;
      }
    int64_t pad = 0;
    if (a[4] && a[4]->kind != Expr::String) {
      auto p = evalInt(a[4], 0, "padding");
      if (!p)
        return std::nullopt;
      pad = *p;
      if (pad < 0 || pad > (1 << 24)) {
        fail(a[4]->loc, pad < 0 ? "padding must not be negative" : "padding is too large");
        return std::nullopt;
      }
    } else {
      auto mode = evalString(a[4], "same", "padding");
      if (!mode)
        return std::nullopt;
      if (*mode == "same") {
        if ((*d * (*k - 1)) % 2 != 0) {
          fail(a[4] ? a[4]->loc : e.loc, "'same' padding needs an odd kernel size");
          return std::nullopt;
        }
        pad = *d * (*k - 1) / 2;
      } else if (*mode != "valid") {
        fail(a[4]->loc, "padding must be \"same\", \"valid\" or an integer, got \"" + *mode + "\"");
        return std::nullopt;
      }
    }
    int64_t cin = xs[3], cout = *filters;
    Shape ws = transposed ? Shape{*k, *k, cout, cin} : Shape{*k, *k, cin, cout};
    // PyTorch's fan-in: in_channels*k*k for conv, weight.size(1)*k*k = out_channels*k*k for
    // conv_transpose (its weight is [in, out, k, k]).
    int64_t fanIn = (transposed ? cout : cin) * *k * *k;
    int64_t fanOut = (transposed ? cin : cout) * *k * *k;
    std::string init;
    double scale;
    if (!weightInit(a[7], fanIn, fanOut, init, scale))
      return std::nullopt;
    ::gn::shapes::Conv2DParams p;
    p.strideH = p.strideW = *s;
    p.padTop = p.padBottom = p.padLeft = p.padRight = pad;
    p.dilationH = p.dilationW = *d;
    p.outPadH = p.outPadW = *op;
    Shape bs{cout};
    if (!checkSize(ws, e.loc))
      return std::nullopt;
    auto out = transposed ? ::gn::shapes::conv2dTranspose(xs, ws, *bias ? &bs : nullptr, p, err)
                          : ::gn::shapes::conv2d(xs, ws, *bias ? &bs : nullptr, p, err);
    if (!out) {
      // An output_padding error points at that argument, everything else at the call.
      bool badOutPad = transposed && a[8] && (*op < 0 || (*op >= *s && *op >= *d));
      fail(badOutPad ? a[8]->loc : e.loc, err);
      return std::nullopt;
    }
    if (!checkSize(*out, e.loc))
      return std::nullopt;
    llvm::SmallVector<Value> ops{x};
    std::string w = declareParam(netName, layerName, "weight", ws, init, scale, e.loc);
    ops.push_back(emit("param_ref", e.loc, {}, tensorTy(ws), {attr("name", FlatSymbolRefAttr::get(&ctx, w))}));
    if (*bias) {
      std::string bn = declareParam(netName, layerName, "bias", bs, "uniform", 1.0 / std::sqrt((double)fanIn), e.loc);
      ops.push_back(emit("param_ref", e.loc, {}, tensorTy(bs), {attr("name", FlatSymbolRefAttr::get(&ctx, bn))}));
    }
    llvm::SmallVector<NamedAttribute> attrs = {
        attr("strides", i64s({*s, *s})), attr("padding", i64s({pad, pad, pad, pad})),
        attr("dilations", i64s({*d, *d}))};
    if (transposed)
      attrs.push_back(attr("output_padding", i64s({*op, *op})));
    return Val::tensor(emit(e.text, e.loc, ops, tensorTy(*out), attrs));
  }

  // group_norm
  if (!bind(e, {"x", "groups", "eps"}, 2, a))
    return std::nullopt;
  Value x = evalTensor(*a[0], "the input");
  if (!x)
    return std::nullopt;
  auto groups = evalInt(a[1], 0, "groups");
  auto eps = evalFloat(a[2], 1e-5, "eps");
  if (!groups || !eps)
    return std::nullopt;
  if (*eps <= 0) {
    fail(a[2]->loc, "eps must be positive");
    return std::nullopt;
  }
  Shape xs = shapeOf(x);
  Shape cs{xs.size() == 4 ? xs[3] : 1};
  auto out = ::gn::shapes::groupNorm(xs, cs, cs, *groups, err);
  if (!out) {
    fail(e.loc, err);
    return std::nullopt;
  }
  std::string g = declareParam(netName, layerName, "weight", cs, "ones", 0, e.loc);
  std::string be = declareParam(netName, layerName, "bias", cs, "zeros", 0, e.loc);
  Value gv = emit("param_ref", e.loc, {}, tensorTy(cs), {attr("name", FlatSymbolRefAttr::get(&ctx, g))});
  Value bv = emit("param_ref", e.loc, {}, tensorTy(cs), {attr("name", FlatSymbolRefAttr::get(&ctx, be))});
  return Val::tensor(emit("group_norm", e.loc, {x, gv, bv}, tensorTy(*out),
                          {attr("groups", b.getI64IntegerAttr(*groups)), attr("eps", b.getF64FloatAttr(*eps))}));
}

std::optional<Val> Lowering::evalBuiltin(const Expr &e, bool &handled) {
  handled = true;
  if (!fc) {
    fail(e.loc, "'" + e.text + "' produces a tensor; constants must be computable at compile time");
    return std::nullopt;
  }
  std::vector<const Expr *> a;
  std::string err;
  const std::string &n = e.text;
  auto result = [&](std::optional<Shape> s) -> std::optional<Shape> {
    if (!s) {
      // Most shape-rule messages already start with the operation's name.
      fail(e.loc, llvm::StringRef(err).starts_with(n) ? err : n + ": " + err);
      return std::nullopt;
    }
    if (!checkSize(*s, e.loc))
      return std::nullopt;
    return s;
  };

  static const std::set<std::string> unary = {"relu", "sigmoid", "tanh", "softplus", "exp", "log",
                                              "sqrt", "sin", "cos", "square", "abs", "stop_gradient"};
  if (unary.count(n)) {
    if (!bind(e, {"x"}, 1, a))
      return std::nullopt;
    Value x = evalTensor(*a[0], "the input");
    if (!x)
      return std::nullopt;
    return Val::tensor(emit(n, e.loc, {x}, x.getType()));
  }
  if (n == "leaky_relu") {
    if (!bind(e, {"x", "alpha"}, 1, a))
      return std::nullopt;
    Value x = evalTensor(*a[0], "the input");
    auto alpha = evalFloat(a[1], 0.2, "alpha");
    if (!x || !alpha)
      return std::nullopt;
    return Val::tensor(emit(n, e.loc, {x}, x.getType(), {attr("alpha", b.getF64FloatAttr(*alpha))}));
  }
  if (n == "float") {
    if (!bind(e, {"x"}, 1, a))
      return std::nullopt;
    auto v = eval(*a[0]);
    if (!v)
      return std::nullopt;
    if (v->kind == Val::Const)
      return Val::tensor(constTensor(v->c, e.loc));
    if (v->kind != Val::Tensor) {
      fail(a[0]->loc, "float expects a tensor");
      return std::nullopt;
    }
    if (isF32(v->v))
      return v;
    return Val::tensor(emit("to_float", e.loc, {v->v}, tensorTy(shapeOf(v->v))));
  }
  if (n == "flatten") {
    if (!bind(e, {"x"}, 1, a))
      return std::nullopt;
    Value x = evalTensor(*a[0], "the input");
    if (!x)
      return std::nullopt;
    auto s = result(::gn::shapes::flatten(shapeOf(x), err));
    if (!s)
      return std::nullopt;
    return Val::tensor(emit(n, e.loc, {x}, tensorTy(*s)));
  }
  if (n == "reshape" || n == "broadcast") {
    if (!bind(e, {"x", "shape"}, 2, a))
      return std::nullopt;
    Value x = evalTensor(*a[0], "the input");
    if (!x)
      return std::nullopt;
    auto to = evalShape(a[1]);
    if (!to)
      return std::nullopt;
    if (n == "reshape") {
      if (!result(::gn::shapes::reshape(shapeOf(x), *to, err)))
        return std::nullopt;
    } else if (!::gn::shapes::broadcastsTo(shapeOf(x), *to)) {
      fail(e.loc, "cannot broadcast " + ::gn::shapes::str(shapeOf(x)) + " to " + ::gn::shapes::str(*to));
      return std::nullopt;
    }
    return Val::tensor(emit(n, e.loc, {x}, tensorTy(*to)));
  }
  if (n == "transpose") {
    if (!bind(e, {"x", "perm"}, 2, a))
      return std::nullopt;
    Value x = evalTensor(*a[0], "the input");
    if (!x)
      return std::nullopt;
    auto perm = evalInts(a[1], "perm");
    if (!perm)
      return std::nullopt;
    auto s = result(::gn::shapes::transpose(shapeOf(x), *perm, err));
    if (!s)
      return std::nullopt;
    return Val::tensor(emit(n, e.loc, {x}, tensorTy(*s), {attr("perm", i64s(*perm))}));
  }
  if (n == "concat") {
    if (!bind(e, {"xs", "axis"}, 2, a))
      return std::nullopt;
    if (a[0]->kind != Expr::List || a[0]->elems.empty()) {
      fail(a[0]->loc, "concat expects a list of tensors, e.g. concat([a, b], 3)");
      return std::nullopt;
    }
    llvm::SmallVector<Value> xs;
    std::vector<Shape> shapes;
    for (const ExprPtr &x : a[0]->elems) {
      Value v = evalTensor(*x, "a concat operand");
      if (!v)
        return std::nullopt;
      xs.push_back(v);
      shapes.push_back(shapeOf(v));
    }
    auto axis = evalInt(a[1], 0, "axis");
    if (!axis)
      return std::nullopt;
    int64_t rank = (int64_t)shapes[0].size();
    int64_t ax = *axis < 0 && *axis >= -rank ? *axis + rank : *axis; // errors name the axis given
    auto s = result(::gn::shapes::concat(shapes, ax, err));
    if (!s)
      return std::nullopt;
    return Val::tensor(emit(n, e.loc, xs, tensorTy(*s), {attr("axis", b.getI64IntegerAttr(ax))}));
  }
  if (n == "slice") {
    if (!bind(e, {"x", "start", "size"}, 3, a))
      return std::nullopt;
    Value x = evalTensor(*a[0], "the input");
    if (!x)
      return std::nullopt;
    auto st = evalInts(a[1], "start");
    if (!st)
      return std::nullopt;
    auto sz = evalInts(a[2], "size");
    if (!sz)
      return std::nullopt;
    auto s = result(::gn::shapes::slice(shapeOf(x), *st, *sz, err));
    if (!s)
      return std::nullopt;
    return Val::tensor(emit(n, e.loc, {x}, tensorTy(*s), {attr("start", i64s(*st)), attr("size", i64s(*sz))}));
  }
  if (n == "upsample") {
    if (!bind(e, {"x", "factor"}, 1, a))
      return std::nullopt;
    Value x = evalTensor(*a[0], "the input");
    if (!x)
      return std::nullopt;
    auto f = evalInt(a[1], 2, "factor");
    if (!f)
      return std::nullopt;
    if (*f > 64) {
      fail(a[1]->loc, "upsample factor is too large");
      return std::nullopt;
    }
    auto s = result(::gn::shapes::upsample(shapeOf(x), *f, err));
    if (!s)
      return std::nullopt;
    return Val::tensor(emit(n, e.loc, {x}, tensorTy(*s), {attr("factor", b.getI64IntegerAttr(*f))}));
  }
  if (n == "sum" || n == "mean") {
    if (!bind(e, {"x", "axes"}, 1, a))
      return std::nullopt;
    Value x = evalTensor(*a[0], "the input");
    if (!x)
      return std::nullopt;
    std::vector<int64_t> axes;
    if (a[1]) {
      auto ax = evalInts(a[1], "axes");
      if (!ax)
        return std::nullopt;
      axes = *ax;
      for (int64_t &v : axes)
        if (v < 0)
          v += (int64_t)shapeOf(x).size();
      std::sort(axes.begin(), axes.end());
    }
    auto s = result(::gn::shapes::reduce(shapeOf(x), axes, err));
    if (!s)
      return std::nullopt;
    return Val::tensor(emit(n, e.loc, {x}, tensorTy(*s), {attr("axes", i64s(axes))}));
  }
  if (n == "mse" || n == "bce" || n == "bce_with_logits" || n == "kl_normal") {
    bool kl = n == "kl_normal";
    if (!bind(e, {kl ? "mu" : "pred", kl ? "logvar" : "target", "reduction"}, 2, a))
      return std::nullopt;
    Value x = evalTensor(*a[0], "the first operand");
    if (!x)
      return std::nullopt;
    Value y = evalTensor(*a[1], "the second operand");
    if (!y)
      return std::nullopt;
    auto red = evalString(a[2], "mean", "reduction");
    if (!red)
      return std::nullopt;
    if (*red != "mean" && *red != "sum" && *red != "batch") {
      fail(a[2]->loc, "reduction must be \"mean\", \"sum\" or \"batch\", got \"" + *red + "\"");
      return std::nullopt;
    }
    if (*red == "batch" && shapeOf(x).empty()) {
      fail(a[2]->loc, "reduction \"batch\" needs a batch dimension");
      return std::nullopt;
    }
    if (!result(::gn::shapes::loss(shapeOf(x), shapeOf(y), err)))
      return std::nullopt;
    return Val::tensor(emit(n, e.loc, {x, y}, tensorTy({}),
                            {attr("reduction", mlir::gn::ReductionAttr::get(
                                                   &ctx, *mlir::gn::symbolizeReduction(*red)))}));
  }
  if (n == "normal" || n == "uniform") {
    bool normal = n == "normal";
    if (!bind(e, {"shape", normal ? "mean" : "low", normal ? "std" : "high"}, 1, a))
      return std::nullopt;
    auto s = evalShape(a[0]);
    auto p0 = evalFloat(a[1], 0, normal ? "mean" : "low");
    auto p1 = evalFloat(a[2], 1, normal ? "std" : "high");
    if (!s || !p0 || !p1)
      return std::nullopt;
    if ((normal && *p1 <= 0) || (!normal && *p1 <= *p0)) {
      fail(a[2] ? a[2]->loc : e.loc, normal ? "std must be positive" : "high must be above low");
      return std::nullopt;
    }
    return Val::tensor(emit(n, e.loc, {key(e.loc)}, tensorTy(*s),
                            {attr("stream", b.getI64IntegerAttr(nextStream++)),
                             attr(normal ? "mean" : "low", b.getF64FloatAttr(*p0)),
                             attr(normal ? "std" : "high", b.getF64FloatAttr(*p1))}));
  }
  if (n == "randint") {
    if (!bind(e, {"low", "high", "shape"}, 3, a))
      return std::nullopt;
    auto lo = evalInt(a[0], 0, "low"), hi = evalInt(a[1], 0, "high");
    if (!lo || !hi)
      return std::nullopt;
    auto s = evalShape(a[2]);
    if (!s)
      return std::nullopt;
    if (*hi <= *lo || *lo < INT32_MIN || *hi > INT32_MAX) {
      fail(e.loc, "randint needs low < high within 32-bit integers");
      return std::nullopt;
    }
    return Val::tensor(emit(n, e.loc, {key(e.loc)}, tensorTy(*s, b.getI32Type()),
                            {attr("stream", b.getI64IntegerAttr(nextStream++)),
                             attr("low", b.getI64IntegerAttr(*lo)), attr("high", b.getI64IntegerAttr(*hi))}));
  }
  if (n == "dropout") {
    if (!bind(e, {"x", "p"}, 2, a))
      return std::nullopt;
    Value x = evalTensor(*a[0], "the input");
    auto p = evalFloat(a[1], 0, "p");
    if (!x || !p)
      return std::nullopt;
    if (*p < 0 || *p >= 1) {
      fail(a[1]->loc, "dropout probability must be in [0, 1)");
      return std::nullopt;
    }
    Value mask = emit("dropout_mask", e.loc, {key(e.loc)}, x.getType(),
                      {attr("stream", b.getI64IntegerAttr(nextStream++)), attr("p", b.getF64FloatAttr(*p))});
    return Val::tensor(emit("mul", e.loc, {x, mask}, x.getType()));
  }
  if (n == "ones" || n == "zeros") {
    if (!bind(e, {"shape"}, 1, a))
      return std::nullopt;
    auto s = evalShape(a[0]);
    if (!s)
      return std::nullopt;
    return Val::tensor(splat(*s, n == "ones" ? 1.0f : 0.0f, e.loc));
  }
  handled = false;
  return std::nullopt;
}

} // namespace

OwningOpRef<ModuleOp> lowerToGn(const Program &program, MLIRContext &ctx, Diagnostics &diag,
                                const ConstOverrides &defines) {
  ctx.loadDialect<func::FuncDialect, arith::ArithDialect, scf::SCFDialect, tensor::TensorDialect>();
  ctx.getOrLoadDialect("gn");
  return Lowering(program, ctx, diag, defines).run();
}

} // namespace gnc
