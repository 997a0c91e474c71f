// Update rules follow PyTorch's (torch.optim, 1.13) so that runs can be compared with it:
//   sgd:     g += wd p; buf = mu buf + g; g = nesterov ? g + mu buf : buf; p -= lr g
//   adam:    g += wd p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
//            p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
//   adamw:   p *= 1 - lr wd, then adam without the L2 term (default wd 0.01)
//   rmsprop: g += wd p; s = a s + (1-a) g^2; p -= lr g / (sqrt(s) + eps)
//   clip=c:  p = clamp(p, -c, c) after the step (WGAN's weight clipping)
//   lr_decay=d: the learning rate at step t is lr * d^(t-1) (exponential schedule)
#include "passes/OptimizerUpdates.h"

#include "dialects/gn/GnOptimizers.h"

#include <cmath>

using namespace mlir;
using namespace mlir::gn;

namespace {

const Optimizer &optimizerOf(MinimizeOp op) {
  const Optimizer *o = findOptimizer(op.getOptimizer());
  assert(o && "gn.minimize's verifier accepts only known optimizers");
  return *o;
}

// The hyperparameter `name` of `op`, or the table's default (every one used here has one).
double hyper(MinimizeOp op, StringRef name) {
  return *optimizerOf(op).value(op.getHyper(), name);
}

struct Emitter {
  OpBuilder &b;
  Location loc;
  RankedTensorType type; // the parameter's

  Value splat(double v) { return ConstantOp::create(b, loc, DenseElementsAttr::get(type, (float)v)); }
  Value scalar(double v) {
    return ConstantOp::create(b, loc,
                              DenseElementsAttr::get(RankedTensorType::get({}, type.getElementType()), (float)v));
  }
  Value full(Value s) { return BroadcastOp::create(b, loc, type, s); } // scalar -> parameter shape
  Value add(Value x, Value y) { return AddOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return SubOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return MulOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return DivOp::create(b, loc, x, y); }
  Value sqrt(Value x) { return SqrtOp::create(b, loc, x); }
  // a * x + (1 - a) * y
  Value lerp(double a, Value x, Value y) { return add(mul(splat(a), x), mul(splat(1 - a), y)); }
};

} // namespace

std::vector<std::string> gnc::optimizerSlots(MinimizeOp op) {
  return optimizerOf(op).stateSlots(op.getHyper());
}

Value gnc::emitOptimizerUpdate(OpBuilder &b, Location loc, MinimizeOp op, Value param, Value grad,
                               ArrayRef<Value> slots, Value step,
                               SmallVectorImpl<Value> &newSlots) {
  Emitter e{b, loc, cast<RankedTensorType>(param.getType())};
  StringRef kind = op.getOptimizer();
  double lr = hyper(op, "lr");
  // The learning rate as a scalar tensor: constant, or lr * decay^(t-1) on a schedule.
  Value lrScalar = e.scalar(lr);
  if (auto decay = op.getHyper().getAs<FloatAttr>("lr_decay")) {
    Value tMinus1 = SubOp::create(b, loc, step, e.scalar(1));
    Value factor = ExpOp::create(
        b, loc, MulOp::create(b, loc, tMinus1, e.scalar(std::log(decay.getValueAsDouble()))));
    lrScalar = MulOp::create(b, loc, lrScalar, factor);
  }
  Value lrFull = e.full(lrScalar);
  double wd = hyper(op, "weight_decay");
  Value p = param, g = grad;
  if (wd != 0 && kind != "adamw")
    g = e.add(g, e.mul(e.splat(wd), p));

  if (kind == "sgd") {
    double mu = hyper(op, "momentum");
    if (mu > 0) {
      Value buf = e.add(e.mul(e.splat(mu), slots[0]), g);
      newSlots.push_back(buf);
      auto nesterov = op.getHyper().getAs<BoolAttr>("nesterov");
      g = nesterov && nesterov.getValue() ? e.add(g, e.mul(e.splat(mu), buf)) : buf;
    }
    p = e.sub(p, e.mul(lrFull, g));
  } else if (kind == "adam" || kind == "adamw") {
    double b1 = hyper(op, "beta1"), b2 = hyper(op, "beta2");
    double eps = hyper(op, "eps");
    if (kind == "adamw" && wd != 0)
      p = e.sub(p, e.mul(e.mul(lrFull, e.splat(wd)), p));
    Value m = e.lerp(b1, slots[0], g);
    Value v = e.lerp(b2, slots[1], e.mul(g, g));
    newSlots.append({m, v});
    // Bias corrections 1 - beta^t on scalars: beta^t = exp(t ln beta).
    auto correction = [&](double beta) {
      return SubOp::create(b, loc, e.scalar(1),
                           ExpOp::create(b, loc, MulOp::create(b, loc, step, e.scalar(std::log(beta)))));
    };
    Value stepSize = DivOp::create(b, loc, lrScalar, correction(b1));
    Value sqrtBc2 = SqrtOp::create(b, loc, correction(b2));
    Value denom = e.add(e.div(e.sqrt(v), e.full(sqrtBc2)), e.splat(eps));
    p = e.sub(p, e.mul(e.full(stepSize), e.div(m, denom)));
  } else if (kind == "rmsprop") {
    double alpha = hyper(op, "alpha"), eps = hyper(op, "eps");
    Value s = e.lerp(alpha, slots[0], e.mul(g, g));
    newSlots.push_back(s);
    p = e.sub(p, e.mul(lrFull, e.div(g, e.add(e.sqrt(s), e.splat(eps)))));
  }
  if (auto clip = op.getHyper().getAs<FloatAttr>("clip")) {
    double c = clip.getValueAsDouble();
    p = ClampOp::create(b, loc, p, llvm::APFloat(-c), llvm::APFloat(c));
  }
  return p;
}
