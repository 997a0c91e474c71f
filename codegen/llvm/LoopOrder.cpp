// gnc-loop-order: contiguous innermost loops for reductions (see Passes.td).
#include "codegen/llvm/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace gnc {
#define GEN_PASS_DEF_GNCLOOPORDER
#include "codegen/llvm/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

// The new loop order (interchangeVector[new] = old), or empty if the op is fine as it is.
SmallVector<unsigned> loopOrder(linalg::LinalgOp op) {
  if (op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics())
    return {};
  AffineMap out = op.getIndexingMapMatchingResult(op->getResult(0));
  if (out.getNumResults() == 0)
    return {};
  auto inner = dyn_cast<AffineDimExpr>(out.getResults().back());
  if (!inner)
    return {};
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  SmallVector<unsigned> parallel, reduction;
  int64_t parallelSize = 1, reductionSize = 1;
  for (auto [i, it] : llvm::enumerate(op.getIteratorTypesArray())) {
    if (it == utils::IteratorType::reduction) {
      reduction.push_back(i);
      reductionSize *= sizes[i];
    } else if (i != inner.getPosition()) {
      parallel.push_back(i);
      parallelSize *= sizes[i];
    }
  }
  if (reduction.empty())
    return {};
  SmallVector<unsigned> order;
  if (reductionSize > parallelSize)
    llvm::append_range(order, reduction), llvm::append_range(order, parallel);
  else
    llvm::append_range(order, parallel), llvm::append_range(order, reduction);
  order.push_back(inner.getPosition());
  return order;
}

struct GncLoopOrderPass : gnc::impl::GncLoopOrderBase<GncLoopOrderPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!loopOrder(op).empty())
        ops.push_back(op);
    });
    IRRewriter rw(&getContext());
    for (linalg::LinalgOp op : ops) {
      SmallVector<unsigned> order = loopOrder(op);
      rw.setInsertionPoint(op);
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rw, op);
        if (failed(g))
          continue;
        generic = *g;
      }
      if (failed(linalg::interchangeGenericOp(rw, generic, order)))
        return signalPassFailure();
    }
  }
};

} // namespace
