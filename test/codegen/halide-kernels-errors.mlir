// RUN: not gnc-opt --gnc-halide-kernels %s -o /dev/null 2>&1 | FileCheck %s
// A kernel scheduled for Halide that has no translation is an error naming the kernel and
// the operation: never a silent fallback to the LLVM backend. A kernel scheduled for LLVM is
// left alone whatever it contains.
#map = affine_map<(d0) -> (d0)>
module {
  func.func @step(%x: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) attributes {gn.kind = "train"} {
    %e = tensor.empty() : tensor<64xf32>
    // CHECK: error: kernel 'atan_64' (generic_atan.0[64]) cannot be compiled by the Halide backend: 'math.atan' has no Halide translation
    %a = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
        ins(%x : tensor<64xf32>) outs(%e : tensor<64xf32>)
        attrs = {gnc.kernel_name = "atan_64",
                 gnc.schedule = {backend = "halide", kernel = "generic_atan.0[64]", parallel = [0], tile = [0], vectorize = false}} {
    ^bb0(%in: f32, %out: f32):
      %r = math.atan %in : f32
      linalg.yield %r : f32
    } -> tensor<64xf32>
    // CHECK-NOT: error: kernel 'atan_64_2'
    %b = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
        ins(%x : tensor<64xf32>) outs(%e : tensor<64xf32>)
        attrs = {gnc.kernel_name = "atan_64_2",
                 gnc.schedule = {kernel = "generic_atan.0[64]", parallel = [0], tile = [0], vectorize = false}} {
    ^bb0(%in: f32, %out: f32):
      %r = math.atan %in : f32
      linalg.yield %r : f32
    } -> tensor<64xf32>
    return %a, %b : tensor<64xf32>, tensor<64xf32>
  }
}
