// The reference evaluator (dialects/gn/reference) on hand-checked cases: convolutions (the
// lecture's transposed-convolution example and a direct formula), the other layers, losses,
// control flow, Philox random numbers, precision and error reporting.
#include "MlirTestUtil.h"

#include "dialects/gn/Philox.h"

#include <cmath>

using namespace gnc::test;

namespace {

void expectTensor(const Tensor &t, const std::vector<int64_t> &shape,
                  const std::vector<double> &data, double tol = 1e-12) {
  EXPECT_EQ(t.shape, shape);
  ASSERT_EQ(t.data.size(), data.size());
  for (size_t i = 0; i < data.size(); ++i)
    EXPECT_NEAR(t.data[i], data[i], tol) << "element " << i;
}

// Runs a one-op function `%y = <op>` on `args` (types given by `argTypes`).
std::vector<Tensor> runOp(const std::string &argTypes, const std::string &resultType,
                          const std::string &op, const std::vector<Tensor> &args,
                          Precision p = Precision::F64) {
  auto module = parse("func.func @f(" + argTypes + ") -> " + resultType + " {\n  %y = " + op +
                      "\n  return %y : " + resultType + "\n}\n");
  if (!module)
    return {};
  return run(*module, "f", args, p);
}

// ---- convolutions ---------------------------------------------------------------------------

// The lecture's example: every input pixel stamps the kernel, scaled, at its position.
TEST(Evaluator, ConvTransposeLectureExample) {
  auto r = runOp("%x: tensor<1x2x2x1xf32>, %w: tensor<2x2x1x1xf32>", "tensor<1x3x3x1xf32>",
                 "gn.conv2d_transpose %x, %w strides [1, 1] padding [0, 0, 0, 0] "
                 "output_padding [0, 0] dilations [1, 1] : (tensor<1x2x2x1xf32>, "
                 "tensor<2x2x1x1xf32>) -> tensor<1x3x3x1xf32>",
                 {tensor({1, 2, 2, 1}, {1, 3, 0, 2}), tensor({2, 2, 1, 1}, {1, 3, 0, 2})});
  ASSERT_EQ(r.size(), 1u);
  expectTensor(r[0], {1, 3, 3, 1}, {1, 6, 9, 0, 4, 12, 0, 0, 4});
}

// An independent formulation for the test: each output pixel gathers the input pixels that
// land on it, oh = ih*s - top + kh*d, i.e. ih = (oh + top - kh*d) / s when that divides.
std::vector<double> convTransposeDirect(const Tensor &x, const Tensor &w, const Tensor &b,
                                        int64_t s, int64_t top, int64_t left, int64_t d,
                                        int64_t OH, int64_t OW) {
  int64_t N = x.shape[0], H = x.shape[1], W = x.shape[2], Ci = x.shape[3];
  int64_t KH = w.shape[0], KW = w.shape[1], Co = w.shape[2];
  std::vector<double> out;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        for (int64_t co = 0; co < Co; ++co) {
          double acc = b.data[co];
          for (int64_t kh = 0; kh < KH; ++kh)
            for (int64_t kw = 0; kw < KW; ++kw) {
              int64_t th = oh + top - kh * d, tw = ow + left - kw * d;
              if (th < 0 || tw < 0 || th % s || tw % s || th / s >= H || tw / s >= W)
                continue;
              for (int64_t ci = 0; ci < Ci; ++ci)
                acc += x.data[((n * H + th / s) * W + tw / s) * Ci + ci] *
                       w.data[((kh * KW + kw) * Co + co) * Ci + ci];
            }
          out.push_back(acc);
        }
  return out;
}

std::vector<double> iota(int64_t n, double scale, double offset) {
  std::vector<double> v;
  for (int64_t i = 0; i < n; ++i)
    v.push_back(offset + scale * (double)((i * 7) % 11));
  return v;
}

TEST(Evaluator, ConvTransposeStride2PaddingOutputPadding) {
  // x 1x3x3x2, kernel [3,3,Cout=2,Cin=2], stride 2, padding 1, output_padding 1: 3 -> 6.
  Tensor x = tensor({1, 3, 3, 2}, iota(18, 0.5, -2)), w = tensor({3, 3, 2, 2}, iota(36, 0.25, -1));
  Tensor b = tensor({2}, {0.5, -1.5});
  auto r = runOp("%x: tensor<1x3x3x2xf32>, %w: tensor<3x3x2x2xf32>, %b: tensor<2xf32>",
                 "tensor<1x6x6x2xf32>",
                 "gn.conv2d_transpose %x, %w, %b strides [2, 2] padding [1, 1, 1, 1] "
                 "output_padding [1, 1] dilations [1, 1] : (tensor<1x3x3x2xf32>, "
                 "tensor<3x3x2x2xf32>, tensor<2xf32>) -> tensor<1x6x6x2xf32>",
                 {x, w, b});
  ASSERT_EQ(r.size(), 1u);
  expectTensor(r[0], {1, 6, 6, 2}, convTransposeDirect(x, w, b, 2, 1, 1, 1, 6, 6));
}

// Without bottom/right padding the output_padding row and column receive no input pixel:
// they hold only the bias.
TEST(Evaluator, ConvTransposeOutputPaddingRowsOnlyGetBias) {
  Tensor x = tensor({1, 2, 3, 1}, iota(6, 1, 1)), w = tensor({2, 2, 1, 1}, {1, -2, 3, 0.5});
  Tensor b = tensor({1}, {0.25});
  // OH = (2-1)*2 - 1 - 0 + 1 + 1 + 1 = 4, OW = (3-1)*2 - 0 - 0 + 1 + 1 + 1 = 7.
  auto r = runOp("%x: tensor<1x2x3x1xf32>, %w: tensor<2x2x1x1xf32>, %b: tensor<1xf32>",
                 "tensor<1x4x7x1xf32>",
                 "gn.conv2d_transpose %x, %w, %b strides [2, 2] padding [1, 0, 0, 0] "
                 "output_padding [1, 1] dilations [1, 1] : (tensor<1x2x3x1xf32>, "
                 "tensor<2x2x1x1xf32>, tensor<1xf32>) -> tensor<1x4x7x1xf32>",
                 {x, w, b});
  ASSERT_EQ(r.size(), 1u);
  std::vector<double> want = convTransposeDirect(x, w, b, 2, 1, 0, 1, 4, 7);
  expectTensor(r[0], {1, 4, 7, 1}, want);
  for (int64_t c = 0; c < 7; ++c)
    EXPECT_EQ(r[0].data[3 * 7 + c], 0.25) << "last row, column " << c;
  for (int64_t h = 0; h < 4; ++h)
    EXPECT_EQ(r[0].data[h * 7 + 6], 0.25) << "last column, row " << h;
}

TEST(Evaluator, Conv2dByHand) {
  Tensor x = tensor({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor w = tensor({2, 2, 1, 1}, {1, 2, 3, 4});
  const char *types = "(tensor<1x3x3x1xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x1xf32>";
  auto valid = runOp("%x: tensor<1x3x3x1xf32>, %w: tensor<2x2x1x1xf32>", "tensor<1x2x2x1xf32>",
                     std::string("gn.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] "
                                 "dilations [1, 1] : ") + types,
                     {x, w});
  ASSERT_EQ(valid.size(), 1u);
  expectTensor(valid[0], {1, 2, 2, 1}, {37, 47, 67, 77});
  // stride 2, padding 1: the windows start at -1 and 1.
  auto strided = runOp("%x: tensor<1x3x3x1xf32>, %w: tensor<2x2x1x1xf32>", "tensor<1x2x2x1xf32>",
                       std::string("gn.conv2d %x, %w strides [2, 2] padding [1, 1, 1, 1] "
                                   "dilations [1, 1] : ") + types,
                       {x, w});
  ASSERT_EQ(strided.size(), 1u);
  expectTensor(strided[0], {1, 2, 2, 1}, {4, 18, 36, 77});
  // dilation 2 on a 3x3 input: one window touching the corners; two output channels + bias.
  auto dilated = runOp(
      "%x: tensor<1x3x3x1xf32>, %w: tensor<2x2x1x2xf32>, %b: tensor<2xf32>",
      "tensor<1x1x1x2xf32>",
      "gn.conv2d %x, %w, %b strides [1, 1] padding [0, 0, 0, 0] dilations [2, 2] : "
      "(tensor<1x3x3x1xf32>, tensor<2x2x1x2xf32>, tensor<2xf32>) -> tensor<1x1x1x2xf32>",
      {x, tensor({2, 2, 1, 2}, {1, 0, 0, 1, 0, 0, 1, -1}), tensor({2}, {10, 20})});
  ASSERT_EQ(dilated.size(), 1u);
  // channel 0: 1*x00 + 1*x22 = 1 + 9; channel 1: x02 - x22 = 3 - 9.
  expectTensor(dilated[0], {1, 1, 1, 2}, {10 + 10, -6 + 20});
}

TEST(Evaluator, Conv2dFilterGradByHand) {
  // dw[kh,kw,0,0] = sum_{oh,ow} x[oh+kh, ow+kw] dy[oh,ow] with dy = 1: sums of 2x2 windows.
  Tensor x = tensor({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto r = runOp("%x: tensor<1x3x3x1xf32>, %dy: tensor<1x2x2x1xf32>", "tensor<2x2x1x1xf32>",
                 "gn.conv2d_filter_grad %x, %dy kernel [2, 2] strides [1, 1] padding [0, 0, 0, 0] "
                 "dilations [1, 1] : (tensor<1x3x3x1xf32>, tensor<1x2x2x1xf32>) -> "
                 "tensor<2x2x1x1xf32>",
                 {x, tensor({1, 2, 2, 1}, {1, 1, 1, 1})});
  ASSERT_EQ(r.size(), 1u);
  expectTensor(r[0], {2, 2, 1, 1}, {12, 16, 24, 28});
}

// ---- other layers -------------------------------------------------------------------------

TEST(Evaluator, DenseMatmulGroupNormUpsample) {
  auto d = runOp("%x: tensor<2x2xf32>, %w: tensor<2x3xf32>, %b: tensor<3xf32>", "tensor<2x3xf32>",
                 "gn.dense %x, %w, %b : (tensor<2x2xf32>, tensor<2x3xf32>, tensor<3xf32>) -> "
                 "tensor<2x3xf32>",
                 {tensor({2, 2}, {1, 2, 3, 4}), tensor({2, 3}, {1, 0, -1, 2, 1, 0}),
                  tensor({3}, {0.5, 0, -0.5})});
  ASSERT_EQ(d.size(), 1u);
  expectTensor(d[0], {2, 3}, {5.5, 2, -1.5, 11.5, 4, -3.5});

  // group_norm: 2 groups of 2 channels over a 1x2 image; group 0 holds {1, 3, 2, 6}.
  auto g = runOp("%x: tensor<1x1x2x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>",
                 "tensor<1x1x2x4xf32>",
                 "gn.group_norm %x, %g, %b groups 2 eps 1.0e-05 : (tensor<1x1x2x4xf32>, "
                 "tensor<4xf32>, tensor<4xf32>) -> tensor<1x1x2x4xf32>",
                 {tensor({1, 1, 2, 4}, {1, 3, 0, 0, 2, 6, 0, 4}), tensor({4}, {1, 2, 1, 1}),
                  tensor({4}, {0, 0, 0, 1})});
  ASSERT_EQ(g.size(), 1u);
  double m0 = 3, v0 = (4 + 0 + 1 + 9) / 4.0, s0 = 1 / std::sqrt(v0 + 1e-5);
  double m1 = 1, v1 = (1 + 1 + 1 + 9) / 4.0, s1 = 1 / std::sqrt(v1 + 1e-5);
  expectTensor(g[0], {1, 1, 2, 4},
               {(1 - m0) * s0, 2 * (3 - m0) * s0, (0 - m1) * s1, (0 - m1) * s1 + 1, (2 - m0) * s0,
                2 * (6 - m0) * s0, (0 - m1) * s1, (4 - m1) * s1 + 1},
               1e-12);

  auto u = runOp("%x: tensor<1x1x2x1xf32>", "tensor<1x2x4x1xf32>",
                 "gn.upsample %x factor 2 : tensor<1x1x2x1xf32> -> tensor<1x2x4x1xf32>",
                 {tensor({1, 1, 2, 1}, {7, 8})});
  ASSERT_EQ(u.size(), 1u);
  expectTensor(u[0], {1, 2, 4, 1}, {7, 7, 8, 8, 7, 7, 8, 8});
}

TEST(Evaluator, ShapeOpsAndReductions) {
  Tensor x = tensor({2, 3}, {1, 2, 3, 4, 5, 6});
  auto t = runOp("%x: tensor<2x3xf32>", "tensor<3x2xf32>",
                 "gn.transpose %x perm [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>", {x});
  expectTensor(t.at(0), {3, 2}, {1, 4, 2, 5, 3, 6});
  auto s = runOp("%x: tensor<2x3xf32>", "tensor<2xf32>",
                 "gn.sum %x axes [1] : tensor<2x3xf32> -> tensor<2xf32>", {x});
  expectTensor(s.at(0), {2}, {6, 15});
  auto m = runOp("%x: tensor<2x3xf32>", "tensor<f32>",
                 "gn.mean %x axes [] : tensor<2x3xf32> -> tensor<f32>", {x});
  expectTensor(m.at(0), {}, {3.5});
  auto b = runOp("%x: tensor<2x1xf32>", "tensor<2x3xf32>",
                 "gn.broadcast %x : tensor<2x1xf32> to tensor<2x3xf32>",
                 {tensor({2, 1}, {1, 2})});
  expectTensor(b.at(0), {2, 3}, {1, 1, 1, 2, 2, 2});
  auto p = runOp("%x: tensor<2x3xf32>", "tensor<3x4xf32>",
                 "gn.pad %x low [1, 0] high [0, 1] : tensor<2x3xf32> -> tensor<3x4xf32>", {x});
  expectTensor(p.at(0), {3, 4}, {0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0});
  auto sl = runOp("%x: tensor<2x3xf32>", "tensor<1x2xf32>",
                  "gn.slice %x start [1, 1] size [1, 2] : tensor<2x3xf32> -> tensor<1x2xf32>", {x});
  expectTensor(sl.at(0), {1, 2}, {5, 6});
  auto c = runOp("%x: tensor<2x3xf32>, %z: tensor<2x1xf32>", "tensor<2x4xf32>",
                 "gn.concat %x, %z axis 1 : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>",
                 {x, tensor({2, 1}, {-1, -2})});
  expectTensor(c.at(0), {2, 4}, {1, 2, 3, -1, 4, 5, 6, -2});
  auto g = runOp("%t: tensor<4xf32>, %i: tensor<2x2xi32>", "tensor<2x2xf32>",
                 "gn.gather %t, %i : (tensor<4xf32>, tensor<2x2xi32>) -> tensor<2x2xf32>",
                 {tensor({4}, {10, 11, 12, 13}), intTensor({2, 2}, {3, 0, 0, 2})});
  expectTensor(g.at(0), {2, 2}, {13, 10, 10, 12});
}

TEST(Evaluator, ElementwiseSpecials) {
  Tensor x = tensor({5}, {-800, -1, 0, 1, 800});
  auto sp = runOp("%x: tensor<5xf32>", "tensor<5xf32>", "gn.softplus %x : tensor<5xf32>", {x});
  expectTensor(sp.at(0), {5}, {0, std::log1p(std::exp(-1.0)), std::log(2.0), 1 + std::log1p(std::exp(-1.0)), 800});
  auto st = runOp("%x: tensor<5xf32>", "tensor<5xf32>", "gn.step %x : tensor<5xf32>", {x});
  expectTensor(st.at(0), {5}, {0, 0, 0, 1, 1});
  auto lr = runOp("%x: tensor<5xf32>", "tensor<5xf32>",
                  "gn.leaky_relu %x alpha 2.500000e-01 : tensor<5xf32>", {x});
  expectTensor(lr.at(0), {5}, {-200, -0.25, 0, 1, 800});
  auto cl = runOp("%x: tensor<5xf32>", "tensor<5xf32>",
                  "gn.clamp %x min -1.0 max 5.0e-01 : tensor<5xf32>", {x});
  expectTensor(cl.at(0), {5}, {-1, -1, 0, 0.5, 0.5});
  auto sg = runOp("%x: tensor<5xf32>", "tensor<5xf32>", "gn.sigmoid %x : tensor<5xf32>", {x});
  expectTensor(sg.at(0), {5}, {0, 1 / (1 + std::exp(1.0)), 0.5, 1 / (1 + std::exp(-1.0)), 1});
}

// ---- losses ---------------------------------------------------------------------------------

TEST(Evaluator, LossesAndReductions) {
  Tensor p = tensor({2, 2}, {0.9, 0.2, 0.0, 0.5}), t = tensor({2, 2}, {1, 0, 1, 0.5});
  // bce per element, log clamped at -100 (p = 0 with t = 1 costs 100).
  double e[4] = {-std::log(0.9), -std::log(0.8), 100, -std::log(0.5)};
  double total = e[0] + e[1] + e[2] + e[3];
  const char *reds[3] = {"mean", "sum", "batch"};
  double want[3] = {total / 4, total, total / 2};
  for (int k = 0; k < 3; ++k) {
    auto r = runOp("%p: tensor<2x2xf32>, %t: tensor<2x2xf32>", "tensor<f32>",
                   std::string("gn.bce %p, %t reduction ") + reds[k] +
                       " : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<f32>",
                   {p, t});
    expectTensor(r.at(0), {}, {want[k]}, 1e-12);
  }
  Tensor x = tensor({1, 3}, {-2, 0, 3}), y = tensor({1, 3}, {1, 0.5, 0});
  auto bl = runOp("%x: tensor<1x3xf32>, %t: tensor<1x3xf32>", "tensor<f32>",
                  "gn.bce_with_logits %x, %t reduction sum : (tensor<1x3xf32>, tensor<1x3xf32>) "
                  "-> tensor<f32>",
                  {x, y});
  double blWant = 0;
  for (int i = 0; i < 3; ++i) {
    double s = 1 / (1 + std::exp(-x.data[i]));
    blWant += -(y.data[i] * std::log(s) + (1 - y.data[i]) * std::log(1 - s));
  }
  expectTensor(bl.at(0), {}, {blWant}, 1e-12);
  auto kl = runOp("%m: tensor<1x2xf32>, %v: tensor<1x2xf32>", "tensor<f32>",
                  "gn.kl_normal %m, %v reduction batch : (tensor<1x2xf32>, tensor<1x2xf32>) -> "
                  "tensor<f32>",
                  {tensor({1, 2}, {0, 1}), tensor({1, 2}, {0, std::log(2.0)})});
  expectTensor(kl.at(0), {}, {0 + -0.5 * (1 + std::log(2.0) - 1 - 2)}, 1e-12);
  auto g = runOp("%p: tensor<2x2xf32>, %t: tensor<2x2xf32>, %d: tensor<f32>", "tensor<2x2xf32>",
                 "gn.loss_grad mse wrt 1 reduction batch %p, %t, %d : (tensor<2x2xf32>, "
                 "tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>",
                 {p, t, tensor({}, {3})});
  // -2 (p - t) * 3 / 2
  expectTensor(g.at(0), {2, 2}, {0.3, -0.6, 3, 0}, 1e-12);
}

// ---- control flow, parameters, precision --------------------------------------------------

TEST(Evaluator, LoopCallParamAndFoldIn) {
  auto module = parse(R"mlir(
    gn.param @net.w : tensor<2xf32> init "zeros"
    func.func private @net(%x: tensor<2xf32>) -> tensor<2xf32> {
      %w = gn.param_ref @net.w : tensor<2xf32>
      %y = gn.add %x, %w : tensor<2xf32>
      return %y : tensor<2xf32>
    }
    func.func @main(%x: tensor<2xf32>, %key: tensor<2xi32>) -> (tensor<2xf32>, tensor<2xi32>) {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c3 = arith.constant 3 : index
      %c10 = arith.constant 10 : i64
      %r:2 = scf.for %i = %c0 to %c3 step %c1 iter_args(%a = %x, %k = %key)
          -> (tensor<2xf32>, tensor<2xi32>) {
        %y = func.call @net(%a) : (tensor<2xf32>) -> tensor<2xf32>
        %i64 = arith.index_cast %i : index to i64
        %t64 = arith.subi %c10, %i64 : i64
        %t = arith.trunci %t64 : i64 to i32
        %d = tensor.from_elements %t : tensor<i32>
        %k2 = gn.rng_fold_in %k, %d : tensor<i32>
        scf.yield %y, %k2 : tensor<2xf32>, tensor<2xi32>
      }
      return %r#0, %r#1 : tensor<2xf32>, tensor<2xi32>
    }
  )mlir");
  ASSERT_TRUE(module);
  Evaluator ev(*module, Precision::F32);
  std::vector<Tensor> out;
  std::string err;
  Tensor key = intTensor({2}, {-5, 42});
  EXPECT_FALSE(ev.call("main", {tensor({2}, {1, 2}), key}, out, err));
  EXPECT_NE(err.find("net.w"), std::string::npos) << err;
  ev.params["net.w"] = tensor({2}, {0.5, -1});
  ASSERT_TRUE(ev.call("main", {tensor({2}, {1, 2}), key}, out, err)) << err;
  expectTensor(out.at(0), {2}, {2.5, -1});
  gn::philox::Key k{(uint32_t)-5, 42u};
  for (uint32_t d : {10u, 9u, 8u})
    k = gn::philox::foldIn(k, d);
  expectTensor(out.at(1), {2}, {(double)(int32_t)k[0], (double)(int32_t)k[1]});
  EXPECT_TRUE(out.at(1).isInt);
}

TEST(Evaluator, PrecisionRoundsF32Results) {
  Tensor a = tensor({1}, {0.1}), b = tensor({1}, {0.2});
  const char *op = "gn.add %a, %b : tensor<1xf32>";
  auto f64 = runOp("%a: tensor<1xf32>, %b: tensor<1xf32>", "tensor<1xf32>", op, {a, b},
                   Precision::F64);
  auto f32 = runOp("%a: tensor<1xf32>, %b: tensor<1xf32>", "tensor<1xf32>", op, {a, b},
                   Precision::F32);
  EXPECT_EQ(f64.at(0).data[0], 0.1 + 0.2);
  EXPECT_EQ(f32.at(0).data[0], (double)(float)((double)0.1f + (double)0.2f));
}

TEST(Evaluator, Errors) {
  auto module = parse(R"mlir(
    gn.param @net.w : tensor<f32> init "zeros"
    func.func @train(%x: tensor<f32>) {
      gn.minimize %x with "sgd" {lr = 1.0e-01 : f64} over ["net"] params [@net.w]
      return
    }
    func.func @unknown(%x: i32) -> i32 {
      %y = arith.remsi %x, %x : i32
      return %y : i32
    }
    func.func @badgather(%t: tensor<2xf32>, %i: tensor<1xi32>) -> tensor<1xf32> {
      %y = gn.gather %t, %i : (tensor<2xf32>, tensor<1xi32>) -> tensor<1xf32>
      return %y : tensor<1xf32>
    }
  )mlir");
  ASSERT_TRUE(module);
  Evaluator ev(*module, Precision::F32);
  std::vector<Tensor> out;
  std::string err;
  EXPECT_FALSE(ev.call("train", {tensor({}, {1})}, out, err));
  EXPECT_NE(err.find("gn.minimize must be lowered by gn-autodiff first"), std::string::npos) << err;
  EXPECT_NE(err.find("'gn.minimize' at "), std::string::npos) << err;
  EXPECT_FALSE(ev.call("unknown", {intTensor({}, {3})}, out, err));
  EXPECT_NE(err.find("arith.remsi"), std::string::npos) << err;
  EXPECT_FALSE(ev.call("badgather", {tensor({2}, {1, 2}), intTensor({1}, {2})}, out, err));
  EXPECT_NE(err.find("out of range"), std::string::npos) << err;
  EXPECT_FALSE(ev.call("badgather", {tensor({3}, {1, 2, 3}), intTensor({1}, {0})}, out, err));
  EXPECT_NE(err.find("argument 0"), std::string::npos) << err;
  EXPECT_FALSE(ev.call("nosuch", {}, out, err));
  EXPECT_EQ(err.find('\n'), std::string::npos) << "one line: " << err;
}

// ---- data parallelism ------------------------------------------------------------------------

// The evaluator is one process: the sum and the mean over the processes are the tensor itself,
// and a sharded random op draws rank 0's rows (its element indices start at 0).
TEST(Evaluator, AllReduceAndShardAreOneProcess) {
  auto module = parse(R"mlir(
    func.func @dp(%x: tensor<2x2xf32>, %k: tensor<2xi32>) -> (tensor<2x2xf32>, tensor<2x2xf32>,
                                                              tensor<2x3xf32>) {
      %s = gn.all_reduce sum %x : tensor<2x2xf32>
      %m = gn.all_reduce mean %x : tensor<2x2xf32>
      %n = gn.normal %k stream 3 mean 0.000000e+00 std 1.000000e+00 {gn.shard} : tensor<2x3xf32>
      return %s, %m, %n : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x3xf32>
    }
  )mlir");
  ASSERT_TRUE(module);
  Tensor x = tensor({2, 2}, {1.5, -2, 0.25, 8});
  auto out = run(*module, "dp", {x, intTensor({2}, {5, 7})}, Precision::F32);
  ASSERT_EQ(out.size(), 3u);
  expectTensor(out[0], {2, 2}, x.data);
  expectTensor(out[1], {2, 2}, x.data);
  gn::philox::Key k{5u, 7u};
  for (uint64_t i = 0; i < 6; ++i)
    EXPECT_EQ(out[2].data[i], (double)gn::philox::normal(k, i, 3, 0.0f, 1.0f)) << i;
}

// ---- random numbers -------------------------------------------------------------------------

TEST(Evaluator, RandomOpsFollowPhilox) {
  auto module = parse(R"mlir(
    func.func @rng(%k: tensor<2xi32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xi32>,
                                          tensor<2x3xf32>, tensor<2xi32>) {
      %n = gn.normal %k stream 3 mean 5.000000e-01 std 2.000000e+00 : tensor<2x3xf32>
      %u = gn.uniform %k stream 4 low -1.000000e+00 high 3.000000e+00 : tensor<2x3xf32>
      %r = gn.randint %k stream 5 low -3 high 1000 : tensor<2x3xi32>
      %m = gn.dropout_mask %k stream 6 p 5.000000e-01 : tensor<2x3xf32>
      %c = arith.constant dense<-7> : tensor<i32>
      %f = gn.rng_fold_in %k, %c : tensor<i32>
      return %n, %u, %r, %m, %f : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xi32>,
                                  tensor<2x3xf32>, tensor<2xi32>
    }
  )mlir");
  ASSERT_TRUE(module);
  // A negative i32 key word: the key is its two's-complement bit pattern.
  Tensor key = intTensor({2}, {-123456789, 987654321});
  gn::philox::Key k{(uint32_t)-123456789, 987654321u};
  auto out = run(*module, "rng", {key}, Precision::F32);
  ASSERT_EQ(out.size(), 5u);
  for (uint64_t i = 0; i < 6; ++i) {
    EXPECT_EQ(out[0].data[i], (double)gn::philox::normal(k, i, 3, 0.5f, 2.0f)) << i;
    EXPECT_EQ(out[1].data[i], (double)gn::philox::uniform(k, i, 4, -1.0f, 3.0f)) << i;
    EXPECT_EQ(out[2].data[i], (double)gn::philox::randint(k, i, 5, -3, 1000)) << i;
    EXPECT_EQ(out[3].data[i], (double)gn::philox::dropoutMask(k, i, 6, 0.5f)) << i;
  }
  // Element 4 of the normal op by hand from the raw Philox words (Box-Muller).
  gn::philox::Counter w = gn::philox::philox4x32_10({4, 0, 3, 0}, k);
  float u1 = 1.0f - (float)(w[0] >> 8) / 16777216.0f, u2 = (float)(w[1] >> 8) / 16777216.0f;
  EXPECT_EQ(out[0].data[4],
            (double)(0.5f + 2.0f * std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853071795864f * u2)));
  gn::philox::Key f = gn::philox::foldIn(k, (uint32_t)-7);
  expectTensor(out[4], {2}, {(double)(int32_t)f[0], (double)(int32_t)f[1]});
  // The same key gives the same numbers; streams differ.
  EXPECT_NE(out[0].data[0], out[1].data[0]);
}

} // namespace
