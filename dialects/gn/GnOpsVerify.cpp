// Shape rules (result-type inference) and verifiers of the gn ops. Shape rules come from
// GnShapes (shared with the front end); their messages become the ops' error messages.
#include "dialects/gn/GnOps.h"
#include "dialects/gn/GnOptimizers.h"
#include "dialects/gn/GnShapes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::gn;
namespace shapes = ::gn::shapes;
using shapes::Shape;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {

// The shape of a statically shaped ranked tensor value (nullopt and `err` otherwise).
std::optional<Shape> shapeOf(Value v, std::string &err) {
  auto type = v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
  if (!type || !type.hasStaticShape()) {
    err = "expects statically shaped tensor operands";
    return std::nullopt;
  }
  return Shape(type.getShape().begin(), type.getShape().end());
}

Shape shapeOf(Type type) {
  auto shape = cast<ShapedType>(type).getShape();
  return Shape(shape.begin(), shape.end());
}

Type f32Tensor(MLIRContext *ctx, const std::optional<Shape> &shape) {
  return shape ? RankedTensorType::get(*shape, Float32Type::get(ctx)) : Type();
}

// Applies `rule` to the shapes of `operands`; the result is an f32 tensor of the shape it gives.
template <typename Rule>
Type inferF32(ValueRange operands, std::string &err, Rule rule) {
  std::vector<Shape> in;
  for (Value v : operands) {
    auto s = shapeOf(v, err);
    if (!s)
      return {};
    in.push_back(std::move(*s));
  }
  std::optional<Shape> out = rule(in);
  if (!out || operands.empty())
    return {};
  return f32Tensor(operands.front().getContext(), out);
}

std::vector<int64_t> vec(ArrayRef<int64_t> a) { return {a.begin(), a.end()}; }

std::optional<shapes::Conv2DParams> convParams(ArrayRef<int64_t> strides,
                                               ArrayRef<int64_t> padding,
                                               ArrayRef<int64_t> dilations,
                                               const ArrayRef<int64_t> *outPad,
                                               std::string &err) {
  if (strides.size() != 2 || padding.size() != 4 || dilations.size() != 2 ||
      (outPad && outPad->size() != 2)) {
    err = std::string("expects strides [sH, sW], padding [top, bottom, left, right], ") +
          (outPad ? "output_padding [h, w], " : "") + "dilations [dH, dW]";
    return std::nullopt;
  }
  shapes::Conv2DParams p;
  p.strideH = strides[0], p.strideW = strides[1];
  p.padTop = padding[0], p.padBottom = padding[1], p.padLeft = padding[2],
  p.padRight = padding[3];
  p.dilationH = dilations[0], p.dilationW = dilations[1];
  if (outPad)
    p.outPadH = (*outPad)[0], p.outPadW = (*outPad)[1];
  return p;
}

const Shape *optionalAt(const std::vector<Shape> &s, size_t i) {
  return i < s.size() ? &s[i] : nullptr;
}

} // namespace

LogicalResult mlir::gn::detail::verifyResultType(Operation *op, Type inferred,
                                                 const std::string &err) {
  if (!inferred)
    return op->emitOpError(err);
  Type actual = op->getResult(0).getType();
  if (actual != inferred)
    return op->emitOpError("result type ")
           << actual << " does not match the inferred type " << inferred;
  return success();
}

Type mlir::gn::detail::sameType(Value lhs, Value rhs, std::string &err) {
  if (lhs.getType() != rhs.getType()) {
    err = "operands must have the same type (broadcast explicitly with gn.broadcast)";
    return {};
  }
  return lhs.getType();
}

Type mlir::gn::detail::reduceType(Value x, ArrayRef<int64_t> axes, std::string &err) {
  return inferF32(x, err, [&](auto &s) { return shapes::reduce(s[0], vec(axes), err); });
}

Type mlir::gn::detail::lossType(ValueRange operands, std::string &err) {
  return inferF32(operands, err, [&](auto &s) { return shapes::loss(s[0], s[1], err); });
}

//===----------------------------------------------------------------------===//
// Result-type inference (see GnInferResultType in GnOps.td)
//===----------------------------------------------------------------------===//

Type ConstantOp::inferResultType(Adaptor adaptor, std::string &err) {
  if (!adaptor.getValue()) {
    err = "expects a value";
    return {};
  }
  return adaptor.getValue().getShapedType();
}

Type LeakyReluOp::inferResultType(Adaptor adaptor, std::string &) {
  return adaptor.getX().getType();
}

Type ToFloatOp::inferResultType(Adaptor adaptor, std::string &err) {
  return inferF32(adaptor.getX(), err, [](auto &s) { return s[0]; });
}

Type MatmulOp::inferResultType(Adaptor adaptor, std::string &err) {
  return inferF32(adaptor.getOperands(), err,
                  [&](auto &s) { return shapes::matmul(s[0], s[1], err); });
}

Type DenseOp::inferResultType(Adaptor adaptor, std::string &err) {
  return inferF32(adaptor.getOperands(), err, [&](auto &s) {
    return shapes::dense(s[0], s[1], optionalAt(s, 2), err);
  });
}

Type Conv2DOp::inferResultType(Adaptor adaptor, std::string &err) {
  auto p = convParams(adaptor.getStrides(), adaptor.getPadding(), adaptor.getDilations(),
                      nullptr, err);
  if (!p)
    return {};
  return inferF32(adaptor.getOperands(), err, [&](auto &s) {
    return shapes::conv2d(s[0], s[1], optionalAt(s, 2), *p, err);
  });
}

Type Conv2DTransposeOp::inferResultType(Adaptor adaptor, std::string &err) {
  ArrayRef<int64_t> outPad = adaptor.getOutputPadding();
  auto p = convParams(adaptor.getStrides(), adaptor.getPadding(), adaptor.getDilations(),
                      &outPad, err);
  if (!p)
    return {};
  return inferF32(adaptor.getOperands(), err, [&](auto &s) {
    return shapes::conv2dTranspose(s[0], s[1], optionalAt(s, 2), *p, err);
  });
}

Type Conv2DFilterGradOp::inferResultType(Adaptor adaptor, std::string &err) {
  auto p = convParams(adaptor.getStrides(), adaptor.getPadding(), adaptor.getDilations(),
                      nullptr, err);
  if (!p)
    return {};
  ArrayRef<int64_t> k = adaptor.getKernel();
  if (k.size() != 2) {
    err = "expects kernel [KH, KW]";
    return {};
  }
  return inferF32(adaptor.getOperands(), err, [&](auto &s) {
    return shapes::conv2dFilterGrad(s[0], s[1], k[0], k[1], *p, err);
  });
}

Type PadOp::inferResultType(Adaptor adaptor, std::string &err) {
  return inferF32(adaptor.getOperands(), err, [&](auto &s) {
    return shapes::pad(s[0], vec(adaptor.getLow()), vec(adaptor.getHigh()), err);
  });
}

Type StepOp::inferResultType(Adaptor adaptor, std::string &) {
  return adaptor.getX().getType();
}

Type ClampOp::inferResultType(Adaptor adaptor, std::string &err) {
  if (!(adaptor.getMin().convertToDouble() <= adaptor.getMax().convertToDouble())) {
    err = "min must not exceed max";
    return {};
  }
  return adaptor.getX().getType();
}

Type LossGradOp::inferResultType(Adaptor adaptor, std::string &err) {
  if (adaptor.getWrt() > 1) {
    err = "wrt must be 0 or 1";
    return {};
  }
  if (!detail::lossType(ValueRange{adaptor.getA(), adaptor.getB()}, err))
    return {};
  return adaptor.getA().getType();
}

Type GroupNormOp::inferResultType(Adaptor adaptor, std::string &err) {
  if (!(adaptor.getEps().convertToDouble() > 0)) {
    err = "eps must be positive";
    return {};
  }
  int64_t groups = adaptor.getGroups();
  return inferF32(adaptor.getOperands(), err, [&](auto &s) {
    return shapes::groupNorm(s[0], s[1], s[2], groups, err);
  });
}

Type UpsampleOp::inferResultType(Adaptor adaptor, std::string &err) {
  int64_t factor = adaptor.getFactor();
  return inferF32(adaptor.getX(), err,
                  [&](auto &s) { return shapes::upsample(s[0], factor, err); });
}

Type FlattenOp::inferResultType(Adaptor adaptor, std::string &err) {
  return inferF32(adaptor.getX(), err, [&](auto &s) { return shapes::flatten(s[0], err); });
}

Type TransposeOp::inferResultType(Adaptor adaptor, std::string &err) {
  auto perm = vec(adaptor.getPerm());
  return inferF32(adaptor.getX(), err,
                  [&](auto &s) { return shapes::transpose(s[0], perm, err); });
}

Type ConcatOp::inferResultType(Adaptor adaptor, std::string &err) {
  int64_t axis = adaptor.getAxis();
  if (adaptor.getInputs().empty()) {
    err = "concat needs at least one operand";
    return {};
  }
  return inferF32(adaptor.getInputs(), err,
                  [&](auto &s) { return shapes::concat(s, axis, err); });
}

Type SliceOp::inferResultType(Adaptor adaptor, std::string &err) {
  auto start = vec(adaptor.getStart()), size = vec(adaptor.getSize());
  return inferF32(adaptor.getX(), err,
                  [&](auto &s) { return shapes::slice(s[0], start, size, err); });
}

Type DilateOp::inferResultType(Adaptor adaptor, std::string &err) {
  auto strides = vec(adaptor.getStrides()), padding = vec(adaptor.getPadding());
  return inferF32(adaptor.getX(), err,
                  [&](auto &s) { return shapes::dilate(s[0], strides, padding, err); });
}

Type FlipKernelOp::inferResultType(Adaptor adaptor, std::string &err) {
  auto phase = vec(adaptor.getPhase()), step = vec(adaptor.getStep());
  return inferF32(adaptor.getW(), err,
                  [&](auto &s) { return shapes::flipKernel(s[0], phase, step, err); });
}

Type GatherOp::inferResultType(Adaptor adaptor, std::string &err) {
  return inferF32(adaptor.getOperands(), err,
                  [&](auto &s) { return shapes::gather(s[0], s[1], err); });
}

Type RngFoldInOp::inferResultType(Adaptor adaptor, std::string &) {
  return adaptor.getKey().getType();
}

//===----------------------------------------------------------------------===//
// Ops with a given result type
//===----------------------------------------------------------------------===//

LogicalResult BroadcastOp::verify() {
  Shape from = shapeOf(getX().getType()), to = shapeOf(getType());
  if (!shapes::broadcastsTo(from, to))
    return emitOpError("cannot broadcast ") << shapes::str(from) << " to " << shapes::str(to);
  return success();
}

LogicalResult ReshapeOp::verify() {
  std::string err;
  if (!shapes::reshape(shapeOf(getX().getType()), shapeOf(getType()), err))
    return emitOpError(err);
  return success();
}

LogicalResult InterleaveOp::verify() {
  std::vector<Shape> parts;
  for (Value v : getParts())
    parts.push_back(shapeOf(v.getType()));
  std::string err = shapes::interleave(parts, vec(getStrides()), vec(getOffsets()), shapeOf(getType()));
  if (!err.empty())
    return emitOpError(err);
  return success();
}

// Random ops: the stream is a non-negative id; the distribution's parameters are checked
// by each op.
static LogicalResult verifyRandom(Operation *op, uint64_t stream, bool paramsOk,
                                  const char *paramsRule) {
  if (static_cast<int64_t>(stream) < 0)
    return op->emitOpError("stream must be non-negative");
  if (!paramsOk)
    return op->emitOpError(paramsRule);
  return success();
}

LogicalResult NormalOp::verify() {
  return verifyRandom(*this, getStream(), getStd().convertToDouble() > 0,
                      "std must be positive");
}

LogicalResult UniformOp::verify() {
  return verifyRandom(*this, getStream(),
                      getLow().convertToDouble() < getHigh().convertToDouble(),
                      "low must be smaller than high");
}

LogicalResult RandintOp::verify() {
  auto low = static_cast<int64_t>(getLow()), high = static_cast<int64_t>(getHigh());
  return verifyRandom(*this, getStream(),
                      low < high && low >= INT32_MIN && high - 1 <= INT32_MAX,
                      "low must be smaller than high, both within the i32 range");
}

LogicalResult DropoutMaskOp::verify() {
  double p = getP().convertToDouble();
  return verifyRandom(*this, getStream(), p >= 0 && p < 1, "p must be in [0, 1)");
}

//===----------------------------------------------------------------------===//
// Parameters and optimizer steps
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  StringRef init = getInit();
  if (!llvm::is_contained({"zeros", "ones", "uniform", "normal"}, init))
    return emitOpError("init must be \"zeros\", \"ones\", \"uniform\" or \"normal\", got \"")
           << init << "\"";
  bool random = init == "uniform" || init == "normal";
  if (random && !getScale())
    return emitOpError("init \"") << init << "\" needs a scale";
  if (!random && getScale())
    return emitOpError("init \"") << init << "\" takes no scale";
  if (random && !(getScale()->convertToDouble() > 0))
    return emitOpError("scale must be positive");
  std::string err;
  if (!shapes::validShape(shapeOf(getType()), err))
    return emitOpError(err);
  return success();
}

// The gn.param named `sym`, or null after reporting why there is none.
static ParamOp lookupParam(Operation *user, SymbolTableCollection &tables,
                           FlatSymbolRefAttr sym) {
  Operation *def = tables.lookupNearestSymbolFrom(user, sym.getAttr());
  if (!def)
    user->emitOpError("refers to an undefined parameter ") << sym;
  else if (!isa<ParamOp>(def))
    user->emitOpError() << sym << " is not a gn.param";
  return dyn_cast_or_null<ParamOp>(def);
}

LogicalResult ParamRefOp::verifySymbolUses(SymbolTableCollection &tables) {
  ParamOp param = lookupParam(*this, tables, getNameAttr());
  if (!param)
    return failure();
  if (param.getType() != getType())
    return emitOpError("type ") << getType() << " does not match the type " << param.getType()
                                << " of parameter " << getNameAttr();
  return success();
}

LogicalResult MinimizeOp::verifySymbolUses(SymbolTableCollection &tables) {
  for (Attribute p : getParams())
    if (!lookupParam(*this, tables, cast<FlatSymbolRefAttr>(p)))
      return failure();
  return success();
}

LogicalResult MinimizeOp::verify() {
  const Optimizer *opt = findOptimizer(getOptimizer());
  if (!opt) {
    std::string names;
    for (auto [i, o] : llvm::enumerate(optimizers()))
      names += (i == 0 ? "\"" : i + 1 == optimizers().size() ? " or \"" : ", \"") +
               o.name.str() + "\"";
    return emitOpError("optimizer must be ") << names << ", got \"" << getOptimizer() << "\"";
  }
  if (!getHyper().get("lr"))
    return emitOpError("hyperparameters need lr");
  for (NamedAttribute h : getHyper()) {
    StringRef name = h.getName().strref();
    const Hyperparameter *spec = opt->find(name);
    if (!spec)
      return emitOpError("optimizer \"") << getOptimizer() << "\" has no hyperparameter "
                                         << name;
    bool isBool = spec->range == Hyperparameter::Range::Bool;
    auto f = dyn_cast<FloatAttr>(h.getValue());
    bool ok = isBool ? isa<BoolAttr>(h.getValue()) : f && f.getType().isF64();
    if (!ok)
      return emitOpError("hyperparameter ") << name << " must be " << (isBool ? "a bool" : "f64");
    if (f && !spec->valid(f.getValueAsDouble()))
      return emitOpError("hyperparameter ") << name << " is out of range: " << f.getValueAsDouble();
  }
  if (getNets().empty())
    return emitOpError("needs at least one net");
  llvm::StringSet<> nets;
  for (Attribute n : getNets())
    if (!nets.insert(cast<StringAttr>(n).getValue()).second)
      return emitOpError("lists net \"") << cast<StringAttr>(n).getValue() << "\" twice";
  llvm::StringSet<> params;
  for (Attribute p : getParams())
    if (!params.insert(cast<FlatSymbolRefAttr>(p).getValue()).second)
      return emitOpError("lists parameter ") << p << " twice";
  return success();
}
