// RUN: gnc-opt --gn-autodiff %s | FileCheck %s
// Convolutions: the kernel gradient is conv2d_filter_grad; the input gradient of the second
// conv2d (needed to reach the first layer) is a conv2d_transpose with the same kernel and
// the output padding that restores the stride-2 input size; the transposed convolution's
// input gradient is a conv2d.
module {
  gn.param @n.c1 : tensor<3x3x1x4xf32> init "uniform" scale 1.0e-01
  gn.param @n.c2 : tensor<3x3x4x8xf32> init "uniform" scale 1.0e-01
  gn.param @n.t : tensor<3x3x2x8xf32> init "uniform" scale 1.0e-01
  func.func @step(%x: tensor<2x8x8x1xf32>, %key: tensor<2xi32>) -> tensor<f32> attributes {gn.kind = "train"} {
    %w1 = gn.param_ref @n.c1 : tensor<3x3x1x4xf32>
    %h1 = gn.conv2d %x, %w1 strides [1, 1] padding [1, 1, 1, 1] dilations [1, 1] : (tensor<2x8x8x1xf32>, tensor<3x3x1x4xf32>) -> tensor<2x8x8x4xf32>
    %w2 = gn.param_ref @n.c2 : tensor<3x3x4x8xf32>
    %h2 = gn.conv2d %h1, %w2 strides [2, 2] padding [1, 1, 1, 1] dilations [1, 1] : (tensor<2x8x8x4xf32>, tensor<3x3x4x8xf32>) -> tensor<2x4x4x8xf32>
    %wt = gn.param_ref @n.t : tensor<3x3x2x8xf32>
    %y = gn.conv2d_transpose %h2, %wt strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [1, 1] : (tensor<2x4x4x8xf32>, tensor<3x3x2x8xf32>) -> tensor<2x8x8x2xf32>
    %l = gn.mean %y axes [] : tensor<2x8x8x2xf32> -> tensor<f32>
    gn.minimize %l with "adam" {lr = 1.0e-03 : f64} over ["n"] params [@n.c1, @n.c2, @n.t]
    return %l : tensor<f32>
  }
}
// CHECK-LABEL: func.func @step(
// CHECK: %[[H1:.*]] = gn.conv2d %arg0, %arg2
// CHECK: %[[H2:.*]] = gn.conv2d %[[H1]], %arg3 strides [2, 2]
// CHECK: gn.conv2d_transpose %[[H2]], %arg4
// CHECK: %[[DY:.*]] = gn.mul
// CHECK: %[[DH2:.*]] = gn.conv2d %[[DY]], %arg4 strides [2, 2] padding [1, 1, 1, 1] dilations [1, 1] : (tensor<2x8x8x2xf32>, tensor<3x3x2x8xf32>) -> tensor<2x4x4x8xf32>
// CHECK: gn.conv2d_filter_grad %[[DY]], %[[H2]] kernel [3, 3] strides [2, 2] {{.*}} -> tensor<3x3x2x8xf32>
// CHECK: %[[DH1:.*]] = gn.conv2d_transpose %[[DH2]], %arg3 strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [1, 1] : (tensor<2x4x4x8xf32>, tensor<3x3x4x8xf32>) -> tensor<2x8x8x4xf32>
// CHECK: gn.conv2d_filter_grad %[[H1]], %[[DH2]] kernel [3, 3] {{.*}} -> tensor<3x3x4x8xf32>
// CHECK-NOT: gn.conv2d_transpose %[[DH1]]
// CHECK: gn.conv2d_filter_grad %arg0, %[[DH1]] kernel [3, 3] strides [1, 1] {{.*}} -> tensor<3x3x1x4xf32>
// Adam keeps two moments per parameter and its step count.
// CHECK: gn.sqrt
// CHECK: return
