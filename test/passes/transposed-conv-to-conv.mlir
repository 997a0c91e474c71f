// RUN: gnc-opt --gn-transposed-conv-to-conv %s | FileCheck %s
// gn-transposed-conv-to-conv writes each gn.conv2d_transpose in the form its gnc.algorithm
// names, as stride-1 gn.conv2d.

// Sub-pixel, stride 2, 3x3 kernel, padding 1, output padding 1 (the ConvAE decoder's): one
// stride-1 convolution per output residue (rh, rw), of an input window (pad, slice) with the
// taps rh + 2t, rw + 2u of the kernel flipped; the four parts interleaved, then the bias.
// Residue 0 has 2 taps and starts at output row 1 (q0 = 1), residue 1 has 1 tap at row 0.
// CHECK-LABEL: func.func @subpixel
// CHECK-NOT: gn.conv2d_transpose
// CHECK: %[[P00:.*]] = gn.pad %[[X:.*]] low [0, 1, 1, 0] high [0, 1, 1, 0] : tensor<2x7x7x4xf32> -> tensor<2x9x9x4xf32>
// CHECK: %[[W00:.*]] = gn.slice %[[P00]] start [0, 1, 1, 0] size [2, 8, 8, 4]
// CHECK: %[[K00:.*]] = gn.flip_kernel %[[W:.*]] phase [0, 0] step [2, 2] : tensor<3x3x8x4xf32> -> tensor<2x2x4x8xf32>
// CHECK: %[[C00:.*]] = gn.conv2d %[[W00]], %[[K00]] strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<2x8x8x4xf32>, tensor<2x2x4x8xf32>) -> tensor<2x7x7x8xf32>
// CHECK: gn.flip_kernel %[[W]] phase [0, 1] step [2, 2] : tensor<3x3x8x4xf32> -> tensor<2x1x4x8xf32>
// CHECK: gn.flip_kernel %[[W]] phase [1, 0] step [2, 2] : tensor<3x3x8x4xf32> -> tensor<1x2x4x8xf32>
// Residue (1, 1) reads the input as it is: no pad, no slice.
// CHECK: %[[K11:.*]] = gn.flip_kernel %[[W]] phase [1, 1] step [2, 2] : tensor<3x3x8x4xf32> -> tensor<1x1x4x8xf32>
// CHECK: %[[C11:.*]] = gn.conv2d %[[X]], %[[K11]] strides [1, 1]
// CHECK: %[[Y:.*]] = gn.interleave %[[C00]], %{{.*}}, %{{.*}}, %[[C11]] strides [2, 2] offsets [1, 1, 1, 0, 0, 1, 0, 0] : (tensor<2x7x7x8xf32>, tensor<2x7x7x8xf32>, tensor<2x7x7x8xf32>, tensor<2x7x7x8xf32>) -> tensor<2x14x14x8xf32>
// CHECK: %[[B:.*]] = gn.broadcast %{{.*}} : tensor<8xf32> to tensor<2x14x14x8xf32>
// CHECK: %[[R:.*]] = gn.add %[[Y]], %[[B]]
// CHECK: return %[[R]]
func.func @subpixel(%x: tensor<2x7x7x4xf32>, %w: tensor<3x3x8x4xf32>, %b: tensor<8xf32>) -> tensor<2x14x14x8xf32> {
  %y = gn.conv2d_transpose %x, %w, %b strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [1, 1]
      {gnc.algorithm = "subpixel"} : (tensor<2x7x7x4xf32>, tensor<3x3x8x4xf32>, tensor<8xf32>) -> tensor<2x14x14x8xf32>
  return %y : tensor<2x14x14x8xf32>
}

// The same op by zero insertion (the lecture's equivalence): 1 zero between input pixels,
// padding d*(k-1) - p = 1 before and 1 + output padding = 2 after, the whole kernel flipped
// with its channels swapped, one stride-1 convolution with the bias.
// CHECK-LABEL: func.func @zero_insertion
// CHECK: %[[D:.*]] = gn.dilate %{{.*}} strides [2, 2] padding [1, 2, 1, 2] : tensor<2x7x7x4xf32> -> tensor<2x16x16x4xf32>
// CHECK: %[[K:.*]] = gn.flip_kernel %{{.*}} phase [0, 0] step [1, 1] : tensor<3x3x8x4xf32> -> tensor<3x3x4x8xf32>
// CHECK: %[[Y:.*]] = gn.conv2d %[[D]], %[[K]], %{{.*}} strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1] : (tensor<2x16x16x4xf32>, tensor<3x3x4x8xf32>, tensor<8xf32>) -> tensor<2x14x14x8xf32>
// CHECK: return %[[Y]]
func.func @zero_insertion(%x: tensor<2x7x7x4xf32>, %w: tensor<3x3x8x4xf32>, %b: tensor<8xf32>) -> tensor<2x14x14x8xf32> {
  %y = gn.conv2d_transpose %x, %w, %b strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [1, 1]
      {gnc.algorithm = "zero_insertion"} : (tensor<2x7x7x4xf32>, tensor<3x3x8x4xf32>, tensor<8xf32>) -> tensor<2x14x14x8xf32>
  return %y : tensor<2x14x14x8xf32>
}

// A dilated kernel whose padding exceeds its reach (p = 3 > d*(k-1) = 2): the zero-inserted
// input is cropped by one row and column on each side, and the convolution keeps the dilation.
// CHECK-LABEL: func.func @zero_insertion_cropped
// CHECK: %[[D:.*]] = gn.dilate %{{.*}} strides [2, 2] padding [0, 0, 0, 0] : tensor<2x5x5x4xf32> -> tensor<2x9x9x4xf32>
// CHECK: %[[C:.*]] = gn.slice %[[D]] start [0, 1, 1, 0] size [2, 7, 7, 4]
// CHECK: gn.conv2d %[[C]], %{{.*}} strides [1, 1] padding [0, 0, 0, 0] dilations [2, 2] : (tensor<2x7x7x4xf32>, tensor<2x2x4x8xf32>) -> tensor<2x5x5x8xf32>
func.func @zero_insertion_cropped(%x: tensor<2x5x5x4xf32>, %w: tensor<2x2x8x4xf32>) -> tensor<2x5x5x8xf32> {
  %y = gn.conv2d_transpose %x, %w strides [2, 2] padding [3, 3, 3, 3] output_padding [0, 0] dilations [2, 2]
      {gnc.algorithm = "zero_insertion"} : (tensor<2x5x5x4xf32>, tensor<2x2x8x4xf32>) -> tensor<2x5x5x8xf32>
  return %y : tensor<2x5x5x8xf32>
}

// A 1x1 kernel of stride 2 gives only residue (0, 0) taps: one part, the rest of the output
// stays zero (gn.interleave's parts cover a quarter of it).
// CHECK-LABEL: func.func @subpixel_gaps
// CHECK: %[[K:.*]] = gn.flip_kernel %{{.*}} phase [0, 0] step [2, 2] : tensor<1x1x8x4xf32> -> tensor<1x1x4x8xf32>
// CHECK: %[[C:.*]] = gn.conv2d %{{.*}}, %[[K]]
// CHECK: gn.interleave %[[C]] strides [2, 2] offsets [0, 0] : (tensor<2x7x7x8xf32>) -> tensor<2x14x14x8xf32>
// CHECK-NOT: gn.conv2d
func.func @subpixel_gaps(%x: tensor<2x7x7x4xf32>, %w: tensor<1x1x8x4xf32>) -> tensor<2x14x14x8xf32> {
  %y = gn.conv2d_transpose %x, %w strides [2, 2] padding [0, 0, 0, 0] output_padding [1, 1] dilations [1, 1]
      {gnc.algorithm = "subpixel"} : (tensor<2x7x7x4xf32>, tensor<1x1x8x4xf32>) -> tensor<2x14x14x8xf32>
  return %y : tensor<2x14x14x8xf32>
}
