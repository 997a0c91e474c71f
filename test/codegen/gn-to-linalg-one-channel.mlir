// RUN: gnc-opt --gn-to-linalg --canonicalize --cse %s | FileCheck %s
// A convolution with a single output channel has no output vector: with unit stride and
// dilation along w, the taps (kw, c) of one output pixel are a contiguous run of its input
// row, so the rows and the kernel are cut into vectors of 8 and the convolution becomes a
// depthwise one over those 8 lanes (stride C/8, kernel width KW*C/8), whose 8 partial sums
// per pixel are added afterwards.
func.func @one_channel(%x: tensor<2x30x30x32xf32>, %w: tensor<3x3x32x1xf32>) -> tensor<2x28x28x1xf32> {
  %y = gn.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1]
      : (tensor<2x30x30x32xf32>, tensor<3x3x32x1xf32>) -> tensor<2x28x28x1xf32>
  return %y : tensor<2x28x28x1xf32>
}
// CHECK-LABEL: func.func @one_channel
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : tensor<2x30x30x32xf32> into tensor<2x30x960xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] output_shape [2, 30, 120, 8] : tensor<2x30x960xf32> into tensor<2x30x120x8xf32>
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<3x3x32x1xf32> into tensor<3x96xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [3, 12, 8] : tensor<3x96xf32> into tensor<3x12x8xf32>
// CHECK: %[[P:.*]] = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<[1, 4]> : tensor<2xi64>}
// CHECK-SAME: -> tensor<2x28x28x8xf32>
// CHECK: %[[S:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} ins(%[[P]] : tensor<2x28x28x8xf32>) outs(%{{.*}} : tensor<2x28x28xf32>)
// CHECK: arith.addf
// CHECK: tensor.expand_shape %[[S]] {{\[\[}}0], [1], [2, 3]] output_shape [2, 28, 28, 1] : tensor<2x28x28xf32> into tensor<2x28x28x1xf32>
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf

// A stride of 2 along w breaks the contiguous run: the plain convolution stays.
func.func @strided(%x: tensor<2x29x29x32xf32>, %w: tensor<3x3x32x1xf32>) -> tensor<2x14x14x1xf32> {
  %y = gn.conv2d %x, %w strides [2, 2] padding [0, 0, 0, 0] dilations [1, 1]
      : (tensor<2x29x29x32xf32>, tensor<3x3x32x1xf32>) -> tensor<2x14x14x1xf32>
  return %y : tensor<2x14x14x1xf32>
}
// CHECK-LABEL: func.func @strided
// CHECK-NOT: depthwise
// CHECK: linalg.conv_2d_nhwc_hwcf
