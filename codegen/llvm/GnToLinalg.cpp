// gn-to-linalg: every gn op to linalg / tensor / arith / math on tensors.
//
// Named linalg ops where they exist (matmul, conv_2d_nhwc_hwcf, transpose, fill), linalg.generic
// for the rest. Transposed convolutions arrive already rewritten as convolutions
// (passes/TransposedConvToConv.cpp). Random ops compute Philox per element from linalg.index.
#include "codegen/llvm/Passes.h"
#include "codegen/llvm/PhiloxIR.h"

#include "dialects/gn/GnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace gnc {
#define GEN_PASS_DEF_GNTOLINALG
#include "codegen/llvm/Passes.h.inc"
} // namespace gnc

using namespace mlir;
using namespace mlir::gn;
using utils::IteratorType;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

Value f32Const(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32Type(), b.getF32FloatAttr((float)v));
}

Value zerosLike(OpBuilder &b, Location loc, RankedTensorType t) {
  Value empty = tensor::EmptyOp::create(b, loc, t.getShape(), t.getElementType());
  Attribute zero = t.getElementType().isF32() ? Attribute(b.getF32FloatAttr(0))
                                              : Attribute(b.getIntegerAttr(t.getElementType(), 0));
  Value z = arith::ConstantOp::create(b, loc, cast<TypedAttr>(zero));
  return linalg::FillOp::create(b, loc, ValueRange{z}, ValueRange{empty}).getResult(0);
}

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

// A linalg.generic over `out`'s shape, all parallel; `maps` give each input's indexing.
Value generic(OpBuilder &b, Location loc, RankedTensorType out, ValueRange inputs,
              ArrayRef<AffineMap> inputMaps, BodyFn body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(out.getRank()));
  SmallVector<IteratorType> iters(out.getRank(), IteratorType::parallel);
  Value init = tensor::EmptyOp::create(b, loc, out.getShape(), out.getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{out}, inputs, ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, body(nb, nl, args.drop_back()));
             })
      .getResult(0);
}

// Elementwise over same-shaped inputs; 0-d inputs (scalars) are broadcast.
Value elementwise(OpBuilder &b, Location loc, RankedTensorType out, ValueRange inputs, BodyFn body) {
  SmallVector<AffineMap> maps;
  for (Value v : inputs)
    maps.push_back(typeOf(v).getRank() == 0
                       ? AffineMap::get(out.getRank(), 0, {}, b.getContext())
                       : b.getMultiDimIdentityMap(out.getRank()));
  return generic(b, loc, out, inputs, maps, body);
}

// Sums `body(args)` of `inputs` (indexed by `inMaps` over the full iteration space of rank
// `rank`) into an output indexed by `outMap`; `reduced` marks the reduction dimensions.
Value reduction(OpBuilder &b, Location loc, RankedTensorType out, ValueRange inputs,
                ArrayRef<AffineMap> inMaps, AffineMap outMap, ArrayRef<bool> reduced, BodyFn body) {
  SmallVector<AffineMap> maps(inMaps);
  maps.push_back(outMap);
  SmallVector<IteratorType> iters;
  for (bool r : reduced)
    iters.push_back(r ? IteratorType::reduction : IteratorType::parallel);
  Value init = zerosLike(b, loc, out);
  return linalg::GenericOp::create(
             b, loc, TypeRange{out}, inputs, ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value v = body(nb, nl, args.drop_back());
               linalg::YieldOp::create(nb, nl, ValueRange{arith::AddFOp::create(nb, nl, args.back(), v)});
             })
      .getResult(0);
}

// log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), stable for large |x|.
Value softplus(OpBuilder &b, Location loc, Value x) {
  Value zero = f32Const(b, loc, 0);
  Value negAbs = arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
  return arith::AddFOp::create(b, loc, arith::MaximumFOp::create(b, loc, x, zero),
                               math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs)));
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = f32Const(b, loc, 1);
  return arith::DivFOp::create(
      b, loc, one, arith::AddFOp::create(b, loc, one, math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x))));
}

// max(log(x), -100), as PyTorch's BCE.
Value clampedLog(OpBuilder &b, Location loc, Value x) {
  return arith::MaximumFOp::create(b, loc, math::LogOp::create(b, loc, x), f32Const(b, loc, -100));
}

double reductionCount(Reduction r, RankedTensorType t) {
  switch (r) {
  case Reduction::Mean: return (double)t.getNumElements();
  case Reduction::Sum: return 1;
  case Reduction::Batch: return (double)t.getDimSize(0);
  }
  return 1;
}

// Per-element loss term of (a, b) (before the reduction's 1/count).
Value lossTerm(OpBuilder &b, Location loc, LossKind kind, Value a, Value t) {
  Value one = f32Const(b, loc, 1);
  switch (kind) {
  case LossKind::Mse: {
    Value d = arith::SubFOp::create(b, loc, a, t);
    return arith::MulFOp::create(b, loc, d, d);
  }
  case LossKind::Bce: {
    Value lp = clampedLog(b, loc, a), l1p = clampedLog(b, loc, arith::SubFOp::create(b, loc, one, a));
    Value s = arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, t, lp),
                                    arith::MulFOp::create(b, loc, arith::SubFOp::create(b, loc, one, t), l1p));
    return arith::NegFOp::create(b, loc, s);
  }
  case LossKind::BceWithLogits: {
    // max(x, 0) - x t + log(1 + exp(-|x|))
    Value zero = f32Const(b, loc, 0);
    Value negAbs = arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, a));
    return arith::AddFOp::create(
        b, loc, arith::SubFOp::create(b, loc, arith::MaximumFOp::create(b, loc, a, zero),
                                      arith::MulFOp::create(b, loc, a, t)),
        math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs)));
  }
  case LossKind::KlNormal: {
    // -0.5 (1 + lv - mu^2 - exp(lv))
    Value inner = arith::SubFOp::create(
        b, loc, arith::SubFOp::create(b, loc, arith::AddFOp::create(b, loc, one, t), arith::MulFOp::create(b, loc, a, a)),
        math::ExpOp::create(b, loc, t));
    return arith::MulFOp::create(b, loc, f32Const(b, loc, -0.5), inner);
  }
  }
  return a;
}

// d term / d operand `wrt` (before dloss / count).
Value lossDerivative(OpBuilder &b, Location loc, LossKind kind, int64_t wrt, Value a, Value t) {
  Value one = f32Const(b, loc, 1);
  switch (kind) {
  case LossKind::Mse: {
    Value d = arith::MulFOp::create(b, loc, f32Const(b, loc, 2), arith::SubFOp::create(b, loc, a, t));
    return wrt == 0 ? d : arith::NegFOp::create(b, loc, d).getResult();
  }
  case LossKind::Bce: {
    if (wrt == 0) {
      Value denom = arith::MaximumFOp::create(
          b, loc, arith::MulFOp::create(b, loc, a, arith::SubFOp::create(b, loc, one, a)), f32Const(b, loc, 1e-12));
      return arith::DivFOp::create(b, loc, arith::SubFOp::create(b, loc, a, t), denom);
    }
    return arith::SubFOp::create(b, loc, clampedLog(b, loc, arith::SubFOp::create(b, loc, one, a)),
                                 clampedLog(b, loc, a));
  }
  case LossKind::BceWithLogits:
    return wrt == 0 ? arith::SubFOp::create(b, loc, sigmoid(b, loc, a), t).getResult()
                    : arith::NegFOp::create(b, loc, a).getResult();
  case LossKind::KlNormal:
    return wrt == 0 ? a
                    : arith::MulFOp::create(b, loc, f32Const(b, loc, 0.5),
                                            arith::SubFOp::create(b, loc, math::ExpOp::create(b, loc, t), one))
                          .getResult();
  }
  return a;
}

// ---- patterns ---------------------------------------------------------------------------------

template <typename Op>
struct GnPattern : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  using Adaptor = typename Op::Adaptor;
};

// Unary elementwise ops as a scalar body.
template <typename Op>
struct UnaryLowering : GnPattern<Op> {
  using GnPattern<Op>::GnPattern;
  std::function<Value(OpBuilder &, Location, Value, Op)> fn;
  UnaryLowering(MLIRContext *ctx, std::function<Value(OpBuilder &, Location, Value, Op)> f)
      : GnPattern<Op>(ctx), fn(std::move(f)) {}
  LogicalResult matchAndRewrite(Op op, typename Op::Adaptor a, ConversionPatternRewriter &rw) const override {
    auto out = typeOf(op.getResult());
    rw.replaceOp(op, elementwise(rw, op.getLoc(), out, a.getOperands(),
                                 [&](OpBuilder &b, Location l, ValueRange args) { return fn(b, l, args[0], op); }));
    return success();
  }
};

template <typename Op, typename ArithOp>
struct BinaryLowering : GnPattern<Op> {
  using GnPattern<Op>::GnPattern;
  LogicalResult matchAndRewrite(Op op, typename Op::Adaptor a, ConversionPatternRewriter &rw) const override {
    rw.replaceOp(op, elementwise(rw, op.getLoc(), typeOf(op.getResult()), a.getOperands(),
                                 [](OpBuilder &b, Location l, ValueRange args) -> Value {
                                   return ArithOp::create(b, l, args[0], args[1]);
                                 }));
    return success();
  }
};

struct ConstantLowering : GnPattern<ConstantOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(ConstantOp op, Adaptor, ConversionPatternRewriter &rw) const override {
    rw.replaceOpWithNewOp<arith::ConstantOp>(op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

struct StopGradientLowering : GnPattern<StopGradientOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(StopGradientOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    rw.replaceOp(op, a.getX());
    return success();
  }
};

struct BroadcastLowering : GnPattern<BroadcastOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(BroadcastOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    auto in = typeOf(a.getX()), out = typeOf(op.getResult());
    int64_t lead = out.getRank() - in.getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < in.getRank(); ++d)
      exprs.push_back(in.getDimSize(d) == 1 && out.getDimSize(d + lead) != 1
                          ? rw.getAffineConstantExpr(0)
                          : rw.getAffineDimExpr(d + lead));
    AffineMap m = AffineMap::get(out.getRank(), 0, exprs, rw.getContext());
    rw.replaceOp(op, generic(rw, op.getLoc(), out, {a.getX()}, {m},
                             [](OpBuilder &, Location, ValueRange args) { return args[0]; }));
    return success();
  }
};

Value matmul(OpBuilder &b, Location loc, Value lhs, Value rhs, RankedTensorType out) {
  return linalg::MatmulOp::create(b, loc, TypeRange{out}, ValueRange{lhs, rhs}, ValueRange{zerosLike(b, loc, out)})
      .getResult(0);
}

// y[n, ..., c] + bias[c]
Value addBias(OpBuilder &b, Location loc, Value y, Value bias) {
  auto t = typeOf(y);
  AffineMap bm = AffineMap::get(t.getRank(), 0, {b.getAffineDimExpr(t.getRank() - 1)}, b.getContext());
  return generic(b, loc, t, {y, bias}, {b.getMultiDimIdentityMap(t.getRank()), bm},
                 [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                   return arith::AddFOp::create(nb, l, args[0], args[1]);
                 });
}

struct MatmulLowering : GnPattern<MatmulOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(MatmulOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    rw.replaceOp(op, matmul(rw, op.getLoc(), a.getLhs(), a.getRhs(), typeOf(op.getResult())));
    return success();
  }
};

struct DenseLowering : GnPattern<DenseOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(DenseOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    Value y = matmul(rw, op.getLoc(), a.getX(), a.getW(), typeOf(op.getResult()));
    if (a.getBias())
      y = addBias(rw, op.getLoc(), y, a.getBias());
    rw.replaceOp(op, y);
    return success();
  }
};

Value padNHWC(OpBuilder &b, Location loc, Value x, int64_t top, int64_t bottom, int64_t left, int64_t right) {
  if (!top && !bottom && !left && !right)
    return x;
  auto t = typeOf(x);
  SmallVector<int64_t> shape(t.getShape());
  shape[1] += top + bottom;
  shape[2] += left + right;
  SmallVector<OpFoldResult> low{b.getIndexAttr(0), b.getIndexAttr(top), b.getIndexAttr(left), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> high{b.getIndexAttr(0), b.getIndexAttr(bottom), b.getIndexAttr(right), b.getIndexAttr(0)};
  return tensor::PadOp::create(b, loc, RankedTensorType::get(shape, t.getElementType()), x, low, high,
                               f32Const(b, loc, 0));
}

// Lanes of the single-output-channel form below: one AVX2 vector (half an AVX-512 one).
constexpr int64_t kLanes = 8;

// Collapses dims [from, rank) of x into one, then splits that into (size / inner, inner).
Value splitTrailing(OpBuilder &b, Location loc, Value x, int64_t from, int64_t inner) {
  auto t = typeOf(x);
  SmallVector<ReassociationIndices> groups;
  SmallVector<int64_t> flat;
  for (int64_t i = 0; i < from; ++i)
    groups.push_back({i}), flat.push_back(t.getDimSize(i));
  groups.emplace_back();
  int64_t size = 1;
  for (int64_t i = from; i < t.getRank(); ++i)
    groups.back().push_back(i), size *= t.getDimSize(i);
  flat.push_back(size);
  Value collapsed = tensor::CollapseShapeOp::create(b, loc, RankedTensorType::get(flat, t.getElementType()), x, groups);
  SmallVector<int64_t> split(flat.begin(), flat.end() - 1);
  split.push_back(size / inner);
  split.push_back(inner);
  SmallVector<ReassociationIndices> expand;
  for (int64_t i = 0; i < from; ++i)
    expand.push_back({i});
  expand.push_back({from, from + 1});
  return tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get(split, t.getElementType()), collapsed, expand);
}

Value conv(OpBuilder &b, Location loc, Value x, Value w, ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
           RankedTensorType out) {
  auto i64v = [&](ArrayRef<int64_t> v) {
    return DenseIntElementsAttr::get(RankedTensorType::get({2}, b.getI64Type()), v);
  };
  auto wt = typeOf(w);
  int64_t c = wt.getDimSize(2);
  if (wt.getDimSize(3) == 1 && strides[1] == 1 && dilations[1] == 1 && c % kLanes == 0) {
    // One output channel leaves no output vector to compute: the ConvAE's last layer ran at
    // 8% of peak as scalar FMAs. With unit stride and dilation along w, the taps of one
    // output pixel and kernel row, (kw, c), are one contiguous run of the input row, starting
    // at ow * C. Cut rows and kernel rows into vectors of kLanes: the convolution becomes a
    // depthwise one over kLanes channels (input width W * C / kLanes, stride C / kLanes,
    // kernel width KW * C / kLanes) whose kLanes partial sums per pixel are added at the end.
    auto xt = typeOf(x);
    Type f32 = xt.getElementType();
    Value xl = splitTrailing(b, loc, x, 2, kLanes);
    Value wl = splitTrailing(b, loc, w, 1, kLanes);
    auto partT = RankedTensorType::get({out.getDimSize(0), out.getDimSize(1), out.getDimSize(2), kLanes}, f32);
    Value partial = linalg::DepthwiseConv2DNhwcHwcOp::create(
                        b, loc, TypeRange{partT}, ValueRange{xl, wl}, ValueRange{zerosLike(b, loc, partT)},
                        i64v({strides[0], c / kLanes}), i64v({dilations[0], 1}))
                        .getResult(0);
    auto sumT = RankedTensorType::get(out.getShape().drop_back(), f32);
    MLIRContext *ctx = b.getContext();
    AffineMap all = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap pixel = AffineMap::get(4, 0, {b.getAffineDimExpr(0), b.getAffineDimExpr(1), b.getAffineDimExpr(2)}, ctx);
    Value sum = linalg::GenericOp::create(
                    b, loc, TypeRange{sumT}, ValueRange{partial}, ValueRange{zerosLike(b, loc, sumT)},
                    ArrayRef<AffineMap>{all, pixel},
                    ArrayRef<utils::IteratorType>{utils::IteratorType::parallel, utils::IteratorType::parallel,
                                                  utils::IteratorType::parallel, utils::IteratorType::reduction},
                    [](OpBuilder &nb, Location nl, ValueRange args) {
                      linalg::YieldOp::create(nb, nl, ValueRange{arith::AddFOp::create(nb, nl, args[0], args[1])});
                    })
                    .getResult(0);
    return tensor::ExpandShapeOp::create(b, loc, out, sum, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  }
  return linalg::Conv2DNhwcHwcfOp::create(b, loc, TypeRange{out}, ValueRange{x, w},
                                          ValueRange{zerosLike(b, loc, out)}, i64v(strides), i64v(dilations))
      .getResult(0);
}

struct Conv2DLowering : GnPattern<Conv2DOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(Conv2DOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> p = op.getPadding();
    Value x = padNHWC(rw, loc, a.getX(), p[0], p[1], p[2], p[3]);
    Value y = conv(rw, loc, x, a.getW(), op.getStrides(), op.getDilations(), typeOf(op.getResult()));
    if (a.getBias())
      y = addBias(rw, loc, y, a.getBias());
    rw.replaceOp(op, y);
    return success();
  }
};

// The ops gn-transposed-conv-to-conv expresses transposed convolutions with.

// Zeros with the input at every s-th row and column after the padding: a zero-filled tensor
// and one strided insert_slice (the padding costs nothing more).
struct DilateLowering : GnPattern<DilateOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(DilateOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto xt = typeOf(a.getX());
    ArrayRef<int64_t> s = op.getStrides(), p = op.getPadding();
    SmallVector<OpFoldResult> offsets{rw.getIndexAttr(0), rw.getIndexAttr(p[0]), rw.getIndexAttr(p[2]),
                                      rw.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes;
    for (int64_t v : xt.getShape())
      sizes.push_back(rw.getIndexAttr(v));
    SmallVector<OpFoldResult> strides{rw.getIndexAttr(1), rw.getIndexAttr(s[0]), rw.getIndexAttr(s[1]), rw.getIndexAttr(1)};
    rw.replaceOpWithNewOp<tensor::InsertSliceOp>(op, a.getX(), zerosLike(rw, loc, typeOf(op.getResult())), offsets,
                                                 sizes, strides);
    return success();
  }
};

// One generic reading every tap through a single affine map (flip, step, channel swap).
struct FlipKernelLowering : GnPattern<FlipKernelOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(FlipKernelOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    auto kt = typeOf(op.getResult());
    ArrayRef<int64_t> p = op.getPhase(), s = op.getStep();
    int64_t kh = kt.getDimSize(0), kw = kt.getDimSize(1);
    MLIRContext *ctx = rw.getContext();
    AffineExpr u = getAffineDimExpr(0, ctx), v = getAffineDimExpr(1, ctx), ci = getAffineDimExpr(2, ctx),
               co = getAffineDimExpr(3, ctx);
    AffineMap m = AffineMap::get(4, 0, {(kh - 1 - u) * s[0] + p[0], (kw - 1 - v) * s[1] + p[1], co, ci}, ctx);
    rw.replaceOp(op, generic(rw, op.getLoc(), kt, {a.getW()}, {m},
                             [](OpBuilder &, Location, ValueRange args) { return args[0]; }));
    return success();
  }
};

// Each part written by a strided insert_slice straight into the result. When the parts cover
// every element (a transposed convolution whose kernel is at least its stride), the result
// starts as tensor.empty: no buffer is zero-filled only to be overwritten. Each part is
// inserted right after it is computed, so its buffer is dead before the next part's is
// allocated (the order the sub-pixel parts had when gn-to-linalg lowered transposed
// convolutions itself; all parts alive at once took more memory, and time, per step).
struct InterleaveLowering : GnPattern<InterleaveOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(InterleaveOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto yt = typeOf(op.getResult());
    ArrayRef<int64_t> s = op.getStrides(), off = op.getOffsets();
    Block *block = op->getBlock();
    // The parts in the order they are computed (those from elsewhere first).
    auto position = [&](Value v) -> Operation * {
      Operation *def = v.getDefiningOp();
      return def && def->getBlock() == block ? def : nullptr;
    };
    SmallVector<size_t> order = llvm::to_vector(llvm::seq<size_t>(0, a.getParts().size()));
    llvm::stable_sort(order, [&](size_t i, size_t j) {
      Operation *pi = position(a.getParts()[i]), *pj = position(a.getParts()[j]);
      return pj && (!pi || pi->isBeforeInBlock(pj));
    });
    // The verifier puts parts on distinct residues, so they are disjoint: they cover the
    // result exactly when their pixels add up to its pixels.
    int64_t pixels = 0;
    for (Value part : a.getParts())
      pixels += typeOf(part).getDimSize(1) * typeOf(part).getDimSize(2);
    bool covered = pixels == yt.getDimSize(1) * yt.getDimSize(2);
    OpBuilder::InsertionGuard guard(rw);
    if (Operation *first = position(a.getParts()[order.front()]))
      rw.setInsertionPoint(first);
    Value out = covered ? tensor::EmptyOp::create(rw, loc, yt.getShape(), yt.getElementType()).getResult()
                        : zerosLike(rw, loc, yt);
    SmallVector<OpFoldResult> strides{rw.getIndexAttr(1), rw.getIndexAttr(s[0]), rw.getIndexAttr(s[1]), rw.getIndexAttr(1)};
    for (size_t i : order) {
      Value part = a.getParts()[i];
      Operation *def = position(part);
      if (def && rw.getInsertionPoint() != block->end() && !def->isBeforeInBlock(&*rw.getInsertionPoint()))
        rw.setInsertionPointAfter(def);
      SmallVector<OpFoldResult> dst{rw.getIndexAttr(0), rw.getIndexAttr(off[2 * i]), rw.getIndexAttr(off[2 * i + 1]),
                                    rw.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes;
      for (int64_t v : typeOf(part).getShape())
        sizes.push_back(rw.getIndexAttr(v));
      out = tensor::InsertSliceOp::create(rw, loc, part, out, dst, sizes, strides);
    }
    rw.replaceOp(op, out);
    return success();
  }
};

// The kernel gradient as one contraction over the batch and the output pixels, read in
// place from the NHWC operands: dw[kh, kw, ci, co] = sum over (n, oh, ow) of
// x[n, oh*s + kh*d, ow*s + kw*d, ci] * dy[n, oh, ow, co]. Its schedule (a windowed
// contraction: docs/scheduling.md) puts co in vectors and ci in broadcasts. Lowered as a
// convolution with the batch as its channel instead, both operands had to be transposed
// first: 8% of a ConvAE training step at 4 GB/s.
struct Conv2DFilterGradLowering : GnPattern<Conv2DFilterGradOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(Conv2DFilterGradOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> s = op.getStrides(), p = op.getPadding(), d = op.getDilations();
    Value x = padNHWC(rw, loc, a.getX(), p[0], p[1], p[2], p[3]);
    MLIRContext *ctx = rw.getContext();
    // Loops (co, kh, kw, ci, n, oh, ow): the output channels outermost, so that a register
    // block's column of dy (one image's, a few KB) serves every kernel tap and every block of
    // input channels from L1 before the next column is read.
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineMap xMap = AffineMap::get(7, 0, {dim(4), dim(5) * s[0] + dim(1) * d[0], dim(6) * s[1] + dim(2) * d[1], dim(3)}, ctx);
    AffineMap dyMap = AffineMap::get(7, 0, {dim(4), dim(5), dim(6), dim(0)}, ctx);
    AffineMap dwMap = AffineMap::get(7, 0, {dim(1), dim(2), dim(3), dim(0)}, ctx);
    SmallVector<bool> reduced{false, false, false, false, true, true, true};
    rw.replaceOp(op, reduction(rw, loc, typeOf(op.getResult()), {x, a.getDy()}, {xMap, dyMap}, dwMap, reduced,
                               [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                                 return arith::MulFOp::create(nb, nl, args[0], args[1]);
                               }));
    return success();
  }
};

struct UpsampleLowering : GnPattern<UpsampleOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(UpsampleOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    int64_t f = op.getFactor();
    MLIRContext *ctx = rw.getContext();
    AffineMap m = AffineMap::get(4, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx).floorDiv(f),
                                        getAffineDimExpr(2, ctx).floorDiv(f), getAffineDimExpr(3, ctx)}, ctx);
    rw.replaceOp(op, generic(rw, op.getLoc(), typeOf(op.getResult()), {a.getX()}, {m},
                             [](OpBuilder &, Location, ValueRange args) { return args[0]; }));
    return success();
  }
};

// Any reshape of a row-major tensor: collapse to 1-D, expand to the target.
Value reshape(OpBuilder &b, Location loc, Value x, RankedTensorType to) {
  auto from = typeOf(x);
  if (from == to)
    return x;
  Value flat = x;
  if (from.getRank() != 1) {
    SmallVector<ReassociationIndices> all;
    if (from.getRank() > 0) {
      all.emplace_back();
      for (int64_t i = 0; i < from.getRank(); ++i)
        all.back().push_back(i);
    }
    auto flatT = RankedTensorType::get({from.getNumElements()}, from.getElementType());
    if (from.getRank() == 0)
      flat = tensor::ExpandShapeOp::create(b, loc, flatT, x, ArrayRef<ReassociationIndices>{});
    else
      flat = tensor::CollapseShapeOp::create(b, loc, flatT, x, all);
  }
  if (to.getRank() == 1)
    return flat;
  if (to.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, to, flat, ArrayRef<ReassociationIndices>{});
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < to.getRank(); ++i)
    all[0].push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, to, flat, all);
}

template <typename Op>
struct ReshapeLikeLowering : GnPattern<Op> {
  using GnPattern<Op>::GnPattern;
  LogicalResult matchAndRewrite(Op op, typename Op::Adaptor a, ConversionPatternRewriter &rw) const override {
    rw.replaceOp(op, reshape(rw, op.getLoc(), a.getX(), typeOf(op.getResult())));
    return success();
  }
};

struct TransposeLowering : GnPattern<TransposeOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(TransposeOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    auto out = typeOf(op.getResult());
    Value init = tensor::EmptyOp::create(rw, op.getLoc(), out.getShape(), out.getElementType());
    rw.replaceOp(op, linalg::TransposeOp::create(rw, op.getLoc(), a.getX(), init, op.getPerm()).getResult()[0]);
    return success();
  }
};

struct ConcatLowering : GnPattern<ConcatOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(ConcatOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto out = typeOf(op.getResult());
    Value acc = tensor::EmptyOp::create(rw, loc, out.getShape(), out.getElementType());
    int64_t axis = op.getAxis(), offset = 0;
    for (Value in : a.getInputs()) {
      auto t = typeOf(in);
      SmallVector<OpFoldResult> offs(out.getRank(), rw.getIndexAttr(0)), sizes, strides(out.getRank(), rw.getIndexAttr(1));
      offs[axis] = rw.getIndexAttr(offset);
      for (int64_t v : t.getShape())
        sizes.push_back(rw.getIndexAttr(v));
      acc = tensor::InsertSliceOp::create(rw, loc, in, acc, offs, sizes, strides);
      offset += t.getDimSize(axis);
    }
    rw.replaceOp(op, acc);
    return success();
  }
};

struct SliceLowering : GnPattern<SliceOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(SliceOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    SmallVector<OpFoldResult> offs, sizes, strides;
    for (auto [o, s] : llvm::zip(op.getStart(), op.getSize())) {
      offs.push_back(rw.getIndexAttr(o));
      sizes.push_back(rw.getIndexAttr(s));
      strides.push_back(rw.getIndexAttr(1));
    }
    rw.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, typeOf(op.getResult()), a.getX(), offs, sizes, strides);
    return success();
  }
};

struct PadLowering : GnPattern<PadOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(PadOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    SmallVector<OpFoldResult> low, high;
    for (auto [l, h] : llvm::zip(op.getLow(), op.getHigh())) {
      low.push_back(rw.getIndexAttr(l));
      high.push_back(rw.getIndexAttr(h));
    }
    rw.replaceOpWithNewOp<tensor::PadOp>(op, typeOf(op.getResult()), a.getX(), low, high,
                                         f32Const(rw, op.getLoc(), 0));
    return success();
  }
};

template <typename Op, bool IsMean>
struct ReduceLowering : GnPattern<Op> {
  using GnPattern<Op>::GnPattern;
  LogicalResult matchAndRewrite(Op op, typename Op::Adaptor a, ConversionPatternRewriter &rw) const override {
    auto in = typeOf(a.getX()), out = typeOf(op.getResult());
    ArrayRef<int64_t> axes = op.getAxes();
    SmallVector<bool> reduced;
    SmallVector<AffineExpr> outExprs;
    for (int64_t d = 0; d < in.getRank(); ++d) {
      bool r = axes.empty() || llvm::is_contained(axes, d);
      reduced.push_back(r);
      if (!r)
        outExprs.push_back(rw.getAffineDimExpr(d));
    }
    double scale = IsMean ? (double)out.getNumElements() / (double)in.getNumElements() : 1.0;
    Value y = reduction(rw, op.getLoc(), out, {a.getX()}, {rw.getMultiDimIdentityMap(in.getRank())},
                        AffineMap::get(in.getRank(), 0, outExprs, rw.getContext()), reduced,
                        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                          return IsMean ? arith::MulFOp::create(b, l, args[0], f32Const(b, l, scale)).getResult()
                                        : args[0];
                        });
    rw.replaceOp(op, y);
    return success();
  }
};

template <typename Op, LossKind Kind>
struct LossLowering : GnPattern<Op> {
  using GnPattern<Op>::GnPattern;
  LogicalResult matchAndRewrite(Op op, typename Op::Adaptor a, ConversionPatternRewriter &rw) const override {
    Value x = a.getOperands()[0], t = a.getOperands()[1];
    auto in = typeOf(x);
    double inv = 1.0 / reductionCount(op.getReduction(), in);
    SmallVector<bool> reduced(in.getRank(), true);
    AffineMap id = rw.getMultiDimIdentityMap(in.getRank());
    Value y = reduction(rw, op.getLoc(), typeOf(op.getResult()), {x, t}, {id, id},
                        AffineMap::get(in.getRank(), 0, {}, rw.getContext()), reduced,
                        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                          return arith::MulFOp::create(b, l, lossTerm(b, l, Kind, args[0], args[1]), f32Const(b, l, inv));
                        });
    rw.replaceOp(op, y);
    return success();
  }
};

struct LossGradLowering : GnPattern<LossGradOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(LossGradOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    auto t = typeOf(op.getResult());
    double inv = 1.0 / reductionCount(op.getReduction(), t);
    LossKind kind = op.getKind();
    int64_t wrt = op.getWrt();
    rw.replaceOp(op, elementwise(rw, op.getLoc(), t, {a.getA(), a.getB(), a.getDloss()},
                                 [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                                   Value g = lossDerivative(b, l, kind, wrt, args[0], args[1]);
                                   Value s = arith::MulFOp::create(b, l, args[2], f32Const(b, l, inv));
                                   return arith::MulFOp::create(b, l, g, s);
                                 }));
    return success();
  }
};

struct GatherLowering : GnPattern<GatherOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(GatherOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    Value table = a.getTable();
    rw.replaceOp(op, elementwise(rw, op.getLoc(), typeOf(op.getResult()), {a.getIndices()},
                                 [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                                   Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
                                   return tensor::ExtractOp::create(b, l, table, ValueRange{i});
                                 }));
    return success();
  }
};

// ---- random numbers ---------------------------------------------------------------------

std::array<Value, 2> keyWords(OpBuilder &b, Location loc, Value key) {
  Value i0 = arith::ConstantIndexOp::create(b, loc, 0), i1 = arith::ConstantIndexOp::create(b, loc, 1);
  return {tensor::ExtractOp::create(b, loc, key, ValueRange{i0}), tensor::ExtractOp::create(b, loc, key, ValueRange{i1})};
}

// The runtime function `name` (runtime/GncAbi.h), declared at the top of the module once.
func::FuncOp runtimeFunction(OpBuilder &b, Operation *from, StringRef name, FunctionType type) {
  auto module = from->getParentOfType<ModuleOp>();
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto f = func::FuncOp::create(b, module.getLoc(), name, type);
  f.setPrivate();
  return f;
}

// Element bits at the row-major index of the current linalg.generic iteration, plus `offset`
// (an i64, or null for 0).
std::array<Value, 4> elementBits(OpBuilder &b, Location loc, RankedTensorType t, std::array<Value, 2> key,
                                 int64_t stream, Value offset) {
  Value lin = arith::ConstantIndexOp::create(b, loc, 0);
  for (int64_t d = 0; d < t.getRank(); ++d) {
    Value idx = linalg::IndexOp::create(b, loc, d);
    lin = arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, lin, arith::ConstantIndexOp::create(b, loc, t.getDimSize(d))), idx);
  }
  Value l64 = arith::IndexCastUIOp::create(b, loc, b.getI64Type(), lin);
  if (offset)
    l64 = arith::AddIOp::create(b, loc, l64, offset);
  Value lo = arith::TruncIOp::create(b, loc, b.getI32Type(), l64);
  Value hi = arith::TruncIOp::create(
      b, loc, b.getI32Type(), arith::ShRUIOp::create(b, loc, l64, arith::ConstantIntOp::create(b, loc, 32, 64)));
  Value s = arith::ConstantIntOp::create(b, loc, (int32_t)stream, 32);
  Value z = arith::ConstantIntOp::create(b, loc, 0, 32);
  return gnc::codegen::emitPhilox(b, loc, {lo, hi, s, z}, key);
}

template <typename Op>
struct RandomLowering : GnPattern<Op> {
  using GnPattern<Op>::GnPattern;
  LogicalResult matchAndRewrite(Op op, typename Op::Adaptor a, ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto t = typeOf(op.getResult());
    auto key = keyWords(rw, loc, a.getKey());
    int64_t stream = op.getStream();
    // gn.shard (gn-data-parallel): process r draws rows r*B.. of the global batch.
    Value offset;
    if (GnDialect::ShardAttrHelper(op->getContext()).getAttr(op)) {
      auto rankFn = runtimeFunction(rw, op, "gnc_comm_rank", rw.getFunctionType({}, {rw.getI32Type()}));
      Value rank = func::CallOp::create(rw, loc, rankFn, ValueRange{}).getResult(0);
      offset = arith::MulIOp::create(rw, loc, arith::ExtUIOp::create(rw, loc, rw.getI64Type(), rank),
                                     arith::ConstantIntOp::create(rw, loc, t.getNumElements(), 64));
    }
    rw.replaceOp(op, elementwise(rw, loc, t, {}, [&](OpBuilder &b, Location l, ValueRange) -> Value {
      auto w = elementBits(b, l, t, key, stream, offset);
      return sample(b, l, op, w);
    }));
    return success();
  }
  static Value sample(OpBuilder &b, Location l, NormalOp op, std::array<Value, 4> w) {
    Value u1 = arith::SubFOp::create(b, l, f32Const(b, l, 1), gnc::codegen::emitUnitFloat(b, l, w[0]));
    Value u2 = gnc::codegen::emitUnitFloat(b, l, w[1]);
    Value r = math::SqrtOp::create(b, l, arith::MulFOp::create(b, l, f32Const(b, l, -2), math::LogOp::create(b, l, u1)));
    Value c = math::CosOp::create(b, l, arith::MulFOp::create(b, l, f32Const(b, l, 6.2831853071795864), u2));
    Value z = arith::MulFOp::create(b, l, r, c);
    return arith::AddFOp::create(b, l, f32Const(b, l, op.getMean().convertToDouble()),
                                 arith::MulFOp::create(b, l, f32Const(b, l, op.getStd().convertToDouble()), z));
  }
  static Value sample(OpBuilder &b, Location l, UniformOp op, std::array<Value, 4> w) {
    double lo = op.getLow().convertToDouble(), hi = op.getHigh().convertToDouble();
    return arith::AddFOp::create(b, l, f32Const(b, l, lo),
                                 arith::MulFOp::create(b, l, f32Const(b, l, hi - lo), gnc::codegen::emitUnitFloat(b, l, w[0])));
  }
  static Value sample(OpBuilder &b, Location l, RandintOp op, std::array<Value, 4> w) {
    int64_t lo = (int64_t)op.getLow(), hi = (int64_t)op.getHigh();
    Value w64 = arith::ExtUIOp::create(b, l, b.getI64Type(), w[0]);
    Value prod = arith::MulIOp::create(b, l, w64, arith::ConstantIntOp::create(b, l, hi - lo, 64));
    Value q = arith::ShRUIOp::create(b, l, prod, arith::ConstantIntOp::create(b, l, 32, 64));
    Value r = arith::AddIOp::create(b, l, q, arith::ConstantIntOp::create(b, l, lo, 64));
    return arith::TruncIOp::create(b, l, b.getI32Type(), r);
  }
  static Value sample(OpBuilder &b, Location l, DropoutMaskOp op, std::array<Value, 4> w) {
    double p = op.getP().convertToDouble();
    Value u = gnc::codegen::emitUnitFloat(b, l, w[0]);
    Value drop = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, u, f32Const(b, l, p));
    return arith::SelectOp::create(b, l, drop, f32Const(b, l, 0), f32Const(b, l, 1.0 / (1.0 - p)));
  }
};

struct FoldInLowering : GnPattern<RngFoldInOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(RngFoldInOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto key = keyWords(rw, loc, a.getKey());
    Value data = tensor::ExtractOp::create(rw, loc, a.getData(), ValueRange{});
    auto c = [&](uint32_t v) { return arith::ConstantIntOp::create(rw, loc, (int32_t)v, 32).getResult(); };
    auto w = gnc::codegen::emitPhilox(rw, loc, {data, c(0), c(0x9E3779B9u), c(1)}, key);
    rw.replaceOpWithNewOp<tensor::FromElementsOp>(op, typeOf(op.getResult()), ValueRange{w[0], w[1]});
    return success();
  }
};

// ---- data parallelism ----------------------------------------------------------------------

// The runtime reduces a buffer in place; the op's operand is a value that may have other uses,
// so the call works on a copy, which then becomes the result (restrict: nothing else aliases it).
struct AllReduceLowering : GnPattern<AllReduceOp> {
  using GnPattern::GnPattern;
  LogicalResult matchAndRewrite(AllReduceOp op, Adaptor a, ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto t = typeOf(op.getResult());
    auto memrefType = MemRefType::get(t.getShape(), t.getElementType());
    Value src = bufferization::ToBufferOp::create(rw, loc, memrefType, a.getX(), /*readOnly=*/true);
    Value buf = memref::AllocOp::create(rw, loc, memrefType, rw.getI64IntegerAttr(64));
    memref::CopyOp::create(rw, loc, src, buf);
    Value address = memref::ExtractAlignedPointerAsIndexOp::create(rw, loc, buf);
    Value address64 = arith::IndexCastUIOp::create(rw, loc, rw.getI64Type(), address);
    Value ptr = LLVM::IntToPtrOp::create(rw, loc, LLVM::LLVMPointerType::get(rw.getContext()), address64);
    auto fn = runtimeFunction(rw, op, "gnc_all_reduce_f32",
                              rw.getFunctionType({LLVM::LLVMPointerType::get(rw.getContext()),
                                                  rw.getI64Type(), rw.getI32Type()},
                                                 {}));
    Value n = arith::ConstantIntOp::create(rw, loc, t.getNumElements(), 64);
    Value mean = arith::ConstantIntOp::create(rw, loc, op.getReduction() == ProcessReduction::Mean ? 1 : 0, 32);
    func::CallOp::create(rw, loc, fn, ValueRange{ptr, n, mean});
    rw.replaceOpWithNewOp<bufferization::ToTensorOp>(op, t, buf, /*restrict=*/true, /*writable=*/true);
    return success();
  }
};

struct GnToLinalgPass : gnc::impl::GnToLinalgBase<GnToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Transposed convolutions are rewritten on the gn dialect, where their form is chosen;
    // reaching this pass, one has skipped that stage.
    WalkResult unrewritten = getOperation().walk([](Conv2DTransposeOp op) {
      op.emitOpError("reaches gn-to-linalg: gn-transposed-conv-to-conv (stage `conv`) rewrites "
                     "transposed convolutions as convolutions first");
      return WalkResult::interrupt();
    });
    if (unrewritten.wasInterrupted())
      return signalPassFailure();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<GnDialect>();
    target.addLegalOp<ParamOp>(); // declarations of the state; the ABI is in func arguments
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect, arith::ArithDialect,
                           math::MathDialect, scf::SCFDialect, func::FuncDialect,
                           memref::MemRefDialect, bufferization::BufferizationDialect,
                           LLVM::LLVMDialect>();
    RewritePatternSet patterns(ctx);
#define UNARY(OP, EXPR)                                                                            \
  patterns.add<UnaryLowering<OP>>(ctx, [](OpBuilder &b, Location l, Value x, OP op) -> Value {    \
    (void)op;                                                                                      \
    return EXPR;                                                                                   \
  })
    UNARY(ReluOp, arith::MaximumFOp::create(b, l, x, f32Const(b, l, 0)));
    UNARY(SigmoidOp, sigmoid(b, l, x));
    UNARY(TanhOp, math::TanhOp::create(b, l, x));
    UNARY(SoftplusOp, softplus(b, l, x));
    UNARY(ExpOp, math::ExpOp::create(b, l, x));
    UNARY(LogOp, math::LogOp::create(b, l, x));
    UNARY(SqrtOp, math::SqrtOp::create(b, l, x));
    UNARY(SinOp, math::SinOp::create(b, l, x));
    UNARY(CosOp, math::CosOp::create(b, l, x));
    UNARY(NegOp, arith::NegFOp::create(b, l, x));
    UNARY(SquareOp, arith::MulFOp::create(b, l, x, x));
    UNARY(AbsOp, math::AbsFOp::create(b, l, x));
    UNARY(StepOp, arith::SelectOp::create(b, l,
                                          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, f32Const(b, l, 0)),
                                          f32Const(b, l, 1), f32Const(b, l, 0)));
    UNARY(LeakyReluOp, arith::SelectOp::create(
                           b, l, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, f32Const(b, l, 0)), x,
                           arith::MulFOp::create(b, l, x, f32Const(b, l, op.getAlpha().convertToDouble()))));
    UNARY(ClampOp, arith::MinimumFOp::create(
                       b, l, arith::MaximumFOp::create(b, l, x, f32Const(b, l, op.getMin().convertToDouble())),
                       f32Const(b, l, op.getMax().convertToDouble())));
    UNARY(ToFloatOp, arith::SIToFPOp::create(b, l, b.getF32Type(), x));
#undef UNARY
    patterns.add<BinaryLowering<AddOp, arith::AddFOp>, BinaryLowering<SubOp, arith::SubFOp>,
                 BinaryLowering<MulOp, arith::MulFOp>, BinaryLowering<DivOp, arith::DivFOp>,
                 ConstantLowering, StopGradientLowering, BroadcastLowering, MatmulLowering, DenseLowering,
                 Conv2DLowering, DilateLowering, FlipKernelLowering, InterleaveLowering, Conv2DFilterGradLowering, UpsampleLowering,
                 ReshapeLikeLowering<ReshapeOp>, ReshapeLikeLowering<FlattenOp>, TransposeLowering,
                 ConcatLowering, SliceLowering, PadLowering, ReduceLowering<SumOp, false>,
                 ReduceLowering<MeanOp, true>, LossLowering<MseOp, LossKind::Mse>,
                 LossLowering<BceOp, LossKind::Bce>, LossLowering<BceWithLogitsOp, LossKind::BceWithLogits>,
                 LossLowering<KlNormalOp, LossKind::KlNormal>, LossGradLowering, GatherLowering,
                 RandomLowering<NormalOp>, RandomLowering<UniformOp>, RandomLowering<RandintOp>,
                 RandomLowering<DropoutMaskOp>, FoldInLowering, AllReduceLowering>(ctx);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
