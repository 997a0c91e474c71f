// RUN: gnc-opt --gnc-collapse-loops %s | FileCheck %s
// An image kernel [128, 28, 28, 1] (innermost extent 1) becomes one loop of 100352, a loss
// summed over every loop one loop; a bias kernel over [N, H, W, C] merges only (N, H, W), since
// the bias walks C alone; a kernel whose innermost loop fills vectors already, a transposing
// one and one that reads its loop indices keep their loops.
#id4 = affine_map<(n, h, w, c) -> (n, h, w, c)>
#none4 = affine_map<(n, h, w, c) -> ()>
#chan = affine_map<(n, h, w, c) -> (c)>
#id2 = affine_map<(i, j) -> (i, j)>
#t2 = affine_map<(i, j) -> (j, i)>

// CHECK-LABEL: func.func @image
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2, 3]] : tensor<128x28x28x1xf32> into tensor<100352xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel"]{{.*}}ins(%{{.*}} : tensor<100352xf32>)
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1, 2, 3]] output_shape [128, 28, 28, 1]
func.func @image(%x: tensor<128x28x28x1xf32>) -> tensor<128x28x28x1xf32> {
  %e = tensor.empty() : tensor<128x28x28x1xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%x : tensor<128x28x28x1xf32>) outs(%e : tensor<128x28x28x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.exp %a : f32
    linalg.yield %s : f32
  } -> tensor<128x28x28x1xf32>
  return %r : tensor<128x28x28x1xf32>
}

// CHECK-LABEL: func.func @loss
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction"]{{.*}}ins(%{{.*}}, %{{.*}} : tensor<6272xf32>, tensor<6272xf32>)
func.func @loss(%x: tensor<8x28x28x1xf32>, %y: tensor<8x28x28x1xf32>, %acc: tensor<f32>) -> tensor<f32> {
  %r = linalg.generic {indexing_maps = [#id4, #id4, #none4], iterator_types = ["reduction", "reduction", "reduction", "reduction"]}
         ins(%x, %y : tensor<8x28x28x1xf32>, tensor<8x28x28x1xf32>) outs(%acc : tensor<f32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    %s = arith.addf %o, %d : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// CHECK-LABEL: func.func @bias
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]{{.*}}ins(%{{.*}}, %{{.*}} : tensor<1568x3xf32>, tensor<3xf32>)
func.func @bias(%x: tensor<8x14x14x3xf32>, %b: tensor<3xf32>) -> tensor<8x14x14x3xf32> {
  %e = tensor.empty() : tensor<8x14x14x3xf32>
  %r = linalg.generic {indexing_maps = [#id4, #chan, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%x, %b : tensor<8x14x14x3xf32>, tensor<3xf32>) outs(%e : tensor<8x14x14x3xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<8x14x14x3xf32>
  return %r : tensor<8x14x14x3xf32>
}

// CHECK-LABEL: func.func @kept
// CHECK-NOT: collapse_shape
// CHECK: linalg.generic {{.*}}ins(%{{.*}} : tensor<8x14x14x32xf32>)
// CHECK: linalg.generic {{.*}}ins(%{{.*}} : tensor<30x30xf32>)
// CHECK: linalg.generic {{.*}}ins(%{{.*}} : tensor<8x14x14x3xf32>)
func.func @kept(%x: tensor<8x14x14x32xf32>, %m: tensor<30x30xf32>, %y: tensor<8x14x14x3xf32>)
    -> (tensor<8x14x14x32xf32>, tensor<30x30xf32>, tensor<8x14x14x3xf32>) {
  %e = tensor.empty() : tensor<8x14x14x32xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%x : tensor<8x14x14x32xf32>) outs(%e : tensor<8x14x14x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.exp %a : f32
    linalg.yield %s : f32
  } -> tensor<8x14x14x32xf32>
  %te = tensor.empty() : tensor<30x30xf32>
  %t = linalg.generic {indexing_maps = [#t2, #id2], iterator_types = ["parallel", "parallel"]}
         ins(%m : tensor<30x30xf32>) outs(%te : tensor<30x30xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<30x30xf32>
  %ie = tensor.empty() : tensor<8x14x14x3xf32>
  %i = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%y : tensor<8x14x14x3xf32>) outs(%ie : tensor<8x14x14x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %k = linalg.index 3 : index
    %ki = arith.index_cast %k : index to i32
    %kf = arith.sitofp %ki : i32 to f32
    %s = arith.addf %a, %kf : f32
    linalg.yield %s : f32
  } -> tensor<8x14x14x3xf32>
  return %r, %t, %i : tensor<8x14x14x32xf32>, tensor<30x30xf32>, tensor<8x14x14x3xf32>
}
