// gnc-print-halide: the module's Halide pipelines as Halide C++ on stdout (see Passes.td).
#include "codegen/halide/Passes.h"
#include "codegen/halide/PipelineText.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/JSON.h"

namespace gnc {
#define GEN_PASS_DEF_GNCPRINTHALIDE
#include "codegen/halide/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

struct GncPrintHalidePass : gnc::impl::GncPrintHalideBase<GncPrintHalidePass> {
  void runOnOperation() override {
    auto attr = getOperation()->getAttrOfType<ArrayAttr>(gnc::kHalidePipelinesAttr);
    if (!attr)
      return;
    for (Attribute a : attr) {
      auto text = dyn_cast<StringAttr>(a);
      llvm::Expected<llvm::json::Value> v = llvm::json::parse(text ? text.getValue() : "");
      if (!v || !v->getAsObject()) {
        if (!v)
          llvm::consumeError(v.takeError());
        getOperation().emitError("gnc-print-halide: malformed ") << gnc::kHalidePipelinesAttr;
        return signalPassFailure();
      }
      gnc::printPipeline(*v->getAsObject(), llvm::outs());
      llvm::outs() << "\n";
    }
    llvm::outs().flush();
  }
};

} // namespace
