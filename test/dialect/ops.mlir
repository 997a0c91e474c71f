// Round trip of every gn op: custom form, re-parsed custom form, and the generic form.
// RUN: gnc-opt %s | FileCheck %s
// RUN: gnc-opt %s | gnc-opt | FileCheck %s
// RUN: gnc-opt %s --mlir-print-op-generic | gnc-opt | FileCheck %s

// CHECK-LABEL: module
// CHECK: gn.param @encoder.dense_0.weight : tensor<784x256xf32> init "uniform" scale 3.570000e-02
gn.param @encoder.dense_0.weight : tensor<784x256xf32> init "uniform" scale 0.0357
// CHECK: gn.param @encoder.dense_0.bias : tensor<256xf32> init "zeros"{{$}}
gn.param @encoder.dense_0.bias : tensor<256xf32> init "zeros"
// CHECK: gn.param @decoder.conv2d_0.weight : tensor<3x3x1x32xf32> init "normal" scale 1.000000e-01
gn.param @decoder.conv2d_0.weight : tensor<3x3x1x32xf32> init "normal" scale 0.1
// CHECK: gn.param @decoder.group_norm_0.weight : tensor<32xf32> init "ones"
gn.param @decoder.group_norm_0.weight : tensor<32xf32> init "ones"

// CHECK-LABEL: func.func @params
func.func @params(%loss: tensor<f32>) -> tensor<784x256xf32> attributes {gn.kind = "train"} {
  // CHECK: %encoder.dense_0.weight = gn.param_ref @encoder.dense_0.weight : tensor<784x256xf32>
  %w = gn.param_ref @encoder.dense_0.weight : tensor<784x256xf32>
  // CHECK: gn.minimize %{{.*}} with "adam" {beta1 = 9.000000e-01 : f64, lr = 1.000000e-03 : f64} over ["encoder", "decoder"] params [@encoder.dense_0.weight, @encoder.dense_0.bias]
  gn.minimize %loss with "adam" {lr = 1.0e-3 : f64, beta1 = 0.9 : f64} over ["encoder", "decoder"] params [@encoder.dense_0.weight, @encoder.dense_0.bias]
  // CHECK: gn.minimize %{{.*}} with "sgd" {clip = 1.000000e-02 : f64, lr = 5.000000e-05 : f64, nesterov = true} over ["decoder"] params []
  gn.minimize %loss with "sgd" {lr = 5.0e-5 : f64, nesterov = true, clip = 0.01 : f64} over ["decoder"] params []
  return %w : tensor<784x256xf32>
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>, %i: tensor<4x8xi32>) {
  // CHECK: gn.constant dense<1.000000e+00> : tensor<4x8xf32>
  %c = gn.constant dense<1.0> : tensor<4x8xf32>
  // CHECK: gn.constant dense<[1, 2]> : tensor<2xi32>
  %ci = gn.constant dense<[1, 2]> : tensor<2xi32>
  // CHECK: gn.relu %{{.*}} : tensor<4x8xf32>
  %0 = gn.relu %x : tensor<4x8xf32>
  // CHECK: gn.sigmoid %{{.*}} : tensor<4x8xf32>
  %1 = gn.sigmoid %0 : tensor<4x8xf32>
  // CHECK: gn.tanh %{{.*}} : tensor<4x8xf32>
  %2 = gn.tanh %1 : tensor<4x8xf32>
  // CHECK: gn.softplus %{{.*}} : tensor<4x8xf32>
  %3 = gn.softplus %2 : tensor<4x8xf32>
  // CHECK: gn.exp %{{.*}} : tensor<4x8xf32>
  %4 = gn.exp %3 : tensor<4x8xf32>
  // CHECK: gn.log %{{.*}} : tensor<4x8xf32>
  %5 = gn.log %4 : tensor<4x8xf32>
  // CHECK: gn.sqrt %{{.*}} : tensor<4x8xf32>
  %6 = gn.sqrt %5 : tensor<4x8xf32>
  // CHECK: gn.sin %{{.*}} : tensor<4x8xf32>
  %7 = gn.sin %6 : tensor<4x8xf32>
  // CHECK: gn.cos %{{.*}} : tensor<4x8xf32>
  %8 = gn.cos %7 : tensor<4x8xf32>
  // CHECK: gn.neg %{{.*}} : tensor<4x8xf32>
  %9 = gn.neg %8 : tensor<4x8xf32>
  // CHECK: gn.square %{{.*}} : tensor<4x8xf32>
  %10 = gn.square %9 : tensor<4x8xf32>
  // CHECK: gn.abs %{{.*}} : tensor<4x8xf32>
  %11 = gn.abs %10 : tensor<4x8xf32>
  // CHECK: gn.stop_gradient %{{.*}} : tensor<4x8xf32>
  %12 = gn.stop_gradient %11 : tensor<4x8xf32>
  // CHECK: gn.leaky_relu %{{.*}} alpha 2.000000e-01 : tensor<4x8xf32>
  %13 = gn.leaky_relu %12 alpha 0.2 : tensor<4x8xf32>
  // CHECK: gn.add %{{.*}}, %{{.*}} : tensor<4x8xf32>
  %14 = gn.add %13, %y : tensor<4x8xf32>
  // CHECK: gn.sub %{{.*}}, %{{.*}} : tensor<4x8xf32>
  %15 = gn.sub %14, %y : tensor<4x8xf32>
  // CHECK: gn.mul %{{.*}}, %{{.*}} : tensor<4x8xf32>
  %16 = gn.mul %15, %c : tensor<4x8xf32>
  // CHECK: gn.div %{{.*}}, %{{.*}} : tensor<4x8xf32>
  %17 = gn.div %16, %y : tensor<4x8xf32>
  // CHECK: gn.to_float %{{.*}} : tensor<4x8xi32> -> tensor<4x8xf32>
  %18 = gn.to_float %i : tensor<4x8xi32> -> tensor<4x8xf32>
  // CHECK: gn.broadcast %{{.*}} : tensor<8xf32> to tensor<2x4x8xf32>
  %b = gn.constant dense<0.5> : tensor<8xf32>
  %19 = gn.broadcast %b : tensor<8xf32> to tensor<2x4x8xf32>
  return
}

// CHECK-LABEL: func.func @layers
func.func @layers(%x: tensor<2x28x28x1xf32>, %w: tensor<3x3x1x32xf32>, %b: tensor<32xf32>,
                  %wt: tensor<3x3x16x32xf32>, %bt: tensor<16xf32>, %g: tensor<32xf32>,
                  %d: tensor<2x784xf32>, %dw: tensor<784x10xf32>, %db: tensor<10xf32>) {
  // CHECK: gn.matmul %{{.*}}, %{{.*}} : (tensor<2x784xf32>, tensor<784x10xf32>) -> tensor<2x10xf32>
  %0 = gn.matmul %d, %dw : (tensor<2x784xf32>, tensor<784x10xf32>) -> tensor<2x10xf32>
  // CHECK: gn.dense %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x784xf32>, tensor<784x10xf32>, tensor<10xf32>) -> tensor<2x10xf32>
  %1 = gn.dense %d, %dw, %db : (tensor<2x784xf32>, tensor<784x10xf32>, tensor<10xf32>) -> tensor<2x10xf32>
  // CHECK: gn.dense %{{.*}}, %{{.*}} : (tensor<2x784xf32>, tensor<784x10xf32>) -> tensor<2x10xf32>
  %2 = gn.dense %d, %dw : (tensor<2x784xf32>, tensor<784x10xf32>) -> tensor<2x10xf32>
  // CHECK: gn.conv2d %{{.*}}, %{{.*}}, %{{.*}} strides [2, 2] padding [1, 1, 1, 1] dilations [1, 1] : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>, tensor<32xf32>) -> tensor<2x14x14x32xf32>
  %3 = gn.conv2d %x, %w, %b strides [2, 2] padding [1, 1, 1, 1] dilations [1, 1]
      : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>, tensor<32xf32>) -> tensor<2x14x14x32xf32>
  // CHECK: gn.conv2d %{{.*}}, %{{.*}} strides [1, 1] padding [0, 0, 0, 0] dilations [2, 2] : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<2x24x24x32xf32>
  %4 = gn.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilations [2, 2]
      : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<2x24x24x32xf32>
  // CHECK: gn.conv2d_transpose %{{.*}}, %{{.*}}, %{{.*}} strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [1, 1] : (tensor<2x14x14x32xf32>, tensor<3x3x16x32xf32>, tensor<16xf32>) -> tensor<2x28x28x16xf32>
  %5 = gn.conv2d_transpose %3, %wt, %bt strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [1, 1]
      : (tensor<2x14x14x32xf32>, tensor<3x3x16x32xf32>, tensor<16xf32>) -> tensor<2x28x28x16xf32>
  // CHECK: gn.group_norm %{{.*}}, %{{.*}}, %{{.*}} groups 8 eps 1.000000e-05 : (tensor<2x14x14x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<2x14x14x32xf32>
  %6 = gn.group_norm %3, %g, %b groups 8 eps 1.0e-5
      : (tensor<2x14x14x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<2x14x14x32xf32>
  return
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<2x7x7x4xf32>, %m: tensor<2x10xf32>, %t: tensor<100xf32>,
                  %i: tensor<2x3xi32>) {
  // CHECK: gn.upsample %{{.*}} factor 2 : tensor<2x7x7x4xf32> -> tensor<2x14x14x4xf32>
  %0 = gn.upsample %x factor 2 : tensor<2x7x7x4xf32> -> tensor<2x14x14x4xf32>
  // CHECK: gn.flatten %{{.*}} : tensor<2x7x7x4xf32> -> tensor<2x196xf32>
  %1 = gn.flatten %x : tensor<2x7x7x4xf32> -> tensor<2x196xf32>
  // CHECK: gn.reshape %{{.*}} : tensor<2x196xf32> to tensor<2x14x14x1xf32>
  %2 = gn.reshape %1 : tensor<2x196xf32> to tensor<2x14x14x1xf32>
  // CHECK: gn.transpose %{{.*}} perm [1, 0] : tensor<2x10xf32> -> tensor<10x2xf32>
  %3 = gn.transpose %m perm [1, 0] : tensor<2x10xf32> -> tensor<10x2xf32>
  // CHECK: gn.concat %{{.*}}, %{{.*}}, %{{.*}} axis 1 : (tensor<2x10xf32>, tensor<2x196xf32>, tensor<2x10xf32>) -> tensor<2x216xf32>
  %4 = gn.concat %m, %1, %m axis 1 : (tensor<2x10xf32>, tensor<2x196xf32>, tensor<2x10xf32>) -> tensor<2x216xf32>
  // CHECK: gn.slice %{{.*}} start [0, 3] size [2, 5] : tensor<2x10xf32> -> tensor<2x5xf32>
  %5 = gn.slice %m start [0, 3] size [2, 5] : tensor<2x10xf32> -> tensor<2x5xf32>
  // CHECK: gn.sum %{{.*}} axes [1, 2] : tensor<2x7x7x4xf32> -> tensor<2x4xf32>
  %6 = gn.sum %x axes [1, 2] : tensor<2x7x7x4xf32> -> tensor<2x4xf32>
  // CHECK: gn.mean %{{.*}} axes [] : tensor<2x7x7x4xf32> -> tensor<f32>
  %7 = gn.mean %x axes [] : tensor<2x7x7x4xf32> -> tensor<f32>
  // CHECK: gn.gather %{{.*}}, %{{.*}} : (tensor<100xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>
  %8 = gn.gather %t, %i : (tensor<100xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>
  return
}

// The ops gn-transposed-conv-to-conv writes transposed convolutions with.
// CHECK-LABEL: func.func @transposed_conv_parts
func.func @transposed_conv_parts(%x: tensor<2x7x7x4xf32>, %w: tensor<3x3x8x4xf32>, %p: tensor<2x7x7x8xf32>,
                                 %q: tensor<2x7x6x8xf32>) {
  // CHECK: gn.dilate %{{.*}} strides [2, 2] padding [1, 2, 1, 2] : tensor<2x7x7x4xf32> -> tensor<2x16x16x4xf32>
  %0 = gn.dilate %x strides [2, 2] padding [1, 2, 1, 2] : tensor<2x7x7x4xf32> -> tensor<2x16x16x4xf32>
  // CHECK: gn.flip_kernel %{{.*}} phase [1, 0] step [2, 2] : tensor<3x3x8x4xf32> -> tensor<1x2x4x8xf32>
  %1 = gn.flip_kernel %w phase [1, 0] step [2, 2] : tensor<3x3x8x4xf32> -> tensor<1x2x4x8xf32>
  // CHECK: gn.interleave %{{.*}}, %{{.*}} strides [2, 2] offsets [0, 0, 1, 1] : (tensor<2x7x7x8xf32>, tensor<2x7x6x8xf32>) -> tensor<2x14x13x8xf32>
  %2 = gn.interleave %p, %q strides [2, 2] offsets [0, 0, 1, 1]
      : (tensor<2x7x7x8xf32>, tensor<2x7x6x8xf32>) -> tensor<2x14x13x8xf32>
  return
}

// CHECK-LABEL: func.func @losses
func.func @losses(%p: tensor<2x10xf32>, %q: tensor<2x10xf32>) {
  // CHECK: gn.mse %{{.*}}, %{{.*}} reduction mean : (tensor<2x10xf32>, tensor<2x10xf32>) -> tensor<f32>
  %0 = gn.mse %p, %q reduction mean : (tensor<2x10xf32>, tensor<2x10xf32>) -> tensor<f32>
  // CHECK: gn.bce %{{.*}}, %{{.*}} reduction batch : (tensor<2x10xf32>, tensor<2x10xf32>) -> tensor<f32>
  %1 = gn.bce %p, %q reduction batch : (tensor<2x10xf32>, tensor<2x10xf32>) -> tensor<f32>
  // CHECK: gn.bce_with_logits %{{.*}}, %{{.*}} reduction sum : (tensor<2x10xf32>, tensor<2x10xf32>) -> tensor<f32>
  %2 = gn.bce_with_logits %p, %q reduction sum : (tensor<2x10xf32>, tensor<2x10xf32>) -> tensor<f32>
  // CHECK: gn.kl_normal %{{.*}}, %{{.*}} reduction batch : (tensor<2x10xf32>, tensor<2x10xf32>) -> tensor<f32>
  %3 = gn.kl_normal %p, %q reduction batch : (tensor<2x10xf32>, tensor<2x10xf32>) -> tensor<f32>
  return
}

// CHECK-LABEL: func.func @random
func.func @random(%key: tensor<2xi32>, %t: tensor<i32>) {
  // CHECK: gn.normal %{{.*}} stream 3 mean 0.000000e+00 std 1.000000e+00 : tensor<2x64xf32>
  %0 = gn.normal %key stream 3 mean 0.0 std 1.0 : tensor<2x64xf32>
  // CHECK: gn.uniform %{{.*}} stream 4 low -1.000000e+00 high 1.000000e+00 : tensor<2x64xf32>
  %1 = gn.uniform %key stream 4 low -1.0 high 1.0 : tensor<2x64xf32>
  // CHECK: gn.randint %{{.*}} stream 5 low 0 high 1000 : tensor<2xi32>
  %2 = gn.randint %key stream 5 low 0 high 1000 : tensor<2xi32>
  // CHECK: gn.dropout_mask %{{.*}} stream 6 p 5.000000e-01 : tensor<2x64xf32>
  %3 = gn.dropout_mask %key stream 6 p 0.5 : tensor<2x64xf32>
  // CHECK: gn.rng_fold_in %{{.*}}, %{{.*}} : tensor<i32>
  %4 = gn.rng_fold_in %key, %t : tensor<i32>
  // CHECK: gn.normal %{{.*}} stream 7 mean 1.000000e+00 std 5.000000e-01 : tensor<4xf32>
  %5 = gn.normal %4 stream 7 mean 1.0 std 0.5 : tensor<4xf32>
  return
}

// Data parallelism (gn-data-parallel): the all-reduce over the processes, and a sharded random op.
// CHECK-LABEL: func.func @data_parallel
func.func @data_parallel(%g: tensor<10xf32>, %l: tensor<2x3xf32>, %key: tensor<2xi32>) {
  // CHECK: gn.all_reduce mean %{{.*}} : tensor<10xf32>
  %0 = gn.all_reduce mean %g : tensor<10xf32>
  // CHECK: gn.all_reduce sum %{{.*}} : tensor<2x3xf32>
  %1 = gn.all_reduce sum %l : tensor<2x3xf32>
  // CHECK: gn.normal %{{.*}} stream 8 mean 0.000000e+00 std 1.000000e+00 {gn.shard} : tensor<2x64xf32>
  %2 = gn.normal %key stream 8 mean 0.0 std 1.0 {gn.shard} : tensor<2x64xf32>
  return
}
