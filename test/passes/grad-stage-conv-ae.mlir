// RUN: gnc ir %models/conv_ae.gn --stage=grad | FileCheck %s
// The seed's ConvAE at the grad stage: one complete train step (forward, backward, Adam),
// nets inlined, state explicit, a sampler and an initializer.
// CHECK: gn.param @encoder.conv2d_0.weight : tensor<3x3x1x32xf32>
// CHECK: gn.param @opt0.encoder.conv2d_0.weight.m : tensor<3x3x1x32xf32> init "zeros" {gn.optimizer_state}
// CHECK: gn.param @opt0.encoder.conv2d_0.weight.v : tensor<3x3x1x32xf32> init "zeros" {gn.optimizer_state}
// CHECK: gn.param @opt0.step : tensor<f32>
// CHECK-NOT: func.func private @encoder
// CHECK-LABEL: func.func @step(%arg0: tensor<128x28x28x1xf32>, %arg1: tensor<2xi32>, %arg2: tensor<3x3x1x32xf32> {gn.state = "encoder.conv2d_0.weight"}
// CHECK-NOT: call
// CHECK: gn.bce {{.*}} reduction batch
// CHECK: gn.loss_grad bce wrt 0 reduction batch
// Kernel gradients of the three transposed convolutions (HWOI) and two convolutions (HWIO).
// CHECK-DAG: gn.conv2d_filter_grad {{.*}} -> tensor<3x3x1x32xf32>
// CHECK-DAG: gn.conv2d_filter_grad {{.*}} -> tensor<3x3x32x64xf32>
// CHECK-DAG: gn.conv2d_filter_grad {{.*}} -> tensor<3x3x64x64xf32>
// CHECK-DAG: gn.conv2d_filter_grad {{.*}} -> tensor<3x3x32x64xf32>
// CHECK-DAG: gn.conv2d_filter_grad %arg0, {{.*}} -> tensor<3x3x1x32xf32>
// CHECK: gn.sqrt
// CHECK: return
// CHECK-LABEL: func.func @generate(%arg0: tensor<2xi32>, %arg1: tensor<3x3x1x32xf32> {gn.state = "encoder.conv2d_0.weight"}
// CHECK: gn.normal
// CHECK: gn.sigmoid
// CHECK-LABEL: func.func @init(%arg0: tensor<2xi32>) -> (tensor<3x3x1x32xf32> {gn.state = "encoder.conv2d_0.weight"}
// CHECK: gn.uniform
