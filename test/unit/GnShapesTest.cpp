// Unit tests of the gn shape rules (dialects/gn/GnShapes.h), shared by the front end's type
// checker and the gn dialect's verifiers.
#include "dialects/gn/GnShapes.h"

#include <gtest/gtest.h>

using gn::shapes::Conv2DParams;
using gn::shapes::Shape;
namespace shapes = gn::shapes;

namespace {

// conv2d/conv2d_transpose with a square kernel and symmetric padding.
Conv2DParams params(int64_t stride, int64_t pad, int64_t outPad = 0, int64_t dilation = 1) {
  Conv2DParams p;
  p.strideH = p.strideW = stride;
  p.padTop = p.padBottom = p.padLeft = p.padRight = pad;
  p.outPadH = p.outPadW = outPad;
  p.dilationH = p.dilationW = dilation;
  return p;
}

// Result of a shape rule, or the error message prefixed with "error: " (so that EXPECT_EQ
// prints the reason when a rule rejects a case it should accept).
std::string show(const std::optional<Shape> &r, const std::string &err) {
  return r ? shapes::str(*r) : "error: " + err;
}

TEST(GnShapes, Str) {
  EXPECT_EQ(shapes::str({128, 28, 28, 1}), "[128, 28, 28, 1]");
  EXPECT_EQ(shapes::str({}), "[]");
}

// The seed's ConvAE encoder: 28 -> 14 -> 7 with kernel 3, stride 2, padding 1 ("same").
TEST(GnShapes, Conv2dSameStride2Halves) {
  std::string err;
  Shape b32{32};
  EXPECT_EQ(show(shapes::conv2d({128, 28, 28, 1}, {3, 3, 1, 32}, &b32, params(2, 1), err), err),
            "[128, 14, 14, 32]");
  Shape b64{64};
  EXPECT_EQ(show(shapes::conv2d({128, 14, 14, 32}, {3, 3, 32, 64}, &b64, params(2, 1), err), err),
            "[128, 7, 7, 64]");
  // Stride 1 "same" keeps the size; "valid" shrinks by k-1; dilation 2 widens the kernel to 5.
  EXPECT_EQ(show(shapes::conv2d({2, 28, 28, 1}, {3, 3, 1, 8}, nullptr, params(1, 1), err), err),
            "[2, 28, 28, 8]");
  EXPECT_EQ(show(shapes::conv2d({2, 28, 28, 1}, {3, 3, 1, 8}, nullptr, params(1, 0), err), err),
            "[2, 26, 26, 8]");
  EXPECT_EQ(show(shapes::conv2d({2, 28, 28, 1}, {3, 3, 1, 8}, nullptr, params(1, 2, 0, 2), err),
                 err),
            "[2, 28, 28, 8]");
}

TEST(GnShapes, Conv2dErrors) {
  std::string err;
  // Channel mismatch (HWIO kernel expects 3 input channels).
  EXPECT_FALSE(shapes::conv2d({1, 8, 8, 1}, {3, 3, 3, 4}, nullptr, params(1, 1), err));
  EXPECT_NE(err.find("input channels"), std::string::npos) << err;
  // Bias of the wrong size.
  Shape bad{5};
  EXPECT_FALSE(shapes::conv2d({1, 8, 8, 3}, {3, 3, 3, 4}, &bad, params(1, 1), err));
  // Not NHWC.
  EXPECT_FALSE(shapes::conv2d({8, 8, 3}, {3, 3, 3, 4}, nullptr, params(1, 1), err));
  // Kernel larger than the padded input.
  EXPECT_FALSE(shapes::conv2d({1, 2, 2, 1}, {5, 5, 1, 1}, nullptr, params(1, 0), err));
  // Stride 0.
  EXPECT_FALSE(shapes::conv2d({1, 8, 8, 1}, {3, 3, 1, 1}, nullptr, params(0, 1), err));
}

// The seed's ConvAE decoder: 7 -> 14 -> 28 (k3 s2 p1 op1), then 28 -> 28 (k3 s1 p1).
TEST(GnShapes, Conv2dTransposeDecoder) {
  std::string err;
  Shape b32{32};
  // HWOI kernel: [k, k, filters, Cin].
  EXPECT_EQ(show(shapes::conv2dTranspose({128, 7, 7, 64}, {3, 3, 32, 64}, &b32,
                                         params(2, 1, 1), err),
                 err),
            "[128, 14, 14, 32]");
  EXPECT_EQ(show(shapes::conv2dTranspose({128, 14, 14, 32}, {3, 3, 16, 32}, nullptr,
                                         params(2, 1, 1), err),
                 err),
            "[128, 28, 28, 16]");
  EXPECT_EQ(show(shapes::conv2dTranspose({128, 28, 28, 16}, {3, 3, 1, 16}, nullptr,
                                         params(1, 1), err),
                 err),
            "[128, 28, 28, 1]");
  // Without output padding a stride-2 "same" transposed conv gives 2n-1.
  EXPECT_EQ(show(shapes::conv2dTranspose({1, 7, 7, 4}, {3, 3, 4, 4}, nullptr, params(2, 1), err),
                 err),
            "[1, 13, 13, 4]");
}

// The seed's transposed-convolution example: a 2x2 input and a 2x2 kernel, stride 1, no
// padding, give a 3x3 output.
TEST(GnShapes, Conv2dTransposeSeedExample) {
  std::string err;
  EXPECT_EQ(show(shapes::conv2dTranspose({1, 2, 2, 1}, {2, 2, 1, 1}, nullptr, params(1, 0), err),
                 err),
            "[1, 3, 3, 1]");
}

TEST(GnShapes, Conv2dTransposeErrors) {
  std::string err;
  // Input channels are the kernel's last dimension.
  EXPECT_FALSE(shapes::conv2dTranspose({1, 7, 7, 64}, {3, 3, 64, 32}, nullptr, params(2, 1, 1),
                                       err));
  // Output padding must be smaller than the stride (or the dilation).
  EXPECT_FALSE(shapes::conv2dTranspose({1, 7, 7, 4}, {3, 3, 4, 4}, nullptr, params(1, 1, 1), err));
  EXPECT_NE(err.find("output padding"), std::string::npos) << err;
  // Padding that eats the whole output.
  EXPECT_FALSE(shapes::conv2dTranspose({1, 1, 1, 1}, {1, 1, 1, 1}, nullptr, params(1, 1), err));
}

TEST(GnShapes, Broadcast) {
  std::string err;
  EXPECT_EQ(show(shapes::broadcast({128, 1}, {64}, err), err), "[128, 64]");
  EXPECT_EQ(show(shapes::broadcast({}, {3, 4}, err), err), "[3, 4]");
  EXPECT_EQ(show(shapes::broadcast({5, 1, 4}, {3, 1}, err), err), "[5, 3, 4]");
  EXPECT_FALSE(shapes::broadcast({3, 4}, {5, 4}, err));
  EXPECT_NE(err.find("do not broadcast"), std::string::npos) << err;
  EXPECT_TRUE(shapes::broadcastsTo({1, 64}, {128, 64}));
  EXPECT_TRUE(shapes::broadcastsTo({}, {128, 64}));
  EXPECT_FALSE(shapes::broadcastsTo({128, 64}, {1, 64})); // widening only
  EXPECT_FALSE(shapes::broadcastsTo({2, 64}, {128, 64}));
}

TEST(GnShapes, DenseAndMatmul) {
  std::string err;
  Shape b256{256};
  EXPECT_EQ(show(shapes::dense({128, 784}, {784, 256}, &b256, err), err), "[128, 256]");
  EXPECT_FALSE(shapes::dense({128, 28, 28, 1}, {784, 256}, nullptr, err));
  EXPECT_NE(err.find("flatten"), std::string::npos) << err;
  EXPECT_FALSE(shapes::dense({128, 784}, {256, 784}, nullptr, err));
  Shape bad{64};
  EXPECT_FALSE(shapes::dense({128, 784}, {784, 256}, &bad, err));
  EXPECT_EQ(show(shapes::matmul({2, 3}, {3, 5}, err), err), "[2, 5]");
  EXPECT_FALSE(shapes::matmul({2, 3}, {4, 5}, err));
}

TEST(GnShapes, FlattenReshape) {
  std::string err;
  EXPECT_EQ(show(shapes::flatten({128, 28, 28, 1}, err), err), "[128, 784]");
  EXPECT_FALSE(shapes::flatten({}, err));
  EXPECT_EQ(show(shapes::reshape({128, 784}, {128, 28, 28, 1}, err), err), "[128, 28, 28, 1]");
  EXPECT_EQ(show(shapes::reshape({128, 7, 7, 64}, {128, 3136}, err), err), "[128, 3136]");
}

TEST(GnShapes, ReshapeElementCountError) {
  std::string err;
  EXPECT_FALSE(shapes::reshape({128, 784}, {128, 28, 28, 2}, err));
  EXPECT_NE(err.find("changes the element count"), std::string::npos) << err;
  EXPECT_NE(err.find("100352"), std::string::npos) << err; // 128*784
  EXPECT_FALSE(shapes::reshape({4}, {-1, 4}, err));       // no inferred dims
  EXPECT_FALSE(shapes::reshape({4}, {0, 4}, err));
}

TEST(GnShapes, TransposeConcatSlice) {
  std::string err;
  EXPECT_EQ(show(shapes::transpose({2, 3, 4}, {2, 0, 1}, err), err), "[4, 2, 3]");
  EXPECT_FALSE(shapes::transpose({2, 3, 4}, {0, 0, 1}, err));
  EXPECT_FALSE(shapes::transpose({2, 3, 4}, {0, 1}, err));
  EXPECT_EQ(show(shapes::concat({{8, 7, 7, 64}, {8, 7, 7, 16}}, 3, err), err), "[8, 7, 7, 80]");
  EXPECT_FALSE(shapes::concat({{8, 7, 7, 64}, {8, 6, 7, 16}}, 3, err));
  EXPECT_FALSE(shapes::concat({{8, 4}}, 2, err));
  EXPECT_FALSE(shapes::concat({}, 0, err));
  EXPECT_EQ(show(shapes::slice({8, 10}, {0, 2}, {8, 5}, err), err), "[8, 5]");
  EXPECT_FALSE(shapes::slice({8, 10}, {0, 6}, {8, 5}, err));
}

TEST(GnShapes, ReduceUpsampleGroupNormLossGather) {
  std::string err;
  EXPECT_EQ(show(shapes::reduce({128, 28, 28, 1}, {}, err), err), "[]");
  EXPECT_EQ(show(shapes::reduce({128, 28, 28, 1}, {1, 2, 3}, err), err), "[128]");
  EXPECT_FALSE(shapes::reduce({128, 64}, {1, 1}, err));
  EXPECT_FALSE(shapes::reduce({128, 64}, {2}, err));
  EXPECT_EQ(show(shapes::upsample({4, 7, 7, 8}, 2, err), err), "[4, 14, 14, 8]");
  EXPECT_FALSE(shapes::upsample({4, 7, 7, 8}, 0, err));
  EXPECT_EQ(show(shapes::groupNorm({4, 8, 8, 32}, {32}, {32}, 8, err), err), "[4, 8, 8, 32]");
  EXPECT_FALSE(shapes::groupNorm({4, 8, 8, 30}, {30}, {30}, 8, err));
  EXPECT_FALSE(shapes::groupNorm({4, 8, 8, 32}, {16}, {32}, 8, err));
  EXPECT_EQ(show(shapes::loss({128, 784}, {128, 784}, err), err), "[]");
  EXPECT_FALSE(shapes::loss({128, 784}, {128, 28, 28, 1}, err));
  EXPECT_EQ(show(shapes::gather({1000}, {128}, err), err), "[128]");
  EXPECT_FALSE(shapes::gather({10, 10}, {128}, err));
  EXPECT_TRUE(shapes::validShape({128, 64}, err));
  EXPECT_FALSE(shapes::validShape({128, 0}, err));
}

} // namespace
