// Verifier errors of the gn ops, at least one per rule family.
// RUN: gnc-opt %s -split-input-file -verify-diagnostics

//===-- element types and static shapes (ODS constraints) ----------------===//

func.func @f64_operand(%x: tensor<4xf64>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float values}}
  %0 = "gn.relu"(%x) : (tensor<4xf64>) -> tensor<4xf64>
  return
}

// -----

func.func @dynamic_shape(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{must be statically shaped tensor of 32-bit float values}}
  %0 = gn.relu %x : tensor<?x4xf32>
  return
}

// -----

func.func @f64_constant() {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 32-bit float or 32-bit signless integer values}}
  %0 = gn.constant dense<1.0> : tensor<4xf64>
  return
}

// -----

//===-- result type differs from the inferred one ------------------------===//

func.func @wrong_result(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{result type 'tensor<8x4xf32>' does not match the inferred type 'tensor<4x8xf32>'}}
  %0 = "gn.relu"(%x) : (tensor<4x8xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @wrong_flatten(%x: tensor<2x7x7x4xf32>) {
  // expected-error @+1 {{result type 'tensor<2x49xf32>' does not match the inferred type 'tensor<2x196xf32>'}}
  %0 = gn.flatten %x : tensor<2x7x7x4xf32> -> tensor<2x49xf32>
  return
}

// -----

//===-- elementwise ------------------------------------------------------===//

func.func @binary_shapes(%x: tensor<4x8xf32>, %y: tensor<8xf32>) {
  // expected-error @+1 {{failed to verify that all of {lhs, rhs} have same type}}
  %0 = "gn.add"(%x, %y) : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @to_float_shape(%x: tensor<4xi32>) {
  // expected-error @+1 {{result type 'tensor<5xf32>' does not match the inferred type 'tensor<4xf32>'}}
  %0 = gn.to_float %x : tensor<4xi32> -> tensor<5xf32>
  return
}

// -----

func.func @broadcast(%x: tensor<3xf32>) {
  // expected-error @+1 {{cannot broadcast [3] to [4, 8]}}
  %0 = gn.broadcast %x : tensor<3xf32> to tensor<4x8xf32>
  return
}

// -----

//===-- layers -----------------------------------------------------------===//

func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{matmul inner dimensions differ: [2, 3] and [4, 5]}}
  %0 = gn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @dense_rank(%x: tensor<2x7x7xf32>, %w: tensor<49x10xf32>) {
  // expected-error @+1 {{dense expects a 2-D input [batch, features], got [2, 7, 7] (flatten it first)}}
  %0 = gn.dense %x, %w : (tensor<2x7x7xf32>, tensor<49x10xf32>) -> tensor<2x10xf32>
  return
}

// -----

func.func @dense_bias(%x: tensor<2x49xf32>, %w: tensor<49x10xf32>, %b: tensor<11xf32>) {
  // expected-error @+1 {{dense bias [11] does not match 10 units}}
  %0 = gn.dense %x, %w, %b : (tensor<2x49xf32>, tensor<49x10xf32>, tensor<11xf32>) -> tensor<2x10xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<2x28x28x3xf32>, %w: tensor<3x3x1x32xf32>) {
  // expected-error @+1 {{conv2d kernel [3, 3, 1, 32] expects 1 input channels, but the input [2, 28, 28, 3] has 3}}
  %0 = gn.conv2d %x, %w strides [1, 1] padding [1, 1, 1, 1] dilations [1, 1]
      : (tensor<2x28x28x3xf32>, tensor<3x3x1x32xf32>) -> tensor<2x28x28x32xf32>
  return
}

// -----

func.func @conv_attr_size(%x: tensor<2x28x28x1xf32>, %w: tensor<3x3x1x32xf32>) {
  // expected-error @+1 {{expects strides [sH, sW], padding [top, bottom, left, right], dilations [dH, dW]}}
  %0 = gn.conv2d %x, %w strides [1, 1] padding [1, 1] dilations [1, 1]
      : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<2x28x28x32xf32>
  return
}

// -----

func.func @conv_too_small(%x: tensor<2x2x2x1xf32>, %w: tensor<3x3x1x32xf32>) {
  // expected-error @+1 {{conv2d kernel (effective 3x3) is larger than the padded input (2x2)}}
  %0 = gn.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilations [1, 1]
      : (tensor<2x2x2x1xf32>, tensor<3x3x1x32xf32>) -> tensor<2x1x1x32xf32>
  return
}

// -----

func.func @conv_stride(%x: tensor<2x28x28x1xf32>, %w: tensor<3x3x1x32xf32>) {
  // expected-error @+1 {{conv2d strides and dilations must be >= 1}}
  %0 = gn.conv2d %x, %w strides [0, 1] padding [1, 1, 1, 1] dilations [1, 1]
      : (tensor<2x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<2x28x28x32xf32>
  return
}

// -----

func.func @conv_transpose_channels(%x: tensor<2x7x7x64xf32>, %w: tensor<3x3x64x32xf32>) {
  // expected-error @+1 {{conv2d_transpose kernel [3, 3, 64, 32] expects 32 input channels, but the input [2, 7, 7, 64] has 64}}
  %0 = gn.conv2d_transpose %x, %w strides [2, 2] padding [1, 1, 1, 1] output_padding [1, 1] dilations [1, 1]
      : (tensor<2x7x7x64xf32>, tensor<3x3x64x32xf32>) -> tensor<2x14x14x64xf32>
  return
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<2x7x7x64xf32>, %w: tensor<3x3x32x64xf32>) {
  // expected-error @+1 {{conv2d_transpose output padding must be smaller than the stride or the dilation}}
  %0 = gn.conv2d_transpose %x, %w strides [2, 2] padding [1, 1, 1, 1] output_padding [2, 2] dilations [1, 1]
      : (tensor<2x7x7x64xf32>, tensor<3x3x32x64xf32>) -> tensor<2x15x15x32xf32>
  return
}

// -----

func.func @group_norm_groups(%x: tensor<2x4x4x30xf32>, %g: tensor<30xf32>) {
  // expected-error @+1 {{group_norm: 30 channels are not divisible into 8 groups}}
  %0 = gn.group_norm %x, %g, %g groups 8 eps 1.0e-5
      : (tensor<2x4x4x30xf32>, tensor<30xf32>, tensor<30xf32>) -> tensor<2x4x4x30xf32>
  return
}

// -----

func.func @group_norm_gamma(%x: tensor<2x4x4x32xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{group_norm scale and offset must be [32]}}
  %0 = gn.group_norm %x, %g, %g groups 8 eps 1.0e-5
      : (tensor<2x4x4x32xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x4x4x32xf32>
  return
}

// -----

func.func @group_norm_eps(%x: tensor<2x4x4x32xf32>, %g: tensor<32xf32>) {
  // expected-error @+1 {{eps must be positive}}
  %0 = gn.group_norm %x, %g, %g groups 8 eps 0.0
      : (tensor<2x4x4x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<2x4x4x32xf32>
  return
}

// -----

//===-- shape manipulation -----------------------------------------------===//

func.func @upsample(%x: tensor<2x7x7xf32>) {
  // expected-error @+1 {{upsample expects a 4-D NHWC input, got [2, 7, 7]}}
  %0 = gn.upsample %x factor 2 : tensor<2x7x7xf32> -> tensor<2x14x14xf32>
  return
}

// -----

func.func @upsample_factor(%x: tensor<2x7x7x1xf32>) {
  // expected-error @+1 {{upsample factor must be >= 1, got 0}}
  %0 = gn.upsample %x factor 0 : tensor<2x7x7x1xf32> -> tensor<2x7x7x1xf32>
  return
}

// -----

func.func @flatten_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{flatten expects a tensor with a batch dimension, got a scalar}}
  %0 = gn.flatten %x : tensor<f32> -> tensor<1x1xf32>
  return
}

// -----

func.func @reshape(%x: tensor<2x196xf32>) {
  // expected-error @+1 {{reshape from [2, 196] (392 elements) to [2, 28, 28, 1] (1568 elements) changes the element count}}
  %0 = gn.reshape %x : tensor<2x196xf32> to tensor<2x28x28x1xf32>
  return
}

// -----

func.func @transpose(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{transpose permutation [0, 0] is not a permutation of 0..1}}
  %0 = gn.transpose %x perm [0, 0] : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @concat(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  // expected-error @+1 {{concat operands [2, 3] and [3, 3] differ outside the concatenation axis 1}}
  %0 = gn.concat %a, %b axis 1 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{concat axis 2 is out of range for [2, 3]}}
  %0 = gn.concat %a, %a axis 2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @slice(%x: tensor<2x10xf32>) {
  // expected-error @+1 {{slice start [0, 8] size [2, 5] is out of bounds for [2, 10]}}
  %0 = gn.slice %x start [0, 8] size [2, 5] : tensor<2x10xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @reduce_axes(%x: tensor<2x10xf32>) {
  // expected-error @+1 {{reduction axes [1, 1] are invalid for [2, 10]}}
  %0 = gn.sum %x axes [1, 1] : tensor<2x10xf32> -> tensor<2xf32>
  return
}

// -----

func.func @gather(%t: tensor<10x10xf32>, %i: tensor<4xi32>) {
  // expected-error @+1 {{only a 1-D array can be indexed, got [10, 10]}}
  %0 = gn.gather %t, %i : (tensor<10x10xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

//===-- losses -----------------------------------------------------------===//

func.func @loss_shapes(%p: tensor<2x10xf32>, %q: tensor<2x11xf32>) {
  // expected-error @+1 {{loss operands must have the same shape, got [2, 10] and [2, 11]}}
  %0 = gn.mse %p, %q reduction mean : (tensor<2x10xf32>, tensor<2x11xf32>) -> tensor<f32>
  return
}

// -----

func.func @loss_reduction(%p: tensor<2x10xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'reduction' [mean, sum, batch]}}
  %0 = gn.bce %p, %p reduction max : (tensor<2x10xf32>, tensor<2x10xf32>) -> tensor<f32>
  return
}

// -----

//===-- random numbers ---------------------------------------------------===//

func.func @normal_std(%key: tensor<2xi32>) {
  // expected-error @+1 {{std must be positive}}
  %0 = gn.normal %key stream 1 mean 0.0 std 0.0 : tensor<4xf32>
  return
}

// -----

func.func @uniform_bounds(%key: tensor<2xi32>) {
  // expected-error @+1 {{low must be smaller than high}}
  %0 = gn.uniform %key stream 1 low 1.0 high 1.0 : tensor<4xf32>
  return
}

// -----

func.func @randint_range(%key: tensor<2xi32>) {
  // expected-error @+1 {{low must be smaller than high, both within the i32 range}}
  %0 = gn.randint %key stream 1 low 0 high 4294967296 : tensor<4xi32>
  return
}

// -----

func.func @dropout_p(%key: tensor<2xi32>) {
  // expected-error @+1 {{p must be in [0, 1)}}
  %0 = gn.dropout_mask %key stream 1 p 1.0 : tensor<4xf32>
  return
}

// -----

func.func @stream(%key: tensor<2xi32>) {
  // expected-error @+1 {{stream must be non-negative}}
  %0 = gn.dropout_mask %key stream -1 p 0.5 : tensor<4xf32>
  return
}

// -----

func.func @bad_key(%key: tensor<3xi32>) {
  // expected-error @+1 {{operand #0 must be tensor<2xi32> random key}}
  %0 = "gn.normal"(%key) <{stream = 1 : i64, mean = 0.0 : f64, std = 1.0 : f64}> : (tensor<3xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @fold_in_data(%key: tensor<2xi32>, %t: tensor<4xi32>) {
  // expected-error @+1 {{operand #1 must be tensor<i32>}}
  %0 = gn.rng_fold_in %key, %t : tensor<4xi32>
  return
}

// -----

//===-- parameters -------------------------------------------------------===//

// expected-error @+1 {{init must be "zeros", "ones", "uniform" or "normal", got "glorot"}}
gn.param @w : tensor<4xf32> init "glorot"

// -----

// expected-error @+1 {{init "uniform" needs a scale}}
gn.param @w : tensor<4xf32> init "uniform"

// -----

// expected-error @+1 {{init "ones" takes no scale}}
gn.param @w : tensor<4xf32> init "ones" scale 1.0

// -----

// expected-error @+1 {{scale must be positive}}
gn.param @w : tensor<4xf32> init "normal" scale -1.0

// -----

// expected-error @+1 {{dimension sizes must be positive, got [0, 4]}}
gn.param @w : tensor<0x4xf32> init "zeros"

// -----

// expected-error @+1 {{attribute 'type' failed to satisfy constraint: type attribute of statically shaped tensor of 32-bit float values}}
gn.param @w : tensor<4xi32> init "zeros"

// -----

func.func @nested() {
  // expected-error @+1 {{expects parent op 'builtin.module'}}
  gn.param @w : tensor<4xf32> init "zeros"
  return
}

// -----

func.func @undefined_param() {
  // expected-error @+1 {{refers to an undefined parameter @nope}}
  %0 = gn.param_ref @nope : tensor<4xf32>
  return
}

// -----

func.func @not_a_param() {
  // expected-error @+1 {{@not_a_param is not a gn.param}}
  %0 = gn.param_ref @not_a_param : tensor<4xf32>
  return
}

// -----

gn.param @w : tensor<4xf32> init "zeros"
func.func @param_type() {
  // expected-error @+1 {{type 'tensor<5xf32>' does not match the type 'tensor<4xf32>' of parameter @w}}
  %0 = gn.param_ref @w : tensor<5xf32>
  return
}

// -----

//===-- optimizer steps --------------------------------------------------===//

gn.param @w : tensor<4xf32> init "zeros"
func.func @optimizer(%l: tensor<f32>) {
  // expected-error @+1 {{optimizer must be "sgd", "adam", "adamw" or "rmsprop", got "lbfgs"}}
  gn.minimize %l with "lbfgs" {lr = 1.0 : f64} over ["n"] params [@w]
  return
}

// -----

gn.param @w : tensor<4xf32> init "zeros"
func.func @no_lr(%l: tensor<f32>) {
  // expected-error @+1 {{hyperparameters need lr}}
  gn.minimize %l with "adam" {beta1 = 0.5 : f64} over ["n"] params [@w]
  return
}

// -----

gn.param @w : tensor<4xf32> init "zeros"
func.func @unknown_hyper(%l: tensor<f32>) {
  // expected-error @+1 {{optimizer "rmsprop" has no hyperparameter beta1}}
  gn.minimize %l with "rmsprop" {lr = 1.0e-3 : f64, beta1 = 0.5 : f64} over ["n"] params [@w]
  return
}

// -----

gn.param @w : tensor<4xf32> init "zeros"
func.func @hyper_type(%l: tensor<f32>) {
  // expected-error @+1 {{hyperparameter lr must be f64}}
  gn.minimize %l with "sgd" {lr = 1.0e-3 : f32} over ["n"] params [@w]
  return
}

// -----

gn.param @w : tensor<4xf32> init "zeros"
func.func @hyper_bool(%l: tensor<f32>) {
  // expected-error @+1 {{hyperparameter nesterov must be a bool}}
  gn.minimize %l with "sgd" {lr = 1.0e-3 : f64, nesterov = 1.0 : f64} over ["n"] params [@w]
  return
}

// -----

gn.param @w : tensor<4xf32> init "zeros"
func.func @hyper_range(%l: tensor<f32>) {
  // expected-error @+1 {{hyperparameter beta1 is out of range: 1.000000e+00}}
  gn.minimize %l with "adam" {lr = 1.0e-3 : f64, beta1 = 1.0 : f64} over ["n"] params [@w]
  return
}

// -----

gn.param @w : tensor<4xf32> init "zeros"
func.func @no_nets(%l: tensor<f32>) {
  // expected-error @+1 {{needs at least one net}}
  gn.minimize %l with "sgd" {lr = 1.0e-3 : f64} over [] params [@w]
  return
}

// -----

gn.param @w : tensor<4xf32> init "zeros"
func.func @twice(%l: tensor<f32>) {
  // expected-error @+1 {{lists parameter @w twice}}
  gn.minimize %l with "sgd" {lr = 1.0e-3 : f64} over ["n"] params [@w, @w]
  return
}

// -----

func.func @minimize_undefined(%l: tensor<f32>) {
  // expected-error @+1 {{refers to an undefined parameter @w}}
  gn.minimize %l with "sgd" {lr = 1.0e-3 : f64} over ["n"] params [@w]
  return
}

// -----

func.func @loss_not_scalar(%l: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be tensor<f32>}}
  "gn.minimize"(%l) <{hyper = {lr = 1.0 : f64}, nets = ["n"], optimizer = "sgd", params = []}> : (tensor<4xf32>) -> ()
  return
}

// -----

//===-- the ops of gn-transposed-conv-to-conv ----------------------------===//

func.func @dilate_padding(%x: tensor<2x7x7x4xf32>) {
  // expected-error @+1 {{dilate expects padding [top, bottom, left, right], each >= 0}}
  %0 = gn.dilate %x strides [2, 2] padding [-1, 0, 0, 0] : tensor<2x7x7x4xf32> -> tensor<2x12x13x4xf32>
  return
}

// -----

func.func @dilate_type(%x: tensor<2x7x7x4xf32>) {
  // expected-error @+1 {{result type 'tensor<2x14x14x4xf32>' does not match the inferred type 'tensor<2x13x13x4xf32>'}}
  %0 = gn.dilate %x strides [2, 2] padding [0, 0, 0, 0] : tensor<2x7x7x4xf32> -> tensor<2x14x14x4xf32>
  return
}

// -----

func.func @flip_kernel_phase(%w: tensor<3x3x8x4xf32>) {
  // expected-error @+1 {{flip_kernel phase [3, 0] is outside the kernel [3, 3, 8, 4]}}
  %0 = gn.flip_kernel %w phase [3, 0] step [2, 2] : tensor<3x3x8x4xf32> -> tensor<1x2x4x8xf32>
  return
}

// -----

func.func @interleave_residue(%p: tensor<2x7x7x8xf32>) {
  // expected-error @+1 {{interleave parts 0 and 1 start on the same residue [0, 1] modulo the strides}}
  %0 = gn.interleave %p, %p strides [2, 2] offsets [0, 1, 2, 3] : (tensor<2x7x7x8xf32>, tensor<2x7x7x8xf32>) -> tensor<2x16x20x8xf32>
  return
}

// -----

func.func @interleave_outside(%p: tensor<2x7x7x8xf32>) {
  // expected-error @+1 {{interleave part 0 [2, 7, 7, 8] at offsets [1, 0] does not fit in [2, 13, 13, 8]}}
  %0 = gn.interleave %p strides [2, 2] offsets [1, 0] : (tensor<2x7x7x8xf32>) -> tensor<2x13x13x8xf32>
  return
}

// -----

func.func @interleave_channels(%p: tensor<2x7x7x8xf32>) {
  // expected-error @+1 {{interleave part 0 [2, 7, 7, 8] does not match the result [2, 14, 14, 4] in batch and channels}}
  %0 = gn.interleave %p strides [2, 2] offsets [0, 0] : (tensor<2x7x7x8xf32>) -> tensor<2x14x14x4xf32>
  return
}

// -----

func.func @all_reduce_type(%g: tensor<10xf32>) {
  // expected-error @+1 {{all of {x, result} have same type}}
  %0 = "gn.all_reduce"(%g) <{reduction = 0 : i32}> : (tensor<10xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @all_reduce_kind(%g: tensor<10xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'reduction' [sum, mean]}}
  %0 = gn.all_reduce max %g : tensor<10xf32>
  return
}
