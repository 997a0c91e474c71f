// Whole-model finite-difference checks of the `grad` stage (gn-autodiff after inlining and
// group_norm decomposition, then canonicalize + cse), in float64 by the reference evaluator.
//
// Reading the gradient: each program minimizes with sgd(lr=1), so the train function's new
// state is p - dL/dp and the analytic gradient is p - p_new (in F64, exact up to ~1e-16 |p|).
// The loss at perturbed parameters comes from NAME_eval (same arguments, returns the losses,
// applies no update). The key argument is fixed, so every random op (the VAE's eps) draws the
// same numbers in every evaluation: the checked function is deterministic.
//
// Numerical gradient: central differences (L(p + h e_j) - L(p - h e_j)) / 2h with h = 1e-6, for
// a random sample of kSamples elements of every parameter tensor (all elements when fewer).
// Tolerance: |analytic - numerical| <= abs + 1e-5 |numerical|, abs = 1e-14 max(1, |L|) / h
// (= 1e-8 |L|). The ConvAE and VAE losses are per-example sums (reduction="batch", |L| ~ 550 at
// init), whose float64 rounding noise is ~1e-16 sqrt(#terms) |L| ~ 2e-12 per evaluation, i.e.
// ~1e-6 after dividing by 2h: abs is 5.5e-6 there, and the measured worst |error| is 1.2e-6
// (ConvAE) and 1.7e-6 (VAE), at gradients up to |60|; the GAN's (|L| ~ 1.4) is 2e-9. A wrong
// rule is off by O(1) relative; an analytic gradient off by 0.1% fails (ModelGrad.HarnessCanFail).
// Truncation error is O(h^2 |L'''|), negligible. Each test prints its sample size, skipped
// elements, worst error and time.
//
// ReLU kinks (ConvAE, VAE keep the seed's relu): a perturbation of +-h can move a hidden unit's
// pre-activation across 0, and then the central difference is not the derivative. Such an
// element is recognised without looking at the analytic value: if the kink lies in (p, p + h),
// the one-sided differences fwd = (L(p+h) - L(p)) / h and bwd = (L(p) - L(p-h)) / h differ by
// the slope jump times a fraction, and the central difference is off by exactly (fwd - bwd) / 2.
// An element with |fwd - bwd| > tolerance is skipped; for a smooth L, fwd - bwd = h L'' plus
// twice the central difference's noise, below it. Skipped elements are counted and must stay
// below kMaxSkipFraction (5%) of those sampled: measured 1 of 417 (ConvAE) and 4 of 457 (VAE),
// and with the rule off those elements pass too (the skips are noise, not kinks hit).
#include "GnCompileUtil.h"
#include "MlirTestUtil.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <set>
#include <sstream>

using namespace gnc::test;

namespace {

constexpr int kSamples = 30;
constexpr double kMaxSkipFraction = 0.05;

struct CheckOptions {
  double h = 1e-6;
  double rel = 1e-5;
  double absPerLoss = 1e-14; // abs = absPerLoss * max(1, |L|) / h
  bool kinkRule = false;    // skip elements whose one-sided differences disagree
  double scaleAnalytic = 1; // != 1 only to show that the check can fail
};

struct CheckStats {
  int checked = 0, skipped = 0, bad = 0;
  double maxRelErr = 0; // max |ana - num| / (abs + rel |num|) over checked elements (<= 1 passes)
  double maxAbsErr = 0, maxGrad = 0, absTol = 0;
  std::ostringstream failures;
};

// The problem: `evalFn` on `args` (whose state starts at `firstState`) gives the losses; the
// checked function is loss number `lossIndex`. `analytic[k]` is the gradient of state tensor
// `params[k]`.
struct Problem {
  Evaluator *ev;
  std::string evalFn;
  std::vector<Tensor> args;
  size_t firstState;
  int lossIndex = 0;
};

double loss(const Problem &pb, const std::vector<Tensor> &args) {
  std::vector<Tensor> out = call(*pb.ev, pb.evalFn, args);
  return out.size() > (size_t)pb.lossIndex ? out[pb.lossIndex].data[0] : NAN;
}

// Compares the analytic gradient of every state tensor in `params` (names for messages) with
// central differences at up to kSamples random elements each.
testing::AssertionResult checkGradients(const Problem &pb, const std::vector<int> &params,
                                        const std::vector<std::string> &names,
                                        const std::vector<Tensor> &analytic,
                                        const CheckOptions &opt, CheckStats &st) {
  double l0 = loss(pb, pb.args);
  double abs = opt.absPerLoss * std::max(1.0, std::fabs(l0)) / opt.h;
  st.absTol = abs;
  std::vector<Tensor> args = pb.args;
  for (size_t k = 0; k < params.size(); ++k) {
    size_t a = pb.firstState + params[k];
    int64_t n = args[a].numel();
    if (analytic[k].numel() != n)
      return testing::AssertionFailure() << names[params[k]] << ": gradient has "
                                         << analytic[k].numel() << " elements, the parameter " << n;
    std::mt19937_64 rng(1000 + k);
    std::vector<int64_t> elems;
    if (n <= kSamples) {
      for (int64_t j = 0; j < n; ++j)
        elems.push_back(j);
    } else {
      std::set<int64_t> chosen;
      while ((int)chosen.size() < kSamples)
        chosen.insert((int64_t)(rng() % (uint64_t)n));
      elems.assign(chosen.begin(), chosen.end());
    }
    double largest = 0;
    for (int64_t j : elems) {
      double p = args[a].data[j];
      args[a].data[j] = p + opt.h;
      double lp = loss(pb, args);
      args[a].data[j] = p - opt.h;
      double lm = loss(pb, args);
      args[a].data[j] = p;
      double num = (lp - lm) / (2 * opt.h);
      double tol = abs + opt.rel * std::fabs(num);
      if (opt.kinkRule) {
        double fwd = (lp - l0) / opt.h, bwd = (l0 - lm) / opt.h;
        if (std::fabs(fwd - bwd) > tol) {
          ++st.skipped;
          continue;
        }
      }
      ++st.checked;
      double ana = analytic[k].data[j] * opt.scaleAnalytic;
      largest = std::max(largest, std::fabs(num));
      double err = std::fabs(ana - num);
      st.maxRelErr = std::max(st.maxRelErr, err / tol);
      st.maxAbsErr = std::max(st.maxAbsErr, err);
      st.maxGrad = std::max(st.maxGrad, std::fabs(num));
      if (!(err <= tol) && st.bad++ < 10)
        st.failures << "  " << names[params[k]] << "[" << j << "]: analytic " << ana
                    << ", numerical " << num << " (diff " << ana - num << ", tol " << tol << ")\n";
    }
    // A tensor whose sampled gradient is ~0 everywhere would pass vacuously.
    if (largest < 1e-4 && st.bad++ < 10)
      st.failures << "  " << names[params[k]] << ": the sampled gradient is ~0 (vacuous)\n";
  }
  if (st.bad)
    return testing::AssertionFailure() << st.bad << " mismatches (loss " << l0 << ", abs tol "
                                       << abs << "):\n" << st.failures.str();
  if (opt.kinkRule && st.skipped > kMaxSkipFraction * (st.checked + st.skipped))
    return testing::AssertionFailure() << st.skipped << " of " << st.checked + st.skipped
                                       << " sampled elements skipped as kinks (> "
                                       << kMaxSkipFraction * 100 << "%)";
  return testing::AssertionSuccess();
}

// A compiled model with its state from @init and one fixed input batch.
struct Model {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::vector<std::string> names;
  std::vector<Tensor> args; // train/eval arguments: inputs, key, state
  size_t firstState = 0;
};

Tensor uniformTensor(std::vector<int64_t> shape, std::mt19937_64 &rng, double lo, double hi) {
  Tensor t = Tensor::zeros(std::move(shape));
  std::uniform_real_distribution<double> u(lo, hi);
  for (double &v : t.data)
    v = u(rng);
  return t;
}

// Compiles `source` to the grad stage, draws the state with @init and an input batch of shape
// `inputShape` (uniform in [0.02, 0.98], valid BCE targets), key {7, 11}.
bool setUp(Model &m, Evaluator *&ev, const std::string &source,
           const std::vector<int64_t> &inputShape) {
  m.module = compileGn(source);
  if (!m.module)
    return false;
  m.names = stateNames(*m.module);
  ev = new Evaluator(*m.module, Precision::F64);
  Tensor key = intTensor({2}, {7, 11});
  std::vector<Tensor> state = call(*ev, "init", {key});
  if (state.size() != m.names.size())
    return false;
  std::mt19937_64 rng(42);
  m.args.push_back(uniformTensor(inputShape, rng, 0.02, 0.98));
  m.args.push_back(key);
  m.firstState = m.args.size();
  m.args.insert(m.args.end(), state.begin(), state.end());
  return true;
}

// Trainable parameters: the state that is not optimizer state (opt<k>.*).
std::vector<int> trainable(const std::vector<std::string> &names) {
  std::vector<int> idx;
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i].rfind("opt", 0) != 0)
      idx.push_back((int)i);
  return idx;
}

// The analytic gradients of `params` from one sgd(lr=1) train step: p - p_new.
std::vector<Tensor> sgdGradients(const Model &m, const std::vector<Tensor> &trainOut,
                                 const std::vector<int> &params) {
  size_t numLosses = trainOut.size() - m.names.size();
  std::vector<Tensor> g;
  for (int i : params) {
    Tensor d = m.args[m.firstState + i];
    const Tensor &pNew = trainOut[numLosses + i];
    for (int64_t j = 0; j < d.numel(); ++j)
      d.data[j] -= pNew.data[j];
    g.push_back(d);
  }
  return g;
}

void report(const char *what, const CheckStats &st, double seconds) {
  std::printf("[ %s ] checked %d elements, skipped %d as kinks; max |grad| %.3g, max |err| %.3g, "
              "abs tol %.3g, max err/tol %.3g; %.1f s\n",
              what, st.checked, st.skipped, st.maxGrad, st.maxAbsErr, st.absTol, st.maxRelErr,
              seconds);
}

double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// ---- (a) the seed's ConvAE -------------------------------------------------------------------

// models/conv_ae.gn with batch 2 and sgd(lr=1): the same layers, relu included.
const char *kConvAE = R"(
model conv_ae
batch 2
input x: [B, 28, 28, 1] from mnist

net encoder(x) {
  h = relu(conv2d(x, 32, kernel=3, stride=2))
  h = relu(conv2d(h, 64, kernel=3, stride=2))
  h = flatten(h)
  h = relu(dense(h, 16))
  return dense(h, 10)
}

net decoder(z) {
  h = relu(dense(z, 3136))
  h = reshape(h, [B, 7, 7, 64])
  h = relu(conv2d_transpose(h, 64, kernel=3, stride=2, output_padding=1))
  h = relu(conv2d_transpose(h, 32, kernel=3, stride=2, output_padding=1))
  return sigmoid(conv2d_transpose(h, 1, kernel=3, stride=1))
}

train step(x) {
  xhat = decoder(encoder(x))
  loss = bce(xhat, x, reduction="batch")
  minimize loss over encoder, decoder with sgd(lr=1)
}
)";

TEST(ModelGrad, ConvAE) {
  auto t0 = std::chrono::steady_clock::now();
  Model m;
  Evaluator *ev = nullptr;
  ASSERT_TRUE(setUp(m, ev, kConvAE, {2, 28, 28, 1}));
  std::unique_ptr<Evaluator> owner(ev);
  std::vector<int> params = trainable(m.names);
  ASSERT_EQ(params.size(), 16u); // 8 layers, weight + bias each
  std::vector<Tensor> out = call(*ev, "step", m.args);
  ASSERT_EQ(out.size(), 1 + m.names.size());
  CheckOptions opt;
  opt.kinkRule = true;
  CheckStats st;
  Problem pb{ev, "step_eval", m.args, m.firstState, 0};
  EXPECT_TRUE(checkGradients(pb, params, m.names, sgdGradients(m, out, params), opt, st));
  report("ConvAE", st, seconds(t0));
}

// ---- (a') the contractive autoencoder ----------------------------------------------------------

// models/contractive_ae.gn with batch 2, 8 code units and sgd(lr=1): its penalty reads the
// encoder's weight by name (`encoder.dense_0.weight`), so the weight's gradient has two paths,
// through the network and through the penalty; `report` adds results that are not minimized.
const char *kContractiveAE = R"(
model contractive_ae
batch 2
const H = 8
const LAMBDA = 5.0
input x: [B, 28, 28, 1] from mnist

net encoder(x) {
  return sigmoid(dense(flatten(x), H))
}

net decoder(h) {
  return reshape(sigmoid(dense(h, 784)), [B, 28, 28, 1])
}

train step(x) {
  h = encoder(x)
  recon = bce(decoder(h), x, reduction="batch")
  w2 = reshape(sum(square(encoder.dense_0.weight), axes=[0]), [1, H])
  jacobian = sum(square(h * (1 - h)) * w2) / B
  loss = recon + LAMBDA * jacobian
  minimize loss over encoder, decoder with sgd(lr=1)
  report recon, jacobian
}
)";

TEST(ModelGrad, ContractiveAE) {
  auto t0 = std::chrono::steady_clock::now();
  Model m;
  Evaluator *ev = nullptr;
  ASSERT_TRUE(setUp(m, ev, kContractiveAE, {2, 28, 28, 1}));
  std::unique_ptr<Evaluator> owner(ev);
  std::vector<int> params = trainable(m.names);
  ASSERT_EQ(params.size(), 4u);
  std::vector<Tensor> out = call(*ev, "step", m.args);
  ASSERT_EQ(out.size(), 3 + m.names.size()); // loss, recon, jacobian, new state
  // The reported terms add up to the minimized loss.
  EXPECT_NEAR(out[0].data[0], out[1].data[0] + 5.0 * out[2].data[0], 1e-9 * std::fabs(out[0].data[0]));
  EXPECT_GT(out[2].data[0], 0.0);
  CheckStats st;
  Problem pb{ev, "step_eval", m.args, m.firstState, 0};
  EXPECT_TRUE(checkGradients(pb, params, m.names, sgdGradients(m, out, params), CheckOptions(), st));
  report("ContractiveAE", st, seconds(t0));
}

// ---- (b) the VAE -----------------------------------------------------------------------------

// models/vae.gn with batch 2 and sgd(lr=1). The key is fixed, so normal() gives the same eps in
// every evaluation: the negative ELBO is then a deterministic function of the parameters.
const char *kVAE = R"(
model vae
batch 2
const Z = 10
input x: [B, 28, 28, 1] from mnist

net features(x) {
  h = relu(conv2d(x, 32, kernel=3, stride=2))
  h = relu(conv2d(h, 64, kernel=3, stride=2))
  return relu(dense(flatten(h), 16))
}

net mu_head(h) {
  return dense(h, Z)
}

net logvar_head(h) {
  return dense(h, Z)
}

net decoder(z) {
  h = relu(dense(z, 3136))
  h = reshape(h, [B, 7, 7, 64])
  h = relu(conv2d_transpose(h, 64, kernel=3, stride=2, output_padding=1))
  h = relu(conv2d_transpose(h, 32, kernel=3, stride=2, output_padding=1))
  return sigmoid(conv2d_transpose(h, 1, kernel=3, stride=1))
}

train step(x) {
  h = features(x)
  mu = mu_head(h)
  logvar = logvar_head(h)
  z = mu + exp(0.5 * logvar) * normal([B, Z])
  xhat = decoder(z)
  loss = bce(xhat, x, reduction="batch") + kl_normal(mu, logvar, reduction="batch")
  minimize loss over features, mu_head, logvar_head, decoder with sgd(lr=1)
}
)";

TEST(ModelGrad, VAE) {
  auto t0 = std::chrono::steady_clock::now();
  Model m;
  Evaluator *ev = nullptr;
  ASSERT_TRUE(setUp(m, ev, kVAE, {2, 28, 28, 1}));
  std::unique_ptr<Evaluator> owner(ev);
  std::vector<int> params = trainable(m.names);
  ASSERT_EQ(params.size(), 18u); // 9 layers
  std::vector<Tensor> out = call(*ev, "step", m.args);
  ASSERT_EQ(out.size(), 1 + m.names.size());
  // The eval function draws the same eps: its loss equals the train step's.
  std::vector<Tensor> evalOut = call(*ev, "step_eval", m.args);
  ASSERT_EQ(evalOut.size(), 1u);
  EXPECT_EQ(evalOut[0].data[0], out[0].data[0]);
  // ... and a different key gives a different eps, hence a different loss (eps matters).
  std::vector<Tensor> otherKey = m.args;
  otherKey[1] = intTensor({2}, {8, 11});
  EXPECT_NE(call(*ev, "step_eval", otherKey)[0].data[0], out[0].data[0]);
  CheckOptions opt;
  opt.kinkRule = true;
  CheckStats st;
  Problem pb{ev, "step_eval", m.args, m.firstState, 0};
  EXPECT_TRUE(checkGradients(pb, params, m.names, sgdGradients(m, out, params), opt, st));
  report("VAE", st, seconds(t0));
}

// ---- (c) two minimize statements: the alternating GAN update -----------------------------------

// A small DCGAN-like program (smooth activations, so no kink rule): D is updated on d_loss, then
// g_loss is computed through the UPDATED D and minimized over G.
const char *kGAN = R"(
model gan
batch 4
input x: [B, 28, 28, 1] from mnist

net G(z) {
  h = tanh(dense(z, 7 * 7 * 4))
  h = reshape(h, [B, 7, 7, 4])
  h = tanh(conv2d_transpose(h, 4, kernel=3, stride=2, output_padding=1))   # (B, 14, 14, 4)
  return tanh(conv2d_transpose(h, 1, kernel=3, stride=2, output_padding=1)) # (B, 28, 28, 1)
}

net D(x) {
  h = softplus(conv2d(x, 4, kernel=3, stride=2))   # (B, 14, 14, 4)
  h = softplus(conv2d(h, 4, kernel=3, stride=2))   # (B, 7, 7, 4)
  return dense(flatten(h), 1)
}

train step(x) {
  real = 2 * x - 1
  fake = G(normal([B, 6]))
  d_loss = bce_with_logits(D(real), ones([B, 1])) + bce_with_logits(D(stop_gradient(fake)), zeros([B, 1]))
  minimize d_loss over D with sgd(lr=1)
  g_loss = bce_with_logits(D(fake), ones([B, 1]))
  minimize g_loss over G with sgd(lr=1)
}
)";

struct GanCase {
  Model m;
  std::unique_ptr<Evaluator> ev;
  std::vector<int> dParams, gParams;
  std::vector<Tensor> out; // the train step's results: d_loss, g_loss, new state
};

void setUpGan(GanCase &c) {
  Evaluator *ev = nullptr;
  ASSERT_TRUE(setUp(c.m, ev, kGAN, {4, 28, 28, 1}));
  c.ev.reset(ev);
  for (int i : trainable(c.m.names))
    (c.m.names[i].rfind("D.", 0) == 0 ? c.dParams : c.gParams).push_back(i);
  ASSERT_EQ(c.dParams.size(), 6u);
  ASSERT_EQ(c.gParams.size(), 6u);
  c.out = call(*c.ev, "step", c.m.args);
  ASSERT_EQ(c.out.size(), 2 + c.m.names.size());
}

// The eval problem for g_loss (loss 1) with D set to the values in `dState`.
Problem gLossProblem(GanCase &c, const std::vector<Tensor> &dState) {
  Problem pb{c.ev.get(), "step_eval", c.m.args, c.m.firstState, 1};
  for (size_t k = 0; k < c.dParams.size(); ++k)
    pb.args[c.m.firstState + c.dParams[k]] = dState[k];
  return pb;
}

TEST(ModelGrad, GanAlternatingUpdates) {
  GanCase c;
  ASSERT_NO_FATAL_FAILURE(setUpGan(c));
  CheckOptions opt;
  // The first minimize: d_loss at the initial (D, G), w.r.t. D only.
  {
    CheckStats st;
    Problem pb{c.ev.get(), "step_eval", c.m.args, c.m.firstState, 0};
    EXPECT_TRUE(checkGradients(pb, c.dParams, c.m.names, sgdGradients(c.m, c.out, c.dParams),
                               opt, st));
    report("GAN d_loss wrt D", st, 0);
  }
  // G is not in the first minimize: its update is the second minimize's alone. The second: g_loss
  // evaluated by hand with D replaced by the first update's result D1 = D - dd_loss/dD.
  std::vector<Tensor> d1;
  size_t numLosses = 2;
  for (int i : c.dParams)
    d1.push_back(c.out[numLosses + i]);
  // g_loss at D1 is also what the train step returned as its second loss.
  Problem pb = gLossProblem(c, d1);
  EXPECT_NEAR(loss(pb, pb.args), c.out[1].data[0], 1e-12);
  CheckStats st;
  EXPECT_TRUE(checkGradients(pb, c.gParams, c.m.names, sgdGradients(c.m, c.out, c.gParams), opt,
                             st));
  report("GAN g_loss(D1) wrt G", st, 0);
}

// The check above can tell the updated D from the old one: against g_loss through the initial D
// (what a compiler that hoisted all gradients before all updates would differentiate) the same
// analytic gradient fails.
TEST(ModelGrad, GanCheckDistinguishesOldAndUpdatedD) {
  GanCase c;
  ASSERT_NO_FATAL_FAILURE(setUpGan(c));
  std::vector<Tensor> d0;
  for (int i : c.dParams)
    d0.push_back(c.m.args[c.m.firstState + i]);
  Problem pb = gLossProblem(c, d0);
  CheckStats st;
  EXPECT_FALSE(checkGradients(pb, c.gParams, c.m.names, sgdGradients(c.m, c.out, c.gParams),
                              CheckOptions(), st));
}

// The harness catches an analytic gradient off by 0.1% (on the GAN: fast).
TEST(ModelGrad, HarnessCanFail) {
  GanCase c;
  ASSERT_NO_FATAL_FAILURE(setUpGan(c));
  CheckOptions off;
  off.scaleAnalytic = 1.001;
  CheckStats st;
  Problem pb{c.ev.get(), "step_eval", c.m.args, c.m.firstState, 0};
  EXPECT_FALSE(checkGradients(pb, c.dParams, c.m.names, sgdGradients(c.m, c.out, c.dParams), off,
                              st));
}

} // namespace
