// RUN: gnc-opt --gnc-halide-kernels --gnc-print-halide %s -o /dev/null | FileCheck %s
// RUN: gnc-opt --gnc-halide-kernels %s | FileCheck %s --check-prefix=IR
// Kernels scheduled for Halide become pipeline descriptions, printed as Halide C++: loops as
// Vars (the output's last dimension first: Halide's dimension 0 is the innermost), reduction
// loops as an RDom, an accumulator Func computed per register tile, loads at the indexing
// maps, the body's operations as expressions; then the schedule as directives.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#sum = affine_map<(d0, d1) -> (d1)>
module {
  func.func @step(%x: tensor<128x256xf32>, %w: tensor<256x64xf32>, %b: tensor<256xf32>,
                  %img: tensor<4x8x8x16xf32>, %k: tensor<3x3x16x32xf32>, %key: tensor<2xi32>)
      -> (tensor<128x256xf32>, tensor<128x64xf32>, tensor<256xf32>, tensor<4x3x3x32xf32>, tensor<128x64xi32>)
      attributes {gn.kind = "train"} {
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<128x256xf32>

    // An elementwise kernel: bias + relu.
    // CHECK-LABEL: // kernel bias_relu_256 (generic_addf_maximumf.0[128,256]) -> gnc_h_bias_relu_256
    // CHECK-NEXT:   ImageParam in0(Float(32), 2);  // [256, 128]
    // CHECK-NEXT:   ImageParam in1(Float(32), 1);  // [256]
    // CHECK-NEXT:   Func out;  // Float(32) [256, 128]
    // CHECK-NEXT:   Var d1, d0;
    // CHECK-NEXT:   out(d1, d0) = max((in0(d1, d0) + in1(d1)), 0.0f);
    // CHECK-NEXT:   // schedule
    // CHECK-NEXT:   out.split(d1, d1_o, d1_v, 32);
    // CHECK-NEXT:   out.reorder({d1_v, d1_o, d0});
    // CHECK-NEXT:   out.vectorize(d1_v, 32);
    %relu = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]}
        ins(%x, %b : tensor<128x256xf32>, tensor<256xf32>) outs(%e : tensor<128x256xf32>)
        attrs = {gnc.kernel_name = "bias_relu_256",
                 gnc.schedule = {backend = "halide", kernel = "generic_addf_maximumf.0[128,256]", parallel = [0, 0], tile = [1, 32], vectorize = true}} {
    ^bb0(%in: f32, %bias: f32, %out: f32):
      %s = arith.addf %in, %bias : f32
      %r = arith.maximumf %s, %zero : f32
      linalg.yield %r : f32
    } -> tensor<128x256xf32>

    // A matmul: the fill of its output becomes the accumulator's initial value; the register
    // tile (4 rows x 16 lanes, 4 steps of k) is the accumulator's realization.
    // CHECK-LABEL: // kernel matmul_64 (matmul[128,64,256]) -> gnc_h_matmul_64
    // CHECK:        RDom r({{[{][{]}}0, 256{{[}][}]}});  // d2 = r[0]
    // CHECK-NEXT:   Func acc;
    // CHECK-NEXT:   acc(d1, d0) = 0.0f;
    // CHECK-NEXT:   acc(d1, d0) = (acc(d1, d0) + (in0(d2, d0) * in1(d1, d2)));
    // CHECK-NEXT:   out(d1, d0) = acc(d1, d0);
    // CHECK-NEXT:   // schedule
    // CHECK-NEXT:   out.split(d0, d0_t, d0_p, 16);
    // CHECK-NEXT:   out.split(d0_p, d0_p_o, d0_p_v, 4);
    // CHECK-NEXT:   out.split(d1, d1_o, d1_v, 16);
    // CHECK-NEXT:   out.reorder({d1_v, d0_p_v, d1_o, d0_p_o, d0_t});
    // CHECK-NEXT:   out.parallel(d0_t);
    // CHECK-NEXT:   out.vectorize(d1_v, 16);
    // CHECK-NEXT:   acc.compute_at(out, d1_o);
    // CHECK-NEXT:   acc.unroll(d0);
    // CHECK-NEXT:   acc.vectorize(d1, 16);
    // CHECK-NEXT:   acc.update().split(d2, d2_o, d2_i, 4);
    // CHECK-NEXT:   acc.update().reorder({d1, d0, d2_i, d2_o});
    // CHECK-NEXT:   acc.update().unroll(d0);
    // CHECK-NEXT:   acc.update().vectorize(d1, 16);
    // CHECK-NEXT:   acc.update().unroll(d2_i);
    %e2 = tensor.empty() : tensor<128x64xf32>
    %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<128x64xf32>) -> tensor<128x64xf32>
    %mm = linalg.matmul {gnc.kernel_name = "matmul_64",
                         gnc.schedule = {backend = "halide", kernel = "matmul[128,64,256]", parallel = [16, 0, 0], tile = [4, 16, 4], vectorize = true}}
        ins(%relu, %w : tensor<128x256xf32>, tensor<256x64xf32>) outs(%f2 : tensor<128x64xf32>) -> tensor<128x64xf32>

    // A reduction into a vector (a bias gradient): plain loops in the schedule's order, the
    // batch loop outermost.
    // CHECK-LABEL: // kernel sum_256 (generic_addf.1[128,256]) -> gnc_h_sum_256
    // CHECK:        Var d1;
    // CHECK-NEXT:   RDom r({{[{][{]}}0, 128{{[}][}]}});  // d0 = r[0]
    // CHECK-NEXT:   Func acc;
    // CHECK-NEXT:   acc(d1) = 0.0f;
    // CHECK-NEXT:   acc(d1) = (acc(d1) + in0(d1, d0));
    // CHECK-NEXT:   out(d1) = acc(d1);
    // CHECK-NEXT:   // schedule
    // CHECK-NEXT:   acc.compute_at(out, Var::outermost());
    // CHECK-NEXT:   acc.update().reorder({d1, d0});
    %e3 = tensor.empty() : tensor<256xf32>
    %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<256xf32>) -> tensor<256xf32>
    %sum = linalg.generic {indexing_maps = [#map, #sum], iterator_types = ["reduction", "parallel"]}
        ins(%x : tensor<128x256xf32>) outs(%f3 : tensor<256xf32>)
        attrs = {gnc.kernel_name = "sum_256",
                 gnc.schedule = {backend = "halide", kernel = "generic_addf.1[128,256]", order = [0, 1], parallel = [0, 0], tile = [0, 0], vectorize = false}} {
    ^bb0(%in: f32, %acc: f32):
      %a = arith.addf %acc, %in : f32
      linalg.yield %a : f32
    } -> tensor<256xf32>

    // A strided convolution: the strides are in the loads' index expressions.
    // CHECK-LABEL: // kernel conv2d_s2_3x3x32 (conv_2d_nhwc_hwcf_s2x2_d1x1[4,3,3,32,3,3,16]) -> gnc_h_conv2d_s2_3x3x32
    // CHECK:        Var d3, d2, d1, d0;
    // CHECK-NEXT:   RDom r({{[{][{]}}0, 16}, {0, 3}, {0, 3{{[}][}]}});  // d6 = r[0], d5 = r[1], d4 = r[2]
    // CHECK-NEXT:   Func acc;
    // CHECK-NEXT:   acc(d3, d2, d1, d0) = 0.0f;
    // CHECK-NEXT:   acc(d3, d2, d1, d0) = (acc(d3, d2, d1, d0) + (in0(d6, ((d2 * 2) + d5), ((d1 * 2) + d4), d0) * in1(d3, d6, d5, d4)));
    // CHECK:        acc.update().reorder({d3, d2, d6_i, d6_o, d5, d4, d1, d0});
    %e4 = tensor.empty() : tensor<4x3x3x32xf32>
    %f4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4x3x3x32xf32>) -> tensor<4x3x3x32xf32>
    %conv = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>,
                                      gnc.kernel_name = "conv2d_s2_3x3x32",
                                      gnc.schedule = {backend = "halide", kernel = "conv_2d_nhwc_hwcf_s2x2_d1x1[4,3,3,32,3,3,16]", parallel = [1, 0, 0, 0, 0, 0, 0], tile = [1, 1, 3, 16, 1, 1, 4], vectorize = true}}
        ins(%img, %k : tensor<4x8x8x16xf32>, tensor<3x3x16x32xf32>) outs(%f4 : tensor<4x3x3x32xf32>) -> tensor<4x3x3x32xf32>

    // Integer arithmetic on a scalar from outside (a random kernel's key): a Param, unsigned
    // values, the high half of a product, and a let for a value used twice.
    // CHECK-LABEL: // kernel random_64 (generic_muli.2[128,64]) -> gnc_h_random_64
    // CHECK-NEXT:   Param<u32> p0;
    // CHECK:        Expr t0 = (cast(UInt(32), ((cast(UInt(64), d0) * make_const(UInt(64), 64)) + cast(UInt(64), d1))) ^ p0);
    // CHECK-NEXT:   out(d1, d0) = (t0 + cast(UInt(32), ((cast(UInt(64), t0) * cast(UInt(64), make_const(UInt(32), 3528531795))) >> make_const(UInt(64), 32))));
    %key0 = arith.constant 0 : index
    %k0 = tensor.extract %key[%key0] : tensor<2xi32>
    %e5 = tensor.empty() : tensor<128x64xi32>
    %rand = linalg.generic {indexing_maps = [#map], iterator_types = ["parallel", "parallel"]}
        outs(%e5 : tensor<128x64xi32>)
        attrs = {gnc.kernel_name = "random_64",
                 gnc.schedule = {backend = "halide", kernel = "generic_muli.2[128,64]", parallel = [0, 0], tile = [0, 0], vectorize = false}} {
    ^bb0(%out: i32):
      %i = linalg.index 0 : index
      %j = linalg.index 1 : index
      %c64 = arith.constant 64 : index
      %ij = arith.muli %i, %c64 : index
      %n = arith.addi %ij, %j : index
      %n32 = arith.index_castui %n : index to i32
      %x0 = arith.xori %n32, %k0 : i32
      %m = arith.constant -766435501 : i32
      %lo, %hi = arith.mului_extended %x0, %m : i32
      %r = arith.addi %x0, %hi : i32
      linalg.yield %r : i32
    } -> tensor<128x64xi32>

    // A matmul accumulating into a tensor from outside reads it: the input "init" (at the
    // call, the output's own buffer) is the accumulator's initial value.
    // CHECK-LABEL: // kernel matmul_acc_64 (matmul[128,64,256]) -> gnc_h_matmul_acc_64
    // CHECK:        ImageParam init(Float(32), 2);  // [64, 128]
    // CHECK:        acc(d1, d0) = init(d1, d0);
    // CHECK-NEXT:   acc(d1, d0) = (acc(d1, d0) + (in0(d2, d0) * in1(d1, d2)));
    %mmacc = linalg.matmul {gnc.kernel_name = "matmul_acc_64",
                            gnc.schedule = {backend = "halide", kernel = "matmul[128,64,256]", parallel = [0, 0, 0], tile = [0, 0, 0], vectorize = false}}
        ins(%relu, %w : tensor<128x256xf32>, tensor<256x64xf32>) outs(%mm : tensor<128x64xf32>) -> tensor<128x64xf32>

    // The module holds the descriptions (JSON) for gnc-halide-gen; each kernel is marked with
    // its function, and a constant fill of its output is its own, marked unused (the pipeline
    // computes the zeros; gnc-halide-calls erases the fill after bufferization).
    // IR: module attributes {gnc.halide_pipelines = ["{\22function\22:\22gnc_h_bias_relu_256\22
    // IR: %[[E:.*]] = tensor.empty() : tensor<128x64xf32>
    // IR-NEXT: %[[F:.*]] = linalg.fill {gnc.halide_unused_init} ins(%{{.*}} : f32) outs(%[[E]] : tensor<128x64xf32>)
    // IR-NEXT: linalg.matmul {gnc.halide = {function = "gnc_h_matmul_64", init = false}{{.*}} outs(%[[F]] : tensor<128x64xf32>)
    // IR: linalg.generic {{.*}} attrs =  {gnc.halide = {function = "gnc_h_random_64", init = false}
    // IR: linalg.matmul {gnc.halide = {function = "gnc_h_matmul_acc_64", init = true}
    return %relu, %mmacc, %sum, %conv, %rand : tensor<128x256xf32>, tensor<128x64xf32>, tensor<256xf32>, tensor<4x3x3x32xf32>, tensor<128x64xi32>
  }
}
