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
  if (auto b = module->getAttrOfType<IntegerAttr>("gn.batch"))
    info["batch"] = b.getInt();
  if (auto d = module->getAttrOfType<StringAttr>("gn.dataset"))
    info["dataset"] = d.getValue().str();
  if (auto in = module->getAttrOfType<StringAttr>("gn.input"))
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
    s["trainable"] = !p->hasAttr("gn.optimizer_state");
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
    auto kind = fn->getAttrOfType<StringAttr>("gn.kind");
    if (!kind || kind.getValue() == "net")
      continue;
    llvm::json::Object e;
    e["name"] = fn.getSymName().str();
    e["kind"] = kind.getValue().str();
    e["symbol"] = "gnc_entry_" + fn.getSymName().str();
    auto type = fn.getFunctionType();
    if (kind.getValue() == "train" || kind.getValue() == "eval") {
      size_t numLosses = type.getNumResults() - (kind.getValue() == "train" ? numState : 0);
      llvm::json::Array losses;
      auto names = fn->getAttrOfType<ArrayAttr>("gn.losses");
      for (size_t i = 0; i < numLosses; ++i)
        losses.push_back(names && i < names.size() ? cast<StringAttr>(names[i]).getValue().str()
                                                   : "loss" + std::to_string(i));
      e["losses"] = std::move(losses);
      if (kind.getValue() == "train")
        info["input_shape"] = shapeJson(type.getInput(0));
    } else if (kind.getValue() == "sample") {
      // (input?) key state... -> output
      e["takes_input"] = type.getNumInputs() == numState + 2;
      if (type.getNumInputs() == numState + 2)
        e["input_shape"] = shapeJson(type.getInput(0));
      e["output_shape"] = shapeJson(type.getResult(0));
    } else if (kind.getValue() != "init") {
      return fn.emitError("unknown gn.kind ") << kind;
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
