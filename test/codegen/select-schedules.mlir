// RUN: gnc-opt --gnc-select-schedules="vector-bits=256 vector-registers=16" %s | FileCheck %s --check-prefix=AVX2
// RUN: gnc-opt --gnc-select-schedules="vector-bits=512 vector-registers=32" %s | FileCheck %s --check-prefix=AVX512
// The heuristic: a matmul gets a register block of up to 3/4 of the registers as accumulators,
// its columns split across threads when B (784 x 256 here) is beyond half of L2, in tiles
// whose panel of B fits (else its rows, @matmul_rows); a convolution output row segments of one or more images x
// whole vectors of channels (the cheapest block by its cost model), one kernel row, its batch
// split across threads; the fill of a
// vectorized kernel's accumulator is fused (no schedule of its own); the matmul's elementwise
// consumer is computed in its register tiles (`epilogue`, no schedule of its own either); a
// reduction into a vector stays plain loops, its contiguous output loop innermost.
func.func @kernels(%a: tensor<128x784xf32>, %b: tensor<784x256xf32>, %x: tensor<128x16x16x32xf32>,
                   %w: tensor<3x3x32x64xf32>, %v: tensor<128x256xf32>) -> (tensor<128x256xf32>, tensor<128x14x14x64xf32>, tensor<256xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128x256xf32>) -> tensor<128x256xf32>
  %m = linalg.matmul ins(%a, %b : tensor<128x784xf32>, tensor<784x256xf32>) outs(%f : tensor<128x256xf32>) -> tensor<128x256xf32>
  %ce = tensor.empty() : tensor<128x14x14x64xf32>
  %cf = linalg.fill ins(%z : f32) outs(%ce : tensor<128x14x14x64xf32>) -> tensor<128x14x14x64xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<128x16x16x32xf32>, tensor<3x3x32x64xf32>) outs(%cf : tensor<128x14x14x64xf32>) -> tensor<128x14x14x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
         ins(%m, %v : tensor<128x256xf32>, tensor<128x256xf32>) outs(%e : tensor<128x256xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<128x256xf32>
  %se = tensor.empty() : tensor<256xf32>
  %sf = linalg.fill ins(%z : f32) outs(%se : tensor<256xf32>) -> tensor<256xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>],
                         iterator_types = ["reduction", "parallel"]}
         ins(%r : tensor<128x256xf32>) outs(%sf : tensor<256xf32>) {
  ^bb0(%p: f32, %o: f32):
    %s = arith.addf %p, %o : f32
    linalg.yield %s : f32
  } -> tensor<256xf32>
  return %r, %c, %sum : tensor<128x256xf32>, tensor<128x14x14x64xf32>, tensor<256xf32>
}
// AVX2: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<128x256xf32>) -> tensor<128x256xf32>
// AVX2-NEXT: linalg.matmul {gnc.schedule = {epilogue = true, kernel = "matmul[128,256,784]", parallel = [0, 64, 0], tile = [4, 16, 4], vectorize = true}}
// AVX2: linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, gnc.schedule = {kernel = "conv_2d_nhwc_hwcf_s1x1_d1x1[128,14,14,64,3,3,32]", parallel = [16, 0, 0, 0, 0, 0, 0], tile = [2, 1, 2, 16, 1, 1, 4], vectorize = true}
// AVX2: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %{{.*}} : tensor<128x256xf32>, tensor<128x256xf32>) outs(%{{.*}} : tensor<128x256xf32>) {{[{]$}}
// AVX2: linalg.fill {gnc.schedule = {kernel = "fill[256]", parallel = [0], tile = [0], vectorize = false}}
// AVX2: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]{{.*}}gnc.schedule = {kernel = "generic_addf.{{[0-9a-f]+}}[128,256]", order = [0, 1], parallel = [0, 0], tile = [0, 0], vectorize = false}
// AVX512: linalg.matmul {gnc.schedule = {epilogue = true, kernel = "matmul[128,256,784]", parallel = [0, 64, 0], tile = [4, 64, 4], vectorize = true}}
// AVX512: linalg.conv_2d_nhwc_hwcf {{.*}}tile = [2, 1, 2, 64, 1, 1, 4], vectorize = true}

// A row of 7 output pixels (prime) leaves few register blocks along the row: the block takes
// 4 images x 2 vectors instead (each kernel vector serves 4 rows, so it is not re-read from L2
// for every FMA). A fill shared by two vectorized kernels is fused into both: no schedule.
// A kernel gradient streams a whole output gradient as its "kernel" (6 MB here): its window
// loops step outside all register blocks of a thread tile (`outer`: one kernel row, two
// columns, whose slab stays in L2), and each step reads one input row per image, so a block
// may take two images.
func.func @rows(%x: tensor<64x15x15x64xf32>, %w: tensor<3x3x64x128xf32>, %w2: tensor<3x3x64x128xf32>,
                %g: tensor<32x29x29x128xf32>, %d: tensor<14x14x128x64xf32>)
    -> (tensor<64x7x7x128xf32>, tensor<64x7x7x128xf32>, tensor<32x3x3x64xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x7x7x128xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x7x7x128xf32>) -> tensor<64x7x7x128xf32>
  %c1 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
          ins(%x, %w : tensor<64x15x15x64xf32>, tensor<3x3x64x128xf32>) outs(%f : tensor<64x7x7x128xf32>) -> tensor<64x7x7x128xf32>
  %c2 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
          ins(%x, %w2 : tensor<64x15x15x64xf32>, tensor<3x3x64x128xf32>) outs(%f : tensor<64x7x7x128xf32>) -> tensor<64x7x7x128xf32>
  %ge = tensor.empty() : tensor<32x3x3x64xf32>
  %gf = linalg.fill ins(%z : f32) outs(%ge : tensor<32x3x3x64xf32>) -> tensor<32x3x3x64xf32>
  %kg = linalg.conv_2d_nhwc_hwcf {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
          ins(%g, %d : tensor<32x29x29x128xf32>, tensor<14x14x128x64xf32>) outs(%gf : tensor<32x3x3x64xf32>) -> tensor<32x3x3x64xf32>
  return %c1, %c2, %kg : tensor<64x7x7x128xf32>, tensor<64x7x7x128xf32>, tensor<32x3x3x64xf32>
}
// AVX2-LABEL: func.func @rows
// AVX2: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<64x7x7x128xf32>)
// AVX2-NEXT: linalg.conv_2d_nhwc_hwcf {{.*}}kernel = "conv_2d_nhwc_hwcf_s2x2_d1x1[64,7,7,128,3,3,64]", parallel = [8, 0, 0, 0, 0, 0, 0], tile = [4, 1, 1, 16, 1, 1, 4]
// AVX2-NEXT: linalg.conv_2d_nhwc_hwcf {{.*}}tile = [4, 1, 1, 16, 1, 1, 4]
// AVX2: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<32x3x3x64xf32>)
// AVX2-NEXT: linalg.conv_2d_nhwc_hwcf {{.*}}kernel = "conv_2d_nhwc_hwcf_s1x1_d2x2[32,3,3,64,14,14,128]", outer = [0, 0, 0, 0, 1, 2, 0], parallel = [4, 0, 0, 0, 0, 0, 0], tile = [2, 1, 3, 16, 1, 1, 4]

// The single-output-channel form (gn-to-linalg): a depthwise convolution over 8 lanes,
// blocked like a convolution (rows from images and output pixels, one vector of channels),
// its kernel row advanced 4 vectors at a time.
func.func @depthwise(%x: tensor<128x30x120x8xf32>, %w: tensor<3x12x8xf32>) -> tensor<128x28x28x8xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x28x28x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128x28x28x8xf32>) -> tensor<128x28x28x8xf32>
  %y = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<[1, 4]> : tensor<2xi64>}
         ins(%x, %w : tensor<128x30x120x8xf32>, tensor<3x12x8xf32>) outs(%f : tensor<128x28x28x8xf32>) -> tensor<128x28x28x8xf32>
  return %y : tensor<128x28x28x8xf32>
}
// AVX2-LABEL: func.func @depthwise
// AVX2: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<128x28x28x8xf32>)
// AVX2-NEXT: linalg.depthwise_conv_2d_nhwc_hwc {{.*}}kernel = "depthwise_conv_2d_nhwc_hwc_s1x4_d1x1[128,28,28,8,3,12]", parallel = [16, 0, 0, 0, 0, 0], tile = [2, 1, 4, 8, 1, 4], vectorize = true

// A 4-D transpose (a kernel gradient's input as [C, H, W, N]) is walked in 8 x 8 blocks of the
// loops it reads and writes along, those two loops outermost, so that the others walk the
// same pages; a 2-D one in 16 x 16 blocks.
func.func @transposes(%x: tensor<128x29x29x32xf32>, %m: tensor<3136x128xf32>) -> (tensor<32x29x29x128xf32>, tensor<128x3136xf32>) {
  %e = tensor.empty() : tensor<32x29x29x128xf32>
  %t = linalg.transpose ins(%x : tensor<128x29x29x32xf32>) outs(%e : tensor<32x29x29x128xf32>) permutation = [3, 1, 2, 0]
  %e2 = tensor.empty() : tensor<128x3136xf32>
  %t2 = linalg.transpose ins(%m : tensor<3136x128xf32>) outs(%e2 : tensor<128x3136xf32>) permutation = [1, 0]
  return %t, %t2 : tensor<32x29x29x128xf32>, tensor<128x3136xf32>
}
// AVX2-LABEL: func.func @transposes
// AVX2: kernel = "transpose[32,29,29,128]", order = [0, 3, 1, 2], parallel = [8, 0, 0, 0], tile = [8, 1, 1, 8], vectorize = false
// AVX2: kernel = "transpose[128,3136]", parallel = [16, 0], tile = [16, 16], vectorize = false

// B of 64 x 256 stays in L2: the rows are split across threads.
func.func @matmul_rows(%a: tensor<128x64xf32>, %b: tensor<64x256xf32>) -> tensor<128x256xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128x256xf32>) -> tensor<128x256xf32>
  %m = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x256xf32>) outs(%f : tensor<128x256xf32>) -> tensor<128x256xf32>
  return %m : tensor<128x256xf32>
}
// AVX2-LABEL: func.func @matmul_rows
// AVX2: kernel = "matmul[128,256,64]", parallel = [16, 0, 0], tile = [4, 16, 4], vectorize = true

// Sums into a scalar (after gnc-collapse-loops, one loop): vectorized along that loop, 4
// vectors of partial sums per tile, the loop split into 8 thread tiles of partial sums (any
// thread count adds them in the same order). An elementwise op large enough for threads
// splits its outermost loop; one whose innermost loop is not whole vectors stays plain, and so
// does a sum that is not a plain addition of the accumulator.
func.func @sums(%a: tensor<100352xf32>, %b: tensor<100352xf32>, %c: tensor<784x256xf32>, %d: tensor<128x30xf32>)
    -> (tensor<f32>, tensor<f32>, tensor<784x256xf32>, tensor<128x30xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> ()>],
                       iterator_types = ["reduction"]} ins(%a, %b : tensor<100352xf32>, tensor<100352xf32>) outs(%f : tensor<f32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %l = math.log %p : f32
    %m = arith.mulf %l, %q : f32
    %r = arith.addf %o, %m : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  %mx = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>],
                        iterator_types = ["reduction"]} ins(%a : tensor<100352xf32>) outs(%f : tensor<f32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.maximumf %o, %p : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  %ce = tensor.empty() : tensor<784x256xf32>
  %ew = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                        iterator_types = ["parallel", "parallel"]} ins(%c : tensor<784x256xf32>) outs(%ce : tensor<784x256xf32>) {
  ^bb0(%p: f32, %o: f32):
    %x = math.exp %p : f32
    linalg.yield %x : f32
  } -> tensor<784x256xf32>
  %de = tensor.empty() : tensor<128x30xf32>
  %odd = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                         iterator_types = ["parallel", "parallel"]} ins(%d : tensor<128x30xf32>) outs(%de : tensor<128x30xf32>) {
  ^bb0(%p: f32, %o: f32):
    %x = math.exp %p : f32
    linalg.yield %x : f32
  } -> tensor<128x30xf32>
  return %s, %mx, %ew, %odd : tensor<f32>, tensor<f32>, tensor<784x256xf32>, tensor<128x30xf32>
}
// AVX2-LABEL: func.func @sums
// AVX2: iterator_types = ["reduction"]{{.*}}gnc.schedule = {kernel = "generic_log_mulf_addf.{{[0-9a-f]+}}[100352]", parallel = [12544], tile = [32], vectorize = true}
// AVX2: iterator_types = ["reduction"]{{.*}}gnc.schedule = {kernel = "generic_maximumf.{{[0-9a-f]+}}[100352]", parallel = [0], tile = [0], vectorize = false}
// AVX2: iterator_types = ["parallel", "parallel"]{{.*}}gnc.schedule = {kernel = "generic_exp.{{[0-9a-f]+}}[784,256]", parallel = [98, 0], tile = [1, 32], vectorize = true}
// AVX512: iterator_types = ["parallel", "parallel"]{{.*}}gnc.schedule = {kernel = "generic_exp.{{[0-9a-f]+}}[784,256]", parallel = [98, 0], tile = [1, 64], vectorize = true}
// AVX2: iterator_types = ["parallel", "parallel"]{{.*}}gnc.schedule = {kernel = "generic_exp.{{[0-9a-f]+}}[128,30]", parallel = [0, 0], tile = [0, 0], vectorize = false}
