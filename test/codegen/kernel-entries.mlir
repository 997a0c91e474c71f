// RUN: gnc-opt --gnc-kernel-entries %s | FileCheck %s
// RUN: not gnc-opt --gnc-kernel-entries --split-input-file %S/Inputs/kernel-entries-unknown.mlir 2>&1 | FileCheck %s --check-prefix=ERR
// Each outlined kernel marked gnc.kernel_function gets `void gnc_kernel_fn_K(void **args)`:
// buffers are passed on as loaded pointers, scalars loaded from theirs; the table
// gnc_kernel_functions names them, and the model info describes their arguments.
module attributes {gnc.model_info = "{\22entries\22:[],\22kernels\22:[{\22name\22:\22copy[8]\22,\22flops\22:0,\22bytes\22:64}]}"} {
  llvm.func @gnc_k_copy_8(%a: !llvm.ptr, %n: i64, %b: !llvm.ptr) attributes {gnc.kernel_function = {kernel = "copy[8]", args = [memref<8xf32>, index, memref<2x4xi32>]}} {
    llvm.return
  }
}
// CHECK: gnc.model_info = "{{.*}}\22kernel_functions\22:[{\22args\22:[{\22dtype\22:\22f32\22,\22shape\22:[8]},{\22scalar\22:\22i64\22},{\22dtype\22:\22i32\22,\22shape\22:[2,4]}],\22kernel\22:0,\22name\22:\22copy[8]\22,\22symbol\22:\22gnc_kernel_fn_gnc_k_copy_8\22}]
// CHECK: llvm.func @gnc_k_copy_8(
// CHECK-NOT: gnc.kernel_function
// CHECK-LABEL: llvm.func @gnc_kernel_fn_gnc_k_copy_8(%arg0: !llvm.ptr)
// CHECK: %[[S0:.*]] = llvm.getelementptr %arg0[0]
// CHECK: %[[A:.*]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[S1:.*]] = llvm.getelementptr %arg0[1]
// CHECK: %[[P:.*]] = llvm.load %[[S1]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[N:.*]] = llvm.load %[[P]] : !llvm.ptr -> i64
// CHECK: %[[S2:.*]] = llvm.getelementptr %arg0[2]
// CHECK: %[[B:.*]] = llvm.load %[[S2]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @gnc_k_copy_8(%[[A]], %[[N]], %[[B]])
// CHECK: llvm.mlir.global external constant @gnc_kernel_functions()
// ERR: kernel 'matmul[2,2,2]' is not in the model info's kernels
