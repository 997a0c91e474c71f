// gnc-fuse-elementwise: elementwise producers computed inside their consumers (see Passes.td).
#include "codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace gnc {
#define GEN_PASS_DEF_GNCFUSEELEMENTWISE
#include "codegen/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

struct GncFuseElementwisePass : gnc::impl::GncFuseElementwiseBase<GncFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // Only a producer whose one use is this consumer: nothing is computed twice. Unlike
    // upstream's linalg-fuse-elementwise-ops, no reshapes are propagated, which would turn
    // a flattened matmul into a higher-dimensional generic op the schedules cannot vectorize.
    // Nor into a consumer that reads through a window (a kernel gradient reads every input
    // element once per kernel tap): the producer would be computed that many times, and the
    // consumer would no longer be a contraction its schedule can vectorize.
    linalg::populateElementwiseOpsFusionPatterns(patterns, [](OpOperand *use) {
      Operation *producer = use->get().getDefiningOp();
      auto consumer = dyn_cast<linalg::LinalgOp>(use->getOwner());
      return producer && producer->hasOneUse() && consumer &&
             llvm::all_of(consumer.getIndexingMapsArray(), [](AffineMap m) { return m.isProjectedPermutation(); });
    });
    linalg::GenericOp::getCanonicalizationPatterns(patterns, &getContext());
    tensor::EmptyOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
