// gnc-outer-parallel-loops: which scf.parallel loops stay parallel (see Passes.td).
#include "codegen/Schedule.h"
#include "codegen/llvm/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/SetVector.h"

namespace gnc {
#define GEN_PASS_DEF_GNCOUTERPARALLELLOOPS
#include "codegen/llvm/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

int64_t constantTrips(Value lb, Value ub, Value step) {
  APInt l, u, s;
  if (!matchPattern(lb, m_ConstantInt(&l)) || !matchPattern(ub, m_ConstantInt(&u)) ||
      !matchPattern(step, m_ConstantInt(&s)) || s.getSExtValue() <= 0)
    return -1;
  return std::max<int64_t>(0, (u.getSExtValue() - l.getSExtValue() + s.getSExtValue() - 1) / s.getSExtValue());
}

// Iterations of the whole nest below and including `op` (unknown bounds count as large).
int64_t nestWork(Operation *op) {
  int64_t own = 1;
  if (auto p = dyn_cast<scf::ParallelOp>(op)) {
    for (auto [l, u, s] : llvm::zip(p.getLowerBound(), p.getUpperBound(), p.getStep())) {
      int64_t t = constantTrips(l, u, s);
      own *= t < 0 ? 1 << 20 : t;
    }
  } else if (auto f = dyn_cast<scf::ForOp>(op)) {
    int64_t t = constantTrips(f.getLowerBound(), f.getUpperBound(), f.getStep());
    own = t < 0 ? 1 << 20 : t;
  }
  int64_t inner = 1;
  for (Region &r : op->getRegions())
    for (Operation &child : r.getOps())
      if (isa<scf::ParallelOp, scf::ForOp>(child))
        inner = std::max(inner, nestWork(&child));
  return std::min<int64_t>(own * inner, int64_t(1) << 40);
}

void sequentialize(scf::ParallelOp p) {
  OpBuilder b(p);
  scf::buildLoopNest(b, p.getLoc(), p.getLowerBound(), p.getUpperBound(), p.getStep(),
                     [&](OpBuilder &nb, Location, ValueRange ivs) {
                       IRMapping map;
                       map.map(p.getInductionVars(), ivs);
                       for (Operation &op : p.getBody()->without_terminator())
                         nb.clone(op, map);
                     });
  p.erase();
}

void keepOuterDimensionParallel(scf::ParallelOp p) {
  OpBuilder b(p);
  auto outer = scf::ParallelOp::create(b, p.getLoc(), p.getLowerBound().take_front(1),
                                       p.getUpperBound().take_front(1), p.getStep().take_front(1));
  for (NamedAttribute a : p->getDiscardableAttrs())
    outer->setAttr(a.getName(), a.getValue());
  b.setInsertionPointToStart(outer.getBody());
  scf::buildLoopNest(b, p.getLoc(), p.getLowerBound().drop_front(1), p.getUpperBound().drop_front(1),
                     p.getStep().drop_front(1), [&](OpBuilder &nb, Location, ValueRange ivs) {
                       IRMapping map;
                       map.map(p.getInductionVars().front(), outer.getInductionVars().front());
                       map.map(ValueRange(p.getInductionVars()).drop_front(1), ivs);
                       for (Operation &op : p.getBody()->without_terminator())
                         nb.clone(op, map);
                     });
  p.erase();
}

struct GncOuterParallelLoopsPass : gnc::impl::GncOuterParallelLoopsBase<GncOuterParallelLoopsPass> {
  using GncOuterParallelLoopsBase::GncOuterParallelLoopsBase;
  void runOnOperation() override {
    // A schedule's thread tiles (scf.forall, made by gnc-apply-schedules) stay parallel
    // wherever they are, also inside a program's sequential loop (a sampler's time steps).
    llvm::DenseSet<Operation *> scheduled, sequentialTiles;
    SmallVector<scf::ForallOp> foralls;
    getOperation().walk([&](scf::ForallOp f) { foralls.push_back(f); });
    IRRewriter rw(&getContext());
    for (scf::ForallOp f : foralls) {
      rw.setInsertionPoint(f);
      bool sequential = f->hasAttr(gnc::kSequentialTilesAttr);
      scf::ParallelOp p;
      if (failed(scf::forallToParallelLoop(rw, f, &p))) {
        f.emitError("gnc-outer-parallel-loops: cannot run this scf.forall as a parallel loop");
        return signalPassFailure();
      }
      (sequential ? sequentialTiles : scheduled).insert(p);
    }
    SmallVector<scf::ParallelOp> serial;
    getOperation().walk([&](scf::ParallelOp p) { // post-order: inner loops first
      if (!p.getInitVals().empty())
        return;
      bool nestedInParallel = p->getParentOfType<scf::ParallelOp>();
      if (scheduled.contains(p) && !nestedInParallel)
        return;
      bool nested = nestedInParallel || p->getParentOfType<scf::ForOp>();
      if (nested || sequentialTiles.contains(p) || nestWork(p) < minWork)
        serial.push_back(p);
    });
    for (scf::ParallelOp p : serial)
      sequentialize(p);
    // Of a multi-dimensional parallel loop only the outermost dimension is split across
    // threads; the others become sequential loops inside. OpenMP's collapse would otherwise
    // recompute every index with divisions in the innermost loop, which LLVM then cannot
    // vectorize (an elementwise kernel ran at 4 GB/s that way).
    SmallVector<scf::ParallelOp> multi;
    getOperation().walk([&](scf::ParallelOp p) {
      if (p.getNumLoops() > 1 && p.getInitVals().empty())
        multi.push_back(p);
    });
    for (scf::ParallelOp p : multi)
      keepOuterDimensionParallel(p);
    // convert-scf-to-openmp outlines each parallel body; constants defined outside it would
    // reach the body as opaque captured values, hiding trip counts and strides from LLVM's
    // vectorizer. Rematerialize them inside.
    getOperation().walk([](scf::ParallelOp p) {
      if (p->getParentOfType<scf::ParallelOp>())
        return;
      llvm::SetVector<Value> captured;
      p.getBody()->walk([&](Operation *op) {
        for (Value v : op->getOperands())
          if (auto c = v.getDefiningOp<arith::ConstantOp>(); c && !p->isAncestor(c))
            captured.insert(v);
      });
      OpBuilder b = OpBuilder::atBlockBegin(p.getBody());
      for (Value v : captured) {
        Value clone = b.clone(*v.getDefiningOp())->getResult(0);
        v.replaceUsesWithIf(clone, [&](OpOperand &use) { return p->isProperAncestor(use.getOwner()); });
      }
    });
  }
};

} // namespace
