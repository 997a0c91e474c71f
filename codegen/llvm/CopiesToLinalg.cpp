// gnc-copies-to-linalg: memref.copy -> linalg.copy (see Passes.td for why).
#include "codegen/llvm/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace gnc {
#define GEN_PASS_DEF_GNCCOPIESTOLINALG
#include "codegen/llvm/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {
struct GncCopiesToLinalgPass : gnc::impl::GncCopiesToLinalgBase<GncCopiesToLinalgPass> {
  void runOnOperation() override {
    getOperation().walk([](memref::CopyOp copy) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(), copy.getTarget());
      copy.erase();
    });
  }
};
} // namespace
