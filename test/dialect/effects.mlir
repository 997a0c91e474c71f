// Side effects: gn.param_ref reads and gn.minimize writes the "gn.params" resource, so CSE
// merges reads only when no optimizer step lies between them; unused pure ops and reads go away.
// RUN: gnc-opt %s -cse | FileCheck %s --check-prefix=CSE
// RUN: gnc-opt %s -canonicalize | FileCheck %s --check-prefix=CANON

gn.param @w : tensor<4xf32> init "zeros"

// CSE-LABEL: func.func @reads
// CSE: %[[A:.*]] = gn.param_ref @w
// CSE-NOT: gn.param_ref
// CSE: gn.minimize
// CSE: %[[B:.*]] = gn.param_ref @w
// CSE-NOT: gn.param_ref
// CSE: gn.add %[[A]], %[[A]]
// CSE: gn.add %[[B]], %[[B]]
func.func @reads(%l: tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a0 = gn.param_ref @w : tensor<4xf32>
  %a1 = gn.param_ref @w : tensor<4xf32>
  gn.minimize %l with "sgd" {lr = 0.1 : f64} over ["n"] params [@w]
  %b0 = gn.param_ref @w : tensor<4xf32>
  %b1 = gn.param_ref @w : tensor<4xf32>
  %a = gn.add %a0, %a1 : tensor<4xf32>
  %b = gn.add %b0, %b1 : tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// CANON-LABEL: func.func @dead
// CANON-NEXT: %[[C:.*]] = gn.constant dense<2.000000e+00> : tensor<4xf32>
// CANON-NEXT: gn.minimize
// CANON-NEXT: return %[[C]], %[[C]]
func.func @dead(%l: tensor<f32>, %x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %r = gn.param_ref @w : tensor<4xf32>
  %0 = gn.relu %x : tensor<4xf32>
  %1 = gn.add %r, %0 : tensor<4xf32>
  gn.minimize %l with "sgd" {lr = 0.1 : f64} over ["n"] params [@w]
  %c0 = gn.constant dense<2.0> : tensor<4xf32>
  %c1 = gn.constant dense<2.0> : tensor<4xf32>
  return %c0, %c1 : tensor<4xf32>, tensor<4xf32>
}
