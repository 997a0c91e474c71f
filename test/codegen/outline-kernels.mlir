// RUN: gnc-opt --gnc-outline-kernels %s | FileCheck %s
// RUN: gnc-opt --gnc-outline-kernels=record-arguments=1 %s | FileCheck %s --check-prefix=REC
// Each marked kernel moves into a private function named after its signature, called with the
// buffers it uses (its constants move with it); two entries' equal kernels share one function;
// the call keeps the mark for gnc-kernel-hooks. A kernel on a strided view of a buffer takes the
// buffer and rebuilds the view (phases at different offsets are different kernels); one on a
// strided value that is no view stays inline. With record-arguments, each function carries its
// kernel's name and argument types (for gnc-kernel-entries).
// REC: func.func private @gnc_k_fill_8(%{{.*}}: memref<8xf32>) attributes {gnc.kernel_function = {args = [memref<8xf32>], kernel = "fill[8]"}}
// REC: func.func private @gnc_k_copy_8(%{{.*}}: memref<8xf32>, %{{.*}}: memref<8xf32>) attributes {gnc.kernel_function = {args = [memref<8xf32>, memref<8xf32>], kernel = "copy[8]"}}
// REC: func.func private @gnc_k_fill_4(%{{.*}}: memref<8xf32>) attributes {gnc.kernel_function = {args = [memref<8xf32>], kernel = "fill[4]"}}
// REC: func.func private @gnc_k_fill_4_1(%{{.*}}: memref<8xf32>) attributes {gnc.kernel_function = {args = [memref<8xf32>], kernel = "fill[4]"}}
module {
  func.func @step(%a: memref<8xf32>, %b: memref<8xf32>) attributes {gn.kind = "train"} {
    %z = arith.constant 0.0 : f32
    linalg.fill {gnc.kernel = {name = "fill[8]", flops = 0 : i64, bytes = 32 : i64}} ins(%z : f32) outs(%a : memref<8xf32>)
    linalg.copy {gnc.kernel = {name = "copy[8]", flops = 0 : i64, bytes = 64 : i64}} ins(%a : memref<8xf32>) outs(%b : memref<8xf32>)
    %v = memref.subview %b[0] [4] [2] : memref<8xf32> to memref<4xf32, strided<[2]>>
    linalg.fill {gnc.kernel = {name = "fill[4]", flops = 0 : i64, bytes = 16 : i64}} ins(%z : f32) outs(%v : memref<4xf32, strided<[2]>>)
    %w = memref.subview %b[1] [4] [2] : memref<8xf32> to memref<4xf32, strided<[2], offset: 1>>
    linalg.fill {gnc.kernel = {name = "fill[4]", flops = 0 : i64, bytes = 16 : i64}} ins(%z : f32) outs(%w : memref<4xf32, strided<[2], offset: 1>>)
    return
  }
  func.func @eval(%c: memref<8xf32>, %d: memref<4xf32, strided<[2]>>) attributes {gn.kind = "eval"} {
    %z = arith.constant 0.0 : f32
    linalg.fill {gnc.kernel = {name = "fill[8]", flops = 0 : i64, bytes = 32 : i64}} ins(%z : f32) outs(%c : memref<8xf32>)
    %v = memref.subview %c[0] [4] [2] : memref<8xf32> to memref<4xf32, strided<[2]>>
    linalg.fill {gnc.kernel = {name = "fill[4]", flops = 0 : i64, bytes = 16 : i64}} ins(%z : f32) outs(%v : memref<4xf32, strided<[2]>>)
    linalg.fill {gnc.kernel = {name = "fill[4]", flops = 0 : i64, bytes = 16 : i64}} ins(%z : f32) outs(%d : memref<4xf32, strided<[2]>>)
    return
  }
}
// CHECK: func.func private @gnc_k_fill_8(%[[A:.*]]: memref<8xf32>)
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.0
// CHECK-NEXT: linalg.fill ins(%[[Z]] : f32) outs(%[[A]] : memref<8xf32>)
// CHECK: func.func private @gnc_k_copy_8(
// CHECK: func.func private @gnc_k_fill_4(%[[B:.*]]: memref<8xf32>)
// CHECK: %[[V:.*]] = memref.subview %[[B]][0] [4] [2]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[V]] : memref<4xf32, strided<[2]>>)
// CHECK: func.func private @gnc_k_fill_4_1(%[[B1:.*]]: memref<8xf32>)
// CHECK: memref.subview %[[B1]][1] [4] [2]
// CHECK-LABEL: func.func @step(
// CHECK: call @gnc_k_fill_8(%{{.*}}) {gnc.kernel = {bytes = 32 : i64, flops = 0 : i64, name = "fill[8]"}}
// CHECK: call @gnc_k_copy_8(
// CHECK: call @gnc_k_fill_4(%{{.*}}) {gnc.kernel
// CHECK: call @gnc_k_fill_4_1(
// CHECK-LABEL: func.func @eval(
// CHECK: call @gnc_k_fill_8(
// CHECK: call @gnc_k_fill_4(
// CHECK: linalg.fill {gnc.kernel = {{.*}}"fill[4]"{{.*}} outs(%{{.*}} : memref<4xf32, strided<[2]>>)
// CHECK-NOT: func.func private @gnc_k_fill_8_1
// CHECK-NOT: @gnc_k_fill_4_2
