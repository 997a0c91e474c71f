// The reference evaluator's interpreter: walks func.func bodies op by op, keeping one host
// Tensor per SSA value. Kernels of the heavier ops are in EvalKernels.cpp.
#include "dialects/gn/reference/Evaluator.h"
#include "dialects/gn/GnOps.h"
#include "dialects/gn/Philox.h"
#include "dialects/gn/reference/EvalKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
namespace ir = mlir::gn; // the gn dialect's ops (gn:: is this project's namespace)
namespace gn::reference {
using namespace detail;

namespace {

// Nested func.calls deeper than this are reported (gn programs do not recurse).
constexpr int kMaxCallDepth = 256;

std::string where(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto fl = op->getLoc()->findInstanceOf<FileLineColLoc>())
    os << fl.getFilename().getValue() << ":" << fl.getLine() << ":" << fl.getColumn();
  else
    op->getLoc().print(os);
  return s;
}

std::string describe(Operation *op, const std::string &msg) {
  return "'" + op->getName().getStringRef().str() + "' at " + where(op) + ": " + msg;
}

std::string typeStr(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

std::vector<int64_t> vec(ArrayRef<int64_t> a) { return {a.begin(), a.end()}; }

// Two's-complement wrap of an integer to `width` bits (index and >= 64 bits: unchanged).
double wrapInt(double v, Type elem) {
  auto it = dyn_cast<IntegerType>(elem);
  if (!it || it.getWidth() >= 64)
    return v;
  unsigned w = it.getWidth();
  uint64_t u = (uint64_t)(int64_t)v & ((uint64_t(1) << w) - 1);
  if (u >> (w - 1) & 1)
    u |= ~((uint64_t(1) << w) - 1); // sign-extend: signless integers read as signed
  return (double)(int64_t)u;
}

template <typename F> Tensor mapUnary(const Tensor &x, F f) {
  Tensor y = Tensor::zeros(x.shape);
  for (int64_t i = 0; i < x.numel(); ++i)
    y.data[i] = f(x.data[i]);
  return y;
}

template <typename F> Tensor mapBinary(const Tensor &a, const Tensor &b, F f, bool isInt = false) {
  if (a.shape != b.shape)
    fail("operands differ in shape: " + str(a.shape) + " and " + str(b.shape));
  Tensor y = Tensor::zeros(a.shape, isInt);
  for (int64_t i = 0; i < a.numel(); ++i)
    y.data[i] = f(a.data[i], b.data[i]);
  return y;
}

Tensor fromElementsAttr(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  Type elem = type.getElementType();
  Tensor t = Tensor::zeros(vec(type.getShape()), isa<IntegerType, IndexType>(elem));
  int64_t i = 0;
  if (isa<FloatType>(elem)) {
    auto values = attr.tryGetValues<APFloat>();
    if (!values)
      fail("unsupported constant attribute");
    for (const APFloat &v : *values)
      t.data[i++] = v.convertToDouble();
  } else if (t.isInt) {
    auto values = attr.tryGetValues<APInt>();
    if (!values)
      fail("unsupported constant attribute");
    for (const APInt &v : *values)
      t.data[i++] = (double)v.getSExtValue();
  } else {
    fail("unsupported constant element type " + typeStr(elem));
  }
  if (i != t.numel())
    fail("constant has " + std::to_string(i) + " values for " + str(t.shape));
  return t;
}

ConvAttrs convAttrs(ArrayRef<int64_t> s, ArrayRef<int64_t> p, ArrayRef<int64_t> d,
                    ArrayRef<int64_t> outPad = {}) {
  if (s.size() != 2 || p.size() != 4 || d.size() != 2 || (!outPad.empty() && outPad.size() != 2))
    fail("malformed convolution attributes");
  ConvAttrs c;
  c.sH = s[0], c.sW = s[1];
  c.top = p[0], c.bottom = p[1], c.left = p[2], c.right = p[3];
  c.dH = d[0], c.dW = d[1];
  if (!outPad.empty())
    c.opH = outPad[0], c.opW = outPad[1];
  return c;
}

detail::Reduction reductionOf(ir::Reduction r) {
  switch (r) {
  case ir::Reduction::Mean:
    return detail::Reduction::Mean;
  case ir::Reduction::Sum:
    return detail::Reduction::Sum;
  case ir::Reduction::Batch:
    return detail::Reduction::Batch;
  }
  fail("unknown reduction");
}

detail::LossKind lossKindOf(ir::LossKind k) {
  switch (k) {
  case ir::LossKind::Mse:
    return detail::LossKind::Mse;
  case ir::LossKind::Bce:
    return detail::LossKind::Bce;
  case ir::LossKind::BceWithLogits:
    return detail::LossKind::BceWithLogits;
  case ir::LossKind::KlNormal:
    return detail::LossKind::KlNormal;
  }
  fail("unknown loss kind");
}

philox::Key keyOf(const Tensor &k) {
  if (k.shape != Shape{2} || !k.isInt)
    fail("a random key must be a tensor<2xi32>");
  return {(uint32_t)(int64_t)k.data[0], (uint32_t)(int64_t)k.data[1]};
}

// Fills a tensor of `type`'s shape with f(linear index).
template <typename F> Tensor generate(Type type, bool isInt, F f) {
  Tensor t = Tensor::zeros(vec(cast<ShapedType>(type).getShape()), isInt);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data[i] = f((uint64_t)i);
  return t;
}

class Interpreter {
public:
  Interpreter(ModuleOp module, Precision precision, const std::map<std::string, Tensor> &params)
      : module(module), precision(precision), params(params) {}

  std::vector<Tensor> callFunc(func::FuncOp f, const std::vector<Tensor> &args, int depth);

private:
  using Frame = llvm::DenseMap<Value, Tensor>;

  const Tensor &get(Frame &frame, Value v) {
    auto it = frame.find(v);
    if (it == frame.end())
      fail("use of a value that was not computed");
    return it->second;
  }
  // Checks `t` against `type` (shape and integer-ness) and applies the precision's rounding.
  void conform(Type type, Tensor &t, const std::string &what);
  void set(Frame &frame, Value v, Tensor t) {
    conform(v.getType(), t, "result");
    frame[v] = std::move(t);
  }
  // Runs `block` (whose arguments are already set) up to its terminator and returns the
  // terminator's operands (func.return / scf.yield).
  std::vector<Tensor> runBlock(Block &block, Frame &frame, int depth);
  void exec(Operation &op, Frame &frame, int depth);
  bool execGn(Operation &op, Frame &frame);
  bool execOther(Operation &op, Frame &frame, int depth);

  ModuleOp module;
  Precision precision;
  const std::map<std::string, Tensor> &params;
};

void Interpreter::conform(Type type, Tensor &t, const std::string &what) {
  Shape want;
  Type elem = type;
  if (auto rt = dyn_cast<RankedTensorType>(type)) {
    if (!rt.hasStaticShape())
      fail(what + " has a dynamic shape");
    want = vec(rt.getShape());
    elem = rt.getElementType();
  } else if (!isa<IntegerType, IndexType, FloatType>(type)) {
    fail(what + " has unsupported type " + typeStr(type));
  }
  if (t.shape != want)
    fail(what + " has shape " + str(t.shape) + " but its type is " + typeStr(type));
  if ((int64_t)t.data.size() != t.numel())
    fail(what + " holds " + std::to_string(t.data.size()) + " values for shape " + str(t.shape));
  bool wantInt = isa<IntegerType, IndexType>(elem);
  if (t.isInt != wantInt)
    fail(what + " is " + (t.isInt ? "an integer" : "a float") + " tensor but its type is " +
         typeStr(type));
  if (precision == Precision::F32 && elem.isF32())
    for (double &v : t.data)
      v = (double)(float)v;
}

std::vector<Tensor> Interpreter::callFunc(func::FuncOp f, const std::vector<Tensor> &args,
                                          int depth) {
  if (depth > kMaxCallDepth)
    throw EvalError{describe(f, "call depth exceeds " + std::to_string(kMaxCallDepth)), true};
  if (f.isExternal())
    throw EvalError{describe(f, "@" + f.getSymName().str() + " has no body"), true};
  Block &entry = f.getBody().front();
  if (args.size() != entry.getNumArguments())
    throw EvalError{describe(f, "@" + f.getSymName().str() + " takes " +
                                    std::to_string(entry.getNumArguments()) + " arguments, got " +
                                    std::to_string(args.size())),
                    true};
  Frame frame;
  for (auto [i, arg] : llvm::enumerate(entry.getArguments())) {
    Tensor t = args[i];
    try {
      conform(arg.getType(), t, "argument " + std::to_string(i));
    } catch (EvalError &e) {
      throw EvalError{describe(f, "@" + f.getSymName().str() + ": " + e.msg), true};
    }
    frame[arg] = std::move(t);
  }
  return runBlock(entry, frame, depth);
}

std::vector<Tensor> Interpreter::runBlock(Block &block, Frame &frame, int depth) {
  for (Operation &op : block) {
    if (isa<func::ReturnOp, scf::YieldOp>(op)) {
      std::vector<Tensor> out;
      for (Value v : op.getOperands())
        out.push_back(get(frame, v));
      return out;
    }
    try {
      exec(op, frame, depth);
    } catch (EvalError &e) {
      if (!e.located) {
        e.msg = describe(&op, e.msg);
        e.located = true;
      }
      throw;
    }
  }
  fail("block without a terminator");
}

void Interpreter::exec(Operation &op, Frame &frame, int depth) {
  if (execGn(op, frame) || execOther(op, frame, depth))
    return;
  fail("the reference evaluator does not support '" + op.getName().getStringRef().str() + "'");
}

bool Interpreter::execOther(Operation &op, Frame &frame, int depth) {
  auto in = [&](unsigned i) -> const Tensor & { return get(frame, op.getOperand(i)); };
  Value res = op.getNumResults() == 1 ? op.getResult(0) : Value();

  if (auto call = dyn_cast<func::CallOp>(op)) {
    auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
    if (!callee)
      fail("calls an unknown function @" + call.getCallee().str());
    std::vector<Tensor> args;
    for (Value v : call.getOperands())
      args.push_back(get(frame, v));
    std::vector<Tensor> out = callFunc(callee, args, depth + 1);
    if (out.size() != call.getNumResults())
      fail("callee returned " + std::to_string(out.size()) + " values");
    for (auto [i, r] : llvm::enumerate(call.getResults()))
      set(frame, r, std::move(out[i]));
    return true;
  }
  if (auto loop = dyn_cast<scf::ForOp>(op)) {
    const Tensor &lb = get(frame, loop.getLowerBound()), &ub = get(frame, loop.getUpperBound()),
                 &st = get(frame, loop.getStep());
    if (lb.numel() != 1 || ub.numel() != 1 || st.numel() != 1)
      fail("loop bounds must be scalars");
    int64_t lo = (int64_t)lb.data[0], hi = (int64_t)ub.data[0], step = (int64_t)st.data[0];
    if (step <= 0)
      fail("loop step must be positive, got " + std::to_string(step));
    std::vector<Tensor> iter;
    for (Value v : loop.getInitArgs())
      iter.push_back(get(frame, v));
    Block &body = *loop.getBody();
    for (int64_t iv = lo; iv < hi; iv += step) {
      frame[loop.getInductionVar()] = Tensor::scalar((double)iv, true);
      for (auto [i, arg] : llvm::enumerate(loop.getRegionIterArgs()))
        set(frame, arg, iter[i]);
      iter = runBlock(body, frame, depth);
    }
    for (auto [i, r] : llvm::enumerate(loop.getResults()))
      set(frame, r, std::move(iter[i]));
    return true;
  }

  // ---- arith (scalars, or elementwise on equal shapes) ----
  if (auto c = dyn_cast<arith::ConstantOp>(op)) {
    Attribute v = c.getValue();
    if (auto i = dyn_cast<IntegerAttr>(v))
      set(frame, res, Tensor::scalar((double)i.getValue().getSExtValue(), true));
    else if (auto f = dyn_cast<FloatAttr>(v))
      set(frame, res, Tensor::scalar(f.getValueAsDouble()));
    else if (auto e = dyn_cast<ElementsAttr>(v))
      set(frame, res, fromElementsAttr(e));
    else
      fail("unsupported constant");
    return true;
  }
  Type resElem = res ? getElementTypeOrSelf(res.getType()) : Type();
  auto intBinary = [&](auto f) {
    set(frame, res,
        mapBinary(in(0), in(1), [&](double a, double b) { return wrapInt(f(a, b), resElem); },
                  true));
  };
  if (isa<arith::AddIOp>(op)) {
    intBinary([](double a, double b) { return (double)((int64_t)a + (int64_t)b); });
    return true;
  }
  if (isa<arith::SubIOp>(op)) {
    intBinary([](double a, double b) { return (double)((int64_t)a - (int64_t)b); });
    return true;
  }
  if (isa<arith::MulIOp>(op)) {
    intBinary([](double a, double b) {
      return (double)(int64_t)((uint64_t)(int64_t)a * (uint64_t)(int64_t)b);
    });
    return true;
  }
  if (isa<arith::IndexCastOp, arith::TruncIOp, arith::ExtSIOp>(op)) {
    Tensor t = in(0);
    for (double &v : t.data)
      v = wrapInt(v, resElem);
    set(frame, res, std::move(t));
    return true;
  }
  if (isa<arith::AddFOp>(op)) {
    set(frame, res, mapBinary(in(0), in(1), [](double a, double b) { return a + b; }));
    return true;
  }
  if (isa<arith::SubFOp>(op)) {
    set(frame, res, mapBinary(in(0), in(1), [](double a, double b) { return a - b; }));
    return true;
  }
  if (isa<arith::MulFOp>(op)) {
    set(frame, res, mapBinary(in(0), in(1), [](double a, double b) { return a * b; }));
    return true;
  }
  if (isa<arith::DivFOp>(op)) {
    set(frame, res, mapBinary(in(0), in(1), [](double a, double b) { return a / b; }));
    return true;
  }

  // ---- tensor ----
  if (auto fe = dyn_cast<tensor::FromElementsOp>(op)) {
    auto type = cast<RankedTensorType>(fe.getType());
    Tensor t = Tensor::zeros(vec(type.getShape()), isa<IntegerType, IndexType>(type.getElementType()));
    if ((int64_t)fe.getElements().size() != t.numel())
      fail("wrong number of elements");
    for (auto [i, v] : llvm::enumerate(fe.getElements())) {
      const Tensor &s = get(frame, v);
      if (s.numel() != 1)
        fail("element is not a scalar");
      t.data[i] = s.data[0];
    }
    set(frame, res, std::move(t));
    return true;
  }
  if (auto ex = dyn_cast<tensor::ExtractOp>(op)) {
    const Tensor &t = get(frame, ex.getTensor());
    if (ex.getIndices().size() != t.shape.size())
      fail("wrong number of indices");
    int64_t lin = 0;
    for (auto [d, v] : llvm::enumerate(ex.getIndices())) {
      int64_t i = (int64_t)get(frame, v).data.at(0);
      if (i < 0 || i >= t.shape[d])
        fail("index " + std::to_string(i) + " out of range for " + str(t.shape));
      lin = lin * t.shape[d] + i;
    }
    set(frame, res, Tensor::scalar(t.data[lin], t.isInt));
    return true;
  }
  return false;
}

bool Interpreter::execGn(Operation &op, Frame &frame) {
  if (!isa<ir::GnDialect>(op.getDialect()))
    return false;
  auto in = [&](unsigned i) -> const Tensor & { return get(frame, op.getOperand(i)); };
  auto optIn = [&](Value v) -> const Tensor * { return v ? &get(frame, v) : nullptr; };
  Value res = op.getNumResults() == 1 ? op.getResult(0) : Value();
  auto unary = [&](auto f) { set(frame, res, mapUnary(in(0), f)); };
  auto binary = [&](auto f) { set(frame, res, mapBinary(in(0), in(1), f)); };

  // ---- parameters, optimizer steps, constants ----
  if (isa<ir::ParamOp>(op))
    return true; // a module-level declaration: nothing to run
  if (auto ref = dyn_cast<ir::ParamRefOp>(op)) {
    auto it = params.find(ref.getName().str());
    if (it == params.end())
      fail("no value for parameter @" + ref.getName().str() + " in Evaluator::params");
    set(frame, res, it->second);
    return true;
  }
  if (isa<ir::MinimizeOp>(op))
    fail("gn.minimize must be lowered by gn-autodiff first");
  if (auto c = dyn_cast<ir::ConstantOp>(op)) {
    set(frame, res, fromElementsAttr(c.getValue()));
    return true;
  }

  // ---- elementwise ----
  if (isa<ir::ReluOp>(op))
    return unary([](double x) { return x > 0 ? x : 0.0; }), true;
  if (isa<ir::SigmoidOp>(op))
    return unary([](double x) { return 1.0 / (1.0 + std::exp(-x)); }), true;
  if (isa<ir::TanhOp>(op))
    return unary([](double x) { return std::tanh(x); }), true;
  if (isa<ir::SoftplusOp>(op)) // log(1 + exp(x)), stably
    return unary([](double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }),
           true;
  if (isa<ir::ExpOp>(op))
    return unary([](double x) { return std::exp(x); }), true;
  if (isa<ir::LogOp>(op))
    return unary([](double x) { return std::log(x); }), true;
  if (isa<ir::SqrtOp>(op))
    return unary([](double x) { return std::sqrt(x); }), true;
  if (isa<ir::SinOp>(op))
    return unary([](double x) { return std::sin(x); }), true;
  if (isa<ir::CosOp>(op))
    return unary([](double x) { return std::cos(x); }), true;
  if (isa<ir::NegOp>(op))
    return unary([](double x) { return -x; }), true;
  if (isa<ir::SquareOp>(op))
    return unary([](double x) { return x * x; }), true;
  if (isa<ir::AbsOp>(op))
    return unary([](double x) { return std::fabs(x); }), true;
  if (isa<ir::StopGradientOp>(op))
    return unary([](double x) { return x; }), true;
  // The evaluator is one process: the sum and the mean over the processes are x itself, and
  // a sharded random op (gn.shard) is rank 0's rows, which start at element 0.
  if (isa<ir::AllReduceOp>(op))
    return unary([](double x) { return x; }), true;
  if (isa<ir::StepOp>(op))
    return unary([](double x) { return x > 0 ? 1.0 : 0.0; }), true;
  if (auto o = dyn_cast<ir::LeakyReluOp>(op)) {
    double alpha = o.getAlpha().convertToDouble();
    return unary([&](double x) { return x > 0 ? x : alpha * x; }), true;
  }
  if (auto o = dyn_cast<ir::ClampOp>(op)) {
    double lo = o.getMin().convertToDouble(), hi = o.getMax().convertToDouble();
    return unary([&](double x) { return std::min(std::max(x, lo), hi); }), true;
  }
  if (isa<ir::AddOp>(op))
    return binary([](double a, double b) { return a + b; }), true;
  if (isa<ir::SubOp>(op))
    return binary([](double a, double b) { return a - b; }), true;
  if (isa<ir::MulOp>(op))
    return binary([](double a, double b) { return a * b; }), true;
  if (isa<ir::DivOp>(op))
    return binary([](double a, double b) { return a / b; }), true;
  if (isa<ir::ToFloatOp>(op)) {
    Tensor t = in(0);
    if (!t.isInt)
      fail("to_float of a float tensor");
    t.isInt = false;
    set(frame, res, std::move(t));
    return true;
  }
  if (isa<ir::BroadcastOp>(op)) {
    set(frame, res, broadcastTo(in(0), vec(cast<ShapedType>(res.getType()).getShape())));
    return true;
  }

  // ---- layers ----
  if (isa<ir::MatmulOp>(op))
    return set(frame, res, matmul(in(0), in(1))), true;
  if (auto o = dyn_cast<ir::DenseOp>(op))
    return set(frame, res, dense(in(0), in(1), optIn(o.getBias()))), true;
  if (auto o = dyn_cast<ir::Conv2DOp>(op)) {
    ConvAttrs c = convAttrs(o.getStrides(), o.getPadding(), o.getDilations());
    return set(frame, res, conv2d(in(0), in(1), optIn(o.getBias()), c)), true;
  }
  if (auto o = dyn_cast<ir::Conv2DTransposeOp>(op)) {
    ConvAttrs c = convAttrs(o.getStrides(), o.getPadding(), o.getDilations(), o.getOutputPadding());
    return set(frame, res, conv2dTranspose(in(0), in(1), optIn(o.getBias()), c)), true;
  }
  if (auto o = dyn_cast<ir::Conv2DFilterGradOp>(op)) {
    ConvAttrs c = convAttrs(o.getStrides(), o.getPadding(), o.getDilations());
    ArrayRef<int64_t> k = o.getKernel();
    if (k.size() != 2)
      fail("kernel must be [KH, KW]");
    return set(frame, res, conv2dFilterGrad(in(0), in(1), k[0], k[1], c)), true;
  }
  if (auto o = dyn_cast<ir::GroupNormOp>(op)) {
    return set(frame, res,
               groupNorm(in(0), in(1), in(2), (int64_t)o.getGroups(), o.getEps().convertToDouble())),
           true;
  }

  // ---- shape manipulation ----
  if (auto o = dyn_cast<ir::UpsampleOp>(op))
    return set(frame, res, upsample(in(0), (int64_t)o.getFactor())), true;
  if (auto o = dyn_cast<ir::DilateOp>(op))
    return set(frame, res, dilate(in(0), vec(o.getStrides()), vec(o.getPadding()))), true;
  if (auto o = dyn_cast<ir::FlipKernelOp>(op))
    return set(frame, res, flipKernel(in(0), vec(o.getPhase()), vec(o.getStep()))), true;
  if (auto o = dyn_cast<ir::InterleaveOp>(op)) {
    std::vector<const Tensor *> parts;
    for (Value v : o.getParts())
      parts.push_back(&get(frame, v));
    return set(frame, res, interleave(parts, vec(o.getStrides()), vec(o.getOffsets()),
                                      vec(cast<ShapedType>(res.getType()).getShape()))),
           true;
  }
  if (isa<ir::FlattenOp>(op))
    return set(frame, res, flatten(in(0))), true;
  if (isa<ir::ReshapeOp>(op))
    return set(frame, res, reshape(in(0), vec(cast<ShapedType>(res.getType()).getShape()))), true;
  if (auto o = dyn_cast<ir::TransposeOp>(op))
    return set(frame, res, transpose(in(0), vec(o.getPerm()))), true;
  if (auto o = dyn_cast<ir::ConcatOp>(op)) {
    std::vector<const Tensor *> xs;
    for (Value v : o.getInputs())
      xs.push_back(&get(frame, v));
    return set(frame, res, concat(xs, (int64_t)o.getAxis())), true;
  }
  if (auto o = dyn_cast<ir::SliceOp>(op))
    return set(frame, res, slice(in(0), vec(o.getStart()), vec(o.getSize()))), true;
  if (auto o = dyn_cast<ir::PadOp>(op))
    return set(frame, res, pad(in(0), vec(o.getLow()), vec(o.getHigh()))), true;
  if (auto o = dyn_cast<ir::SumOp>(op))
    return set(frame, res, reduce(in(0), vec(o.getAxes()), false)), true;
  if (auto o = dyn_cast<ir::MeanOp>(op))
    return set(frame, res, reduce(in(0), vec(o.getAxes()), true)), true;
  if (isa<ir::GatherOp>(op))
    return set(frame, res, gather(in(0), in(1))), true;

  // ---- losses ----
  if (auto o = dyn_cast<ir::MseOp>(op))
    return set(frame, res, loss(LossKind::Mse, reductionOf(o.getReduction()), in(0), in(1))), true;
  if (auto o = dyn_cast<ir::BceOp>(op))
    return set(frame, res, loss(LossKind::Bce, reductionOf(o.getReduction()), in(0), in(1))), true;
  if (auto o = dyn_cast<ir::BceWithLogitsOp>(op)) {
    return set(frame, res,
               loss(LossKind::BceWithLogits, reductionOf(o.getReduction()), in(0), in(1))),
           true;
  }
  if (auto o = dyn_cast<ir::KlNormalOp>(op)) {
    return set(frame, res, loss(LossKind::KlNormal, reductionOf(o.getReduction()), in(0), in(1))),
           true;
  }
  if (auto o = dyn_cast<ir::LossGradOp>(op)) {
    const Tensor &dl = in(2);
    if (dl.numel() != 1)
      fail("dloss must be a scalar");
    return set(frame, res,
               lossGrad(lossKindOf(o.getKind()), (int64_t)o.getWrt(),
                        reductionOf(o.getReduction()), in(0), in(1), dl.data[0])),
           true;
  }

  // ---- random numbers (Philox.h) ----
  if (auto o = dyn_cast<ir::NormalOp>(op)) {
    philox::Key k = keyOf(in(0));
    auto stream = (uint32_t)o.getStream();
    float mean = (float)o.getMean().convertToDouble(), sd = (float)o.getStd().convertToDouble();
    return set(frame, res, generate(res.getType(), false, [&](uint64_t i) {
             return (double)philox::normal(k, i, stream, mean, sd);
           })),
           true;
  }
  if (auto o = dyn_cast<ir::UniformOp>(op)) {
    philox::Key k = keyOf(in(0));
    auto stream = (uint32_t)o.getStream();
    float lo = (float)o.getLow().convertToDouble(), hi = (float)o.getHigh().convertToDouble();
    return set(frame, res, generate(res.getType(), false, [&](uint64_t i) {
             return (double)philox::uniform(k, i, stream, lo, hi);
           })),
           true;
  }
  if (auto o = dyn_cast<ir::RandintOp>(op)) {
    philox::Key k = keyOf(in(0));
    auto stream = (uint32_t)o.getStream();
    auto lo = (int64_t)o.getLow(), hi = (int64_t)o.getHigh();
    return set(frame, res, generate(res.getType(), true, [&](uint64_t i) {
             return (double)philox::randint(k, i, stream, lo, hi);
           })),
           true;
  }
  if (auto o = dyn_cast<ir::DropoutMaskOp>(op)) {
    philox::Key k = keyOf(in(0));
    auto stream = (uint32_t)o.getStream();
    float p = (float)o.getP().convertToDouble();
    return set(frame, res, generate(res.getType(), false, [&](uint64_t i) {
             return (double)philox::dropoutMask(k, i, stream, p);
           })),
           true;
  }
  if (isa<ir::RngFoldInOp>(op)) {
    philox::Key k = keyOf(in(0));
    const Tensor &d = in(1);
    if (d.numel() != 1 || !d.isInt)
      fail("fold-in data must be an i32 scalar");
    philox::Key r = philox::foldIn(k, (uint32_t)(int64_t)d.data[0]);
    return set(frame, res, Tensor({2}, {(double)(int32_t)r[0], (double)(int32_t)r[1]}, true)), true;
  }
  return false;
}

} // namespace

Evaluator::Evaluator(ModuleOp module, Precision p) : module(module), precision(p) {}

bool Evaluator::call(llvm::StringRef name, const std::vector<Tensor> &args,
                     std::vector<Tensor> &results, std::string &err) {
  auto f = module.lookupSymbol<func::FuncOp>(name);
  if (!f) {
    err = "no func.func named @" + name.str();
    return false;
  }
  try {
    Interpreter interp(module, precision, params);
    results = interp.callFunc(f, args, 0);
    return true;
  } catch (EvalError &e) {
    err = e.msg;
    return false;
  }
}

} // namespace gn::reference
