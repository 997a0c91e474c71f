// RUN: gnc-opt --gn-to-linalg --canonicalize --cse %s | FileCheck %s
// A kernel gradient is one contraction read in place from the NHWC operands (no transposes):
// loops (co, kh, kw, ci, n, oh, ow), the input indexed through the window
// (oh * stride + kh * dilation), the output gradient and the result plainly.
func.func @filter_grad(%x: tensor<2x8x8x4xf32>, %dy: tensor<2x4x4x8xf32>) -> tensor<3x3x4x8xf32> {
  %dw = gn.conv2d_filter_grad %x, %dy kernel [3, 3] strides [2, 2] padding [1, 0, 1, 0] dilations [1, 1]
      : (tensor<2x8x8x4xf32>, tensor<2x4x4x8xf32>) -> tensor<3x3x4x8xf32>
  return %dw : tensor<3x3x4x8xf32>
}
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 * 2 + d1, d6 * 2 + d2, d3)>
// CHECK-DAG: #[[DY:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d0)>
// CHECK-DAG: #[[DW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d3, d0)>
// CHECK-LABEL: func.func @filter_grad
// CHECK: %[[P:.*]] = tensor.pad
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[DY]], #[[DW]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[P]], %{{.*}} : tensor<2x9x9x4xf32>, tensor<2x4x4x8xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.transpose
