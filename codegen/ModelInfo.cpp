#include "codegen/ModelInfo.h"

#include "dialects/gn/GnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

using namespace mlir;

static llvm::json::Array shapeJson(Type t) {
  llvm::json::Array a;
  for (int64_t d : cast<RankedTensorType>(t).getShape())
    a.push_back(d);
  return a;
}

FailureOr<std::string> gnc::buildModelInfo(ModuleOp module, StringRef backend, StringRef buildFlags) {
  llvm::json::Object info;
  info["model"] = module.getSymName().value_or("model").str();
  MLIRContext *ctx = module.getContext();
  using gn::GnDialect;
  if (auto b = GnDialect::BatchAttrHelper(ctx).getAttr(module))
    info["batch"] = b.getInt();
  if (auto d = GnDialect::DatasetAttrHelper(ctx).getAttr(module))
    info["dataset"] = d.getValue().str();
  if (auto in = GnDialect::InputAttrHelper(ctx).getAttr(module))
    info["input"] = in.getValue().str();

  // The hash identifies the state layout: a checkpoint fits iff names and shapes agree.
  uint64_t hash = 1469598103934665603ull;
  auto mix = [&](StringRef s) {
    for (unsigned char c : s)
      hash = (hash ^ c) * 1099511628211ull;
  };
  mix(info.getString("model").value_or(""));
  llvm::json::Array state;
  size_t numState = 0;
  for (auto p : module.getOps<gn::ParamOp>()) {
    llvm::json::Object s;
    s["name"] = p.getSymName().str();
    s["shape"] = shapeJson(p.getType());
    s["trainable"] = !GnDialect::OptimizerStateAttrHelper(ctx).isAttrPresent(p);
    std::string sig;
    llvm::raw_string_ostream os(sig);
    os << p.getSymName() << ":" << p.getType() << ";";
    mix(sig);
    state.push_back(std::move(s));
    ++numState;
  }
  info["state"] = std::move(state);
  info["model_hash"] = llvm::formatv("{0:x-16}", hash).str();
  info["backend"] = backend.str();
  info["build_flags"] = buildFlags.str();

  llvm::json::Array entries;
  for (auto fn : module.getOps<func::FuncOp>()) {
    using gn::FunctionKind;
    std::optional<FunctionKind> kind = gn::getFunctionKind(fn);
    if (!kind || *kind == FunctionKind::Net)
      continue;
    llvm::json::Object e;
    e["name"] = fn.getSymName().str();
    e["kind"] = gn::stringifyFunctionKind(*kind).str();
    e["symbol"] = "gnc_entry_" + fn.getSymName().str();
    auto type = fn.getFunctionType();
    if (*kind == FunctionKind::Train || *kind == FunctionKind::Eval) {
      size_t numLosses = type.getNumResults() - (*kind == FunctionKind::Train ? numState : 0);
      llvm::json::Array losses;
      auto names = GnDialect::LossesAttrHelper(ctx).getAttr(fn);
      for (size_t i = 0; i < numLosses; ++i)
        losses.push_back(names && i < names.size() ? cast<StringAttr>(names[i]).getValue().str()
                                                   : "loss" + std::to_string(i));
      e["losses"] = std::move(losses);
      if (*kind == FunctionKind::Train)
        info["input_shape"] = shapeJson(type.getInput(0));
    } else if (*kind == FunctionKind::Sample) {
      // (input?) key state... -> output
      e["takes_input"] = type.getNumInputs() == numState + 2;
      if (type.getNumInputs() == numState + 2)
        e["input_shape"] = shapeJson(type.getInput(0));
      e["output_shape"] = shapeJson(type.getResult(0));
    }
    entries.push_back(std::move(e));
  }
  if (entries.empty())
    return module.emitError("no entry functions: is the module at the grad stage?");
  info["entries"] = std::move(entries);
  std::string out;
  llvm::raw_string_ostream os(out);
  os << llvm::json::Value(std::move(info));
  return out;
}

#include "codegen/Passes.h"

namespace gnc {
#define GEN_PASS_DEF_GNCMODELINFO
#include "codegen/Passes.h.inc"
} // namespace gnc

namespace {
struct GncModelInfoPass : gnc::impl::GncModelInfoBase<GncModelInfoPass> {
  using GncModelInfoBase::GncModelInfoBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<std::string> info = gnc::buildModelInfo(module, backend, buildFlags);
    if (failed(info))
      return signalPassFailure();
    module->setAttr("gnc.model_info", StringAttr::get(&getContext(), *info));
    for (auto p : llvm::make_early_inc_range(module.getOps<gn::ParamOp>()))
      p.erase();
  }
};
} // namespace
