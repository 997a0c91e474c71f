// The optimizers of gn-autodiff (passes/OptimizerUpdates.cpp) against hand-written PyTorch
// (torch.optim) update formulas, several steps, in float64 by the reference evaluator.
//
// The program is written in the gn dialect: one parameter p (6 elements) and the loss
//   L(p) = sum(p * c) + 0.5 * sum(p * p),   c the train input,
// whose gradient is known in closed form, g = c + p. gn-autodiff turns it into
// @step(c, key, p, slots..., t) -> (L, p', slots'..., t'); the test threads that state through
// kSteps calls and after every step compares the loss, p, every optimizer slot and the step
// counter with the C++ reference below, which computes g = c + p itself.
//
// Tolerance: |got - want| <= 1e-12 + 1e-6 max|want| (max over the compared tensor: elements of
// p and m pass through 0, so a per-element relative bound would be meaningless there; the loss
// uses sum |p c| + 0.5 p^2 as its scale). The compiled update uses f32 constants (lr, betas,
// 1 - beta, log(beta) of the bias corrections, rounded to float: relative error <= 6e-8), so
// the evaluator's float64 result differs from the double reference by ~1e-7 of an update;
// measured: <= 1e-7 max|want| (10x below the tolerance). With lr >= 0.01 and |p| ~ 1, a formula
// error (a missing bias correction, coupled instead of decoupled decay, a schedule off by one
// step, a dropped default weight decay, plain momentum for nesterov, no clipping) moves p by
// >= 1e-4, 100x the tolerance; Optimizer.CanFail checks that each such variant is caught. The
// compiled program must also declare exactly the slots the reference uses.
#include "GnCompileUtil.h"
#include "MlirTestUtil.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <sstream>

using namespace gnc::test;

namespace {

constexpr int kSteps = 5;
const std::vector<double> kP0 = {0.5, -0.3, 1.2, -0.8, 0.05, 0.9};
const std::vector<double> kC = {1.0, -2.0, 0.5, 3.0, -0.25, -1.0};

// ---- the reference: torch.optim's formulas, in double ---------------------------------------

struct Hyper {
  std::string kind; // sgd adam adamw rmsprop
  double lr = 0.1, momentum = 0, weightDecay = 0, beta1 = 0.9, beta2 = 0.999, eps = 1e-8,
         alpha = 0.99;
  bool nesterov = false;
  double clip = 0, lrDecay = 0; // 0: none
  bool weightDecaySet = false;  // adamw: default 0.01 when not set
  // Deliberately wrong variants of the reference, to show that the comparison can fail.
  enum Bug { None, NoBiasCorrection, CoupledDecay, DecayFromStep0, PlainMomentum, NoAdamWDefault,
             NoClip } bug = None;
};

// The state the reference keeps: the parameter, the optimizer's slots, the step count.
struct RefState {
  std::vector<double> p;
  std::map<std::string, std::vector<double>> slots;
  double t = 0;
};

double loss(const std::vector<double> &p, bool quadratic) {
  double l = 0;
  for (size_t i = 0; i < p.size(); ++i)
    l += p[i] * kC[i] + (quadratic ? 0.5 * p[i] * p[i] : 0);
  return l;
}

// The reference's slot `name` (zeros on first use).
std::vector<double> &slot(RefState &s, const std::string &name) {
  auto it = s.slots.find(name);
  if (it == s.slots.end())
    it = s.slots.emplace(name, std::vector<double>(s.p.size(), 0.0)).first;
  return it->second;
}

void referenceStep(RefState &s, const Hyper &h, bool quadratic) {
  s.t += 1;
  double lr = h.lr;
  if (h.lrDecay > 0)
    lr *= std::pow(h.lrDecay, h.bug == Hyper::DecayFromStep0 ? s.t : s.t - 1);
  double wd = h.weightDecay;
  if (h.kind == "adamw" && !h.weightDecaySet && h.bug != Hyper::NoAdamWDefault)
    wd = 0.01;
  bool decoupled = h.kind == "adamw" && h.bug != Hyper::CoupledDecay;
  size_t n = s.p.size();
  for (size_t i = 0; i < n; ++i) {
    double p = s.p[i];
    double g = kC[i] + (quadratic ? p : 0);
    if (wd != 0 && !decoupled)
      g += wd * p;
    if (h.kind == "sgd") {
      if (h.momentum > 0) {
        double &buf = slot(s, "momentum")[i];
        buf = s.t == 1 ? g : h.momentum * buf + g; // torch: the first step clones g
        g = h.nesterov && h.bug != Hyper::PlainMomentum ? g + h.momentum * buf : buf;
      }
      p -= lr * g;
    } else if (h.kind == "adam" || h.kind == "adamw") {
      if (decoupled)
        p *= 1 - lr * wd;
      double &m = slot(s, "m")[i], &v = slot(s, "v")[i];
      m = h.beta1 * m + (1 - h.beta1) * g;
      v = h.beta2 * v + (1 - h.beta2) * g * g;
      double bc1 = 1 - std::pow(h.beta1, s.t), bc2 = 1 - std::pow(h.beta2, s.t);
      if (h.bug == Hyper::NoBiasCorrection)
        bc1 = bc2 = 1;
      double denom = std::sqrt(v) / std::sqrt(bc2) + h.eps;
      p -= lr / bc1 * m / denom;
    } else if (h.kind == "rmsprop") {
      double &sq = slot(s, "square_avg")[i];
      sq = h.alpha * sq + (1 - h.alpha) * g * g;
      p -= lr * g / (std::sqrt(sq) + h.eps);
    }
    if (h.clip > 0 && h.bug != Hyper::NoClip)
      p = std::clamp(p, -h.clip, h.clip);
    s.p[i] = p;
  }
}

// ---- the compiled program -------------------------------------------------------------------

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17e", v);
  return buf;
}

std::string hyperDict(const Hyper &h) {
  std::vector<std::string> e;
  auto f = [&](const char *name, double v) { e.push_back(std::string(name) + " = " + fmt(v) + " : f64"); };
  f("lr", h.lr);
  if (h.kind == "sgd" && h.momentum > 0)
    f("momentum", h.momentum);
  if (h.nesterov)
    e.push_back("nesterov = true");
  if (h.weightDecay > 0 || h.weightDecaySet)
    f("weight_decay", h.weightDecay);
  if (h.kind == "adam" || h.kind == "adamw") {
    f("beta1", h.beta1);
    f("beta2", h.beta2);
    f("eps", h.eps);
  }
  if (h.kind == "rmsprop") {
    f("alpha", h.alpha);
    f("eps", h.eps);
  }
  if (h.clip > 0)
    f("clip", h.clip);
  if (h.lrDecay > 0)
    f("lr_decay", h.lrDecay);
  std::string s = "{";
  for (size_t i = 0; i < e.size(); ++i)
    s += (i ? ", " : "") + e[i];
  return s + "}";
}

std::string program(const Hyper &h, bool quadratic) {
  std::string t = "tensor<6xf32>";
  std::string s =
      "module {\n"
      "  gn.param @n.w : " + t + " init \"uniform\" scale 1.0\n"
      "  func.func @step(%c: " + t + ", %key: tensor<2xi32>) -> tensor<f32> attributes {gn.kind = \"train\"} {\n"
      "    %p = gn.param_ref @n.w : " + t + "\n"
      "    %pc = gn.mul %p, %c : " + t + "\n";
  std::string terms = "%pc";
  if (quadratic) { // + 0.5 p * p
    s += "    %pp = gn.mul %p, %p : " + t + "\n"
         "    %half = gn.constant dense<0.5> : " + t + "\n"
         "    %q = gn.mul %pp, %half : " + t + "\n"
         "    %terms = gn.add %pc, %q : " + t + "\n";
    terms = "%terms";
  }
  s += "    %l = gn.sum " + terms + " axes [] : " + t + " -> tensor<f32>\n"
       "    gn.minimize %l with \"" + h.kind + "\" " + hyperDict(h) +
       " over [\"n\"] params [@n.w]\n"
       "    return %l : tensor<f32>\n  }\n}\n";
  return s;
}

// The tolerance of an element: relative to its tensor's scale (max |want| over the tensor), since
// single elements of p and m pass through 0.
bool near(double got, double want, double scale) {
  return std::fabs(got - want) <= 1e-12 + 1e-6 * scale;
}
double maxAbs(const std::vector<double> &v) {
  double m = 0;
  for (double x : v)
    m = std::max(m, std::fabs(x));
  return m;
}

// Runs kSteps compiled steps against the reference; the first mismatch of each step is reported.
// `onStep(t, p)` may add checks of the compiled parameter after step t.
testing::AssertionResult checkOptimizer(
    const Hyper &compiled, const Hyper &reference, bool quadratic,
    const std::function<void(int, const std::vector<double> &)> &onStep = nullptr) {
  auto module = autodiffGnText(program(compiled, quadratic));
  if (!module)
    return testing::AssertionFailure() << "no module";
  std::vector<std::string> names = stateNames(*module);
  Evaluator ev(*module, Precision::F64);
  std::vector<Tensor> args = {tensor({6}, kC), intTensor({2}, {1, 2})};
  size_t firstState = args.size();
  RefState ref;
  ref.p = kP0;
  for (const std::string &n : names) {
    if (n == "n.w")
      args.push_back(tensor({6}, kP0));
    else if (n.size() > 8 && n.rfind("opt0.n.w.", 0) == 0) {
      args.push_back(Tensor::zeros({6}));
      ref.slots[n.substr(9)] = std::vector<double>(6, 0.0);
    } else if (n == "opt0.step")
      args.push_back(Tensor::scalar(0));
    else
      return testing::AssertionFailure() << "unexpected state " << n;
  }
  const size_t compiledSlots = ref.slots.size();
  std::ostringstream bad;
  for (int step = 1; step <= kSteps; ++step) {
    double wantLoss = loss(ref.p, quadratic), lossScale = 0;
    for (size_t i = 0; i < 6; ++i)
      lossScale += std::fabs(ref.p[i] * kC[i]) + (quadratic ? 0.5 * ref.p[i] * ref.p[i] : 0);
    referenceStep(ref, reference, quadratic);
    if (ref.slots.size() != compiledSlots) // the reference used a slot the program lacks
      return testing::AssertionFailure() << "the compiled program declares " << compiledSlots
                                         << " optimizer slots, the reference uses "
                                         << ref.slots.size();
    std::vector<Tensor> out = call(ev, "step", args);
    if (out.size() != 1 + names.size())
      return testing::AssertionFailure() << "step " << step << ": " << out.size() << " results";
    if (!near(out[0].data[0], wantLoss, lossScale))
      bad << "  step " << step << " loss: got " << out[0].data[0] << ", want " << wantLoss << "\n";
    for (size_t k = 0; k < names.size(); ++k) {
      const Tensor &got = out[1 + k];
      std::vector<double> want;
      if (names[k] == "n.w")
        want = ref.p;
      else if (names[k] == "opt0.step")
        want = {ref.t};
      else
        want = slot(ref, names[k].substr(9));
      for (size_t i = 0; i < want.size(); ++i)
        if (!near(got.data[i], want[i], maxAbs(want))) {
          bad << "  step " << step << " " << names[k] << "[" << i << "]: got " << fmt(got.data[i])
              << ", want " << fmt(want[i]) << "\n";
          break;
        }
    }
    if (onStep)
      onStep(step, out[1 + stateIndex(names, "n.w")].data);
    for (size_t k = 0; k < names.size(); ++k)
      args[firstState + k] = out[1 + k];
  }
  if (!bad.str().empty())
    return testing::AssertionFailure() << compiled.kind << " " << hyperDict(compiled) << "\n"
                                       << bad.str();
  return testing::AssertionSuccess();
}

testing::AssertionResult checkOptimizer(const Hyper &h, bool quadratic = true) {
  return checkOptimizer(h, h, quadratic);
}

Hyper sgd(double lr) {
  Hyper h;
  h.kind = "sgd";
  h.lr = lr;
  return h;
}
Hyper adam(const char *kind, double lr) {
  Hyper h;
  h.kind = kind;
  h.lr = lr;
  return h;
}

// ---- SGD -------------------------------------------------------------------------------------

TEST(Optimizer, SgdPlain) {
  EXPECT_TRUE(checkOptimizer(sgd(0.1), /*quadratic=*/false)); // constant gradient c
  EXPECT_TRUE(checkOptimizer(sgd(0.1)));
}
TEST(Optimizer, SgdMomentum) {
  Hyper h = sgd(0.1);
  h.momentum = 0.9;
  EXPECT_TRUE(checkOptimizer(h));
}
TEST(Optimizer, SgdNesterov) {
  Hyper h = sgd(0.1);
  h.momentum = 0.9;
  h.nesterov = true;
  EXPECT_TRUE(checkOptimizer(h));
}
TEST(Optimizer, SgdWeightDecay) {
  Hyper h = sgd(0.1);
  h.weightDecay = 0.1;
  EXPECT_TRUE(checkOptimizer(h));
  h.momentum = 0.9;
  EXPECT_TRUE(checkOptimizer(h));
}

// ---- Adam, AdamW, RMSprop -------------------------------------------------------------------

// Step 1 of Adam: m̂ = g, v̂ = g^2, so p1 = p0 - lr g / (|g| + eps) = p0 - lr sign(g) up to
// lr eps / |g| (<= 5e-10 here) and the f32 rounding of lr and of the bias corrections (~1e-7
// lr): checked to 1e-8 = 1e-6 lr. Steps 2..5 follow the full formula (checkOptimizer).
TEST(Optimizer, Adam) {
  Hyper h = adam("adam", 0.01);
  EXPECT_TRUE(checkOptimizer(h, h, true, [&](int step, const std::vector<double> &p) {
    if (step != 1)
      return;
    for (size_t i = 0; i < p.size(); ++i) {
      double g = kC[i] + kP0[i];
      EXPECT_NEAR(p[i], kP0[i] - h.lr * (g > 0 ? 1 : -1), 1e-6 * h.lr) << "element " << i;
    }
  }));
  Hyper b = adam("adam", 0.05);
  b.beta1 = 0.5;
  b.beta2 = 0.9;
  b.eps = 1e-3;
  EXPECT_TRUE(checkOptimizer(b));
}
TEST(Optimizer, AdamL2WeightDecay) {
  Hyper h = adam("adam", 0.05);
  h.weightDecay = 0.1;
  EXPECT_TRUE(checkOptimizer(h));
}
TEST(Optimizer, AdamW) {
  EXPECT_TRUE(checkOptimizer(adam("adamw", 0.1))); // default decoupled decay 0.01
  Hyper h = adam("adamw", 0.05);
  h.weightDecay = 0.2;
  h.weightDecaySet = true;
  EXPECT_TRUE(checkOptimizer(h));
}
TEST(Optimizer, RMSprop) {
  Hyper h = adam("rmsprop", 0.01);
  EXPECT_TRUE(checkOptimizer(h));
  h.alpha = 0.9;
  h.weightDecay = 0.1;
  EXPECT_TRUE(checkOptimizer(h));
}

// ---- clip and lr_decay ----------------------------------------------------------------------

TEST(Optimizer, Clip) {
  Hyper h = sgd(0.5);
  h.clip = 0.6;
  int clamped = 0;
  EXPECT_TRUE(checkOptimizer(h, h, true, [&](int, const std::vector<double> &p) {
    for (double v : p) {
      EXPECT_LE(std::fabs(v), 0.6 + 1e-7);
      clamped += std::fabs(std::fabs(v) - 0.6) < 1e-7;
    }
  }));
  EXPECT_GT(clamped, 0) << "no weight reached the clip bound: the case checks nothing";
  Hyper a = adam("adam", 0.2);
  a.clip = 0.5;
  EXPECT_TRUE(checkOptimizer(a));
}
TEST(Optimizer, LrDecay) {
  Hyper h = sgd(0.1);
  h.lrDecay = 0.5;
  EXPECT_TRUE(checkOptimizer(h, /*quadratic=*/false));
  EXPECT_TRUE(checkOptimizer(h));
  Hyper a = adam("adam", 0.05);
  a.lrDecay = 0.7;
  EXPECT_TRUE(checkOptimizer(a));
  Hyper w = adam("adamw", 0.1);
  w.lrDecay = 0.8;
  EXPECT_TRUE(checkOptimizer(w));
}

// Every comparison above can fail: the compiled optimizer against a reference with one formula
// changed.
TEST(Optimizer, CanFail) {
  auto wrong = [](Hyper h, Hyper::Bug bug) {
    h.bug = bug;
    return h;
  };
  Hyper a = adam("adam", 0.01);
  EXPECT_FALSE(checkOptimizer(a, wrong(a, Hyper::NoBiasCorrection), true));
  Hyper w = adam("adamw", 0.1);
  EXPECT_FALSE(checkOptimizer(w, wrong(w, Hyper::NoAdamWDefault), true));
  w.weightDecay = 0.2;
  w.weightDecaySet = true;
  EXPECT_FALSE(checkOptimizer(w, wrong(w, Hyper::CoupledDecay), true));
  Hyper n = sgd(0.1);
  n.momentum = 0.9;
  n.nesterov = true;
  EXPECT_FALSE(checkOptimizer(n, wrong(n, Hyper::PlainMomentum), true));
  Hyper d = sgd(0.1);
  d.lrDecay = 0.5;
  EXPECT_FALSE(checkOptimizer(d, wrong(d, Hyper::DecayFromStep0), true));
  Hyper c = sgd(0.5);
  c.clip = 0.6;
  EXPECT_FALSE(checkOptimizer(c, wrong(c, Hyper::NoClip), true));
  Hyper r = adam("rmsprop", 0.01);
  Hyper r2 = r;
  r2.alpha = 0.9; // a different smoothing constant
  EXPECT_FALSE(checkOptimizer(r, r2, true));
}

} // namespace
