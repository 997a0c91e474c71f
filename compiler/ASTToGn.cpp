// Lowers the .gn AST to the gn dialect: the module, its declarations, the procedures and the
// nets. Nets are emitted on their first call, with the caller's argument types (a net is
// generic in its input shape until it is used; every later call must agree). The rest of the
// lowering is split by concept; compiler/Lowering.h lists the files.
#include "compiler/Lowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/SaveAndRestore.h"

using namespace mlir;
using llvm::SMLoc;

namespace gnc::lowering {

Location Lowering::loc(SMLoc l) {
  auto lc = diag.sourceMgr().getLineAndColumn(l);
  return FileLineColLoc::get(&ctx, filename, lc.first, lc.second);
}

Value Lowering::key(SMLoc l) {
  if (!fc->key) {
    // A net that draws random numbers takes the caller's key as an extra argument.
    Block &entry = fc->fn.getBody().front();
    fc->key = entry.addArgument(keyTy(), loc(l));
    fc->net->usesRandom = true;
  }
  return fc->key;
}

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
  using mlir::gn::GnDialect;
  GnDialect::BatchAttrHelper(&ctx).setAttr(module, b.getI64IntegerAttr(batch));
  if (input) {
    GnDialect::InputAttrHelper(&ctx).setAttr(module, b.getStringAttr(input->name));
    GnDialect::DatasetAttrHelper(&ctx).setAttr(module, b.getStringAttr(input->dataset));
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
  auto params = llvm::to_vector(module.getOps<mlir::gn::ParamOp>());
  for (mlir::gn::ParamOp param : llvm::reverse(params))
    param->moveBefore(&module.getBody()->front());
  if (diag.hadError())
    return nullptr;
  return owned;
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
  mlir::gn::setFunctionKind(fn, f.kind == Function::Train ? mlir::gn::FunctionKind::Train
                                                           : mlir::gn::FunctionKind::Sample);
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
    mlir::gn::GnDialect::LossesAttrHelper(&ctx).setAttr(fn, b.getArrayAttr(names));
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

bool Lowering::emitNet(NetInfo &net, llvm::ArrayRef<Value> args) {
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
  mlir::gn::setFunctionKind(fn, mlir::gn::FunctionKind::Net);
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
  return true;
}

} // namespace gnc::lowering

namespace gnc {

OwningOpRef<ModuleOp> lowerToGn(const Program &program, MLIRContext &ctx, Diagnostics &diag,
                                const ConstOverrides &defines) {
  ctx.loadDialect<func::FuncDialect, arith::ArithDialect, scf::SCFDialect, tensor::TensorDialect,
                  mlir::gn::GnDialect>();
  return lowering::Lowering(program, ctx, diag, defines).run();
}

} // namespace gnc
