// gnc-collapse-loops: neighbouring loops of elementwise kernels and reductions merged where
// memory is contiguous, so that the innermost loop fills vectors (see Passes.td).
#include "codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace gnc {
#define GEN_PASS_DEF_GNCCOLLAPSELOOPS
#include "codegen/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

// Maximal runs of neighbouring loops of one iterator type that every operand walks as one
// contiguous run; only runs of two or more loops are returned.
SmallVector<ReassociationIndices> contiguousRuns(linalg::GenericOp op) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto iters = op.getIteratorTypesArray();
  SmallVector<ReassociationIndices> runs;
  ReassociationIndices cur{0};
  auto close = [&] {
    if (cur.size() > 1)
      runs.push_back(cur);
  };
  for (int64_t i = 1; i < (int64_t)iters.size(); ++i) {
    ReassociationIndices grown = cur;
    grown.push_back(i);
    if (iters[i] == iters[cur.front()] && linalg::areDimSequencesPreserved(maps, {grown})) {
      cur = grown;
      continue;
    }
    close();
    cur = {i};
  }
  close();
  return runs;
}

// The kernels worth merging loops of: generics of static shape whose innermost loop does not
// fill whole vectors, or that sum everything into a scalar.
bool wantsFewerLoops(Operation *op, int64_t lanes) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || !generic.hasPureTensorSemantics() || generic.hasDynamicShape() || generic.getNumLoops() < 2 ||
      !generic.getBody()->getOps<linalg::IndexOp>().empty() ||
      !llvm::all_of(generic.getIndexingMapsArray(), [](AffineMap m) { return m.isProjectedPermutation(); }))
    return false;
  bool allReduction = llvm::all_of(generic.getIteratorTypesArray(), [](utils::IteratorType t) {
    return t == utils::IteratorType::reduction;
  });
  return allReduction || generic.getStaticLoopRanges().back() % lanes != 0;
}

struct GncCollapseLoopsPass : gnc::impl::GncCollapseLoopsBase<GncCollapseLoopsPass> {
  using GncCollapseLoopsBase::GncCollapseLoopsBase;

  void runOnOperation() override {
    int64_t vectorLanes = lanes;
    MLIRContext *ctx = &getContext();
    // First loops of extent 1 go (a one-channel image's bias, indexed by that loop, becomes a
    // scalar), so that they do not separate the loops around them.
    {
      RewritePatternSet patterns(ctx);
      linalg::ControlDropUnitDims unitDims;
      unitDims.controlFn = [vectorLanes](Operation *op) -> SmallVector<unsigned> {
        if (!wantsFewerLoops(op, vectorLanes))
          return {};
        return llvm::to_vector(llvm::seq<unsigned>(0, cast<linalg::GenericOp>(op).getNumLoops()));
      };
      linalg::populateFoldUnitExtentDimsPatterns(patterns, unitDims);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    RewritePatternSet patterns(ctx);
    linalg::populateCollapseDimensions(patterns, [vectorLanes](linalg::LinalgOp op) -> SmallVector<ReassociationIndices> {
      if (!wantsFewerLoops(op, vectorLanes))
        return {};
      return contiguousRuns(cast<linalg::GenericOp>(op.getOperation()));
    });
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
