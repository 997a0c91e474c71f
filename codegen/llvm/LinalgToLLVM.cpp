// The LLVM backend's pipeline from linalg on tensors to the LLVM dialect.
#include "codegen/llvm/Passes.h"
#include "codegen/Passes.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"

#include <mutex>

#include "llvm/Support/raw_ostream.h"

void gnc::addLinalgToLLVMPasses(mlir::OpPassManager &pm) {
  // Entry functions become `void f(T *arg..., T *result...)` over static row-major buffers:
  // results written into caller buffers (destination passing), identity layouts at function
  // boundaries, and the bare-pointer calling convention. The runtime calls them through
  // gnc-entry-points.
  static const char *pipeline =
      "gnc-destination-passing,"
      // after destination passing, which materializes the tensors carried by the program's
      // own loops in place, not those of the tile loops created here (and no canonicalization
      // before bufferization: it would erase the unused materialize_in_destination results)
      "gnc-apply-schedules,"
      // the tensor.empty of a result computed into the caller's buffer becomes that buffer
      "eliminate-empty-tensors,"
      "one-shot-bufferize{bufferize-function-boundaries=1 "
      "function-boundary-type-conversion=identity-layout-map},"
      "buffer-deallocation-pipeline,"
      "convert-bufferization-to-memref,"
      "gnc-copies-to-linalg,"
      "func.func(gnc-lower-vectors),"
      "canonicalize,"
      "gnc-outline-kernels,"
      "gnc-kernel-hooks,"
      "canonicalize,"
      "func.func(convert-linalg-to-parallel-loops),"
      "gnc-outer-parallel-loops,"
      "convert-scf-to-openmp,"
      "convert-vector-to-scf{full-unroll=1},"
      "lower-affine,"
      "expand-strided-metadata,"
      "lower-affine,"
      // before convert-scf-to-cf: it lowers the memref.alloca_scope that convert-scf-to-openmp
      // wraps around loop bodies, which must stay single-block until then.
      "finalize-memref-to-llvm,"
      "convert-scf-to-cf,"
      "convert-vector-to-llvm,"
      "convert-ub-to-llvm,"
      "convert-math-to-llvm,"
      "convert-math-to-libm,"
      "convert-arith-to-llvm,"
      "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
      "convert-cf-to-llvm,"
      "convert-openmp-to-llvm,"
      "reconcile-unrealized-casts,"
      "gnc-entry-points";
  // The textual pipeline names upstream passes; make sure they are registered.
  static std::once_flag registered;
  std::call_once(registered, [] {
    mlir::registerAllPasses();
    registerGncLLVMPasses();
    registerGncCodegenPasses();
  });
  if (mlir::failed(mlir::parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error("gnc: the built-in LLVM lowering pipeline does not parse");
}
