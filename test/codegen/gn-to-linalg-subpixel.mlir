// RUN: gnc-opt --gnc-select-algorithms --gn-transposed-conv-to-conv --gn-to-linalg --canonicalize --cse %s | FileCheck %s
// A transposed convolution of stride 2 in the sub-pixel form (gn-transposed-conv-to-conv) is
// 4 stride-1 convolutions (one per output residue, no multiplication by inserted zeros);
// gn.interleave writes each into every second row and column of the output with a strided
// insert_slice. A 3x3 kernel gives every residue taps, so the parts cover the output and it
// is never zero-filled; a 1x1 kernel leaves three residues without taps, whose pixels must be
// zeros.
func.func @covered(%x: tensor<2x14x14x32xf32>, %w: tensor<3x3x16x32xf32>) -> tensor<2x28x28x16xf32> {
  %y = gn.conv2d_transpose %x, %w strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [1, 1]
      : (tensor<2x14x14x32xf32>, tensor<3x3x16x32xf32>) -> tensor<2x28x28x16xf32>
  return %y : tensor<2x28x28x16xf32>
}
// CHECK-LABEL: func.func @covered
// Each part is inserted as soon as it is computed (its buffer dies before the next part's).
// CHECK: %[[OUT:.*]] = tensor.empty() : tensor<2x28x28x16xf32>
// CHECK-NOT: linalg.fill {{.*}} outs(%[[OUT]]
// CHECK: %[[C0:.*]] = linalg.conv_2d_nhwc_hwcf
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[C0]] into %[[OUT]][0, 1, 1, 0] [2, 14, 14, 16] [1, 2, 2, 1] : tensor<2x14x14x16xf32> into tensor<2x28x28x16xf32>
// CHECK: %[[C1:.*]] = linalg.conv_2d_nhwc_hwcf
// CHECK: %[[I1:.*]] = tensor.insert_slice %[[C1]] into %[[I0]][0, 1, 0, 0] [2, 14, 14, 16] [1, 2, 2, 1]
// CHECK: %[[C2:.*]] = linalg.conv_2d_nhwc_hwcf
// CHECK: %[[I2:.*]] = tensor.insert_slice %[[C2]] into %[[I1]][0, 0, 1, 0] [2, 14, 14, 16] [1, 2, 2, 1]
// CHECK: %[[C3:.*]] = linalg.conv_2d_nhwc_hwcf
// CHECK: %[[I3:.*]] = tensor.insert_slice %[[C3]] into %[[I2]][0, 0, 0, 0] [2, 14, 14, 16] [1, 2, 2, 1]
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK: return %[[I3]]

func.func @gaps(%x: tensor<2x14x14x32xf32>, %w: tensor<1x1x16x32xf32>) -> tensor<2x28x28x16xf32> {
  %y = gn.conv2d_transpose %x, %w strides [2, 2] padding [0, 0, 0, 0] output_padding [1, 1] dilations [1, 1]
      : (tensor<2x14x14x32xf32>, tensor<1x1x16x32xf32>) -> tensor<2x28x28x16xf32>
  return %y : tensor<2x28x28x16xf32>
}
// CHECK-LABEL: func.func @gaps
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x28x28x16xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<2x28x28x16xf32>)
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK: tensor.insert_slice {{.*}} into %[[Z]][0, 0, 0, 0] [2, 14, 14, 16] [1, 2, 2, 1]
