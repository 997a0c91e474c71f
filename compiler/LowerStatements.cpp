// Statements of procedures and nets: assignments, return, minimize, report and for loops.
#include "compiler/Lowering.h"

#include "dialects/gn/GnOptimizers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <functional>

using namespace mlir;
using llvm::SMLoc;

namespace gnc::lowering {

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
    if (isa<mlir::gn::StopGradientOp>(def))
      continue;
    if (auto ref = dyn_cast<mlir::gn::ParamRefOp>(def))
      if (auto owner = paramOwner.find(ref.getName().str()); owner != paramOwner.end())
        out.insert(owner->second);
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
  for (size_t i = 0; i < s.names.size(); ++i) {
    const std::string &n = s.names[i];
    auto it = fc->scope.find(n);
    if (it == fc->scope.end() || it->second.kind != Val::Tensor)
      return fail(s.nameLocs[i], "'" + n + "' is not a tensor variable of this procedure");
    if (!shapeOf(it->second.v).empty())
      return fail(s.nameLocs[i], "only scalars can be reported; '" + n + "' has the shape " +
                                    ::gn::shapes::str(shapeOf(it->second.v)));
    if (llvm::is_contained(fc->reportNames, n) || llvm::is_contained(fc->lossNames, n))
      return fail(s.nameLocs[i], "'" + n + "' is already reported");
    fc->reports.push_back(it->second.v);
    fc->reportNames.push_back(n);
  }
  return true;
}

// `encoder.dense_0.weight`: a parameter of a net that has been called before this point (a

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
  for (size_t i = 0; i < s.names.size(); ++i) {
    const std::string &n = s.names[i];
    if (!nets.count(n))
      return fail(s.nameLocs[i], "'" + n + "' is not a net");
    if (!listed.insert(n).second)
      return fail(s.nameLocs[i], "net '" + n + "' is listed twice");
    if (!deps.count(n))
      return fail(s.nameLocs[i], "the loss does not depend on net '" + n +
                                    "' (is it behind stop_gradient, or never called?)");
    if (nets[n].params.empty())
      return fail(s.nameLocs[i], "net '" + n + "' has no parameters to train");
    netAttrs.push_back(b.getStringAttr(n));
    for (const std::string &p : nets[n].params)
      paramAttrs.push_back(FlatSymbolRefAttr::get(&ctx, p));
  }
  const Expr &opt = *s.optimizer;
  const mlir::gn::Optimizer *optimizer = mlir::gn::findOptimizer(opt.text);
  if (!optimizer) {
    std::string known;
    for (const mlir::gn::Optimizer &o : mlir::gn::optimizers())
      known += (known.empty() ? "" : ", ") + o.name.str();
    return fail(opt.loc, "unknown optimizer '" + opt.text + "' (available: " + known + ")");
  }
  std::vector<const char *> names;
  for (const mlir::gn::Hyperparameter &h : optimizer->hyper)
    names.push_back(h.name.data());
  std::vector<const Expr *> args;
  if (!bind(opt, names, 1, args))
    return false;
  llvm::SmallVector<NamedAttribute> hyper;
  for (auto [spec, arg] : llvm::zip_equal(optimizer->hyper, args)) {
    if (!arg)
      continue;
    if (spec.range == mlir::gn::Hyperparameter::Range::Bool) {
      auto v = evalBool(arg, false, spec.name.data());
      if (!v)
        return false;
      hyper.push_back(b.getNamedAttr(spec.name, b.getBoolAttr(*v)));
      continue;
    }
    auto v = evalFloat(arg, 0, spec.name.data());
    if (!v)
      return false;
    if (!spec.valid(*v))
      return fail(arg->loc, "invalid value for '" + spec.name.str() + "' of " + opt.text);
    hyper.push_back(b.getNamedAttr(spec.name, b.getF64FloatAttr(*v)));
  }
  mlir::gn::MinimizeOp::create(b, loc(s.loc), loss, opt.text, b.getDictionaryAttr(hyper),
                               b.getArrayAttr(netAttrs), b.getArrayAttr(paramAttrs));
  fc->losses.push_back(loss);
  fc->lossNames.push_back(s.value->kind == Expr::Name ? s.value->text
                                                      : "loss" + std::to_string(fc->losses.size() - 1));
  return true;
}

bool Lowering::lowerFor(const Stmt &s) {
  if (fc->ast->kind != Function::Sample)
    return fail(s.loc, "'for' loops are only allowed in sample procedures");
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
      fc->key = mlir::gn::RngFoldInOp::create(b, l, keyTy(), fc->key, tTensor);
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

} // namespace gnc::lowering
