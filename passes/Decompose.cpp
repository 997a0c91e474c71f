// gn-decompose: composite ops in terms of primitive gn ops.
#include "passes/Passes.h"

#include "dialects/gn/GnOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace gnc {
#define GEN_PASS_DEF_GNDECOMPOSE
#include "passes/Passes.h.inc"
} // namespace gnc

using namespace mlir;
using namespace mlir::gn;

namespace {

// group_norm(x) = (x - mean_g) / sqrt(var_g + eps) * gamma + beta, where mean_g and var_g
// (biased) run over H, W and the channels of each group: x is viewed as [N, H, W, G, C/G].
struct DecomposeGroupNorm : OpRewritePattern<GroupNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GroupNormOp op, PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto xt = cast<RankedTensorType>(op.getX().getType());
    Type f32 = xt.getElementType();
    int64_t n = xt.getDimSize(0), h = xt.getDimSize(1), w = xt.getDimSize(2),
            c = xt.getDimSize(3), g = op.getGroups();
    auto grouped = RankedTensorType::get({n, h, w, g, c / g}, f32);
    auto stats = RankedTensorType::get({n, 1, 1, g, 1}, f32);
    SmallVector<int64_t> axes{1, 2, 4};
    auto expand = [&](Value s) -> Value { // [N, G] -> [N, H, W, G, C/G]
      return BroadcastOp::create(rw, loc, grouped, ReshapeOp::create(rw, loc, stats, s));
    };
    Value xg = ReshapeOp::create(rw, loc, grouped, op.getX());
    Value centered = SubOp::create(rw, loc, xg, expand(MeanOp::create(rw, loc, xg, axes)));
    Value var = MeanOp::create(rw, loc, SquareOp::create(rw, loc, centered), axes);
    auto nG = cast<RankedTensorType>(var.getType());
    Value eps = ConstantOp::create(
        rw, loc, DenseElementsAttr::get(nG, (float)op.getEps().convertToDouble()));
    Value stddev = SqrtOp::create(rw, loc, AddOp::create(rw, loc, var, eps));
    Value normalized = ReshapeOp::create(
        rw, loc, xt, DivOp::create(rw, loc, centered, expand(stddev)));
    Value scaled = MulOp::create(rw, loc, normalized, BroadcastOp::create(rw, loc, xt, op.getGamma()));
    rw.replaceOpWithNewOp<AddOp>(op, scaled, BroadcastOp::create(rw, loc, xt, op.getBeta()));
    return success();
  }
};

struct GnDecomposePass : gnc::impl::GnDecomposeBase<GnDecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeGroupNorm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
