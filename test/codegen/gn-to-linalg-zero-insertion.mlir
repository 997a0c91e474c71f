// RUN: gnc-opt --gn-transposed-conv-to-conv --gn-to-linalg --canonicalize --cse %s | FileCheck %s
// RUN: not gnc-opt --gn-to-linalg %s 2>&1 | FileCheck %s --check-prefix=DIRECT
// The zero-insertion form in linalg: gn.dilate is one zero-filled buffer with the input
// inserted at every second row and column after the padding (no second copy for the padding),
// gn.flip_kernel one generic reading the kernel flipped with its channels swapped, and the
// convolution is stride 1.
func.func @zero_insertion(%x: tensor<2x7x7x4xf32>, %w: tensor<3x3x8x4xf32>) -> tensor<2x14x14x8xf32> {
  %y = gn.conv2d_transpose %x, %w strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [1, 1]
      {gnc.algorithm = "zero_insertion"} : (tensor<2x7x7x4xf32>, tensor<3x3x8x4xf32>) -> tensor<2x14x14x8xf32>
  return %y : tensor<2x14x14x8xf32>
}
// CHECK-LABEL: func.func @zero_insertion
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x16x16x4xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<2x16x16x4xf32>)
// CHECK: %[[D:.*]] = tensor.insert_slice %{{.*}} into %[[Z]][0, 1, 1, 0] [2, 7, 7, 4] [1, 2, 2, 1]
// CHECK: %[[K:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<3x3x8x4xf32>) outs(%{{.*}} : tensor<3x3x4x8xf32>)
// CHECK-NOT: tensor.pad
// CHECK: linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[D]], %[[K]] : tensor<2x16x16x4xf32>, tensor<3x3x4x8xf32>)

// A transposed convolution that reaches gn-to-linalg has skipped its rewrite: an error.
// DIRECT: error: 'gn.conv2d_transpose' op reaches gn-to-linalg: gn-transposed-conv-to-conv (stage `conv`) rewrites transposed convolutions as convolutions first
