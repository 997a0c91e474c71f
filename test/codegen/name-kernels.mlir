// RUN: gnc-opt --gnc-name-kernels %s | FileCheck %s
// Every kernel gets gnc.kernel_name: what it computes and its output's shape without the batch
// (gn.batch = 4). Idioms of a fused body (bias, relu, sigmoid) come first, a reduction adds
// "sum"; one signature has one name, and another signature with the same name gets "_2".
#bias = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d0)>
module attributes {gn.batch = 4 : i64} {
  func.func @step(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>, %b: tensor<8xf32>, %img: tensor<4x9x9x1xf32>,
                  %k: tensor<3x3x1x2xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>, tensor<4x4x4x2xf32>)
      attributes {gn.kind = "train"} {
    %zero = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %e = tensor.empty() : tensor<4x8xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
    %m = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z : tensor<4x8xf32>) -> tensor<4x8xf32>
    %br = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
        ins(%m, %b : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
    ^bb0(%a: f32, %c: f32, %o: f32):
      %s = arith.addf %a, %c : f32
      %r = arith.maximumf %s, %zero : f32
      linalg.yield %r : f32
    } -> tensor<4x8xf32>
    %sg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%br : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
    ^bb0(%a: f32, %o: f32):
      %n = arith.negf %a : f32
      %x1 = math.exp %n : f32
      %d = arith.addf %x1, %one : f32
      %q = arith.divf %one, %d : f32
      linalg.yield %q : f32
    } -> tensor<4x8xf32>
    %e4 = tensor.empty() : tensor<4xf32>
    %z4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
    %sum = linalg.generic {indexing_maps = [#id, #red], iterator_types = ["parallel", "reduction"]}
        ins(%sg : tensor<4x8xf32>) outs(%z4 : tensor<4xf32>) {
    ^bb0(%a: f32, %o: f32):
      %s = arith.addf %a, %o : f32
      linalg.yield %s : f32
    } -> tensor<4xf32>
    %e8 = tensor.empty() : tensor<8xf32>
    %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<8xf32>) -> tensor<8xf32>
    %ec = tensor.empty() : tensor<4x4x4x2xf32>
    %conv = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
        ins(%img, %k : tensor<4x9x9x1xf32>, tensor<3x3x1x2xf32>) outs(%ec : tensor<4x4x4x2xf32>) -> tensor<4x4x4x2xf32>
    return %br, %sg, %sum, %z8, %conv : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>, tensor<4x4x4x2xf32>
  }
}
// CHECK: linalg.fill {gnc.kernel_name = "zero_8"} {{.*}} -> tensor<4x8xf32>
// CHECK: linalg.matmul {gnc.kernel_name = "matmul_k8_8"}
// CHECK: linalg.generic {{.*}}gnc.kernel_name = "bias_relu_8"
// CHECK: linalg.generic {{.*}}gnc.kernel_name = "sigmoid_8"
// CHECK: linalg.fill {gnc.kernel_name = "zero_4"}
// CHECK: linalg.generic {{.*}}gnc.kernel_name = "sum_4"
// CHECK: linalg.fill {gnc.kernel_name = "zero_8_2"} {{.*}} -> tensor<8xf32>
// CHECK: linalg.conv_2d_nhwc_hwcf {{{.*}}gnc.kernel_name = "conv2d_s2_4x4x2"
