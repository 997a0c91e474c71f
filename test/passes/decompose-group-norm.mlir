// RUN: gnc-opt --gn-decompose %s | FileCheck %s
// group_norm becomes primitive ops over the [N, H, W, G, C/G] view.
func.func @f(%x: tensor<2x4x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x4x8xf32> {
  %y = gn.group_norm %x, %g, %b groups 2 eps 1.0e-05 : (tensor<2x4x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x4x8xf32>
  return %y : tensor<2x4x4x8xf32>
}
// CHECK-NOT: gn.group_norm
// CHECK: %[[EPS:.*]] = gn.constant dense<9.99999974E-6> : tensor<2x2xf32>
// CHECK: %[[XG:.*]] = gn.reshape %arg0 : tensor<2x4x4x8xf32> to tensor<2x4x4x2x4xf32>
// CHECK: %[[M:.*]] = gn.mean %[[XG]] axes [1, 2, 4] : tensor<2x4x4x2x4xf32> -> tensor<2x2xf32>
// CHECK: gn.sub %[[XG]]
// CHECK: gn.square
// CHECK: gn.mean {{.*}} axes [1, 2, 4]
// CHECK: %[[VE:.*]] = gn.add %{{.*}}, %[[EPS]]
// CHECK: gn.sqrt %[[VE]]
// CHECK: gn.div
// CHECK: gn.broadcast %arg1 : tensor<8xf32> to tensor<2x4x4x8xf32>
// CHECK: gn.broadcast %arg2 : tensor<8xf32> to tensor<2x4x4x8xf32>
// CHECK: gn.add
