#include "compiler/ModelSummary.h"

#include "dialects/gn/GnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/StringSet.h"
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
  // A parameter counts once, at the layer of the net that declares it (NET.KIND_N.weight): a
  // procedure or net that reads it by name (a contractive penalty's `encoder.dense_0.weight`)
  // adds nothing. The total is that of the declarations, what the built program's `info` says.
  llvm::StringSet<> counted;
  int64_t total = 0;
  for (auto p : module.getOps<gn::ParamOp>())
    if (!gn::GnDialect::OptimizerStateAttrHelper(module.getContext()).isAttrPresent(p))
      total += numElements(p.getType());
  os << "model " << module.getSymName().value_or("?") << "\n";
  for (auto fn : module.getOps<func::FuncOp>()) {
    std::optional<gn::FunctionKind> kind = gn::getFunctionKind(fn);
    os << "\n" << (kind ? gn::stringifyFunctionKind(*kind) : "func") << " " << fn.getSymName()
       << "\n";
    os << llvm::format("  %-22s %-22s %10s\n", "layer", "output", "params");
    int64_t fnParams = 0;
    fn.walk([&](Operation *op) {
      bool call = isa<func::CallOp>(op);
      if ((!isa<gn::GnDialect>(op->getDialect()) && !call) || op->getNumResults() != 1 ||
          isa<gn::ParamRefOp, gn::ConstantOp, gn::BroadcastOp, gn::RngFoldInOp>(op))
        return;
      int64_t params = 0;
      for (Value v : op->getOperands())
        if (auto ref = v.getDefiningOp<gn::ParamRefOp>())
          if (ref.getName().split('.').first == fn.getSymName() &&
              counted.insert(ref.getName()).second)
            params += numElements(v.getType());
      fnParams += params;
      std::string label = call ? "call @" + cast<func::CallOp>(op).getCallee().str()
                               : op->getName().stripDialect().str();
      os << llvm::format("  %-22s %-22s %10lld\n", label.c_str(),
                         shapeStr(op->getResult(0).getType()).c_str(), (long long)params);
    });
    os << "  parameters: " << fnParams << "\n";
  }
  os << "\ntotal parameters: " << total << "\n";
}
