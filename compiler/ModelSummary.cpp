#include "compiler/ModelSummary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/Support/Format.h"

using namespace mlir;

static int64_t numElements(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt ? rt.getNumElements() : 0;
}

static std::string shapeStr(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  if (!rt)
    return "?";
  std::string s = "(";
  for (size_t i = 0; i < (size_t)rt.getRank(); ++i)
    s += (i ? ", " : "") + std::to_string(rt.getDimSize(i));
  return s + ")";
}

void gnc::printModelSummary(ModuleOp module, llvm::raw_ostream &os) {
  int64_t total = 0;
  os << "model " << module.getSymName().value_or("?") << "\n";
  for (auto fn : module.getOps<func::FuncOp>()) {
    auto kind = fn->getAttrOfType<StringAttr>("gn.kind");
    os << "\n" << (kind ? kind.getValue() : "func") << " " << fn.getSymName() << "\n";
    os << llvm::format("  %-22s %-22s %10s\n", "layer", "output", "params");
    int64_t fnParams = 0;
    fn.walk([&](Operation *op) {
      llvm::StringRef name = op->getName().getStringRef();
      bool gn = name.starts_with("gn.");
      bool call = isa<func::CallOp>(op);
      if ((!gn && !call) || op->getNumResults() != 1 || name == "gn.param_ref" ||
          name == "gn.constant" || name == "gn.broadcast" || name == "gn.rng_fold_in")
        return;
      int64_t params = 0;
      for (Value v : op->getOperands())
        if (auto def = v.getDefiningOp(); def && def->getName().getStringRef() == "gn.param_ref")
          params += numElements(v.getType());
      fnParams += params;
      std::string label = call ? "call @" + cast<func::CallOp>(op).getCallee().str()
                               : name.drop_front(3).str();
      os << llvm::format("  %-22s %-22s %10lld\n", label.c_str(),
                         shapeStr(op->getResult(0).getType()).c_str(), (long long)params);
    });
    os << "  parameters: " << fnParams << "\n";
    total += fnParams;
  }
  os << "\ntotal parameters: " << total << "\n";
}
