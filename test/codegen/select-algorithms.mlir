// RUN: gnc-opt --gnc-select-algorithms %s | FileCheck %s
// RUN: echo '{"format": "gnc-schedules-1", "kernels": {"conv2d_transpose_s2x2_p1x1x1x1_op1x1_d1x1[2,7,7,4,3,3,8]": {"algorithm": "zero_insertion"}}}' > %t.json
// RUN: gnc-opt --gnc-select-algorithms="schedules-file=%t.json" %s | FileCheck %s --check-prefix=FILE
// gnc-select-algorithms gives every transposed convolution its form: by the heuristic,
// sub-pixel where the dilation is 1 (no zero multiplied) and zero insertion otherwise; a
// schedule file entry keyed by the op's signature overrides it. The choices are recorded on
// the module for --dump-schedules.

// CHECK: module attributes {gnc.algorithms = {"conv2d_transpose_s2x2_p1x1x1x1_op1x1_d1x1[2,7,7,4,3,3,8]" = "subpixel", "conv2d_transpose_s2x2_p1x1x1x1_op1x1_d2x2[2,7,7,4,3,3,8]" = "zero_insertion"}}
// FILE: module attributes {gnc.algorithms = {"conv2d_transpose_s2x2_p1x1x1x1_op1x1_d1x1[2,7,7,4,3,3,8]" = "zero_insertion", "conv2d_transpose_s2x2_p1x1x1x1_op1x1_d2x2[2,7,7,4,3,3,8]" = "zero_insertion"}}

// CHECK-LABEL: func.func @undilated
// CHECK: gn.conv2d_transpose {{.*}} {gnc.algorithm = "subpixel"}
// FILE-LABEL: func.func @undilated
// FILE: gn.conv2d_transpose {{.*}} {gnc.algorithm = "zero_insertion"}
func.func @undilated(%x: tensor<2x7x7x4xf32>, %w: tensor<3x3x8x4xf32>) -> tensor<2x14x14x8xf32> {
  %y = gn.conv2d_transpose %x, %w strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [1, 1]
      : (tensor<2x7x7x4xf32>, tensor<3x3x8x4xf32>) -> tensor<2x14x14x8xf32>
  return %y : tensor<2x14x14x8xf32>
}

// CHECK-LABEL: func.func @dilated
// CHECK: gn.conv2d_transpose {{.*}} {gnc.algorithm = "zero_insertion"}
func.func @dilated(%x: tensor<2x7x7x4xf32>, %w: tensor<3x3x8x4xf32>) -> tensor<2x16x16x8xf32> {
  %y = gn.conv2d_transpose %x, %w strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [2, 2]
      : (tensor<2x7x7x4xf32>, tensor<3x3x8x4xf32>) -> tensor<2x16x16x8xf32>
  return %y : tensor<2x16x16x8xf32>
}
