// Vector-Jacobian products of the gn ops (DifferentiableOpInterface), used by gn-autodiff.
//
// Each rule emits ordinary gn ops, so the backward program is as readable, checkable and
// compilable as the forward one. Where a rule needs a dedicated op it is a gradient op of the
// dialect (conv2d_filter_grad, loss_grad, step); convolutions reuse their duals: the input
// gradient of conv2d is a conv2d_transpose with the same kernel, and vice versa.
#include "dialects/gn/GnOps.h"

using namespace mlir;
using namespace mlir::gn;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

Value splat(OpBuilder &b, Location loc, Type type, double v) {
  auto t = cast<RankedTensorType>(type);
  return ConstantOp::create(b, loc, DenseElementsAttr::get(t, (float)v));
}

// Sums a gradient of broadcast shape back to `to` (the NumPy broadcasting adjoint).
Value unbroadcast(OpBuilder &b, Location loc, Value g, RankedTensorType to) {
  auto from = typeOf(g);
  if (from == to)
    return g;
  int64_t lead = from.getRank() - to.getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < from.getRank(); ++d)
    if (d < lead || (to.getDimSize(d - lead) == 1 && from.getDimSize(d) != 1))
      axes.push_back(d);
  Value s = axes.empty() ? g : SumOp::create(b, loc, g, axes).getResult();
  if (typeOf(s) != to)
    s = ReshapeOp::create(b, loc, to, s);
  return s;
}

Value transpose2D(OpBuilder &b, Location loc, Value v) {
  return TransposeOp::create(b, loc, v, ArrayRef<int64_t>{1, 0});
}

// The reduced shape with kept dimensions of size 1, for broadcasting a reduction's gradient.
RankedTensorType keepDims(RankedTensorType in, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> shape(in.getShape());
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (axes.empty() || llvm::is_contained(axes, d))
      shape[d] = 1;
  return RankedTensorType::get(shape, in.getElementType());
}

Value expandReduced(OpBuilder &b, Location loc, Value dy, RankedTensorType in,
                    ArrayRef<int64_t> axes) {
  Value kept = ReshapeOp::create(b, loc, keepDims(in, axes), dy);
  return BroadcastOp::create(b, loc, in, kept);
}

LogicalResult lossVJP(Operation *op, OpBuilder &b, Value dy, ArrayRef<bool> needed,
                      SmallVectorImpl<Value> &grads, LossKind kind, Reduction red) {
  Value a = op->getOperand(0), c = op->getOperand(1);
  for (int64_t wrt = 0; wrt < 2; ++wrt)
    grads.push_back(needed[wrt]
                        ? LossGradOp::create(b, op->getLoc(), kind, wrt, red, a, c, dy).getResult()
                        : Value());
  return success();
}

} // namespace

// ---- elementwise ------------------------------------------------------------------------------

#define GN_UNARY_VJP(OP, BODY)                                                                  \
  LogicalResult OP::vjp(OpBuilder &b, Value dy, ArrayRef<bool>,                               \
                        SmallVectorImpl<Value> &grads) {                                        \
    Location loc = getLoc();                                                                    \
    Value x = getX(), y = getResult();                                                          \
    (void)x;                                                                                    \
    (void)y;                                                                                    \
    grads.push_back(BODY);                                                                      \
    return success();                                                                           \
  }

GN_UNARY_VJP(ReluOp, MulOp::create(b, loc, dy, StepOp::create(b, loc, x)))
GN_UNARY_VJP(SigmoidOp,
             MulOp::create(b, loc, dy,
                           MulOp::create(b, loc, y,
                                         SubOp::create(b, loc, splat(b, loc, y.getType(), 1), y))))
GN_UNARY_VJP(TanhOp, MulOp::create(b, loc, dy,
                                   SubOp::create(b, loc, splat(b, loc, y.getType(), 1),
                                                 MulOp::create(b, loc, y, y))))
GN_UNARY_VJP(SoftplusOp, MulOp::create(b, loc, dy, SigmoidOp::create(b, loc, x)))
GN_UNARY_VJP(ExpOp, MulOp::create(b, loc, dy, y))
GN_UNARY_VJP(LogOp, DivOp::create(b, loc, dy, x))
GN_UNARY_VJP(SqrtOp,
             DivOp::create(b, loc, dy, MulOp::create(b, loc, splat(b, loc, y.getType(), 2), y)))
GN_UNARY_VJP(SinOp, MulOp::create(b, loc, dy, CosOp::create(b, loc, x)))
GN_UNARY_VJP(CosOp, NegOp::create(b, loc, MulOp::create(b, loc, dy, SinOp::create(b, loc, x))))
GN_UNARY_VJP(NegOp, NegOp::create(b, loc, dy))
GN_UNARY_VJP(SquareOp,
             MulOp::create(b, loc, dy, MulOp::create(b, loc, splat(b, loc, x.getType(), 2), x)))
// d|x|/dx = sign(x), taken as -1 at 0.
GN_UNARY_VJP(AbsOp, MulOp::create(b, loc, dy,
                                  SubOp::create(b, loc,
                                                MulOp::create(b, loc,
                                                              splat(b, loc, x.getType(), 2),
                                                              StepOp::create(b, loc, x)),
                                                splat(b, loc, x.getType(), 1))))
#undef GN_UNARY_VJP

LogicalResult StopGradientOp::vjp(OpBuilder &, Value, ArrayRef<bool>,
                                  SmallVectorImpl<Value> &grads) {
  grads.push_back(Value());
  return success();
}

// slope 1 above zero, alpha below: step(x) * (1 - alpha) + alpha.
LogicalResult LeakyReluOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool>,
                               SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Type t = getX().getType();
  double alpha = getAlpha().convertToDouble();
  Value slope = AddOp::create(
      b, loc, MulOp::create(b, loc, StepOp::create(b, loc, getX()), splat(b, loc, t, 1 - alpha)),
      splat(b, loc, t, alpha));
  grads.push_back(MulOp::create(b, loc, dy, slope));
  return success();
}

LogicalResult AddOp::vjp(OpBuilder &, Value dy, ArrayRef<bool>, SmallVectorImpl<Value> &grads) {
  grads.append({dy, dy});
  return success();
}

LogicalResult SubOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool> needed,
                         SmallVectorImpl<Value> &grads) {
  grads.push_back(dy);
  grads.push_back(needed[1] ? NegOp::create(b, getLoc(), dy).getResult() : Value());
  return success();
}

LogicalResult MulOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool> needed,
                         SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  grads.push_back(needed[0] ? MulOp::create(b, loc, dy, getRhs()).getResult() : Value());
  grads.push_back(needed[1] ? MulOp::create(b, loc, dy, getLhs()).getResult() : Value());
  return success();
}

// d(a/c) = da/c - a dc/c^2
LogicalResult DivOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool> needed,
                         SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value c = getRhs();
  grads.push_back(needed[0] ? DivOp::create(b, loc, dy, c).getResult() : Value());
  grads.push_back(needed[1] ? NegOp::create(b, loc,
                                            DivOp::create(b, loc, MulOp::create(b, loc, dy, getResult()), c))
                                  .getResult()
                            : Value());
  return success();
}

LogicalResult BroadcastOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool>,
                               SmallVectorImpl<Value> &grads) {
  grads.push_back(unbroadcast(b, getLoc(), dy, typeOf(getX())));
  return success();
}

// ---- layers -------------------------------------------------------------------------------

LogicalResult MatmulOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool> needed,
                            SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  grads.push_back(needed[0] ? MatmulOp::create(b, loc, dy, transpose2D(b, loc, getRhs())).getResult()
                            : Value());
  grads.push_back(needed[1] ? MatmulOp::create(b, loc, transpose2D(b, loc, getLhs()), dy).getResult()
                            : Value());
  return success();
}

LogicalResult DenseOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool> needed,
                           SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  grads.push_back(needed[0] ? MatmulOp::create(b, loc, dy, transpose2D(b, loc, getW())).getResult()
                            : Value());
  grads.push_back(needed[1] ? MatmulOp::create(b, loc, transpose2D(b, loc, getX()), dy).getResult()
                            : Value());
  if (getBias())
    grads.push_back(needed[2] ? SumOp::create(b, loc, dy, ArrayRef<int64_t>{0}).getResult()
                              : Value());
  return success();
}

LogicalResult Conv2DOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool> needed,
                            SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  auto xt = typeOf(getX()), wt = typeOf(getW()), yt = typeOf(getResult());
  ArrayRef<int64_t> s = getStrides(), p = getPadding(), d = getDilations();
  if (needed[0]) {
    // The transposed convolution with the same kernel maps dy back onto x's grid; output
    // padding restores the rows/columns that the forward stride skipped.
    int64_t outH = (yt.getDimSize(1) - 1) * s[0] - p[0] - p[1] + d[0] * (wt.getDimSize(0) - 1) + 1;
    int64_t outW = (yt.getDimSize(2) - 1) * s[1] - p[2] - p[3] + d[1] * (wt.getDimSize(1) - 1) + 1;
    SmallVector<int64_t> outPad{xt.getDimSize(1) - outH, xt.getDimSize(2) - outW};
    grads.push_back(Conv2DTransposeOp::create(b, loc, xt, dy, getW(), Value(), s, p, outPad, d));
  } else {
    grads.push_back(Value());
  }
  grads.push_back(needed[1] ? Conv2DFilterGradOp::create(
                                  b, loc, getX(), dy,
                                  ArrayRef<int64_t>{wt.getDimSize(0), wt.getDimSize(1)}, s, p, d)
                                  .getResult()
                            : Value());
  if (getBias())
    grads.push_back(needed[2] ? SumOp::create(b, loc, dy, ArrayRef<int64_t>{0, 1, 2}).getResult()
                              : Value());
  return success();
}

// y = conv2d_transpose(x, w) is the adjoint of conv2d(., w) from y's grid to x's grid.
LogicalResult Conv2DTransposeOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool> needed,
                                     SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  auto xt = typeOf(getX()), wt = typeOf(getW()), yt = typeOf(getResult());
  ArrayRef<int64_t> s = getStrides(), p = getPadding(), d = getDilations();
  // conv2d of dy lands on x's grid plus floor(output_padding / stride) rows (columns): more
  // than x when output_padding >= stride, which the shape rule allows if it is < dilation.
  // Those extra rows are cropped off dx, and x gets matching zero rows for the filter gradient.
  int64_t h2 = (yt.getDimSize(1) + p[0] + p[1] - d[0] * (wt.getDimSize(0) - 1) - 1) / s[0] + 1;
  int64_t w2 = (yt.getDimSize(2) + p[2] + p[3] - d[1] * (wt.getDimSize(1) - 1) - 1) / s[1] + 1;
  auto grid = RankedTensorType::get({xt.getDimSize(0), h2, w2, xt.getDimSize(3)},
                                    xt.getElementType());
  SmallVector<int64_t> zeros(4, 0), extra{0, h2 - xt.getDimSize(1), w2 - xt.getDimSize(2), 0};
  if (needed[0]) {
    Value dx = Conv2DOp::create(b, loc, grid, dy, getW(), Value(), s, p, d);
    if (grid != xt)
      dx = SliceOp::create(b, loc, dx, zeros, xt.getShape());
    grads.push_back(dx);
  } else {
    grads.push_back(Value());
  }
  if (needed[1]) {
    Value x = getX();
    if (grid != xt)
      x = PadOp::create(b, loc, x, zeros, extra);
    grads.push_back(Conv2DFilterGradOp::create(
        b, loc, dy, x, ArrayRef<int64_t>{wt.getDimSize(0), wt.getDimSize(1)}, s, p, d));
  } else {
    grads.push_back(Value());
  }
  if (getBias())
    grads.push_back(needed[2] ? SumOp::create(b, loc, dy, ArrayRef<int64_t>{0, 1, 2}).getResult()
                              : Value());
  return success();
}

// ---- shape manipulation ----------------------------------------------------------------------

// Each input pixel was copied to a factor x factor block: sum the block.
LogicalResult UpsampleOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool>,
                              SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  auto xt = typeOf(getX());
  int64_t f = getFactor();
  auto blocks = RankedTensorType::get(
      {xt.getDimSize(0), xt.getDimSize(1), f, xt.getDimSize(2), f, xt.getDimSize(3)},
      xt.getElementType());
  Value r = ReshapeOp::create(b, loc, blocks, dy);
  grads.push_back(SumOp::create(b, loc, r, ArrayRef<int64_t>{2, 4}));
  return success();
}

LogicalResult FlattenOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool>,
                             SmallVectorImpl<Value> &grads) {
  grads.push_back(ReshapeOp::create(b, getLoc(), getX().getType(), dy));
  return success();
}

LogicalResult ReshapeOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool>,
                             SmallVectorImpl<Value> &grads) {
  grads.push_back(ReshapeOp::create(b, getLoc(), getX().getType(), dy));
  return success();
}

LogicalResult TransposeOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool>,
                               SmallVectorImpl<Value> &grads) {
  ArrayRef<int64_t> perm = getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inverse[perm[i]] = (int64_t)i;
  grads.push_back(TransposeOp::create(b, getLoc(), dy, inverse));
  return success();
}

LogicalResult ConcatOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool> needed,
                            SmallVectorImpl<Value> &grads) {
  int64_t axis = getAxis(), offset = 0;
  auto rank = typeOf(dy).getRank();
  for (auto [i, in] : llvm::enumerate(getInputs())) {
    auto t = typeOf(in);
    if (needed[i]) {
      SmallVector<int64_t> start(rank, 0);
      start[axis] = offset;
      grads.push_back(SliceOp::create(b, getLoc(), dy, start, t.getShape()));
    } else {
      grads.push_back(Value());
    }
    offset += t.getDimSize(axis);
  }
  return success();
}

LogicalResult SliceOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool>,
                           SmallVectorImpl<Value> &grads) {
  auto xt = typeOf(getX());
  SmallVector<int64_t> low(getStart()), high;
  for (int64_t d = 0; d < xt.getRank(); ++d)
    high.push_back(xt.getDimSize(d) - low[d] - getSize()[d]);
  grads.push_back(PadOp::create(b, getLoc(), dy, low, high));
  return success();
}

LogicalResult PadOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool>, SmallVectorImpl<Value> &grads) {
  grads.push_back(SliceOp::create(b, getLoc(), dy, getLow(), typeOf(getX()).getShape()));
  return success();
}

LogicalResult SumOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool>, SmallVectorImpl<Value> &grads) {
  grads.push_back(expandReduced(b, getLoc(), dy, typeOf(getX()), getAxes()));
  return success();
}

LogicalResult MeanOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool>, SmallVectorImpl<Value> &grads) {
  auto xt = typeOf(getX());
  int64_t count = xt.getNumElements() / std::max<int64_t>(1, typeOf(getResult()).getNumElements());
  Value g = expandReduced(b, getLoc(), dy, xt, getAxes());
  grads.push_back(MulOp::create(b, getLoc(), g, splat(b, getLoc(), xt, 1.0 / (double)count)));
  return success();
}

LogicalResult GatherOp::vjp(OpBuilder &, Value, ArrayRef<bool> needed,
                            SmallVectorImpl<Value> &grads) {
  if (needed[0])
    return emitOpError("has no gradient with respect to its table (tables must be constants)");
  grads.append({Value(), Value()});
  return success();
}

// ---- losses ---------------------------------------------------------------------------------

LogicalResult MseOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool> needed,
                         SmallVectorImpl<Value> &grads) {
  return lossVJP(*this, b, dy, needed, grads, LossKind::Mse, getReduction());
}
LogicalResult BceOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool> needed,
                         SmallVectorImpl<Value> &grads) {
  return lossVJP(*this, b, dy, needed, grads, LossKind::Bce, getReduction());
}
LogicalResult BceWithLogitsOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool> needed,
                                   SmallVectorImpl<Value> &grads) {
  return lossVJP(*this, b, dy, needed, grads, LossKind::BceWithLogits, getReduction());
}
LogicalResult KlNormalOp::vjp(OpBuilder &b, Value dy, ArrayRef<bool> needed,
                              SmallVectorImpl<Value> &grads) {
  return lossVJP(*this, b, dy, needed, grads, LossKind::KlNormal, getReduction());
}
