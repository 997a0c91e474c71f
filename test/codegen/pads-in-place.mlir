// RUN: gnc-opt --gnc-pads-in-place %s | FileCheck %s
// RUN: gnc-opt --gnc-pads-in-place --eliminate-empty-tensors %s | FileCheck %s --check-prefix=ELIM
// A pad becomes a buffer with its border strips filled (two per padded dimension, each
// covering the interior along the dimensions before it) and the source inserted into the
// interior; the buffer and strips come before the source's producer, whose tensor.empty
// eliminate-empty-tensors then replaces by the interior: no whole-buffer fill, no copy.
func.func @pad(%x: tensor<2x4x4x8xf32>) -> tensor<2x6x7x8xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>],
         iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%x : tensor<2x4x4x8xf32>) outs(%e : tensor<2x4x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %z : f32
    linalg.yield %m : f32
  } -> tensor<2x4x4x8xf32>
  %p = tensor.pad %r low[0, 1, 2, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %z : f32
  } : tensor<2x4x4x8xf32> to tensor<2x6x7x8xf32>
  return %p : tensor<2x6x7x8xf32>
}
// CHECK-LABEL: func.func @pad
// CHECK: %[[B:.*]] = bufferization.alloc_tensor() : tensor<2x6x7x8xf32>
// CHECK: tensor.extract_slice %[[B]][0, 0, 0, 0] [2, 1, 7, 8] [1, 1, 1, 1]
// CHECK: linalg.fill
// CHECK: tensor.extract_slice %{{.*}}[0, 5, 0, 0] [2, 1, 7, 8] [1, 1, 1, 1]
// CHECK: linalg.fill
// CHECK: tensor.extract_slice %{{.*}}[0, 1, 0, 0] [2, 4, 2, 8] [1, 1, 1, 1]
// CHECK: linalg.fill
// CHECK: %[[S:.*]] = tensor.insert_slice {{.*}}[0, 1, 6, 0] [2, 4, 1, 8] [1, 1, 1, 1]
// CHECK: %[[R:.*]] = linalg.generic
// CHECK: tensor.insert_slice %[[R]] into %[[S]][0, 1, 2, 0] [2, 4, 4, 8] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// ELIM-LABEL: func.func @pad
// ELIM: %[[S:.*]] = tensor.insert_slice {{.*}}[0, 1, 6, 0] [2, 4, 1, 8]
// ELIM: %[[I:.*]] = tensor.extract_slice %[[S]][0, 1, 2, 0] [2, 4, 4, 8] [1, 1, 1, 1]
// ELIM: linalg.generic {{.*}} outs(%[[I]] : tensor<2x4x4x8xf32>)
// ELIM-NOT: tensor.empty
