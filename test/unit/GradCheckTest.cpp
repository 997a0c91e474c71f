// Finite-difference checks of every vector-Jacobian rule (DifferentiableOpInterface, rules in
// dialects/gn/GnVJP.cpp), evaluated in float64 by the reference evaluator.
//
// For an op y = op(X) and a fixed random R of y's shape, L(X) = sum(y * R), so dL/dy = R:
//  - analytic: the op is put in @bwd(X..., R), its vjp(b, R, needed, grads) emits the backward
//    ops there, and @bwd returns the gradients;
//  - numerical: central differences (L(X + h e_j) - L(X - h e_j)) / 2h, h = 1e-6, through @fwd.
// Tolerance: |analytic - numerical| <= 1e-7 + 1e-5 * |numerical|. In float64 the central
// difference's truncation error is O(h^2) ~ 1e-12 and its rounding error ~ 1e-16 |L| / h ~ 1e-9
// for the |L| <= 10 of these cases, so 1e-7 absolute is two orders above the noise; rel 1e-5
// absorbs the f32 constants that rules emit (e.g. leaky_relu's alpha, mean's 1/count, rounded to
// float: relative error <= 6e-8). A wrong rule is off by O(1) relative (see Harness.CanFail).
// Inputs avoid kinks (relu/abs/leaky_relu at 0) and domains' edges (log, sqrt, bce).
//
// Adding an op is one TEST with one gradCheck(op text, inputs) line: the op text uses %x0,
// %x1, ... for its operands, whose shapes and value ranges `inputs` gives.
#include "MlirTestUtil.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

#include <cmath>
#include <random>
#include <set>
#include <sstream>

using namespace gnc::test;
using namespace mlir;

namespace {

// ---- the harness ------------------------------------------------------------------------------

struct Input {
  std::vector<int64_t> shape;
  enum Kind { Uniform, AwayFromZero, Indices } kind = Uniform;
  double lo = -1, hi = 1; // Uniform: [lo, hi]; AwayFromZero: |x| in [lo, hi], random sign
  int64_t count = 0;      // Indices: i32 in [0, count)
};
Input U(std::vector<int64_t> s, double lo = -1, double hi = 1) {
  return {std::move(s), Input::Uniform, lo, hi, 0};
}
Input Away(std::vector<int64_t> s, double lo = 0.2, double hi = 1.5) {
  return {std::move(s), Input::AwayFromZero, lo, hi, 0};
}
Input Idx(std::vector<int64_t> s, int64_t count) {
  return {std::move(s), Input::Indices, 0, 0, count};
}

struct Options {
  std::vector<bool> needed;     // empty: every operand
  double scaleAnalytic = 1.0;   // != 1 only to show that the comparison can fail
  double rel = 1e-5, abs = 1e-7, h = 1e-6;
};

std::string shapeType(const Input &in) {
  std::string s = "tensor<";
  for (int64_t d : in.shape)
    s += std::to_string(d) + "x";
  return s + (in.kind == Input::Indices ? "i32>" : "f32>");
}

Tensor randomTensor(const Input &in, std::mt19937_64 &rng) {
  int64_t n = 1;
  for (int64_t d : in.shape)
    n *= d;
  Tensor t = Tensor::zeros(in.shape, in.kind == Input::Indices);
  std::uniform_real_distribution<double> u(in.lo, in.hi);
  for (int64_t i = 0; i < n; ++i) {
    if (in.kind == Input::Indices)
      t.data[i] = (double)(rng() % (uint64_t)in.count);
    else if (in.kind == Input::AwayFromZero)
      t.data[i] = (rng() & 1 ? 1 : -1) * u(rng);
    else
      t.data[i] = u(rng);
  }
  return t;
}

std::string str(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

double dot(const Tensor &a, const Tensor &b) {
  double s = 0;
  for (size_t i = 0; i < a.data.size(); ++i)
    s += a.data[i] * b.data[i];
  return s;
}

// Builds @fwd and @bwd for `opText`, compares analytic and numerical gradients of every f32
// operand, and checks that i32 operands get no gradient.
testing::AssertionResult gradCheck(const std::string &opText, const std::vector<Input> &inputs,
                                   Options opt = {}) {
  std::string args;
  for (size_t i = 0; i < inputs.size(); ++i)
    args += (i ? ", " : "") + ("%x" + std::to_string(i)) + ": " + shapeType(inputs[i]);
  std::string text = "func.func @fwd(" + args + ") {\n  %y = " + opText + "\n  return\n}\n";
  DiagnosticCapture diags;
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context());
  if (!module)
    return testing::AssertionFailure() << "cannot parse:\n" << text << diags.messages;

  // @fwd returns y; @bwd = a clone taking R that returns the op's gradients.
  auto fwd = module->lookupSymbol<func::FuncOp>("fwd");
  Operation *fop = &fwd.getBody().front().front();
  Value y = fop->getResult(0);
  Type yType = y.getType();
  auto bwd = cast<func::FuncOp>(fwd->clone());
  bwd.setName("bwd");
  module->push_back(bwd);
  {
    Operation *ret = fwd.getBody().front().getTerminator();
    OpBuilder b(ret);
    func::ReturnOp::create(b, ret->getLoc(), ValueRange{y});
    ret->erase();
    fwd.setFunctionType(FunctionType::get(&context(), fwd.getArgumentTypes(), {yType}));
  }
  unsigned numIn = (unsigned)inputs.size();
  if (failed(bwd.insertArgument(numIn, yType, {}, bwd.getLoc())))
    return testing::AssertionFailure() << "cannot add R to @bwd";
  Operation *bop = &bwd.getBody().front().front();
  auto iface = dyn_cast<mlir::gn::DifferentiableOpInterface>(bop);
  if (!iface)
    return testing::AssertionFailure()
           << bop->getName().getStringRef().str() << " does not implement DifferentiableOpInterface";
  std::vector<bool> needed = opt.needed;
  if (needed.empty())
    needed.assign(bop->getNumOperands(), true);
  SmallVector<bool> neededVec(needed.begin(), needed.end());
  SmallVector<Value> grads;
  Operation *ret = bwd.getBody().front().getTerminator();
  OpBuilder b(ret);
  if (failed(iface.vjp(b, bwd.getArgument(numIn), neededVec, grads)))
    return testing::AssertionFailure() << "vjp failed: " << diags.messages;
  if (grads.size() != bop->getNumOperands())
    return testing::AssertionFailure()
           << "vjp returned " << grads.size() << " gradients for " << bop->getNumOperands()
           << " operands";
  SmallVector<Value> returned;
  std::vector<int> gradIndex(numIn, -1); // operand -> position in @bwd's results
  for (unsigned i = 0; i < numIn; ++i) {
    bool isInt = inputs[i].kind == Input::Indices;
    if (isInt || !needed[i]) {
      if (isInt && grads[i])
        return testing::AssertionFailure() << "integer operand " << i << " got a gradient";
      continue;
    }
    if (!grads[i])
      return testing::AssertionFailure() << "no gradient for f32 operand " << i;
    if (grads[i].getType() != bop->getOperand(i).getType())
      return testing::AssertionFailure() << "gradient of operand " << i << " has type "
                                         << str(grads[i].getType()) << ", the operand "
                                         << str(bop->getOperand(i).getType());
    gradIndex[i] = (int)returned.size();
    returned.push_back(grads[i]);
  }
  func::ReturnOp::create(b, ret->getLoc(), returned);
  ret->erase();
  bwd.setFunctionType(
      FunctionType::get(&context(), bwd.getArgumentTypes(), ValueRange(returned).getTypes()));
  std::string ir;
  llvm::raw_string_ostream irOs(ir);
  module->print(irOs);
  if (failed(verify(*module)))
    return testing::AssertionFailure() << "the backward IR does not verify:\n"
                                       << diags.messages << ir;

  // Evaluate.
  std::mt19937_64 rng(std::hash<std::string>()(opText));
  std::vector<Tensor> x;
  for (const Input &in : inputs)
    x.push_back(randomTensor(in, rng));
  Evaluator ev(*module, Precision::F64);
  std::vector<Tensor> out;
  std::string err;
  if (!ev.call("fwd", x, out, err))
    return testing::AssertionFailure() << "forward: " << err;
  Input rIn;
  rIn.shape = out[0].shape;
  Tensor r = randomTensor(rIn, rng);
  std::vector<Tensor> bargs = x;
  bargs.push_back(r);
  std::vector<Tensor> analytic;
  if (!ev.call("bwd", bargs, analytic, err))
    return testing::AssertionFailure() << "backward: " << err << "\n" << ir;

  auto loss = [&](const std::vector<Tensor> &xs) {
    std::vector<Tensor> o;
    std::string e;
    if (!ev.call("fwd", xs, o, e))
      ADD_FAILURE() << e;
    return o.empty() ? NAN : dot(o[0], r);
  };
  std::ostringstream failures;
  int bad = 0;
  for (unsigned i = 0; i < numIn; ++i) {
    if (gradIndex[i] < 0)
      continue;
    const Tensor &g = analytic[gradIndex[i]];
    double largest = 0;
    for (int64_t j = 0; j < x[i].numel(); ++j) {
      std::vector<Tensor> xp = x, xm = x;
      xp[i].data[j] += opt.h;
      xm[i].data[j] -= opt.h;
      double num = (loss(xp) - loss(xm)) / (2 * opt.h);
      double ana = g.data[j] * opt.scaleAnalytic;
      largest = std::max(largest, std::fabs(num));
      if (!(std::fabs(ana - num) <= opt.abs + opt.rel * std::fabs(num)) && bad++ < 8)
        failures << "  operand " << i << " element " << j << ": analytic " << ana
                 << ", numerical " << num << " (diff " << ana - num << ")\n";
    }
    // A gradient that is zero everywhere would pass vacuously: the cases are built so that
    // every checked operand matters.
    if (largest < 1e-3 && bad++ < 8)
      failures << "  operand " << i << ": the gradient is ~0 everywhere (vacuous case)\n";
  }
  if (bad)
    return testing::AssertionFailure() << opText << "\n" << bad << " mismatches:\n"
                                       << failures.str() << ir;
  return testing::AssertionSuccess();
}

#define GRAD_CHECK(...) EXPECT_TRUE(gradCheck(__VA_ARGS__))

// ---- elementwise ------------------------------------------------------------------------------

TEST(GradCheck, Relu) { GRAD_CHECK("gn.relu %x0 : tensor<3x4xf32>", {Away({3, 4})}); }
TEST(GradCheck, Sigmoid) { GRAD_CHECK("gn.sigmoid %x0 : tensor<3x4xf32>", {U({3, 4}, -3, 3)}); }
TEST(GradCheck, Tanh) { GRAD_CHECK("gn.tanh %x0 : tensor<3x4xf32>", {U({3, 4}, -2, 2)}); }
TEST(GradCheck, Softplus) {
  GRAD_CHECK("gn.softplus %x0 : tensor<3x4xf32>", {U({3, 4}, -4, 4)});
}
TEST(GradCheck, Exp) { GRAD_CHECK("gn.exp %x0 : tensor<3x4xf32>", {U({3, 4}, -2, 2)}); }
TEST(GradCheck, Log) { GRAD_CHECK("gn.log %x0 : tensor<3x4xf32>", {U({3, 4}, 0.3, 3)}); }
TEST(GradCheck, Sqrt) { GRAD_CHECK("gn.sqrt %x0 : tensor<3x4xf32>", {U({3, 4}, 0.3, 3)}); }
TEST(GradCheck, Sin) { GRAD_CHECK("gn.sin %x0 : tensor<3x4xf32>", {U({3, 4}, -3, 3)}); }
TEST(GradCheck, Cos) { GRAD_CHECK("gn.cos %x0 : tensor<3x4xf32>", {U({3, 4}, -3, 3)}); }
TEST(GradCheck, Neg) { GRAD_CHECK("gn.neg %x0 : tensor<3x4xf32>", {U({3, 4})}); }
TEST(GradCheck, Square) { GRAD_CHECK("gn.square %x0 : tensor<3x4xf32>", {U({3, 4}, -2, 2)}); }
TEST(GradCheck, Abs) { GRAD_CHECK("gn.abs %x0 : tensor<3x4xf32>", {Away({3, 4})}); }
TEST(GradCheck, LeakyRelu) {
  GRAD_CHECK("gn.leaky_relu %x0 alpha 2.000000e-01 : tensor<3x4xf32>", {Away({3, 4})});
}
TEST(GradCheck, Add) { GRAD_CHECK("gn.add %x0, %x1 : tensor<2x3xf32>", {U({2, 3}), U({2, 3})}); }
TEST(GradCheck, Sub) { GRAD_CHECK("gn.sub %x0, %x1 : tensor<2x3xf32>", {U({2, 3}), U({2, 3})}); }
TEST(GradCheck, Mul) { GRAD_CHECK("gn.mul %x0, %x1 : tensor<2x3xf32>", {U({2, 3}), U({2, 3})}); }
TEST(GradCheck, Div) {
  GRAD_CHECK("gn.div %x0, %x1 : tensor<2x3xf32>", {U({2, 3}), Away({2, 3}, 0.5, 2)});
}

TEST(GradCheck, Broadcast) {
  GRAD_CHECK("gn.broadcast %x0 : tensor<3xf32> to tensor<2x3xf32>", {U({3})});
  GRAD_CHECK("gn.broadcast %x0 : tensor<2x1xf32> to tensor<2x3xf32>", {U({2, 1})});
  GRAD_CHECK("gn.broadcast %x0 : tensor<1x3x1xf32> to tensor<2x3x4xf32>", {U({1, 3, 1})});
  GRAD_CHECK("gn.broadcast %x0 : tensor<f32> to tensor<2x3xf32>", {U({})});
  GRAD_CHECK("gn.broadcast %x0 : tensor<2x3xf32> to tensor<2x3xf32>", {U({2, 3})});
}

// ---- layers -----------------------------------------------------------------------------------

TEST(GradCheck, Matmul) {
  GRAD_CHECK("gn.matmul %x0, %x1 : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>",
             {U({3, 4}), U({4, 2})});
}
TEST(GradCheck, Dense) {
  GRAD_CHECK("gn.dense %x0, %x1, %x2 : (tensor<3x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> "
             "tensor<3x2xf32>",
             {U({3, 4}), U({4, 2}), U({2})});
  GRAD_CHECK("gn.dense %x0, %x1 : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>",
             {U({3, 4}), U({4, 2})});
}

// A conv2d case: x [N,H,W,Ci], kernel [KH,KW,Ci,Co], attributes, with or without bias.
struct ConvCase {
  int64_t n, h, w, ci, kh, kw, co;
  int64_t sH, sW, top, bottom, left, right, dH, dW;
  bool bias;
};

std::string list(std::initializer_list<int64_t> v) {
  std::string s = "[";
  for (int64_t x : v)
    s += (s.size() > 1 ? ", " : "") + std::to_string(x);
  return s + "]";
}
std::string t4(int64_t a, int64_t b, int64_t c, int64_t d) {
  return "tensor<" + std::to_string(a) + "x" + std::to_string(b) + "x" + std::to_string(c) + "x" +
         std::to_string(d) + "xf32>";
}

testing::AssertionResult conv2dCheck(const ConvCase &c) {
  int64_t oh = (c.h + c.top + c.bottom - c.dH * (c.kh - 1) - 1) / c.sH + 1;
  int64_t ow = (c.w + c.left + c.right - c.dW * (c.kw - 1) - 1) / c.sW + 1;
  std::string types = "(" + t4(c.n, c.h, c.w, c.ci) + ", " + t4(c.kh, c.kw, c.ci, c.co) +
                      (c.bias ? ", tensor<" + std::to_string(c.co) + "xf32>" : "") + ") -> " +
                      t4(c.n, oh, ow, c.co);
  std::string op = std::string("gn.conv2d %x0, %x1") + (c.bias ? ", %x2" : "") + " strides " +
                   list({c.sH, c.sW}) + " padding " + list({c.top, c.bottom, c.left, c.right}) +
                   " dilations " + list({c.dH, c.dW}) + " : " + types;
  std::vector<Input> in{U({c.n, c.h, c.w, c.ci}), U({c.kh, c.kw, c.ci, c.co})};
  if (c.bias)
    in.push_back(U({c.co}));
  return gradCheck(op, in);
}

TEST(GradCheck, Conv2d) {
  // n h w ci kh kw co | sH sW top bottom left right dH dW | bias
  EXPECT_TRUE(conv2dCheck({1, 5, 6, 2, 3, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, true}));
  EXPECT_TRUE(conv2dCheck({2, 6, 6, 2, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true}));  // "same", /2
  EXPECT_TRUE(conv2dCheck({1, 8, 6, 2, 3, 3, 2, 2, 2, 0, 0, 0, 0, 1, 1, false})); // remainder
  EXPECT_TRUE(conv2dCheck({1, 6, 7, 3, 3, 2, 2, 2, 1, 0, 1, 1, 2, 1, 1, true}));  // asymmetric
  EXPECT_TRUE(conv2dCheck({1, 7, 8, 2, 3, 2, 2, 1, 1, 2, 1, 0, 1, 2, 2, false})); // dilation 2
  EXPECT_TRUE(conv2dCheck({2, 8, 7, 2, 2, 3, 2, 2, 2, 1, 0, 2, 1, 2, 2, true}));  // s2 d2
  EXPECT_TRUE(conv2dCheck({1, 5, 4, 1, 1, 1, 2, 3, 2, 0, 0, 0, 0, 1, 1, false})); // 1x1, s3
}

// A conv2d_transpose case: x [N,H,W,Ci], kernel [KH,KW,Co,Ci].
struct ConvTCase {
  int64_t n, h, w, ci, kh, kw, co;
  int64_t sH, sW, top, bottom, left, right, opH, opW, dH, dW;
  bool bias;
};

testing::AssertionResult conv2dTransposeCheck(const ConvTCase &c) {
  int64_t oh = (c.h - 1) * c.sH - c.top - c.bottom + c.dH * (c.kh - 1) + c.opH + 1;
  int64_t ow = (c.w - 1) * c.sW - c.left - c.right + c.dW * (c.kw - 1) + c.opW + 1;
  std::string types = "(" + t4(c.n, c.h, c.w, c.ci) + ", " + t4(c.kh, c.kw, c.co, c.ci) +
                      (c.bias ? ", tensor<" + std::to_string(c.co) + "xf32>" : "") + ") -> " +
                      t4(c.n, oh, ow, c.co);
  std::string op = std::string("gn.conv2d_transpose %x0, %x1") + (c.bias ? ", %x2" : "") +
                   " strides " + list({c.sH, c.sW}) + " padding " +
                   list({c.top, c.bottom, c.left, c.right}) + " output_padding " +
                   list({c.opH, c.opW}) + " dilations " + list({c.dH, c.dW}) + " : " + types;
  std::vector<Input> in{U({c.n, c.h, c.w, c.ci}), U({c.kh, c.kw, c.co, c.ci})};
  if (c.bias)
    in.push_back(U({c.co}));
  return gradCheck(op, in);
}

TEST(GradCheck, Conv2dTranspose) {
  // n h w ci kh kw co | sH sW top bottom left right opH opW dH dW | bias
  EXPECT_TRUE(conv2dTransposeCheck({1, 3, 4, 2, 3, 3, 3, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, true}));
  // the conv_ae decoder's: stride 2, padding 1, output_padding 1
  EXPECT_TRUE(conv2dTransposeCheck({2, 3, 3, 2, 3, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, true}));
  EXPECT_TRUE(conv2dTransposeCheck({1, 3, 4, 2, 3, 2, 2, 2, 2, 0, 1, 1, 0, 1, 0, 1, 1, false}));
  EXPECT_TRUE(conv2dTransposeCheck({1, 4, 3, 2, 3, 3, 2, 2, 1, 1, 2, 0, 1, 0, 0, 1, 1, true}));
  EXPECT_TRUE(conv2dTransposeCheck({1, 3, 3, 2, 3, 2, 2, 1, 1, 1, 1, 1, 0, 0, 0, 2, 2, false}));
  EXPECT_TRUE(conv2dTransposeCheck({1, 3, 4, 1, 2, 3, 2, 2, 2, 1, 0, 0, 1, 1, 1, 2, 2, true}));
}

// output_padding >= stride is allowed when it is < dilation (as in PyTorch): conv2d of dy then
// covers more rows than x (GnVJP.cpp crops them; before, building the rule aborted).
TEST(GradCheck, Conv2dTransposeOutputPaddingAtLeastStride) {
  EXPECT_TRUE(conv2dTransposeCheck({1, 3, 3, 1, 3, 3, 2, 1, 1, 0, 0, 0, 0, 1, 1, 2, 2, true}));
  EXPECT_TRUE(conv2dTransposeCheck({1, 3, 3, 2, 2, 3, 2, 2, 2, 1, 0, 0, 1, 2, 1, 3, 2, false}));
}

// ---- shape manipulation -------------------------------------------------------------------

TEST(GradCheck, Upsample) {
  GRAD_CHECK("gn.upsample %x0 factor 2 : tensor<2x2x3x2xf32> -> tensor<2x4x6x2xf32>",
             {U({2, 2, 3, 2})});
  GRAD_CHECK("gn.upsample %x0 factor 3 : tensor<1x2x1x1xf32> -> tensor<1x6x3x1xf32>",
             {U({1, 2, 1, 1})});
}
TEST(GradCheck, Flatten) {
  GRAD_CHECK("gn.flatten %x0 : tensor<2x3x2x2xf32> -> tensor<2x12xf32>", {U({2, 3, 2, 2})});
}
TEST(GradCheck, Reshape) {
  GRAD_CHECK("gn.reshape %x0 : tensor<6x4xf32> to tensor<2x3x4xf32>", {U({6, 4})});
}
TEST(GradCheck, Transpose) {
  GRAD_CHECK("gn.transpose %x0 perm [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>",
             {U({2, 3, 4})});
  GRAD_CHECK("gn.transpose %x0 perm [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>", {U({2, 3})});
}
TEST(GradCheck, Concat) {
  GRAD_CHECK("gn.concat %x0, %x1, %x2 axis 1 : (tensor<2x3xf32>, tensor<2x1xf32>, "
             "tensor<2x2xf32>) -> tensor<2x6xf32>",
             {U({2, 3}), U({2, 1}), U({2, 2})});
  GRAD_CHECK("gn.concat %x0, %x1 axis 0 : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>",
             {U({1, 3}), U({2, 3})});
}
TEST(GradCheck, Slice) {
  GRAD_CHECK("gn.slice %x0 start [1, 0, 2] size [2, 3, 1] : tensor<3x3x4xf32> -> "
             "tensor<2x3x1xf32>",
             {U({3, 3, 4})});
}
TEST(GradCheck, Pad) {
  GRAD_CHECK("gn.pad %x0 low [0, 2] high [1, 3] : tensor<2x3xf32> -> tensor<3x8xf32>",
             {U({2, 3})});
}
TEST(GradCheck, Sum) {
  GRAD_CHECK("gn.sum %x0 axes [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>", {U({2, 3, 4})});
  GRAD_CHECK("gn.sum %x0 axes [0, 2] : tensor<2x3x4xf32> -> tensor<3xf32>", {U({2, 3, 4})});
  GRAD_CHECK("gn.sum %x0 axes [] : tensor<2x3xf32> -> tensor<f32>", {U({2, 3})});
}
TEST(GradCheck, Mean) {
  GRAD_CHECK("gn.mean %x0 axes [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>", {U({2, 3, 4})});
  GRAD_CHECK("gn.mean %x0 axes [0, 2] : tensor<2x3x4xf32> -> tensor<3xf32>", {U({2, 3, 4})});
  GRAD_CHECK("gn.mean %x0 axes [] : tensor<2x3xf32> -> tensor<f32>", {U({2, 3})});
}

// The index operand of gather never gets a gradient; the table does not either (the rule
// refuses it: gathered tables must be constants, GnInterfaces.td).
TEST(GradCheck, GatherIndicesGetNoGradient) {
  GRAD_CHECK("gn.gather %x0, %x1 : (tensor<5xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>",
             {U({5}), Idx({2, 3}, 5)}, Options{{false, true}});
  EXPECT_FALSE(gradCheck("gn.gather %x0, %x1 : (tensor<5xf32>, tensor<2x3xi32>) -> "
                         "tensor<2x3xf32>",
                         {U({5}), Idx({2, 3}, 5)}));
}

TEST(GradCheck, StopGradientGetsNoGradient) {
  // needed = false: the rule's null gradient is what stop_gradient means; the harness then
  // checks nothing numerically, so check the null directly.
  auto module = parse("func.func @f(%x: tensor<2xf32>, %r: tensor<2xf32>) -> tensor<2xf32> {\n"
                      "  %y = gn.stop_gradient %x : tensor<2xf32>\n  return %y : tensor<2xf32>\n}");
  ASSERT_TRUE(module);
  auto f = module->lookupSymbol<func::FuncOp>("f");
  Operation *op = &f.getBody().front().front();
  OpBuilder b(op->getNextNode());
  SmallVector<Value> grads;
  ASSERT_TRUE(succeeded(cast<mlir::gn::DifferentiableOpInterface>(op).vjp(
      b, f.getArgument(1), SmallVector<bool>{true}, grads)));
  ASSERT_EQ(grads.size(), 1u);
  EXPECT_FALSE(grads[0]);
}

// ---- losses ---------------------------------------------------------------------------------

std::string lossOp(const std::string &kind, const std::string &red) {
  return "gn." + kind + " %x0, %x1 reduction " + red +
         " : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<f32>";
}
const char *const kReductions[] = {"mean", "sum", "batch"};

TEST(GradCheck, Mse) {
  for (const char *red : kReductions)
    GRAD_CHECK(lossOp("mse", red), {U({3, 4}), U({3, 4})});
}
TEST(GradCheck, Bce) {
  for (const char *red : kReductions)
    GRAD_CHECK(lossOp("bce", red), {U({3, 4}, 0.05, 0.95), U({3, 4}, 0, 1)});
}
TEST(GradCheck, BceWithLogits) {
  for (const char *red : kReductions)
    GRAD_CHECK(lossOp("bce_with_logits", red), {U({3, 4}, -4, 4), U({3, 4}, 0, 1)});
}
TEST(GradCheck, KlNormal) {
  for (const char *red : kReductions)
    GRAD_CHECK(lossOp("kl_normal", red), {U({3, 4}, -1.5, 1.5), U({3, 4}, -1.5, 1.5)});
}

// ---- coverage and the harness itself ------------------------------------------------------------

// Every gn op with a VJP rule has a check above: a new differentiable op fails here until its
// GradCheck test exists and its name is added to this list.
TEST(GradCheckCoverage, EveryDifferentiableOpIsChecked) {
  const std::set<std::string> checked = {
      "gn.relu", "gn.sigmoid", "gn.tanh", "gn.softplus", "gn.exp", "gn.log", "gn.sqrt",
      "gn.sin", "gn.cos", "gn.neg", "gn.square", "gn.abs", "gn.stop_gradient",
      "gn.leaky_relu", "gn.add", "gn.sub", "gn.mul", "gn.div", "gn.broadcast", "gn.matmul",
      "gn.dense", "gn.conv2d", "gn.conv2d_transpose", "gn.upsample", "gn.flatten",
      "gn.reshape", "gn.transpose", "gn.concat", "gn.slice", "gn.pad", "gn.sum", "gn.mean",
      "gn.gather", "gn.mse", "gn.bce", "gn.bce_with_logits", "gn.kl_normal"};
  std::set<std::string> differentiable;
  for (RegisteredOperationName name : context().getRegisteredOperationsByDialect("gn"))
    if (name.hasInterface<mlir::gn::DifferentiableOpInterface>())
      differentiable.insert(name.getStringRef().str());
  for (const std::string &name : differentiable)
    EXPECT_TRUE(checked.count(name)) << name << " has a VJP rule but no gradient check";
  for (const std::string &name : checked)
    EXPECT_TRUE(differentiable.count(name)) << name << " is listed but has no VJP rule";
}


// Every check can fail: an analytic gradient off by 0.1% is caught, for a nonlinear op, a
// layer, a convolution and a loss.
TEST(Harness, CanFail) {
  Options off;
  off.scaleAnalytic = 1.001;
  EXPECT_FALSE(gradCheck("gn.tanh %x0 : tensor<3x4xf32>", {U({3, 4}, -2, 2)}, off));
  EXPECT_FALSE(gradCheck("gn.dense %x0, %x1, %x2 : (tensor<3x4xf32>, tensor<4x2xf32>, "
                         "tensor<2xf32>) -> tensor<3x2xf32>",
                         {U({3, 4}), U({4, 2}), U({2})}, off));
  EXPECT_FALSE(gradCheck(lossOp("bce", "batch"), {U({3, 4}, 0.05, 0.95), U({3, 4}, 0, 1)}, off));
  EXPECT_FALSE(gradCheck("gn.relu %x0 : tensor<3x4xf32>", {Away({3, 4})}, off));
}

} // namespace
