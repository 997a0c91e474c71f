// RUN: gnc-opt --gnc-apply-schedules %s | FileCheck %s
// A vectorized matmul schedule: rows across threads (scf.forall), a 4 x 16 register block with
// its zero fill fused (no whole-buffer fill), the k loop inside with the accumulator carried as
// a vector, and a vector.contract per 4 x 16 x 4 block.
func.func @matmul(%a: tensor<32x64xf32>, %b: tensor<64x32xf32>) -> tensor<32x32xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
  %m = linalg.matmul {gnc.schedule = {kernel = "matmul[32,32,64]", parallel = [16, 0, 0], tile = [4, 16, 4], vectorize = true}}
         ins(%a, %b : tensor<32x64xf32>, tensor<64x32xf32>) outs(%f : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %m : tensor<32x32xf32>
}
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.fill
// CHECK: scf.forall (%{{.*}}) = (0) to (32) step (16)
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<4x16xf32>)
// CHECK: vector.contract {{.*}} : vector<4x4xf32>, vector<4x16xf32> into vector<4x16xf32>
// CHECK-NOT: linalg.

// A convolution tile of one output row and one kernel row becomes a vectorized 1-D
// convolution: per kernel column, one contraction of the row segment with the filter slice.
func.func @conv(%x: tensor<2x6x6x8xf32>, %w: tensor<3x3x8x16xf32>) -> tensor<2x4x4x16xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x4x4x16xf32>) -> tensor<2x4x4x16xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
         gnc.schedule = {kernel = "c", parallel = [1, 0, 0, 0, 0, 0, 0], tile = [1, 1, 4, 16, 1, 1, 4], vectorize = true}}
         ins(%x, %w : tensor<2x6x6x8xf32>, tensor<3x3x8x16xf32>) outs(%f : tensor<2x4x4x16xf32>) -> tensor<2x4x4x16xf32>
  return %c : tensor<2x4x4x16xf32>
}
// CHECK-LABEL: func.func @conv
// CHECK-NOT: linalg.fill
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: vector.contract
// CHECK-NOT: linalg.conv

// A plain-loop schedule only reorders: the reduction generalized with its loops interchanged.
func.func @sum(%x: tensor<8x16xf32>, %init: tensor<16xf32>) -> tensor<16xf32> {
  %s = linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"],
                       gnc.schedule = {kernel = "g", parallel = [0, 0], tile = [0, 0], order = [1, 0], vectorize = false}}
         ins(%x : tensor<8x16xf32>) outs(%init : tensor<16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %a = arith.addf %p, %o : f32
    linalg.yield %a : f32
  } -> tensor<16xf32>
  return %s : tensor<16xf32>
}
// CHECK-LABEL: func.func @sum
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = ["reduction", "parallel"]}
// CHECK-NOT: gnc.schedule

// A reduction split across threads: each thread tile of the reduction loop sums into a
// partial result of its own (scf.forall over the tiles), and the partials are added in
// tile order afterwards (a linalg.reduce).
func.func @total(%x: tensor<64x32xf32>, %init: tensor<f32>) -> tensor<f32> {
  %s = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>],
                       iterator_types = ["reduction", "reduction"],
                       gnc.schedule = {kernel = "t", parallel = [16, 0], tile = [0, 0], vectorize = false}}
         ins(%x : tensor<64x32xf32>) outs(%init : tensor<f32>) {
  ^bb0(%p: f32, %o: f32):
    %a = arith.addf %p, %o : f32
    linalg.yield %a : f32
  } -> tensor<f32>
  return %s : tensor<f32>
}
// CHECK-LABEL: func.func @total
// CHECK: scf.forall (%{{.*}}) = (0) to (64) step (16) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<4xf32>)
// CHECK: linalg.reduce

// A vectorized depthwise convolution (the single-output-channel form): images across threads,
// a 2 images x 4 pixels x 8 lanes accumulator block carried through the kernel rows and
// columns (4 at a time), each tile a 1-D depthwise convolution of vector.fma ops.
func.func @depthwise(%x: tensor<4x6x40x8xf32>, %w: tensor<3x12x8xf32>) -> tensor<4x4x8x8xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4x8x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
  %y = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<[1, 4]> : tensor<2xi64>,
         gnc.schedule = {kernel = "depthwise_conv_2d_nhwc_hwc_s1x4_d1x1[4,4,8,8,3,12]", parallel = [2, 0, 0, 0, 0, 0], tile = [2, 1, 4, 8, 1, 4], vectorize = true}}
         ins(%x, %w : tensor<4x6x40x8xf32>, tensor<3x12x8xf32>) outs(%f : tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
  return %y : tensor<4x4x8x8xf32>
}
// CHECK-LABEL: func.func @depthwise
// CHECK-NOT: linalg.fill
// CHECK: scf.forall
// CHECK: scf.for {{.*}} to %c3 {{.*}} -> (vector<2x4x8xf32>)
// CHECK: scf.for {{.*}} to %c12 step %c4 {{.*}} -> (vector<2x4x8xf32>)
// CHECK-COUNT-16: vector.fma {{.*}} : vector<2x1x8xf32>
// CHECK-NOT: linalg.depthwise_conv
// CHECK: } {gnc.kernel = {{.*}}name = "depthwise_conv_2d_nhwc_hwc_s1x4_d1x1[4,4,8,8,3,12]"

// An outer level (a kernel gradient's window stepped outside the register blocks): the thread
// tile's output is zeroed once (its fill stays whole inside the thread tile), the kh and kw
// loops carry it, and every register block inside reads and writes its accumulators.
func.func @outer(%x: tensor<4x6x6x8xf32>, %g: tensor<4x4x8x16xf32>) -> tensor<4x3x3x16xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x3x3x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x3x3x16xf32>) -> tensor<4x3x3x16xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
         gnc.schedule = {kernel = "conv_2d_nhwc_hwcf_s1x1_d1x1[4,3,3,16,4,4,8]", outer = [0, 0, 0, 0, 1, 2, 0], parallel = [2, 0, 0, 0, 0, 0, 0], tile = [1, 1, 3, 16, 1, 1, 4], vectorize = true}}
         ins(%x, %g : tensor<4x6x6x8xf32>, tensor<4x4x8x16xf32>) outs(%f : tensor<4x3x3x16xf32>) -> tensor<4x3x3x16xf32>
  return %y : tensor<4x3x3x16xf32>
}
// CHECK-LABEL: func.func @outer
// CHECK: scf.forall
// CHECK: linalg.fill {{.*}} -> tensor<2x3x3x16xf32>
// CHECK: scf.for {{.*}} to %c4 step %c1 {{.*}} -> (tensor<2x3x3x16xf32>)
// CHECK: scf.for {{.*}} to %c4 step %c2 {{.*}} -> (tensor<2x3x3x16xf32>)
// CHECK: vector.transfer_read
// CHECK: scf.for {{.*}} -> (vector<1x3x16xf32>)
// CHECK: vector.contract
// CHECK: vector.transfer_write
// CHECK: } {gnc.kernel = {{.*}}name = "conv_2d_nhwc_hwcf_s1x1_d1x1[4,3,3,16,4,4,8]"

// A plain-loop schedule with tiles and an order: the order applies to the tile loops (the
// blocked loops 0 and 3 outermost) as well as to the loops inside a tile.
func.func @tile_order(%x: tensor<16x3x3x16xf32>) -> tensor<16x3x3x16xf32> {
  %e = tensor.empty() : tensor<16x3x3x16xf32>
  %t = linalg.transpose {gnc.schedule = {kernel = "transpose[16,3,3,16]", parallel = [0, 0, 0, 0], tile = [8, 1, 1, 8], order = [0, 3, 1, 2], vectorize = false}}
         ins(%x : tensor<16x3x3x16xf32>) outs(%e : tensor<16x3x3x16xf32>) permutation = [3, 1, 2, 0]
  return %t : tensor<16x3x3x16xf32>
}
// CHECK-LABEL: func.func @tile_order
// CHECK: scf.for %{{.*}} = %{{.*}} to %c16{{.*}} step %c8
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %c16{{.*}} step %c8
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %c3{{.*}} step %c1
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %c3{{.*}} step %c1
// CHECK: linalg.generic

// A vectorized elementwise kernel: rows across threads, then 1 x 16 tiles stepped through by
// an scf.forall marked gnc.sequential_tiles (one thread runs them; its shared output bufferizes
// in place of a destination buffer), each a vector op on vector<1x16xf32>.
func.func @elementwise(%x: tensor<32x64xf32>, %b: tensor<64xf32>) -> tensor<32x64xf32> {
  %e = tensor.empty() : tensor<32x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
         ins(%x, %b : tensor<32x64xf32>, tensor<64xf32>) outs(%e : tensor<32x64xf32>)
         attrs = {gnc.schedule = {kernel = "k", parallel = [8, 0], tile = [1, 16], vectorize = true}} {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    %n = math.exp %s : f32
    linalg.yield %n : f32
  } -> tensor<32x64xf32>
  return %r : tensor<32x64xf32>
}
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.forall (%{{.*}}) = (0) to (32) step (8)
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (8, 64) step (1, 16)
// CHECK: vector.transfer_read {{.*}} vector<1x16xf32>
// CHECK: math.exp {{.*}} : vector<1x16xf32>
// CHECK: vector.transfer_write
// CHECK: } {gnc.sequential_tiles}
// CHECK: } {gnc.kernel = {{.*}}name = "k"

// A sum into a scalar: 4 thread tiles of partial sums (scf.forall, added in order after it);
// inside each, tiles of 32 accumulate into a vector of 32 partial sums carried by the loop,
// added up after it.
func.func @loss_sum(%x: tensor<1024xf32>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>], iterator_types = ["reduction"]}
         ins(%x : tensor<1024xf32>) outs(%f : tensor<f32>)
         attrs = {gnc.schedule = {kernel = "s", parallel = [256], tile = [32], vectorize = true}} {
  ^bb0(%p: f32, %o: f32):
    %l = math.log %p : f32
    %s = arith.addf %o, %l : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}
// CHECK-LABEL: func.func @loss_sum
// CHECK: scf.forall (%{{.*}}) = (0) to (1024) step (256) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<4xf32>)
// CHECK: scf.for {{.*}} to %c256{{.*}} step %c32{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (vector<32xf32>)
// CHECK: math.log {{.*}} : vector<32xf32>
// CHECK: arith.addf %[[ACC]], {{.*}} : vector<32xf32>
// CHECK: linalg.reduce ins(%{{.*}} : tensor<32xf32>)
// CHECK: } {gnc.kernel = {{.*}}name = "s"
// CHECK: linalg.reduce ins(%{{.*}} : tensor<4xf32>)

// An epilogue: the matmul's bias + relu consumer is tiled across threads and in 4 x 16 register
// tiles (the matmul's parallel tiles), with the matmul and its zero fill fused into each; the
// accumulators, carried in registers across k, go straight into the bias add and the max: the
// matmul's result is never written to memory, and no buffer is zero-filled.
func.func @epilogue(%a: tensor<32x64xf32>, %b: tensor<64x32xf32>, %bias: tensor<32xf32>) -> tensor<32x32xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
  %m = linalg.matmul {gnc.schedule = {kernel = "matmul[32,32,64]", parallel = [8, 0, 0], tile = [4, 16, 4], vectorize = true, epilogue = true}}
         ins(%a, %b : tensor<32x64xf32>, tensor<64x32xf32>) outs(%f : tensor<32x32xf32>) -> tensor<32x32xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
         ins(%m, %bias : tensor<32x32xf32>, tensor<32xf32>) outs(%e : tensor<32x32xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    %x = arith.maximumf %s, %z : f32
    linalg.yield %x : f32
  } -> tensor<32x32xf32>
  return %r : tensor<32x32xf32>
}
// CHECK-LABEL: func.func @epilogue
// CHECK-NOT: linalg.fill
// CHECK: scf.forall (%{{.*}}) = (0) to (32) step (8)
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (8, 32) step (4, 16)
// CHECK: %[[ACC:.*]] = scf.for {{.*}} -> (vector<4x16xf32>)
// CHECK: vector.contract
// CHECK: %[[B:.*]] = arith.addf %[[ACC]], {{.*}} : vector<4x16xf32>
// CHECK: arith.maximumf %[[B]], {{.*}} : vector<4x16xf32>
// CHECK: vector.transfer_write
// CHECK: } {gnc.sequential_tiles}
// CHECK: } {gnc.kernel = {{.*}}name = "matmul[32,32,64]"
// CHECK-NOT: linalg.generic

// A windowed contraction (a kernel gradient, loops (co, kh, kw, ci, n, oh, ow)): the images
// outside the blocks (outer), a 4 x 8 block per kernel tap, and each tile, one step of every
// window index but ow, read through strided slices as a linalg.contract that vectorizes to
// a vector.contract of the 4 ow steps (ci broadcast x co vectors).
#wx = affine_map<(co, kh, kw, ci, n, oh, ow) -> (n, oh * 2 + kh, ow * 2 + kw, ci)>
#wdy = affine_map<(co, kh, kw, ci, n, oh, ow) -> (n, oh, ow, co)>
#wdw = affine_map<(co, kh, kw, ci, n, oh, ow) -> (kh, kw, ci, co)>
func.func @filter_grad(%x: tensor<2x9x9x8xf32>, %dy: tensor<2x4x4x16xf32>) -> tensor<3x3x8x16xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x3x8x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<3x3x8x16xf32>) -> tensor<3x3x8x16xf32>
  %g = linalg.generic {indexing_maps = [#wx, #wdy, #wdw],
         iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
         ins(%x, %dy : tensor<2x9x9x8xf32>, tensor<2x4x4x16xf32>) outs(%f : tensor<3x3x8x16xf32>)
         attrs = {gnc.schedule = {kernel = "w", outer = [0, 0, 0, 0, 1, 0, 0], parallel = [0, 0, 0, 4, 0, 0, 0],
                                  tile = [8, 1, 1, 4, 1, 1, 4], vectorize = true}} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<3x3x8x16xf32>
  return %g : tensor<3x3x8x16xf32>
}
// CHECK-LABEL: func.func @filter_grad
// CHECK: scf.forall (%{{.*}}) = (0) to (8) step (4)
// CHECK: linalg.fill
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 1, 4, 4] [1, 1, 2, 1] : tensor<1x1x7x4xf32> to tensor<4x4xf32>
// CHECK: vector.contract {{.*}} : vector<4x4xf32>, vector<4x8xf32> into vector<4x8xf32>
// CHECK-NOT: linalg.generic
