// RUN: gnc-opt --gn-autodiff --split-input-file --verify-diagnostics %s
// An op without a gradient rule on the path from a parameter to the loss is an error that
// names the op (group_norm must be decomposed first).
module {
  gn.param @n.g : tensor<4xf32> init "ones"
  func.func @step(%x: tensor<2x2x2x4xf32>, %key: tensor<2xi32>) -> tensor<f32> attributes {gn.kind = "train"} {
    %g = gn.param_ref @n.g : tensor<4xf32>
    %b = gn.constant dense<0.0> : tensor<4xf32>
    // expected-error @below {{'gn.group_norm' op has no gradient rule}}
    %y = gn.group_norm %x, %g, %b groups 2 eps 1.0e-05 : (tensor<2x2x2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x2x2x4xf32>
    %l = gn.mean %y axes [] : tensor<2x2x2x4xf32> -> tensor<f32>
    gn.minimize %l with "sgd" {lr = 1.0e-01 : f64} over ["n"] params [@n.g]
    return %l : tensor<f32>
  }
}

// -----

// The ops of gn-transposed-conv-to-conv come after differentiation and have no gradient rules:
// finding one, gn-autodiff stops at it.
module {
  func.func @step(%x: tensor<2x3x3x4xf32>) -> tensor<2x5x5x4xf32> attributes {gn.kind = "sample"} {
    // expected-error @below {{'gn.dilate' op is created after gn-autodiff (by gn-transposed-conv-to-conv) and has no gradient rule; differentiate gn.conv2d_transpose instead}}
    %d = gn.dilate %x strides [2, 2] padding [0, 0, 0, 0] : tensor<2x3x3x4xf32> -> tensor<2x5x5x4xf32>
    return %d : tensor<2x5x5x4xf32>
  }
}
