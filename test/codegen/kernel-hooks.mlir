// RUN: gnc-opt --gnc-kernel-hooks %s | FileCheck %s
// Every op marked gnc.kernel in an entry function is bracketed by gnc_kernel_begin/end calls;
// two kernels with one signature share an id; the model info lists each kernel once, by id.
module attributes {gnc.model_info = "{\22entries\22:[]}"} {
  func.func @step(%a: memref<8xf32>, %b: memref<8xf32>) attributes {gn.kind = "train"} {
    %z = arith.constant 0.0 : f32
    linalg.copy {gnc.kernel = {name = "copy[8]", flops = 0 : i64, bytes = 64 : i64}} ins(%a : memref<8xf32>) outs(%b : memref<8xf32>)
    linalg.copy {gnc.kernel = {name = "copy[8]", flops = 0 : i64, bytes = 64 : i64}} ins(%b : memref<8xf32>) outs(%a : memref<8xf32>)
    linalg.fill {gnc.kernel = {name = "fill[8]", flops = 0 : i64, bytes = 32 : i64}} ins(%z : f32) outs(%a : memref<8xf32>)
    return
  }
}
// CHECK: gnc.model_info = "{\22entries\22:[],\22kernels\22:[{\22backend\22:\22llvm\22,\22bytes\22:64,\22entries\22:[\22step\22],\22flops\22:0,\22name\22:\22copy[8]\22,\22signature\22:\22copy[8]\22},{\22backend\22:\22llvm\22,\22bytes\22:32,\22entries\22:[\22step\22],\22flops\22:0,\22name\22:\22fill[8]\22,\22signature\22:\22fill[8]\22}]}"
// CHECK: func.func private @gnc_kernel_begin(i32)
// CHECK: func.func private @gnc_kernel_end(i32)
// CHECK: %[[ID0:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @gnc_kernel_begin(%[[ID0]])
// CHECK-NEXT: linalg.copy ins
// CHECK-NEXT: call @gnc_kernel_end(%[[ID0]])
// CHECK: %[[ID0B:.*]] = arith.constant 0 : i32
// CHECK-NEXT: call @gnc_kernel_begin(%[[ID0B]])
// CHECK: %[[ID1:.*]] = arith.constant 1 : i32
// CHECK-NEXT: call @gnc_kernel_begin(%[[ID1]])
// CHECK-NEXT: linalg.fill
// CHECK-NOT: gnc.kernel =
