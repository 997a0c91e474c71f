// Layers (dense, conv2d, conv2d_transpose, group_norm): each declares its parameters as
// gn.param symbols named NET.KIND_N.weight|bias, initialized as PyTorch's layers are.
#include "compiler/Lowering.h"

#include <cmath>
#include <tuple>

using namespace mlir;
using llvm::SMLoc;

namespace gnc::lowering {

Value Lowering::paramRef(llvm::StringRef name, Type type, SMLoc l) {
  return mlir::gn::ParamRefOp::create(b, loc(l), type, name);
}

Value Lowering::declareParam(const std::string &layer, const char *suffix, const Shape &shape,
                             const std::string &init, double scale, SMLoc l) {
  const std::string &net = fc->net->ast->name;
  std::string name = net + "." + layer + "." + suffix;
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToEnd(module.getBody());
    bool random = init == "uniform" || init == "normal";
    mlir::gn::ParamOp::create(b, loc(l), name, tensorTy(shape), init,
                              random ? b.getF64FloatAttr(scale) : FloatAttr());
  }
  paramOwner[name] = net;
  nets[net].params.push_back(name);
  return paramRef(name, tensorTy(shape), l);
}

bool Lowering::weightInit(const Expr *initE, int64_t fanIn, int64_t fanOut, std::string &init,
                          double &scale) {
  auto name = evalString(initE, "default", "init");
  if (!name)
    return false;
  if (*name == "default") {
    init = "uniform";
    scale = 1.0 / std::sqrt((double)fanIn);
  } else if (*name == "he_uniform") {
    init = "uniform";
    scale = std::sqrt(6.0 / (double)fanIn);
  } else if (*name == "glorot_uniform") {
    init = "uniform";
    scale = std::sqrt(6.0 / (double)(fanIn + fanOut));
  } else if (*name == "zeros") {
    init = "zeros";
    scale = 0;
  } else {
    return fail(initE->loc, "unknown initializer '" + *name +
                                "' (available: default, he_uniform, glorot_uniform, zeros)");
  }
  return true;
}

std::optional<Val> Lowering::dense(const BuiltinCall &c, const std::string &layer,
                                   Value x) {
  const Expr &e = c.e;
  const auto &a = c.args;
  std::string err;
  auto units = evalInt(a[1], 0, "units");
  auto bias = evalBool(a[2], true, "bias");
  if (!units || !bias)
    return std::nullopt;
  if (*units <= 0 || *units > (1 << 24)) {
    fail(a[1]->loc, "dense needs a positive number of units, got " + std::to_string(*units));
    return std::nullopt;
  }
  Shape xs = shapeOf(x);
  if (xs.size() != 2) {
    fail(a[0]->loc, "dense expects a 2-D input [B, features], got " + ::gn::shapes::str(xs) +
                        (xs.size() > 2 ? " (flatten it first)" : ""));
    return std::nullopt;
  }
  Shape ws{xs[1], *units};
  if (!checkSize(ws, e.loc) || !checkSize({xs[0], *units}, e.loc))
    return std::nullopt;
  std::string init;
  double scale;
  if (!weightInit(a[3], xs[1], *units, init, scale))
    return std::nullopt;
  Value w = declareParam(layer, "weight", ws, init, scale, e.loc);
  Shape bs{*units};
  Value bv;
  if (*bias)
    bv = declareParam(layer, "bias", bs, "uniform", 1.0 / std::sqrt((double)xs[1]), e.loc);
  auto out = ::gn::shapes::dense(xs, ws, *bias ? &bs : nullptr, err);
  if (!out) {
    fail(e.loc, err);
    return std::nullopt;
  }
  return Val::tensor(mlir::gn::DenseOp::create(b, loc(e.loc), tensorTy(*out), x, w, bv));
}

// conv2d and conv2d_transpose (whose arguments add output_padding).
std::optional<Val> Lowering::conv2d(const BuiltinCall &c, const std::string &layer,
                                    Value x) {
  const Expr &e = c.e;
  const auto &a = c.args;
  std::string err;
  bool transposed = e.text == "conv2d_transpose";
  auto filters = evalInt(a[1], 0, "filters");
  auto k = evalInt(a[2], 3, "kernel");
  auto s = evalInt(a[3], 1, "stride");
  auto d = evalInt(a[5], 1, "dilation");
  auto bias = evalBool(a[6], true, "bias");
  auto op = transposed ? evalInt(a[8], 0, "output_padding") : std::optional<int64_t>(0);
  if (!filters || !k || !s || !d || !bias || !op)
    return std::nullopt;
  Shape xs = shapeOf(x);
  if (xs.size() != 4) {
    fail(a[0]->loc, e.text + " expects a 4-D NHWC input [B, H, W, C], got " + ::gn::shapes::str(xs) +
                        (xs.size() == 2 ? " (reshape it first)" : ""));
    return std::nullopt;
  }
  if (*filters <= 0 || *filters > (1 << 20)) {
    fail(a[1]->loc, e.text + " needs a positive number of filters");
    return std::nullopt;
  }
  if (*k <= 0 || *k > 64) {
    fail(a[2] ? a[2]->loc : e.loc, "kernel size must be between 1 and 64, got " + std::to_string(*k));
    return std::nullopt;
  }
  for (auto [v, arg, what] : {std::make_tuple(*s, a[3], "stride"),
                              std::make_tuple(*d, a[5], "dilation")})
    if (v <= 0 || v > (1 << 24)) {
      fail(arg ? arg->loc : e.loc, std::string(what) + " must be between 1 and 16777216, got " +
                                       std::to_string(v));
      return std::nullopt;
    }
  int64_t pad = 0;
  if (a[4] && a[4]->kind != Expr::String) {
    auto p = evalInt(a[4], 0, "padding");
    if (!p)
      return std::nullopt;
    pad = *p;
    if (pad < 0 || pad > (1 << 24)) {
      fail(a[4]->loc, pad < 0 ? "padding must not be negative" : "padding is too large");
      return std::nullopt;
    }
  } else {
    auto mode = evalString(a[4], "same", "padding");
    if (!mode)
      return std::nullopt;
    if (*mode == "same") {
      if ((*d * (*k - 1)) % 2 != 0) {
        fail(a[4] ? a[4]->loc : e.loc, "'same' padding needs an odd kernel size");
        return std::nullopt;
      }
      pad = *d * (*k - 1) / 2;
    } else if (*mode != "valid") {
      fail(a[4]->loc, "padding must be \"same\", \"valid\" or an integer, got \"" + *mode + "\"");
      return std::nullopt;
    }
  }
  int64_t cin = xs[3], cout = *filters;
  Shape ws = transposed ? Shape{*k, *k, cout, cin} : Shape{*k, *k, cin, cout};
  // PyTorch's fan-in: in_channels*k*k for conv, weight.size(1)*k*k = out_channels*k*k for
  // conv_transpose (its weight is [in, out, k, k]).
  int64_t fanIn = (transposed ? cout : cin) * *k * *k;
  int64_t fanOut = (transposed ? cin : cout) * *k * *k;
  std::string init;
  double scale;
  if (!weightInit(a[7], fanIn, fanOut, init, scale))
    return std::nullopt;
  ::gn::shapes::Conv2DParams p;
  p.strideH = p.strideW = *s;
  p.padTop = p.padBottom = p.padLeft = p.padRight = pad;
  p.dilationH = p.dilationW = *d;
  p.outPadH = p.outPadW = *op;
  Shape bs{cout};
  if (!checkSize(ws, e.loc))
    return std::nullopt;
  auto out = transposed ? ::gn::shapes::conv2dTranspose(xs, ws, *bias ? &bs : nullptr, p, err)
                        : ::gn::shapes::conv2d(xs, ws, *bias ? &bs : nullptr, p, err);
  if (!out) {
    // An output_padding error points at that argument, everything else at the call.
    bool badOutPad = transposed && a[8] && (*op < 0 || (*op >= *s && *op >= *d));
    fail(badOutPad ? a[8]->loc : e.loc, err);
    return std::nullopt;
  }
  if (!checkSize(*out, e.loc))
    return std::nullopt;
  Value w = declareParam(layer, "weight", ws, init, scale, e.loc);
  Value bv;
  if (*bias)
    bv = declareParam(layer, "bias", bs, "uniform", 1.0 / std::sqrt((double)fanIn), e.loc);
  Location l = loc(e.loc);
  int64_t padding[] = {pad, pad, pad, pad};
  if (transposed)
    return Val::tensor(mlir::gn::Conv2DTransposeOp::create(
        b, l, tensorTy(*out), x, w, bv, {*s, *s}, padding, {*op, *op}, {*d, *d}));
  return Val::tensor(
      mlir::gn::Conv2DOp::create(b, l, tensorTy(*out), x, w, bv, {*s, *s}, padding, {*d, *d}));
}

std::optional<Val> Lowering::groupNorm(const BuiltinCall &c, const std::string &layer,
                                       Value x) {
  const Expr &e = c.e;
  const auto &a = c.args;
  std::string err;
  auto groups = evalInt(a[1], 0, "groups");
  auto eps = evalFloat(a[2], 1e-5, "eps");
  if (!groups || !eps)
    return std::nullopt;
  if (*eps <= 0) {
    fail(a[2]->loc, "eps must be positive");
    return std::nullopt;
  }
  Shape xs = shapeOf(x);
  Shape cs{xs.size() == 4 ? xs[3] : 1};
  auto out = ::gn::shapes::groupNorm(xs, cs, cs, *groups, err);
  if (!out) {
    fail(e.loc, err);
    return std::nullopt;
  }
  Value gv = declareParam(layer, "weight", cs, "ones", 0, e.loc);
  Value bv = declareParam(layer, "bias", cs, "zeros", 0, e.loc);
  return Val::tensor(mlir::gn::GroupNormOp::create(b, loc(e.loc), tensorTy(*out), x, gv, bv,
                                                   b.getI64IntegerAttr(*groups),
                                                   b.getF64FloatAttr(*eps)));
}

} // namespace gnc::lowering
