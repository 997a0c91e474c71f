// The IR contract between the stages (GnDialect.td's discardable attributes): the verifier
// checks each attribute's type, value and place.
// RUN: gnc-opt %s -split-input-file -verify-diagnostics

// A module as gn-autodiff leaves it: every attribute in its place.
module attributes {gn.batch = 4 : i64, gn.dataset = "mnist", gn.input = "x"} {
  gn.param @n.w : tensor<4xf32> init "zeros"
  gn.param @opt0.step : tensor<f32> init "zeros" {gn.optimizer_state}
  func.func @step(%x: tensor<4xf32>, %w: tensor<4xf32> {gn.state = "n.w"}) -> (tensor<f32>, tensor<4xf32> {gn.state = "n.w"}) attributes {gn.kind = "train", gn.losses = ["loss"]} {
    %0 = gn.sum %x axes [0] : tensor<4xf32> -> tensor<f32>
    return %0, %w : tensor<f32>, tensor<4xf32>
  }
}

// -----

// expected-error @+1 {{attribute 'gn.kind' must be "net", "train", "sample", "eval" or "init", got "trian"}}
func.func @typo() attributes {gn.kind = "trian"} {
  return
}

// -----

// expected-error @+1 {{attribute 'gn.kind' must be "net", "train", "sample", "eval" or "init", got 1 : i64}}
func.func @not_a_string() attributes {gn.kind = 1 : i64} {
  return
}

// -----

// expected-error @+1 {{attribute 'gn.kind' belongs on a function}}
module attributes {gn.kind = "train"} {
}

// -----

// expected-error @+1 {{attribute 'gn.batch' must be a positive i64, got 0 : i64}}
module attributes {gn.batch = 0 : i64} {
}

// -----

// expected-error @+1 {{attribute 'gn.batch' must be a positive i64, got "128"}}
module attributes {gn.batch = "128"} {
}

// -----

// expected-error @+1 {{attribute 'gn.input' must be a name, got 3 : i64}}
module attributes {gn.input = 3} {
}

// -----

// expected-error @+1 {{attribute 'gn.losses' belongs on a train or eval function}}
func.func @sampler() -> tensor<f32> attributes {gn.kind = "sample", gn.losses = ["loss"]} {
  %0 = gn.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}

// -----

// expected-error @+1 {{attribute 'gn.losses' must be an array of names, got [1]}}
func.func @step() -> tensor<f32> attributes {gn.kind = "train", gn.losses = [1]} {
  %0 = gn.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}

// -----

// expected-error @+1 {{attribute 'gn.optimizer_state' belongs on a gn.param}}
func.func @f() attributes {gn.optimizer_state} {
  return
}

// -----

// expected-error @+1 {{argument attribute 'gn.state' must be the name of a gn.param, got 0 : i64}}
func.func @f(%w: tensor<4xf32> {gn.state = 0}) {
  return
}

// -----

// expected-error @+1 {{result attribute 'gn.sate' is not an attribute of the gn dialect}}
func.func @f(%w: tensor<4xf32>) -> (tensor<4xf32> {gn.sate = "n.w"}) {
  return %w : tensor<4xf32>
}

// -----

// expected-error @+1 {{attribute 'gn.state' belongs on function arguments and results}}
func.func @f() attributes {gn.state = "n.w"} {
  return
}

// -----

// expected-error @+1 {{attribute 'gn.batchsize' is not an attribute of the gn dialect}}
module attributes {gn.batchsize = 4 : i64} {
}

// -----

// gn-data-parallel's decisions: the gradient reduction of a minimize, a sharded random op.
gn.param @dp.w : tensor<4xf32> init "zeros"
func.func @dp_ok(%x: tensor<4xf32>, %key: tensor<2xi32>) -> tensor<f32> attributes {gn.kind = "train", gn.losses = ["loss"]} {
  %n = gn.normal %key stream 0 mean 0.0 std 1.0 {gn.shard} : tensor<4xf32>
  %w = gn.param_ref @dp.w : tensor<4xf32>
  %y = gn.mul %w, %n : tensor<4xf32>
  %l = gn.sum %y axes [0] : tensor<4xf32> -> tensor<f32>
  gn.minimize %l with "sgd" {lr = 1.0e-01 : f64} over ["dp"] params [@dp.w] {gn.gradient_reduction = "mean"}
  return %l : tensor<f32>
}

// -----

gn.param @dp.w : tensor<4xf32> init "zeros"
func.func @dp_reduction(%x: tensor<4xf32>) -> tensor<f32> attributes {gn.kind = "train", gn.losses = ["loss"]} {
  %w = gn.param_ref @dp.w : tensor<4xf32>
  %l = gn.sum %w axes [0] : tensor<4xf32> -> tensor<f32>
  // expected-error @+1 {{attribute 'gn.gradient_reduction' must be "sum" or "mean", got "max"}}
  gn.minimize %l with "sgd" {lr = 1.0e-01 : f64} over ["dp"] params [@dp.w] {gn.gradient_reduction = "max"}
  return %l : tensor<f32>
}

// -----

func.func @dp_reduction_place(%x: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{attribute 'gn.gradient_reduction' belongs on a gn.minimize}}
  %l = gn.sum %x axes [0] {gn.gradient_reduction = "mean"} : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

func.func @dp_shard_place(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{attribute 'gn.shard' belongs on a random op}}
  %y = gn.relu %x {gn.shard} : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @dp_shard_scalar(%key: tensor<2xi32>) -> tensor<f32> {
  // expected-error @+1 {{attribute 'gn.shard' needs a result whose leading dimension is the batch}}
  %n = gn.normal %key stream 0 mean 0.0 std 1.0 {gn.shard} : tensor<f32>
  return %n : tensor<f32>
}
