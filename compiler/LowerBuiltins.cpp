// The built-in operations of the language: one table of names, argument names, required
// counts and emitters (docs/language.md lists them). Layers' emitters are in
// LowerLayers.cpp, the constant-only ones' in LowerConstants.cpp.
#include "compiler/Lowering.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace gnc::lowering {

// The ops; ::gn::shapes is the shape rules.
namespace gn = mlir::gn;
using Where = Builtin::Where;

const Builtin *findBuiltin(llvm::StringRef name) {
  static const Builtin table[] = {
      // Elementwise.
      {"relu", {"x"}, 1, Where::Function, &Lowering::unary<gn::ReluOp>},
      {"sigmoid", {"x"}, 1, Where::Function, &Lowering::unary<gn::SigmoidOp>},
      {"tanh", {"x"}, 1, Where::Function, &Lowering::unary<gn::TanhOp>},
      {"softplus", {"x"}, 1, Where::Function, &Lowering::unary<gn::SoftplusOp>},
      {"square", {"x"}, 1, Where::Function, &Lowering::unary<gn::SquareOp>},
      {"abs", {"x"}, 1, Where::Function, &Lowering::unary<gn::AbsOp>},
      {"stop_gradient", {"x"}, 1, Where::Function, &Lowering::unary<gn::StopGradientOp>},
      {"exp", {"x"}, 1, Where::Anywhere, &Lowering::math<gn::ExpOp>},
      {"log", {"x"}, 1, Where::Anywhere, &Lowering::math<gn::LogOp>},
      {"sqrt", {"x"}, 1, Where::Anywhere, &Lowering::math<gn::SqrtOp>},
      {"sin", {"x"}, 1, Where::Anywhere, &Lowering::math<gn::SinOp>},
      {"cos", {"x"}, 1, Where::Anywhere, &Lowering::math<gn::CosOp>},
      {"leaky_relu", {"x", "alpha"}, 1, Where::Function, &Lowering::leakyRelu},
      {"float", {"x"}, 1, Where::Function, &Lowering::toFloat},
      // Shapes.
      {"flatten", {"x"}, 1, Where::Function, &Lowering::flatten},
      {"reshape", {"x", "shape"}, 2, Where::Function, &Lowering::reshape},
      {"broadcast", {"x", "shape"}, 2, Where::Function, &Lowering::reshape},
      {"transpose", {"x", "perm"}, 2, Where::Function, &Lowering::transpose},
      {"concat", {"xs", "axis"}, 2, Where::Function, &Lowering::concat},
      {"slice", {"x", "start", "size"}, 3, Where::Function, &Lowering::slice},
      {"upsample", {"x", "factor"}, 1, Where::Function, &Lowering::upsample},
      // Reductions and losses.
      {"sum", {"x", "axes"}, 1, Where::Function, &Lowering::reduce<gn::SumOp>},
      {"mean", {"x", "axes"}, 1, Where::Function, &Lowering::reduce<gn::MeanOp>},
      {"mse", {"pred", "target", "reduction"}, 2, Where::Function, &Lowering::loss<gn::MseOp>},
      {"bce", {"pred", "target", "reduction"}, 2, Where::Function, &Lowering::loss<gn::BceOp>},
      {"bce_with_logits", {"pred", "target", "reduction"}, 2, Where::Function,
       &Lowering::loss<gn::BceWithLogitsOp>},
      {"kl_normal", {"mu", "logvar", "reduction"}, 2, Where::Function,
       &Lowering::loss<gn::KlNormalOp>},
      // Random numbers and filled tensors.
      {"normal", {"shape", "mean", "std"}, 1, Where::Function, &Lowering::randomFloat},
      {"uniform", {"shape", "low", "high"}, 1, Where::Function, &Lowering::randomFloat},
      {"randint", {"low", "high", "shape"}, 3, Where::Function, &Lowering::randint},
      {"dropout", {"x", "p"}, 2, Where::Function, &Lowering::dropout},
      {"ones", {"shape"}, 1, Where::Function, &Lowering::filled},
      {"zeros", {"shape"}, 1, Where::Function, &Lowering::filled},
      // Compile-time constants.
      {"linspace", {"start", "stop", "num"}, 3, Where::Anywhere, &Lowering::linspace},
      {"arange", {"n"}, 1, Where::Anywhere, &Lowering::arange},
      {"cumprod", {"x"}, 1, Where::Anywhere, &Lowering::cumprod},
      // Layers.
      {"dense", {"x", "units", "bias", "init"}, 2, Where::Net,
       &Lowering::layer<&Lowering::dense>},
      {"conv2d", {"x", "filters", "kernel", "stride", "padding", "dilation", "bias", "init"}, 2,
       Where::Net, &Lowering::layer<&Lowering::conv2d>},
      {"conv2d_transpose",
       {"x", "filters", "kernel", "stride", "padding", "dilation", "bias", "init",
        "output_padding"},
       2, Where::Net, &Lowering::layer<&Lowering::conv2d>},
      {"group_norm", {"x", "groups", "eps"}, 2, Where::Net,
       &Lowering::layer<&Lowering::groupNorm>},
  };
  const Builtin *it =
      std::find_if(std::begin(table), std::end(table),
                   [&](const Builtin &b) { return name == b.name; });
  return it == std::end(table) ? nullptr : it;
}

std::optional<Shape> Lowering::checkedShape(const Expr &e, std::optional<Shape> s,
                                            const std::string &err) {
  if (!s) {
    // Most shape-rule messages already start with the operation's name.
    fail(e.loc, llvm::StringRef(err).starts_with(e.text) ? err : e.text + ": " + err);
    return std::nullopt;
  }
  if (!checkSize(*s, e.loc))
    return std::nullopt;
  return s;
}

template <typename OpT> std::optional<Val> Lowering::unary(const BuiltinCall &c) {
  Value x = evalTensor(*c.args[0], "the input");
  if (!x)
    return std::nullopt;
  return Val::tensor(OpT::create(b, loc(c.e.loc), x.getType(), x));
}

// exp, log, sqrt, sin, cos: of a tensor, or folded on a compile-time number.
template <typename OpT> std::optional<Val> Lowering::math(const BuiltinCall &c) {
  const std::string &n = c.e.text;
  auto v = eval(*c.args[0]);
  if (!v)
    return std::nullopt;
  if (v->kind == Val::Tensor && isF32(v->v))
    return Val::tensor(OpT::create(b, loc(c.e.loc), v->v.getType(), v->v));
  if (v->kind != Val::Const) {
    fail(c.args[0]->loc, "'" + n + "' expects a number or a float tensor");
    return std::nullopt;
  }
  ConstVal r = v->c;
  r.isInt = false;
  for (double &d : r.data) {
    if ((n == "sqrt" && d < 0) || (n == "log" && d <= 0)) {
      fail(c.e.loc, n + " of " + std::to_string(d) + " in a constant expression");
      return std::nullopt;
    }
    d = n == "sqrt" ? std::sqrt(d) : n == "exp" ? std::exp(d) : n == "log" ? std::log(d)
        : n == "sin" ? std::sin(d) : std::cos(d);
  }
  return Val::constant(r);
}

std::optional<Val> Lowering::leakyRelu(const BuiltinCall &c) {
  Value x = evalTensor(*c.args[0], "the input");
  auto alpha = evalFloat(c.args[1], 0.2, "alpha");
  if (!x || !alpha)
    return std::nullopt;
  return Val::tensor(
      gn::LeakyReluOp::create(b, loc(c.e.loc), x.getType(), x, b.getF64FloatAttr(*alpha)));
}

std::optional<Val> Lowering::toFloat(const BuiltinCall &c) {
  auto v = eval(*c.args[0]);
  if (!v)
    return std::nullopt;
  if (v->kind == Val::Const)
    return Val::tensor(constTensor(v->c, c.e.loc));
  if (v->kind != Val::Tensor) {
    fail(c.args[0]->loc, "float expects a tensor");
    return std::nullopt;
  }
  if (isF32(v->v))
    return v;
  return Val::tensor(gn::ToFloatOp::create(b, loc(c.e.loc), tensorTy(shapeOf(v->v)), v->v));
}

std::optional<Val> Lowering::flatten(const BuiltinCall &c) {
  Value x = evalTensor(*c.args[0], "the input");
  if (!x)
    return std::nullopt;
  std::string err;
  auto s = checkedShape(c.e, ::gn::shapes::flatten(shapeOf(x), err), err);
  if (!s)
    return std::nullopt;
  return Val::tensor(gn::FlattenOp::create(b, loc(c.e.loc), tensorTy(*s), x));
}

// reshape and broadcast: x given the shape `shape`.
std::optional<Val> Lowering::reshape(const BuiltinCall &c) {
  const Expr &e = c.e;
  Value x = evalTensor(*c.args[0], "the input");
  if (!x)
    return std::nullopt;
  auto to = evalShape(c.args[1]);
  if (!to)
    return std::nullopt;
  if (e.text == "reshape") {
    std::string err;
    if (!checkedShape(e, ::gn::shapes::reshape(shapeOf(x), *to, err), err))
      return std::nullopt;
    return Val::tensor(gn::ReshapeOp::create(b, loc(e.loc), tensorTy(*to), x));
  }
  if (!::gn::shapes::broadcastsTo(shapeOf(x), *to)) {
    fail(e.loc, "cannot broadcast " + ::gn::shapes::str(shapeOf(x)) + " to " +
                    ::gn::shapes::str(*to));
    return std::nullopt;
  }
  return Val::tensor(gn::BroadcastOp::create(b, loc(e.loc), tensorTy(*to), x));
}

std::optional<Val> Lowering::transpose(const BuiltinCall &c) {
  Value x = evalTensor(*c.args[0], "the input");
  if (!x)
    return std::nullopt;
  auto perm = evalInts(c.args[1], "perm");
  if (!perm)
    return std::nullopt;
  std::string err;
  auto s = checkedShape(c.e, ::gn::shapes::transpose(shapeOf(x), *perm, err), err);
  if (!s)
    return std::nullopt;
  return Val::tensor(gn::TransposeOp::create(b, loc(c.e.loc), tensorTy(*s), x, *perm));
}

std::optional<Val> Lowering::concat(const BuiltinCall &c) {
  const Expr *list = c.args[0];
  if (list->kind != Expr::List || list->elems.empty()) {
    fail(list->loc, "concat expects a list of tensors, e.g. concat([a, b], 3)");
    return std::nullopt;
  }
  llvm::SmallVector<Value> xs;
  std::vector<Shape> shapes;
  for (const ExprPtr &x : list->elems) {
    Value v = evalTensor(*x, "a concat operand");
    if (!v)
      return std::nullopt;
    xs.push_back(v);
    shapes.push_back(shapeOf(v));
  }
  auto axis = evalInt(c.args[1], 0, "axis");
  if (!axis)
    return std::nullopt;
  int64_t rank = (int64_t)shapes[0].size();
  int64_t ax = *axis < 0 && *axis >= -rank ? *axis + rank : *axis; // errors name the axis given
  std::string err;
  auto s = checkedShape(c.e, ::gn::shapes::concat(shapes, ax, err), err);
  if (!s)
    return std::nullopt;
  return Val::tensor(
      gn::ConcatOp::create(b, loc(c.e.loc), tensorTy(*s), xs, b.getI64IntegerAttr(ax)));
}

std::optional<Val> Lowering::slice(const BuiltinCall &c) {
  Value x = evalTensor(*c.args[0], "the input");
  if (!x)
    return std::nullopt;
  auto start = evalInts(c.args[1], "start");
  if (!start)
    return std::nullopt;
  auto size = evalInts(c.args[2], "size");
  if (!size)
    return std::nullopt;
  std::string err;
  auto s = checkedShape(c.e, ::gn::shapes::slice(shapeOf(x), *start, *size, err), err);
  if (!s)
    return std::nullopt;
  return Val::tensor(gn::SliceOp::create(b, loc(c.e.loc), tensorTy(*s), x, *start, *size));
}

std::optional<Val> Lowering::upsample(const BuiltinCall &c) {
  Value x = evalTensor(*c.args[0], "the input");
  if (!x)
    return std::nullopt;
  auto f = evalInt(c.args[1], 2, "factor");
  if (!f)
    return std::nullopt;
  if (*f > 64) {
    fail(c.args[1]->loc, "upsample factor is too large");
    return std::nullopt;
  }
  std::string err;
  auto s = checkedShape(c.e, ::gn::shapes::upsample(shapeOf(x), *f, err), err);
  if (!s)
    return std::nullopt;
  return Val::tensor(
      gn::UpsampleOp::create(b, loc(c.e.loc), tensorTy(*s), x, b.getI64IntegerAttr(*f)));
}

template <typename OpT> std::optional<Val> Lowering::reduce(const BuiltinCall &c) {
  Value x = evalTensor(*c.args[0], "the input");
  if (!x)
    return std::nullopt;
  std::vector<int64_t> axes;
  if (c.args[1]) {
    auto ax = evalInts(c.args[1], "axes");
    if (!ax)
      return std::nullopt;
    axes = *ax;
    for (int64_t &v : axes)
      if (v < 0)
        v += (int64_t)shapeOf(x).size();
    std::sort(axes.begin(), axes.end());
  }
  std::string err;
  auto s = checkedShape(c.e, ::gn::shapes::reduce(shapeOf(x), axes, err), err);
  if (!s)
    return std::nullopt;
  return Val::tensor(OpT::create(b, loc(c.e.loc), tensorTy(*s), x, axes));
}

template <typename OpT> std::optional<Val> Lowering::loss(const BuiltinCall &c) {
  const auto &a = c.args;
  Value x = evalTensor(*a[0], "the first operand");
  if (!x)
    return std::nullopt;
  Value y = evalTensor(*a[1], "the second operand");
  if (!y)
    return std::nullopt;
  auto red = evalString(a[2], "mean", "reduction");
  if (!red)
    return std::nullopt;
  std::optional<gn::Reduction> reduction = gn::symbolizeReduction(*red);
  if (!reduction) {
    fail(a[2]->loc, "reduction must be \"mean\", \"sum\" or \"batch\", got \"" + *red + "\"");
    return std::nullopt;
  }
  if (*reduction == gn::Reduction::Batch && shapeOf(x).empty()) {
    fail(a[2]->loc, "reduction \"batch\" needs a batch dimension");
    return std::nullopt;
  }
  std::string err;
  if (!checkedShape(c.e, ::gn::shapes::loss(shapeOf(x), shapeOf(y), err), err))
    return std::nullopt;
  return Val::tensor(OpT::create(b, loc(c.e.loc), tensorTy({}), x, y, *reduction));
}

// normal(shape, mean, std) and uniform(shape, low, high).
std::optional<Val> Lowering::randomFloat(const BuiltinCall &c) {
  const auto &a = c.args;
  bool normal = c.e.text == "normal";
  auto s = evalShape(a[0]);
  auto p0 = evalFloat(a[1], 0, normal ? "mean" : "low");
  auto p1 = evalFloat(a[2], 1, normal ? "std" : "high");
  if (!s || !p0 || !p1)
    return std::nullopt;
  if ((normal && *p1 <= 0) || (!normal && *p1 <= *p0)) {
    fail(a[2] ? a[2]->loc : c.e.loc, normal ? "std must be positive" : "high must be above low");
    return std::nullopt;
  }
  Location l = loc(c.e.loc);
  IntegerAttr stream = b.getI64IntegerAttr(nextStream++);
  if (normal)
    return Val::tensor(gn::NormalOp::create(b, l, tensorTy(*s), key(c.e.loc), stream,
                                            b.getF64FloatAttr(*p0), b.getF64FloatAttr(*p1)));
  return Val::tensor(gn::UniformOp::create(b, l, tensorTy(*s), key(c.e.loc), stream,
                                           b.getF64FloatAttr(*p0), b.getF64FloatAttr(*p1)));
}

std::optional<Val> Lowering::randint(const BuiltinCall &c) {
  const auto &a = c.args;
  auto lo = evalInt(a[0], 0, "low"), hi = evalInt(a[1], 0, "high");
  if (!lo || !hi)
    return std::nullopt;
  auto s = evalShape(a[2]);
  if (!s)
    return std::nullopt;
  if (*hi <= *lo || *lo < INT32_MIN || *hi > INT32_MAX) {
    fail(c.e.loc, "randint needs low < high within 32-bit integers");
    return std::nullopt;
  }
  return Val::tensor(gn::RandintOp::create(
      b, loc(c.e.loc), tensorTy(*s, b.getI32Type()), key(c.e.loc),
      b.getI64IntegerAttr(nextStream++), b.getI64IntegerAttr(*lo), b.getI64IntegerAttr(*hi)));
}

std::optional<Val> Lowering::dropout(const BuiltinCall &c) {
  Value x = evalTensor(*c.args[0], "the input");
  auto p = evalFloat(c.args[1], 0, "p");
  if (!x || !p)
    return std::nullopt;
  if (*p < 0 || *p >= 1) {
    fail(c.args[1]->loc, "dropout probability must be in [0, 1)");
    return std::nullopt;
  }
  Location l = loc(c.e.loc);
  Value mask = gn::DropoutMaskOp::create(b, l, x.getType(), key(c.e.loc),
                                         b.getI64IntegerAttr(nextStream++), b.getF64FloatAttr(*p));
  return Val::tensor(gn::MulOp::create(b, l, x.getType(), x, mask));
}

// ones(shape) and zeros(shape).
std::optional<Val> Lowering::filled(const BuiltinCall &c) {
  auto s = evalShape(c.args[0]);
  if (!s)
    return std::nullopt;
  return Val::tensor(splat(*s, c.e.text == "ones" ? 1.0f : 0.0f, c.e.loc));
}

} // namespace gnc::lowering
