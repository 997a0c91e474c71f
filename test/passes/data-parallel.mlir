// RUN: gnc-opt --gn-data-parallel %s | FileCheck %s
// RUN: gnc-opt --gn-data-parallel --gn-autodiff %s | FileCheck %s --check-prefix=GRAD
// gn-data-parallel on a two-minimize (GAN-like) step with batch 4: the batch-shaped noise is
// sharded, the parameter-shaped one is not; each minimize gets its own gradient reduction
// (a mean loss and a sum loss), which gn-autodiff realizes as one flat gn.all_reduce per
// minimize before its update; the returned losses are all-reduced by kind.
module attributes {gn.batch = 4 : i64} {
  gn.param @D.w : tensor<2x1xf32> init "uniform" scale 1.0e-01
  gn.param @D.b : tensor<1xf32> init "zeros"
  gn.param @G.w : tensor<3x2xf32> init "uniform" scale 1.0e-01
  func.func @step(%x: tensor<4x2xf32>, %key: tensor<2xi32>) -> (tensor<f32>, tensor<f32>, tensor<f32>) attributes {gn.kind = "train", gn.losses = ["d_loss", "g_loss", "penalty"]} {
    %z = gn.normal %key stream 0 mean 0.0 std 1.0 : tensor<4x3xf32>
    %jitter = gn.uniform %key stream 1 low 0.0 high 1.0 : tensor<2x1xf32>
    %gw = gn.param_ref @G.w : tensor<3x2xf32>
    %fake = gn.dense %z, %gw : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
    %detached = gn.stop_gradient %fake : tensor<4x2xf32>
    %dw = gn.param_ref @D.w : tensor<2x1xf32>
    %db = gn.param_ref @D.b : tensor<1xf32>
    %dwj = gn.add %dw, %jitter : tensor<2x1xf32>
    %real = gn.dense %x, %dwj, %db : (tensor<4x2xf32>, tensor<2x1xf32>, tensor<1xf32>) -> tensor<4x1xf32>
    %d1 = gn.dense %detached, %dw, %db : (tensor<4x2xf32>, tensor<2x1xf32>, tensor<1xf32>) -> tensor<4x1xf32>
    %zeros = gn.constant dense<0.0> : tensor<4x1xf32>
    %ones = gn.constant dense<1.0> : tensor<4x1xf32>
    %lr = gn.bce_with_logits %real, %ones reduction mean : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
    %lf = gn.bce_with_logits %d1, %zeros reduction mean : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
    %sq = gn.square %dw : tensor<2x1xf32>
    %penalty = gn.sum %sq axes [] : tensor<2x1xf32> -> tensor<f32>
    %dsum = gn.add %lr, %lf : tensor<f32>
    %dloss = gn.add %dsum, %penalty : tensor<f32>
    gn.minimize %dloss with "sgd" {lr = 1.0e-01 : f64} over ["D"] params [@D.w, @D.b]
    %dw2 = gn.param_ref @D.w : tensor<2x1xf32>
    %d2 = gn.dense %fake, %dw2 : (tensor<4x2xf32>, tensor<2x1xf32>) -> tensor<4x1xf32>
    %gloss = gn.mse %d2, %ones reduction sum : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
    gn.minimize %gloss with "sgd" {lr = 1.0e-01 : f64} over ["G"] params [@G.w]
    return %dloss, %gloss, %penalty : tensor<f32>, tensor<f32>, tensor<f32>
  }
  func.func @generate(%key: tensor<2xi32>) -> tensor<4x3xf32> attributes {gn.kind = "sample"} {
    %z = gn.normal %key stream 2 mean 0.0 std 1.0 : tensor<4x3xf32>
    return %z : tensor<4x3xf32>
  }
}
// CHECK-LABEL: func.func @step(
// CHECK: gn.normal %{{.*}} stream 0 {{.*}} {gn.shard} : tensor<4x3xf32>
// CHECK: gn.uniform %{{.*}} stream 1 low 0.000000e+00 high 1.000000e+00 : tensor<2x1xf32>
// CHECK: gn.minimize %[[DLOSS:[^ ]+]] with "sgd" {{.*}} params [@D.w, @D.b] {gn.gradient_reduction = "mean"}
// CHECK: gn.minimize %[[GLOSS:[^ ]+]] with "sgd" {{.*}} params [@G.w] {gn.gradient_reduction = "sum"}
// The mean loss alone (the penalty is the same on every process: not all-reduced), then the sum.
// CHECK: %[[M:.*]] = gn.reshape %[[DLOSS]] : tensor<f32> to tensor<1xf32>
// CHECK: %[[MR:.*]] = gn.all_reduce mean %[[M]] : tensor<1xf32>
// CHECK: %[[DL:.*]] = gn.reshape %[[MR]] : tensor<1xf32> to tensor<f32>
// CHECK: %[[S:.*]] = gn.reshape %[[GLOSS]] : tensor<f32> to tensor<1xf32>
// CHECK: %[[SR:.*]] = gn.all_reduce sum %[[S]] : tensor<1xf32>
// CHECK: %[[GL:.*]] = gn.reshape %[[SR]] : tensor<1xf32> to tensor<f32>
// CHECK: return %[[DL]], %[[GL]], %{{[^ ]+}} :
// A sample procedure is not data-parallel: no shard.
// CHECK-LABEL: func.func @generate(
// CHECK-NOT: gn.shard
// CHECK: return

// gn-autodiff: D's two gradients in one buffer (2 + 1 elements), averaged, before D's update;
// G's gradient alone, summed, before G's.
// GRAD-LABEL: func.func @step(
// GRAD: %[[GW:.*]] = gn.reshape %{{.*}} : tensor<2x1xf32> to tensor<2xf32>
// GRAD: %[[CAT:.*]] = gn.concat %[[GW]], %{{.*}} axis 0 : (tensor<2xf32>, tensor<1xf32>) -> tensor<3xf32>
// GRAD: %[[RED:.*]] = gn.all_reduce mean %[[CAT]] : tensor<3xf32>
// GRAD: gn.slice %[[RED]] start [0] size [2]
// GRAD: gn.slice %[[RED]] start [2] size [1]
// GRAD: gn.all_reduce sum %{{.*}} : tensor<6xf32>
// Then the returned losses', as before gn-autodiff.
// GRAD: gn.all_reduce mean %{{.*}} : tensor<1xf32>
// GRAD: gn.all_reduce sum %{{.*}} : tensor<1xf32>
// GRAD-NOT: gn.all_reduce
// GRAD: return
// The eval function gn-autodiff clones keeps the losses' all-reduces, not the gradients'.
// GRAD-LABEL: func.func @step_eval(
// GRAD-NOT: gn.minimize
// GRAD: gn.all_reduce mean %{{.*}} : tensor<1xf32>
// GRAD: gn.all_reduce sum %{{.*}} : tensor<1xf32>
// GRAD-NOT: gn.all_reduce
// GRAD: return
