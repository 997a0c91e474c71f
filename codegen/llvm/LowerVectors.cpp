// gnc-lower-vectors: the vectorized kernels' vector ops down to 1-D vectors and FMAs (see
// Passes.td).
#include "codegen/llvm/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace gnc {
#define GEN_PASS_DEF_GNCLOWERVECTORS
#include "codegen/llvm/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

struct GncLowerVectorsPass : gnc::impl::GncLowerVectorsBase<GncLowerVectorsPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    MLIRContext *ctx = &getContext();
    // Accumulator tiles are read once before their reduction loops and written once after
    // (instead of a load and a store per step); a tile that was just zero-filled is not
    // read back from memory at all.
    linalg::hoistRedundantVectorTransfers(fn);
    IRRewriter rw(ctx);
    vector::transferOpflowOpt(rw, fn);

    {
      RewritePatternSet patterns(ctx);
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      vector::populateVectorTransferDropUnitDimsPatterns(patterns);
      vector::populateVectorReductionToContractPatterns(patterns);
      vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
      vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
      vector::ExtractOp::getCanonicalizationPatterns(patterns, ctx);
      vector::BroadcastOp::getCanonicalizationPatterns(patterns, ctx);
      vector::ShapeCastOp::getCanonicalizationPatterns(patterns, ctx);
      if (failed(applyPatternsGreedily(fn, std::move(patterns))))
        return signalPassFailure();
    }
    {
      // exp, log, tanh and erf on vectors (the vectorized elementwise kernels and sums) as
      // inline polynomials: the math library has them for scalars only, so LLVM would call
      // it once per lane. Scalar ones keep the library: their loops stay scalar anyway, and
      // libm's logf was twice as fast as the polynomial there (docs/scheduling.md).
      RewritePatternSet patterns(ctx);
      populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
        name.consume_front("math."); // the predicate is given op names ("math.exp")
        return llvm::is_contained({"exp", "expm1", "log", "log1p", "log2", "tanh", "erf"}, name);
      });
      SmallVector<Operation *> vectorMath;
      fn.walk([&](Operation *op) {
        if (op->getDialect() && op->getDialect()->getNamespace() == "math" && op->getNumResults() == 1 &&
            isa<VectorType>(op->getResult(0).getType()))
          vectorMath.push_back(op);
      });
      GreedyRewriteConfig config;
      config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
      if (failed(applyOpPatternsGreedily(vectorMath, std::move(patterns), config)))
        return signalPassFailure();
    }
    {
      // A contraction becomes a sequence of outer products (broadcast x row FMAs) over its
      // reduction dimension: the register-blocked micro-kernel.
      RewritePatternSet patterns(ctx);
      vector::populateVectorContractLoweringPatterns(patterns, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorOuterProductLoweringPatterns(patterns);
      vector::populateVectorMultiReductionLoweringPatterns(patterns,
                                                           vector::VectorMultiReductionLowering::InnerParallel);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateVectorBroadcastLoweringPatterns(patterns);
      vector::populateVectorTransposeLoweringPatterns(patterns, vector::VectorTransposeLowering::EltWise);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      vector::populateVectorMaskOpLoweringPatterns(patterns);
      if (failed(applyPatternsGreedily(fn, std::move(patterns))))
        return signalPassFailure();
    }
  }
};

} // namespace
