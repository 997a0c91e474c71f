// gn-transposed-conv-to-conv against the reference evaluator: every transposed convolution
// below (strides, asymmetric padding, padding beyond the kernel's reach, output padding,
// dilations, kernels smaller than the stride, a 1x1 output) gives the same numbers before the
// rewrite (gn.conv2d_transpose) and after it, in each form that can realize it.
#include "MlirTestUtil.h"

#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"

#include <sstream>

using namespace gnc::test;

namespace {

struct Case {
  int64_t n, h, w, cin, cout, kh, kw, sh, sw;
  std::vector<int64_t> pad, outPad, dil;
  bool bias;
};

std::string list(const std::vector<int64_t> &v) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < v.size(); ++i)
    os << (i ? ", " : "") << v[i];
  os << "]";
  return os.str();
}

std::string tensorType(const std::vector<int64_t> &shape) {
  std::ostringstream os;
  os << "tensor<";
  for (int64_t d : shape)
    os << d << "x";
  os << "f32>";
  return os.str();
}

std::vector<double> values(int64_t count, int64_t seed) {
  std::vector<double> v;
  for (int64_t i = 0; i < count; ++i)
    v.push_back(0.25 * (double)(((i + seed) * 37) % 23) - 2.5);
  return v;
}

int64_t product(const std::vector<int64_t> &s) {
  int64_t p = 1;
  for (int64_t d : s)
    p *= d;
  return p;
}

// Evaluates the case's transposed convolution, rewrites it with `algorithm`, evaluates again.
void checkForm(const Case &c, const std::string &algorithm) {
  SCOPED_TRACE("algorithm " + algorithm);
  int64_t oh = (c.h - 1) * c.sh - c.pad[0] - c.pad[1] + c.dil[0] * (c.kh - 1) + c.outPad[0] + 1;
  int64_t ow = (c.w - 1) * c.sw - c.pad[2] - c.pad[3] + c.dil[1] * (c.kw - 1) + c.outPad[1] + 1;
  std::vector<int64_t> xs{c.n, c.h, c.w, c.cin}, ws{c.kh, c.kw, c.cout, c.cin}, bs{c.cout}, ys{c.n, oh, ow, c.cout};
  std::string xt = tensorType(xs), wt = tensorType(ws), bt = tensorType(bs), yt = tensorType(ys);
  std::ostringstream text;
  text << "func.func @f(%x: " << xt << ", %w: " << wt << ", %b: " << bt << ") -> " << yt << " {\n"
       << "  %y = gn.conv2d_transpose %x, %w" << (c.bias ? ", %b" : "") << " strides [" << c.sh << ", " << c.sw
       << "] padding " << list(c.pad) << " output_padding " << list(c.outPad) << " dilations " << list(c.dil)
       << " {gnc.algorithm = \"" << algorithm << "\"} : (" << xt << ", " << wt << (c.bias ? ", " + bt : "")
       << ") -> " << yt << "\n  return %y : " << yt << "\n}\n";
  auto module = parse(text.str());
  ASSERT_TRUE(module);
  std::vector<Tensor> args{tensor(xs, values(product(xs), 1)), tensor(ws, values(product(ws), 5)),
                           tensor(bs, values(product(bs), 9))};
  std::vector<Tensor> before = run(*module, "f", args);
  ASSERT_EQ(before.size(), 1u);

  mlir::PassManager pm(&context());
  pm.addPass(gnc::createGnTransposedConvToConv());
  DiagnosticCapture diags;
  ASSERT_TRUE(mlir::succeeded(pm.run(*module))) << diags.messages;
  int transposed = 0, convs = 0;
  module->walk([&](mlir::Operation *op) {
    transposed += mlir::isa<mlir::gn::Conv2DTransposeOp>(op);
    convs += mlir::isa<mlir::gn::Conv2DOp>(op);
  });
  EXPECT_EQ(transposed, 0);
  EXPECT_GE(convs, 1);

  std::vector<Tensor> after = run(*module, "f", args);
  ASSERT_EQ(after.size(), 1u);
  ASSERT_EQ(after[0].shape, before[0].shape);
  for (size_t i = 0; i < before[0].data.size(); ++i)
    ASSERT_NEAR(after[0].data[i], before[0].data[i], 1e-9) << "element " << i;
}

const std::vector<Case> &cases() {
  static const std::vector<Case> all = {
      // The ConvAE decoder's: 3x3, stride 2, padding 1, output padding 1, bias.
      {2, 7, 7, 3, 4, 3, 3, 2, 2, {1, 1, 1, 1}, {1, 1}, {1, 1}, true},
      // Stride 1 (the ConvAE's last layer).
      {2, 5, 5, 2, 3, 3, 3, 1, 1, {1, 1, 1, 1}, {0, 0}, {1, 1}, true},
      // A kernel smaller than the stride: residues without taps stay zero (plus the bias).
      {1, 4, 4, 2, 2, 2, 2, 3, 3, {0, 0, 0, 0}, {2, 1}, {1, 1}, true},
      // Different strides, kernel sizes and paddings per dimension.
      {2, 4, 5, 3, 2, 3, 4, 2, 3, {0, 2, 1, 0}, {1, 2}, {1, 1}, false},
      // Padding beyond the kernel's reach (zero insertion crops its input).
      {1, 6, 6, 2, 3, 2, 2, 2, 2, {2, 2, 2, 2}, {1, 1}, {1, 1}, false},
      {1, 3, 3, 2, 2, 3, 3, 3, 3, {2, 2, 2, 2}, {0, 0}, {1, 1}, false},
      // Dilated kernels, one with an output padding beyond the stride (allowed below the dilation).
      {2, 5, 5, 2, 3, 3, 3, 2, 2, {1, 1, 2, 2}, {1, 0}, {2, 2}, true},
      {1, 4, 4, 2, 2, 2, 2, 1, 1, {0, 0, 0, 0}, {2, 2}, {3, 3}, false},
      // A one-pixel output: residue 1 has no output row at all.
      {1, 1, 1, 2, 2, 1, 1, 2, 2, {0, 0, 0, 0}, {0, 0}, {1, 1}, true},
  };
  return all;
}

TEST(TransposedConvToConv, SubPixelEqualsTransposedConvolution) {
  int checked = 0;
  for (size_t i = 0; i < cases().size(); ++i) {
    const Case &c = cases()[i];
    if (c.dil[0] != 1 || c.dil[1] != 1)
      continue; // sub-pixel needs dilation 1 (the rewrite rejects it otherwise)
    SCOPED_TRACE("case " + std::to_string(i));
    checkForm(c, "subpixel");
    ++checked;
  }
  EXPECT_EQ(checked, 7);
}

TEST(TransposedConvToConv, ZeroInsertionEqualsTransposedConvolution) {
  for (size_t i = 0; i < cases().size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    checkForm(cases()[i], "zero_insertion");
  }
}

} // namespace
