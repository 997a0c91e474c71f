// RUN: gnc-opt --gn-data-parallel --split-input-file --verify-diagnostics %s
// What gn-data-parallel refuses: a training step the processes could not reproduce.

// A batch statistic used per example (linear_ae's centring): each process would centre by
// its own rows' mean.
module attributes {gn.batch = 4 : i64} {
  gn.param @w : tensor<3x3xf32> init "uniform" scale 1.0e-01
  func.func @step(%x: tensor<4x3xf32>, %key: tensor<2xi32>) -> tensor<f32> attributes {gn.kind = "train", gn.losses = ["loss"]} {
    // expected-error @+1 {{mixes the examples of the batch (a mean over the batch that is not the loss)}}
    %m = gn.mean %x axes [0] : tensor<4x3xf32> -> tensor<3xf32>
    %mb = gn.broadcast %m : tensor<3xf32> to tensor<4x3xf32>
    %c = gn.sub %x, %mb : tensor<4x3xf32>
    %w = gn.param_ref @w : tensor<3x3xf32>
    %y = gn.matmul %c, %w : (tensor<4x3xf32>, tensor<3x3xf32>) -> tensor<4x3xf32>
    %l = gn.mse %y, %c reduction mean : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>
    gn.minimize %l with "sgd" {lr = 1.0e-01 : f64} over ["n"] params [@w]
    return %l : tensor<f32>
  }
}

// -----

// A per-process-identical term added to a sum over the batch would be counted once per process.
module attributes {gn.batch = 4 : i64} {
  gn.param @w : tensor<3x3xf32> init "uniform" scale 1.0e-01
  func.func @step(%x: tensor<4x3xf32>, %key: tensor<2xi32>) -> tensor<f32> attributes {gn.kind = "train", gn.losses = ["loss"]} {
    %w = gn.param_ref @w : tensor<3x3xf32>
    %y = gn.matmul %x, %w : (tensor<4x3xf32>, tensor<3x3xf32>) -> tensor<4x3xf32>
    %l = gn.mse %y, %x reduction sum : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>
    %sq = gn.square %w : tensor<3x3xf32>
    %p = gn.sum %sq axes [] : tensor<3x3xf32> -> tensor<f32>
    %t = gn.add %l, %p : tensor<f32>
    // expected-error @+1 {{cannot be data-parallel: its loss is neither a mean nor a sum over the batch}}
    gn.minimize %t with "sgd" {lr = 1.0e-01 : f64} over ["n"] params [@w]
    return %t : tensor<f32>
  }
}

// -----

// A loss that is not linear in the examples: the square of a mean.
module attributes {gn.batch = 4 : i64} {
  gn.param @w : tensor<3x3xf32> init "uniform" scale 1.0e-01
  func.func @step(%x: tensor<4x3xf32>, %key: tensor<2xi32>) -> tensor<f32> attributes {gn.kind = "train", gn.losses = ["loss"]} {
    %w = gn.param_ref @w : tensor<3x3xf32>
    %y = gn.matmul %x, %w : (tensor<4x3xf32>, tensor<3x3xf32>) -> tensor<4x3xf32>
    %m = gn.mean %y axes [] : tensor<4x3xf32> -> tensor<f32>
    %l = gn.square %m : tensor<f32>
    // expected-error @+1 {{cannot be data-parallel}}
    gn.minimize %l with "sgd" {lr = 1.0e-01 : f64} over ["n"] params [@w]
    return %l : tensor<f32>
  }
}

// -----

// A product contracting over the batch (x^T x).
module attributes {gn.batch = 4 : i64} {
  gn.param @w : tensor<3x3xf32> init "uniform" scale 1.0e-01
  func.func @step(%x: tensor<4x3xf32>, %key: tensor<2xi32>) -> tensor<f32> attributes {gn.kind = "train", gn.losses = ["loss"]} {
    // expected-error @+1 {{mixes the examples of the batch (a transpose moves the batch dimension)}}
    %xt = gn.transpose %x perm [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
    %g = gn.matmul %xt, %x : (tensor<3x4xf32>, tensor<4x3xf32>) -> tensor<3x3xf32>
    %w = gn.param_ref @w : tensor<3x3xf32>
    %d = gn.mul %g, %w : tensor<3x3xf32>
    %l = gn.sum %d axes [] : tensor<3x3xf32> -> tensor<f32>
    gn.minimize %l with "sgd" {lr = 1.0e-01 : f64} over ["n"] params [@w]
    return %l : tensor<f32>
  }
}
