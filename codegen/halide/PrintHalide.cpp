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
    FailureOr<std::vector<llvm::json::Value>> pipelines = gnc::readHalidePipelines(getOperation());
    if (failed(pipelines)) {
      getOperation().emitError("gnc-print-halide: malformed ") << gnc::kHalidePipelinesAttr;
      return signalPassFailure();
    }
    for (const llvm::json::Value &v : *pipelines) {
      gnc::printPipeline(*v.getAsObject(), llvm::outs());
      llvm::outs() << "\n";
    }
    llvm::outs().flush();
  }
};

} // namespace
