// A kernel function whose kernel the model info's table does not have (input of
// kernel-entries.mlir).
module attributes {gnc.model_info = "{\22entries\22:[],\22kernels\22:[]}"} {
  llvm.func @gnc_k_matmul(%a: !llvm.ptr) attributes {gnc.kernel_function = {kernel = "matmul[2,2,2]", args = [memref<2x2xf32>]}} {
    llvm.return
  }
}
