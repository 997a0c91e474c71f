// gnc-halide-kernels: every kernel scheduled for Halide as a pipeline description (see
// Passes.td).
#include "codegen/Schedule.h"
#include "codegen/halide/HalideSchedule.h"
#include "codegen/halide/KernelToHalide.h"
#include "codegen/halide/Passes.h"
#include "dialects/gn/GnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

#include "llvm/ADT/StringMap.h"

#include <map>

namespace gnc {
#define GEN_PASS_DEF_GNCHALIDEKERNELS
#include "codegen/halide/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

// "bias_relu_14x14x32" -> "gnc_h_bias_relu_14x14x32" (names are identifiers already; anything
// else becomes '_').
std::string symbolName(StringRef kernel) {
  std::string out = "gnc_h_";
  for (char c : kernel)
    out.push_back(std::isalnum((unsigned char)c) ? c : '_');
  return out;
}

struct GncHalideKernelsPass : gnc::impl::GncHalideKernelsBase<GncHalideKernelsPass> {
  using GncHalideKernelsBase::GncHalideKernelsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::vector<std::pair<linalg::LinalgOp, gnc::KernelSchedule>> kernels;
    bool failedAny = false;
    module.walk([&](linalg::LinalgOp op) {
      auto attr = op->getAttrOfType<DictionaryAttr>(gnc::kScheduleAttr);
      if (!attr)
        return;
      FailureOr<gnc::KernelSchedule> s = gnc::KernelSchedule::fromAttr(attr);
      if (failed(s)) {
        op->emitError("gnc-halide-kernels: malformed ") << gnc::kScheduleAttr << " " << attr;
        failedAny = true;
        return;
      }
      if (s->isHalide())
        kernels.push_back({op, *s});
    });
    if (failedAny)
      return signalPassFailure();
    // Pipelines by their description: equal kernels share one compiled function.
    std::map<std::string, std::string> functions;
    llvm::StringMap<unsigned> nameUses;
    SmallVector<Attribute> pipelines;
    OpBuilder b(&getContext());
    for (auto &[op, s] : kernels) {
      auto named = op->getAttrOfType<StringAttr>(gnc::kKernelNameAttr);
      std::string kernel = named ? named.str() : s.kernel;
      std::string why;
      FailureOr<llvm::json::Object> d = gnc::translateKernel(op, why);
      if (failed(d)) {
        op->emitError() << "kernel '" << kernel << "' (" << s.kernel
                        << ") cannot be compiled by the Halide backend: " << why;
        failedAny = true;
        continue;
      }
      (*d)["kernel"] = kernel;
      (*d)["signature"] = s.kernel;
      (*d)["schedule"] = gnc::halideSchedule(*d, s);
      bool readsInit = false;
      for (const llvm::json::Value &in : *d->getArray("inputs"))
        readsInit |= in.getAsObject()->getString("name") == StringRef("init");
      std::string key;
      {
        llvm::json::Object keyed = *d;
        keyed.erase("kernel");
        llvm::raw_string_ostream(key) << llvm::json::Value(std::move(keyed));
      }
      auto [it, fresh] = functions.try_emplace(key, "");
      if (fresh) {
        std::string base = symbolName(kernel);
        unsigned n = nameUses[base]++;
        it->second = n ? base + "_" + std::to_string(n + 1) : base;
        (*d)["function"] = it->second;
        std::string text;
        llvm::raw_string_ostream(text) << llvm::json::Value(std::move(*d));
        pipelines.push_back(b.getStringAttr(text));
      }
      op->setAttr(gnc::kHalideAttr, b.getDictionaryAttr({b.getNamedAttr("function", b.getStringAttr(it->second)),
                                                         b.getNamedAttr("init", b.getBoolAttr(readsInit))}));
      // A constant fill of the output is the pipeline's own: this kernel gets a fill of its
      // own (on an empty tensor of its own), which gnc-halide-calls erases after
      // bufferization, and the shared fill goes when nothing else reads it.
      if (gnc::constantInit(op)) {
        OpOperand *init = op.getDpsInitOperand(0);
        auto fill = init->get().getDefiningOp<linalg::FillOp>();
        b.setInsertionPoint(op);
        auto empty = tensor::EmptyOp::create(b, fill.getLoc(), cast<RankedTensorType>(fill->getResult(0).getType()).getShape(),
                                             cast<RankedTensorType>(fill->getResult(0).getType()).getElementType());
        IRMapping map;
        map.map(fill.getOutputs()[0], empty.getResult());
        Operation *own = b.clone(*fill, map);
        own->removeAttr(gnc::kScheduleAttr);
        own->setAttr(gnc::kHalideUnusedInitAttr, b.getUnitAttr());
        init->set(own->getResult(0));
        if (fill->use_empty()) {
          Value empty = fill.getOutputs()[0];
          fill->erase();
          if (Operation *e = empty.getDefiningOp(); e && e->use_empty())
            e->erase();
        }
      }
    }
    if (failedAny)
      return signalPassFailure();
    if (!pipelines.empty()) {
      module->setAttr(gnc::kHalidePipelinesAttr, b.getArrayAttr(pipelines));
      if (!autoscheduler.empty())
        module->setAttr(gnc::kHalideAutoschedulerAttr, b.getStringAttr(autoscheduler));
    }
  }
};

} // namespace
