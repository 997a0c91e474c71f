// RUN: gnc-opt --gn-transposed-conv-to-conv --split-input-file --verify-diagnostics %s
// The rewrite applies the form gnc-select-algorithms chose and never decides one itself: a
// missing, unknown or unrealizable gnc.algorithm is an error at the op.

func.func @missing(%x: tensor<2x7x7x4xf32>, %w: tensor<3x3x8x4xf32>) -> tensor<2x14x14x8xf32> {
  // expected-error @below {{'gn.conv2d_transpose' op has no gnc.algorithm (gnc-select-algorithms chooses one)}}
  %y = gn.conv2d_transpose %x, %w strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [1, 1]
      : (tensor<2x7x7x4xf32>, tensor<3x3x8x4xf32>) -> tensor<2x14x14x8xf32>
  return %y : tensor<2x14x14x8xf32>
}

// -----

func.func @unknown(%x: tensor<2x7x7x4xf32>, %w: tensor<3x3x8x4xf32>) -> tensor<2x14x14x8xf32> {
  // expected-error @below {{has the unknown gnc.algorithm "winograd" (expected "subpixel" or "zero_insertion")}}
  %y = gn.conv2d_transpose %x, %w strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [1, 1]
      {gnc.algorithm = "winograd"} : (tensor<2x7x7x4xf32>, tensor<3x3x8x4xf32>) -> tensor<2x14x14x8xf32>
  return %y : tensor<2x14x14x8xf32>
}

// -----

func.func @dilated_subpixel(%x: tensor<2x7x7x4xf32>, %w: tensor<3x3x8x4xf32>) -> tensor<2x16x16x8xf32> {
  // expected-error @below {{"subpixel" needs dilations [1, 1], this transposed convolution has [2, 2] (use "zero_insertion")}}
  %y = gn.conv2d_transpose %x, %w strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [2, 2]
      {gnc.algorithm = "subpixel"} : (tensor<2x7x7x4xf32>, tensor<3x3x8x4xf32>) -> tensor<2x16x16x8xf32>
  return %y : tensor<2x16x16x8xf32>
}
