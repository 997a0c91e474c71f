// RUN: gnc-opt --pass-pipeline="builtin.module(func.func(gnc-lower-vectors))" %s | FileCheck %s
// After bufferization: the accumulator's read and write leave the k loop (registers across
// the reduction), and the 2 x 8 x 2 contraction becomes outer products: one FMA per
// accumulator row and k, with a broadcast of the left operand's element.
func.func @block(%a: memref<2x64xf32>, %b: memref<64x8xf32>, %c: memref<2x8xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %z = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c64 step %c2 {
    %av = memref.subview %a[0, %k] [2, 2] [1, 1] : memref<2x64xf32> to memref<2x2xf32, strided<[64, 1], offset: ?>>
    %bv = memref.subview %b[%k, 0] [2, 8] [1, 1] : memref<64x8xf32> to memref<2x8xf32, strided<[8, 1], offset: ?>>
    %x = vector.transfer_read %av[%c0, %c0], %z {in_bounds = [true, true]} : memref<2x2xf32, strided<[64, 1], offset: ?>>, vector<2x2xf32>
    %y = vector.transfer_read %bv[%c0, %c0], %z {in_bounds = [true, true]} : memref<2x8xf32, strided<[8, 1], offset: ?>>, vector<2x8xf32>
    %acc = vector.transfer_read %c[%c0, %c0], %z {in_bounds = [true, true]} : memref<2x8xf32>, vector<2x8xf32>
    %r = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                          iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %x, %y, %acc
           : vector<2x2xf32>, vector<2x8xf32> into vector<2x8xf32>
    vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]} : vector<2x8xf32>, memref<2x8xf32>
  }
  return
}
// CHECK-LABEL: func.func @block
// CHECK: vector.transfer_read %{{.*}} : memref<2x8xf32>, vector<2x8xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<2x8xf32>)
// CHECK-NOT: vector.contract
// CHECK-COUNT-4: vector.fma {{.*}} : vector<8xf32>
// CHECK: scf.yield
// CHECK: vector.transfer_write %{{.*}} : vector<2x8xf32>, memref<2x8xf32>

// exp and log on vectors become inline polynomials (the math library has scalar versions
// only); a scalar log keeps the library call.
func.func @math(%m: memref<16xf32>, %s: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %p = ub.poison : f32
  %v = vector.transfer_read %m[%c0], %p {in_bounds = [true]} : memref<16xf32>, vector<16xf32>
  %e = math.exp %v : vector<16xf32>
  %l = math.log %e : vector<16xf32>
  vector.transfer_write %l, %m[%c0] {in_bounds = [true]} : vector<16xf32>, memref<16xf32>
  %r = math.log %s : f32
  return %r : f32
}
// CHECK-LABEL: func.func @math
// CHECK-NOT: math.exp
// CHECK-NOT: math.log {{.*}}vector
// CHECK: math.fma {{.*}} : vector<16xf32>
// CHECK: math.log %{{.*}} : f32
