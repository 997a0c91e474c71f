// RUN: gnc-opt --gn-autodiff %s | FileCheck %s
// Reverse mode through dense + relu + mse with plain SGD: the gradient reaches the weight
// (x^T . dy), the bias (sum over the batch), and nothing is computed for the input x.
module {
  gn.param @n.w : tensor<3x2xf32> init "uniform" scale 5.0e-01
  gn.param @n.b : tensor<2xf32> init "zeros"
  func.func @step(%x: tensor<4x3xf32>, %key: tensor<2xi32>) -> tensor<f32> attributes {gn.kind = "train"} {
    %t = gn.constant dense<1.0> : tensor<4x2xf32>
    %w = gn.param_ref @n.w : tensor<3x2xf32>
    %b = gn.param_ref @n.b : tensor<2xf32>
    %y = gn.dense %x, %w, %b : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
    %r = gn.relu %y : tensor<4x2xf32>
    %l = gn.mse %r, %t reduction mean : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<f32>
    gn.minimize %l with "sgd" {lr = 1.0e-01 : f64} over ["n"] params [@n.w, @n.b]
    return %l : tensor<f32>
  }
}
// CHECK: gn.param @opt0.step : tensor<f32> init "zeros" {gn.optimizer_state}
// CHECK-LABEL: func.func @step(
// CHECK-SAME: %[[X:.*]]: tensor<4x3xf32>, %{{.*}}: tensor<2xi32>, %[[W:.*]]: tensor<3x2xf32> {gn.state = "n.w"}, %[[B:.*]]: tensor<2xf32> {gn.state = "n.b"}, %[[S:.*]]: tensor<f32> {gn.state = "opt0.step"})
// CHECK-SAME: -> (tensor<f32>, tensor<3x2xf32> {gn.state = "n.w"}, tensor<2xf32> {gn.state = "n.b"}, tensor<f32> {gn.state = "opt0.step"})
// CHECK-NOT: gn.param_ref
// CHECK: %[[Y:.*]] = gn.dense %[[X]], %[[W]], %[[B]]
// CHECK: %[[R:.*]] = gn.relu %[[Y]]
// CHECK: %[[L:.*]] = gn.mse %[[R]]
// CHECK: %[[ONE:.*]] = gn.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[DR:.*]] = gn.loss_grad mse wrt 0 reduction mean %[[R]], %{{.*}}, %[[ONE]]
// CHECK: %[[MASK:.*]] = gn.step %[[Y]]
// CHECK: %[[DY:.*]] = gn.mul %[[DR]], %[[MASK]]
// CHECK-NOT: gn.matmul %[[DY]]
// CHECK: %[[XT:.*]] = gn.transpose %[[X]] perm [1, 0]
// CHECK: %[[DW:.*]] = gn.matmul %[[XT]], %[[DY]]
// CHECK: %[[DB:.*]] = gn.sum %[[DY]] axes [0]
// CHECK: %[[S1:.*]] = gn.add %[[S]], %{{.*}} : tensor<f32>
// CHECK: %[[LR:.*]] = gn.constant dense<1.000000e-01> : tensor<f32>
// CHECK: %[[LRW:.*]] = gn.broadcast %[[LR]] : tensor<f32> to tensor<3x2xf32>
// CHECK: %[[SW:.*]] = gn.mul %[[LRW]], %[[DW]]
// CHECK: %[[W1:.*]] = gn.sub %[[W]], %[[SW]]
// CHECK: %[[SB:.*]] = gn.mul %{{.*}}, %[[DB]]
// CHECK: %[[B1:.*]] = gn.sub %[[B]], %[[SB]]
// CHECK: return %[[L]], %[[W1]], %[[B1]], %[[S1]]
// CHECK-LABEL: func.func @init(%{{.*}}: tensor<2xi32>)
// CHECK: gn.uniform %{{.*}} stream {{[0-9]+}} low -5.000000e-01 high 5.000000e-01 : tensor<3x2xf32>
