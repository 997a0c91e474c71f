// RUN: gnc-opt --gnc-fuse-elementwise %s | FileCheck %s
// A bias add and the relu after it become one generic op; a producer with two uses is not
// fused (it would be computed twice); a matmul (not elementwise) stays a matmul.
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (j)>
func.func @bias_relu(%a: tensor<4x8xf32>, %w: tensor<8x8xf32>, %b: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m = linalg.matmul ins(%a, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
         ins(%m, %b : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %c: f32, %o: f32):
    %s = arith.addf %x, %c : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
         ins(%y : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.maximumf %x, %z : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %n = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
         ins(%r : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.negf %x : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %r, %n : tensor<4x8xf32>, tensor<4x8xf32>
}
// CHECK-LABEL: func.func @bias_relu
// CHECK: %[[M:.*]] = linalg.matmul
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[M]], %{{.*}} : tensor<4x8xf32>, tensor<8xf32>)
// CHECK: arith.addf
// CHECK-NEXT: arith.maximumf
// CHECK: linalg.generic {{.*}} ins(%[[R]] : tensor<4x8xf32>)
// CHECK: arith.negf

// Nothing is fused into a windowed contraction (a kernel gradient): it reads each input
// element once per kernel tap, so the relu would be computed that many times, and the kernel
// would stop being a contraction its schedule vectorizes.
#wx = affine_map<(co, kh, ci, n, oh) -> (n, oh * 2 + kh, ci)>
#wdy = affine_map<(co, kh, ci, n, oh) -> (n, oh, co)>
#wdw = affine_map<(co, kh, ci, n, oh) -> (kh, ci, co)>
#id3 = affine_map<(a, b, c) -> (a, b, c)>
func.func @windowed(%x: tensor<2x9x4xf32>, %dy: tensor<2x4x8xf32>) -> tensor<3x4x8xf32> {
  %z = arith.constant 0.0 : f32
  %ex = tensor.empty() : tensor<2x9x4xf32>
  %r = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%x : tensor<2x9x4xf32>) outs(%ex : tensor<2x9x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %z : f32
    linalg.yield %m : f32
  } -> tensor<2x9x4xf32>
  %e = tensor.empty() : tensor<3x4x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<3x4x8xf32>) -> tensor<3x4x8xf32>
  %g = linalg.generic {indexing_maps = [#wx, #wdy, #wdw],
         iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
         ins(%r, %dy : tensor<2x9x4xf32>, tensor<2x4x8xf32>) outs(%f : tensor<3x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<3x4x8xf32>
  return %g : tensor<3x4x8xf32>
}
// CHECK-LABEL: func.func @windowed
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<2x9x4xf32>)
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} ins(%[[R]], %{{.*}} : tensor<2x9x4xf32>, tensor<2x4x8xf32>)
// CHECK-NOT: arith.maximumf
