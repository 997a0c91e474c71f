// RUN: gnc-opt --gn-autodiff %s | FileCheck %s
// Two minimize statements (a GAN's alternating updates): the second loss is computed after
// the first update, so it must read the updated discriminator weight; stop_gradient keeps
// the first loss from reaching the generator.
module {
  gn.param @D.w : tensor<2x1xf32> init "uniform" scale 1.0e-01
  gn.param @G.w : tensor<3x2xf32> init "uniform" scale 1.0e-01
  func.func @step(%z: tensor<4x3xf32>, %key: tensor<2xi32>) -> (tensor<f32>, tensor<f32>) attributes {gn.kind = "train"} {
    %gw = gn.param_ref @G.w : tensor<3x2xf32>
    %fake = gn.dense %z, %gw : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
    %detached = gn.stop_gradient %fake : tensor<4x2xf32>
    %dw = gn.param_ref @D.w : tensor<2x1xf32>
    %d1 = gn.dense %detached, %dw : (tensor<4x2xf32>, tensor<2x1xf32>) -> tensor<4x1xf32>
    %zeros = gn.constant dense<0.0> : tensor<4x1xf32>
    %dloss = gn.bce_with_logits %d1, %zeros reduction mean : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
    gn.minimize %dloss with "sgd" {lr = 1.0e-01 : f64} over ["D"] params [@D.w]
    %dw2 = gn.param_ref @D.w : tensor<2x1xf32>
    %d2 = gn.dense %fake, %dw2 : (tensor<4x2xf32>, tensor<2x1xf32>) -> tensor<4x1xf32>
    %ones = gn.constant dense<1.0> : tensor<4x1xf32>
    %gloss = gn.bce_with_logits %d2, %ones reduction mean : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
    gn.minimize %gloss with "sgd" {lr = 1.0e-01 : f64} over ["G"] params [@G.w]
    return %dloss, %gloss : tensor<f32>, tensor<f32>
  }
}
// CHECK-LABEL: func.func @step(
// CHECK-SAME: %[[Z:[^:]*]]: tensor<4x3xf32>, %{{[^:]*}}: tensor<2xi32>, %[[DW:[^:]*]]: tensor<2x1xf32> {gn.state = "D.w"}, %[[GW:[^:]*]]: tensor<3x2xf32> {gn.state = "G.w"}
// CHECK: %[[FAKE:.*]] = gn.dense %[[Z]], %[[GW]]
// CHECK: %[[DET:.*]] = gn.stop_gradient %[[FAKE]]
// CHECK: gn.loss_grad bce_with_logits wrt 0
// The discriminator's gradient: detached^T . dlogits; nothing flows into the generator.
// CHECK: %[[DT:.*]] = gn.transpose %[[DET]] perm [1, 0]
// CHECK-NOT: gn.transpose %[[Z]]
// CHECK: %[[DW1:.*]] = gn.sub %[[DW]]
// CHECK: gn.dense %[[FAKE]], %[[DW1]]
// CHECK: gn.loss_grad bce_with_logits wrt 0
// The generator's gradient goes back through the updated discriminator.
// CHECK: gn.transpose %[[DW1]] perm [1, 0]
// CHECK: gn.transpose %[[Z]] perm [1, 0]
// CHECK: %[[GW1:.*]] = gn.sub %[[GW]]
// CHECK: return %{{.*}}, %{{.*}}, %[[DW1]], %[[GW1]]
