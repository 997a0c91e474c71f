// RUN: gnc-opt --gnc-halide-calls %s | FileCheck %s
// After bufferization each Halide kernel becomes a call of a wrapper that describes its
// buffers to Halide: the host pointer of each (a view's offset added), then in the wrapper one
// halide_buffer_t per buffer with its dimensions innermost first ({min, extent, stride,
// flags}), the pipeline's call with the params first and the output last, and abort() on an
// error. A kernel that reads its output's contents passes the output twice (as "init" and as
// the output). The fill the pipeline replaces is erased; the call keeps the kernel's mark.
module {
  // CHECK-LABEL: func.func @step
  func.func @step(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<8x32xf32>, %key: memref<2xi32>) attributes {gn.kind = "train"} {
    %zero = arith.constant 0.0 : f32
    // CHECK-NOT: linalg.fill
    linalg.fill {gnc.halide_unused_init} ins(%zero : f32) outs(%c : memref<8x32xf32>)
    // CHECK: %[[PA:.*]] = memref.extract_aligned_pointer_as_index %arg0
    // CHECK: %[[IA:.*]] = arith.index_cast %[[PA]] : index to i64
    // CHECK: %[[A:.*]] = llvm.inttoptr %[[IA]] : i64 to !llvm.ptr
    // CHECK: %[[PC:.*]] = memref.extract_aligned_pointer_as_index %subview
    // CHECK: %[[IC:.*]] = arith.index_cast %[[PC]] : index to i64
    // CHECK: %[[C0:.*]] = llvm.inttoptr %[[IC]] : i64 to !llvm.ptr
    // The view's offset, 16 floats: 64 bytes.
    // CHECK: %[[C:.*]] = llvm.getelementptr %[[C0]][64] : (!llvm.ptr) -> !llvm.ptr, i8
    // CHECK: %[[PC2:.*]] = memref.extract_aligned_pointer_as_index %subview
    // CHECK: %[[IC2:.*]] = arith.index_cast %[[PC2]] : index to i64
    // CHECK: %[[C2:.*]] = llvm.inttoptr %[[IC2]] : i64 to !llvm.ptr
    // CHECK: %[[CC:.*]] = llvm.getelementptr %[[C2]][64] : (!llvm.ptr) -> !llvm.ptr, i8
    // CHECK: llvm.call @gnc_hw_gnc_h_mm(%[[A]], %{{.*}}, %[[C]], %[[CC]]) {gnc.kernel = {backend = "halide", name = "mm"}} : (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
    %v = memref.subview %c[0, 16] [4, 16] [1, 1] : memref<8x32xf32> to memref<4x16xf32, strided<[32, 1], offset: 16>>
    linalg.matmul {gnc.halide = {function = "gnc_h_mm", init = true}, gnc.kernel = {name = "mm", backend = "halide"}}
        ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%v : memref<4x16xf32, strided<[32, 1], offset: 16>>)
    // A scalar from outside is a param, passed by value.
    // CHECK: %[[K:.*]] = memref.load
    // CHECK: llvm.call @gnc_hw_gnc_h_r(%{{.*}}, %[[K]]) {{.*}}: (!llvm.ptr, i32) -> ()
    %c0 = arith.constant 0 : index
    %k = memref.load %key[%c0] : memref<2xi32>
    linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        outs(%c : memref<8x32xf32>) attrs = {gnc.halide = {function = "gnc_h_r", init = false}} {
    ^bb0(%out: f32):
      %f = arith.uitofp %k : i32 to f32
      linalg.yield %f : f32
    }
    return
  }
  // CHECK: llvm.func @gnc_h_mm(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
  // CHECK: llvm.func @abort()
  // CHECK-LABEL: llvm.func internal @gnc_hw_gnc_h_mm(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr, %arg3: !llvm.ptr)
  // The first buffer's dimensions, innermost first: 8 columns of stride 1, 4 rows of stride 8.
  // CHECK: llvm.alloca %{{.*}} x !llvm.array<2 x struct<(i32, i32, i32, i32)>>
  // CHECK: llvm.mlir.constant(8 : i32)
  // CHECK-NEXT: llvm.insertvalue {{.*}}[0, 1]
  // CHECK-NEXT: llvm.mlir.constant(1 : i32)
  // CHECK-NEXT: llvm.insertvalue {{.*}}[0, 2]
  // CHECK: llvm.mlir.constant(4 : i32)
  // CHECK-NEXT: llvm.insertvalue {{.*}}[1, 1]
  // CHECK-NEXT: llvm.mlir.constant(8 : i32)
  // CHECK-NEXT: llvm.insertvalue {{.*}}[1, 2]
  // Its halide_buffer_t: f32 is type code 2 (float), 32 bits, 1 lane; 2 dimensions.
  // CHECK: llvm.alloca %{{.*}} x !llvm.struct<(i64, ptr, ptr, i64, struct<(i8, i8, i16)>, i32, ptr, ptr)>
  // CHECK: llvm.mlir.constant(2 : i8)
  // CHECK-NEXT: llvm.insertvalue {{.*}}[0]
  // CHECK-NEXT: llvm.mlir.constant(32 : i8)
  // CHECK-NEXT: llvm.insertvalue {{.*}}[1]
  // CHECK-NEXT: llvm.mlir.constant(1 : i16)
  // CHECK-NEXT: llvm.insertvalue {{.*}}[2]
  // CHECK-NEXT: llvm.mlir.constant(2 : i32)
  // CHECK: llvm.insertvalue %arg0, {{.*}}[2]
  // The output view (the third and fourth buffers): 16 columns, rows of its buffer's stride 32.
  // CHECK: llvm.insertvalue %arg1, {{.*}}[2]
  // CHECK: llvm.mlir.constant(16 : i32)
  // CHECK-NEXT: llvm.insertvalue {{.*}}[0, 1]
  // CHECK: llvm.mlir.constant(4 : i32)
  // CHECK-NEXT: llvm.insertvalue {{.*}}[1, 1]
  // CHECK-NEXT: llvm.mlir.constant(32 : i32)
  // CHECK-NEXT: llvm.insertvalue {{.*}}[1, 2]
  // CHECK: llvm.insertvalue %arg2, {{.*}}[2]
  // CHECK: llvm.insertvalue %arg3, {{.*}}[2]
  // CHECK: %[[RC:.*]] = llvm.call @gnc_h_mm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
  // CHECK: llvm.icmp "eq" %[[RC]]
  // CHECK: llvm.call @abort()
  // CHECK-LABEL: llvm.func internal @gnc_hw_gnc_h_r(%arg0: !llvm.ptr, %arg1: i32)
  // CHECK: llvm.call @gnc_h_r(%arg1, %{{.*}}) : (i32, !llvm.ptr) -> i32
}
