// gn-transposed-conv-to-conv: every gn.conv2d_transpose as stride-1 gn.conv2d, in the form its
// `gnc.algorithm` names (gnc-select-algorithms decides; this pass only applies).
//
// A transposed convolution of stride s scatters each input pixel, times the kernel, into the
// output at s-pixel steps. Gathered per output pixel, it is a convolution:
//  - zero insertion (the textbook equivalence): insert s-1 zeros between input pixels, pad by
//    d*(k-1) - p (+ output_padding at the end), and convolve at stride 1 with the kernel
//    flipped and its channels swapped. Of every s*s multiply-adds, s*s-1 multiply a zero;
//  - sub-pixel: output row y = q*s + r - p only receives kernel rows kh = r + s*t (dilation 1)
//    from input rows q - t, so each residue (rh, rw) is a stride-1 convolution of the input
//    with the sub-kernel w[rh + s*t, rw + s*u] (flipped), written into every s-th output row
//    and column. No inserted zero is ever multiplied.
#include "passes/Passes.h"
#include "passes/TransposedConvAlgorithm.h"

#include "dialects/gn/GnOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace gnc {
#define GEN_PASS_DEF_GNTRANSPOSEDCONVTOCONV
#include "passes/Passes.h.inc"
} // namespace gnc

using namespace mlir;
using namespace mlir::gn;
using gnc::TransposedConvAlgorithm;

namespace {

int64_t floorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }
int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

// The transposed convolution's bias, added to its result (gn-to-linalg's fusion makes it one
// pass with whatever consumes the sum).
Value addBias(PatternRewriter &rw, Location loc, Value y, Value bias) {
  if (!bias)
    return y;
  Value b = BroadcastOp::create(rw, loc, y.getType(), bias);
  return AddOp::create(rw, loc, y, b);
}

Value subPixel(PatternRewriter &rw, Conv2DTransposeOp op) {
  Location loc = op.getLoc();
  auto xt = typeOf(op.getX()), wt = typeOf(op.getW()), yt = typeOf(op.getResult());
  ArrayRef<int64_t> s = op.getStrides(), p = op.getPadding();
  int64_t n = xt.getDimSize(0), h = xt.getDimSize(1), w = xt.getDimSize(2), cin = xt.getDimSize(3);
  int64_t kh = wt.getDimSize(0), kw = wt.getDimSize(1);
  SmallVector<Value> parts;
  SmallVector<int64_t> offsets;
  for (int64_t rh = 0; rh < s[0]; ++rh) {
    for (int64_t rw_ = 0; rw_ < s[1]; ++rw_) {
      // Taps of this residue, and the range of q (output row = q*s + r - p) inside the output.
      int64_t krh = kh > rh ? ceilDiv(kh - rh, s[0]) : 0, krw = kw > rw_ ? ceilDiv(kw - rw_, s[1]) : 0;
      int64_t qh0 = ceilDiv(p[0] - rh, s[0]), qw0 = ceilDiv(p[2] - rw_, s[1]);
      int64_t qh1 = floorDiv(yt.getDimSize(1) - 1 + p[0] - rh, s[0]);
      int64_t qw1 = floorDiv(yt.getDimSize(2) - 1 + p[2] - rw_, s[1]);
      int64_t nqh = qh1 - qh0 + 1, nqw = qw1 - qw0 + 1;
      // A residue without taps stays zero; one without output pixels is cropped away.
      if (krh == 0 || krw == 0 || nqh <= 0 || nqw <= 0)
        continue;
      // Input rows q - t for t in [0, kr): pad by kr - 1 on top, then take rows from q0.
      int64_t padBottom = std::max<int64_t>(0, qh0 + nqh - h), padRight = std::max<int64_t>(0, qw0 + nqw - w);
      Value xp = op.getX();
      if (krh > 1 || krw > 1 || padBottom || padRight)
        xp = PadOp::create(rw, loc, xp, ArrayRef<int64_t>{0, krh - 1, krw - 1, 0},
                           ArrayRef<int64_t>{0, padBottom, padRight, 0});
      SmallVector<int64_t> windowShape{n, nqh + krh - 1, nqw + krw - 1, cin};
      Value window = xp;
      if (qh0 != 0 || qw0 != 0 || ArrayRef<int64_t>(windowShape) != typeOf(xp).getShape())
        window = SliceOp::create(rw, loc, xp, ArrayRef<int64_t>{0, qh0, qw0, 0}, windowShape);
      Value sub = FlipKernelOp::create(rw, loc, op.getW(), ArrayRef<int64_t>{rh, rw_}, s);
      parts.push_back(Conv2DOp::create(rw, loc, window, sub, Value(), ArrayRef<int64_t>{1, 1},
                                       ArrayRef<int64_t>{0, 0, 0, 0}, ArrayRef<int64_t>{1, 1}));
      offsets.push_back(qh0 * s[0] + rh - p[0]);
      offsets.push_back(qw0 * s[1] + rw_ - p[2]);
    }
  }
  Value y = parts.empty() ? ConstantOp::create(rw, loc, DenseElementsAttr::get(yt, 0.0f)).getResult()
                          : InterleaveOp::create(rw, loc, yt, parts, s, offsets).getResult();
  return addBias(rw, loc, y, op.getBias());
}

Value zeroInsertion(PatternRewriter &rw, Conv2DTransposeOp op) {
  Location loc = op.getLoc();
  auto wt = typeOf(op.getW());
  ArrayRef<int64_t> s = op.getStrides(), p = op.getPadding(), d = op.getDilations(), o = op.getOutputPadding();
  int64_t kh = wt.getDimSize(0), kw = wt.getDimSize(1);
  // Padding of the zero-inserted input; negative where the transposed convolution's padding
  // exceeds the kernel's reach (those rows are cropped instead).
  SmallVector<int64_t> pad{d[0] * (kh - 1) - p[0], d[0] * (kh - 1) - p[1] + o[0], d[1] * (kw - 1) - p[2],
                           d[1] * (kw - 1) - p[3] + o[1]};
  SmallVector<int64_t> positive, cropLow, cropHigh;
  for (int64_t v : pad)
    positive.push_back(std::max<int64_t>(v, 0));
  Value x = DilateOp::create(rw, loc, op.getX(), s, positive);
  if (llvm::any_of(pad, [](int64_t v) { return v < 0; })) {
    auto dt = typeOf(x);
    int64_t top = std::max<int64_t>(-pad[0], 0), left = std::max<int64_t>(-pad[2], 0);
    SmallVector<int64_t> size{dt.getDimSize(0), dt.getDimSize(1) - top - std::max<int64_t>(-pad[1], 0),
                              dt.getDimSize(2) - left - std::max<int64_t>(-pad[3], 0), dt.getDimSize(3)};
    x = SliceOp::create(rw, loc, x, ArrayRef<int64_t>{0, top, left, 0}, size);
  }
  Value flipped = FlipKernelOp::create(rw, loc, op.getW(), ArrayRef<int64_t>{0, 0}, ArrayRef<int64_t>{1, 1});
  return Conv2DOp::create(rw, loc, x, flipped, op.getBias(), ArrayRef<int64_t>{1, 1},
                          ArrayRef<int64_t>{0, 0, 0, 0}, d);
}

struct TransposedConvToConv : OpRewritePattern<Conv2DTransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Conv2DTransposeOp op, PatternRewriter &rw) const override {
    auto name = op->getAttrOfType<StringAttr>(gnc::kAlgorithmAttr);
    std::optional<TransposedConvAlgorithm> a = name ? gnc::parseAlgorithm(name.getValue()) : std::nullopt;
    if (!a || !gnc::whyCannotRealize(op, *a).empty())
      return rw.notifyMatchFailure(op, "no realizable gnc.algorithm");
    rw.replaceOp(op, *a == TransposedConvAlgorithm::SubPixel ? subPixel(rw, op) : zeroInsertion(rw, op));
    return success();
  }
};

struct GnTransposedConvToConvPass : gnc::impl::GnTransposedConvToConvBase<GnTransposedConvToConvPass> {
  void runOnOperation() override {
    // Every decision is checked first, so that a bad one is an error at its op rather than an
    // op the rewrite leaves behind.
    bool bad = false;
    getOperation().walk([&](Conv2DTransposeOp op) {
      auto name = op->getAttrOfType<StringAttr>(gnc::kAlgorithmAttr);
      if (!name) {
        op.emitOpError("has no ") << gnc::kAlgorithmAttr << " (gnc-select-algorithms chooses one)";
        bad = true;
        return;
      }
      std::optional<TransposedConvAlgorithm> a = gnc::parseAlgorithm(name.getValue());
      if (!a) {
        op.emitOpError("has the unknown ") << gnc::kAlgorithmAttr << " \"" << name.getValue() << "\" (expected "
                                           << gnc::algorithmNames() << ")";
        bad = true;
      } else if (std::string why = gnc::whyCannotRealize(op, *a); !why.empty()) {
        op.emitOpError(why);
        bad = true;
      }
    });
    if (bad)
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    patterns.add<TransposedConvToConv>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
