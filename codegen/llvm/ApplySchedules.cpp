// gnc-apply-schedules: realizes each kernel's gnc.schedule with MLIR's tiling, convolution
// decomposition and vectorization (see Passes.td); it never decides anything itself.
#include "codegen/Schedule.h"
#include "codegen/llvm/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace gnc {
#define GEN_PASS_DEF_GNCAPPLYSCHEDULES
#include "codegen/llvm/Passes.h.inc"
} // namespace gnc

using namespace mlir;
using gnc::KernelSchedule;

namespace {

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> v) {
  SmallVector<OpFoldResult> out;
  for (int64_t x : v)
    out.push_back(b.getIndexAttr(x));
  return out;
}

// The tiled op and the loops made for it, outermost first.
struct Tiled {
  Operation *op;
  SmallVector<LoopLikeOpInterface> loops;
  // The fills of partial results made by splitting a reduction (zeros, to vectorize too).
  SmallVector<Operation *> inits = {};
  // The tiled contraction computed in these tiles (tileAndFuseInit's `producer`).
  Operation *producer = nullptr;
};

// Tiles `op` (loop type `type`) and fuses the linalg.fill that initializes its accumulator into
// each tile, so that no buffer is zero-filled whole and then overwritten.
// `producer`, when given, is fused as well: a contraction computed in the tiles of `op`, its
// elementwise consumer (an epilogue); its tiled form is Tiled::producer.
FailureOr<Tiled> tileAndFuseInit(RewriterBase &rw, Operation *op, ArrayRef<int64_t> sizes,
                                 scf::SCFTilingOptions::LoopType type, Operation *producer = nullptr) {
  if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
    return Tiled{op, {}, {}, producer};
  scf::SCFTilingOptions tiling;
  tiling.setLoopType(type).setTileSizes(indexAttrs(rw, sizes));
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn([producer](tensor::ExtractSliceOp, OpResult candidate, bool isDestination)
                                 -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
    // With a producer, its accumulator's fill is the producer's destination, not the tiled op's.
    if (((isDestination || producer) && isa<linalg::FillOp>(candidate.getOwner())) || candidate.getOwner() == producer)
      return scf::SCFTileAndFuseOptions::ControlFnResult{};
    return std::nullopt;
  });
  StringRef producerName = producer ? producer->getName().getStringRef() : StringRef();
  rw.setInsertionPoint(op);
  FailureOr<scf::SCFTileAndFuseResult> r =
      scf::tileConsumerAndFuseProducersUsingSCF(rw, cast<TilingInterface>(op), options);
  if (failed(r))
    return failure();
  for (OpResult res : op->getResults())
    if (Value repl = r->replacements.lookup(res))
      rw.replaceAllUsesWith(res, repl);
  Tiled tiled{r->tiledAndFusedOps.front(), r->loops};
  if (producer) {
    for (Operation *fused : r->tiledAndFusedOps)
      if (fused != tiled.op && fused->getName().getStringRef() == producerName)
        tiled.producer = fused;
    if (!tiled.producer)
      return failure();
  }
  if (op->use_empty())
    rw.eraseOp(op);
  for (Operation *producer : r->fusedProducers)
    if (producer->use_empty())
      rw.eraseOp(producer);
  return tiled;
}

// `order`, when given, orders the tile loops (outermost first), as it orders the loops inside.
// `partialSums`: sequential tiles of a reduction loop accumulate into a tile-sized partial
// result (carried by the loop, summed after it) instead of into the output element by element:
// a sum vectorized along its reduction loop.
FailureOr<Tiled> tileOnly(RewriterBase &rw, Operation *op, ArrayRef<int64_t> sizes,
                          scf::SCFTilingOptions::LoopType type, ArrayRef<int64_t> order = {},
                          bool partialSums = false) {
  if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
    return Tiled{op, {}};
  scf::SCFTilingOptions tiling;
  tiling.setLoopType(type).setTileSizes(indexAttrs(rw, sizes));
  if (!order.empty())
    tiling.setInterchange(order);
  // Thread tiles of a reduction loop: each tile sums its part into a partial result of its
  // own, and the partial results are added afterwards in tile order (deterministic for any
  // number of threads; blocked summation, closer to the exact sum than one long chain).
  SmallVector<unsigned> reductionDims;
  auto iters = cast<linalg::LinalgOp>(op).getIteratorTypesArray();
  for (size_t i = 0; i < sizes.size(); ++i)
    if (sizes[i] && iters[i] == utils::IteratorType::reduction)
      reductionDims.push_back(i);
  if (type == scf::SCFTilingOptions::LoopType::ForallOp && !reductionDims.empty())
    tiling.setReductionTilingStrategy(ReductionTilingStrategy::PartialReductionOuterParallel)
        .setReductionDims(reductionDims);
  else if (partialSums && !reductionDims.empty())
    tiling.setReductionTilingStrategy(ReductionTilingStrategy::PartialReductionOuterReduction)
        .setReductionDims(reductionDims);
  rw.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> r = scf::tileUsingSCF(rw, cast<TilingInterface>(op), tiling);
  if (failed(r))
    return failure();
  rw.replaceOp(op, r->replacements);
  Tiled tiled{r->tiledOps.back(), r->loops};
  if (partialSums && type == scf::SCFTilingOptions::LoopType::ForOp && !reductionDims.empty())
    for (Value init : r->initialValues)
      if (auto fill = init.getDefiningOp<linalg::FillOp>())
        tiled.inits.push_back(fill);
  return tiled;
}

// A 2-D convolution tile of one output row and one kernel row as its 1-D form.
template <typename Pattern, typename Conv>
FailureOr<Operation *> downscale(Conv conv) {
  Pattern pattern(conv.getContext());
  PatternRewriter rw(conv.getContext());
  rw.setInsertionPoint(conv);
  auto conv1d = pattern.returningMatchAndRewrite(conv, rw);
  if (failed(conv1d))
    return failure();
  return conv1d->getOperation();
}

// A windowed contraction's register tile (gnc::isWindowedContraction; of each window index
// one loop at most longer than 1) as a plain contraction, which the vectorizer takes (it needs
// projected permutations): its unit loops dropped (all but one reduction loop: a contraction
// needs one), and each operand read through a rank-reducing slice, strided where a loop steps
// through the input with a stride (`ow*2 + kw` with kw = 0 reads every second column). The
// counterpart of a convolution tile's downscaling to a 1-D convolution.
FailureOr<Operation *> projectWindowedTile(RewriterBase &rw, linalg::GenericOp g) {
  SmallVector<int64_t> ranges = g.getStaticLoopRanges();
  auto iters = g.getIteratorTypesArray();
  unsigned n = ranges.size();
  SmallVector<bool> keep(n);
  int lastReduction = -1;
  bool reductionKept = false;
  for (unsigned i = 0; i < n; ++i) {
    keep[i] = ranges[i] != 1;
    if (iters[i] == utils::IteratorType::reduction) {
      lastReduction = i;
      reductionKept |= keep[i];
    }
  }
  if (!reductionKept && lastReduction >= 0)
    keep[lastReduction] = true;
  SmallVector<int64_t> position(n, -1);
  int64_t keptLoops = 0;
  for (unsigned i = 0; i < n; ++i)
    if (keep[i])
      position[i] = keptLoops++;
  MLIRContext *ctx = g.getContext();
  Location loc = g.getLoc();
  rw.setInsertionPoint(g);
  SmallVector<Value> operands;
  SmallVector<AffineMap> maps;
  SmallVector<OpFoldResult> outOffsets, outSizes, outStrides;
  for (OpOperand &operand : g->getOpOperands()) {
    AffineMap m = g.getMatchingIndexingMap(&operand);
    auto t = cast<RankedTensorType>(operand.get().getType());
    SmallVector<OpFoldResult> offsets, sizes, strides;
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> results;
    SmallVector<bool> seen(n, false);
    for (unsigned r = 0; r < m.getNumResults(); ++r) {
      FailureOr<SmallVector<std::pair<unsigned, int64_t>>> terms = gnc::windowTerms(m.getResult(r));
      if (failed(terms))
        return failure();
      std::optional<std::pair<unsigned, int64_t>> kept;
      for (auto term : *terms)
        if (keep[term.first]) {
          if (kept || seen[term.first])
            return failure();
          kept = term;
          seen[term.first] = true;
        }
      offsets.push_back(rw.getIndexAttr(0));
      if (!kept) {
        if (t.getDimSize(r) != 1)
          return failure();
        sizes.push_back(rw.getIndexAttr(1));
        strides.push_back(rw.getIndexAttr(1));
        continue;
      }
      auto [loop, stride] = *kept;
      if (t.getDimSize(r) != (ranges[loop] - 1) * stride + 1)
        return failure();
      sizes.push_back(rw.getIndexAttr(ranges[loop]));
      strides.push_back(rw.getIndexAttr(stride));
      shape.push_back(ranges[loop]);
      results.push_back(getAffineDimExpr(position[loop], ctx));
    }
    auto sliceType = RankedTensorType::get(shape, t.getElementType());
    operands.push_back(tensor::ExtractSliceOp::create(rw, loc, sliceType, operand.get(), offsets, sizes, strides));
    maps.push_back(AffineMap::get(keptLoops, 0, results, ctx));
    if (g.isDpsInit(&operand))
      outOffsets = offsets, outSizes = sizes, outStrides = strides;
  }
  // A linalg.contract (its body is the multiply-add isWindowedContraction checked): the
  // vectorizer makes a vector.contract of a ContractionOpInterface op only, not of a generic.
  unsigned inputs = g.getNumDpsInputs();
  auto tile = linalg::ContractOp::create(rw, loc, TypeRange{operands.back().getType()},
                                         ValueRange(operands).take_front(inputs), ValueRange(operands).drop_front(inputs),
                                         rw.getAffineMapArrayAttr(maps));
  Value whole = tensor::InsertSliceOp::create(rw, loc, tile.getResult(0), g.getDpsInits()[0], outOffsets, outSizes,
                                              outStrides);
  rw.replaceOp(g, whole);
  return tile.getOperation();
}

// Register tiles of a vectorized kernel: its parallel loops first (with the accumulator's fill
// fused into each tile), then its reduction loops inside, so that the accumulator tile stays
// in registers across the whole reduction (hoisted by gnc-lower-vectors).
// With `epilogue` (the contraction's elementwise consumer, already tiled across threads with
// `op` fused into its tiles), the register blocks are the consumer's, with `op` fused into each:
// the consumer then reads the accumulators (forwarded vectors), not memory.
LogicalResult applyVectorized(RewriterBase &rw, Operation *op, const KernelSchedule &s, Operation *&outermost,
                              Operation *epilogue = nullptr) {
  // A contraction accumulates into its register block; a sum into a vector of partial sums.
  bool contraction = gnc::isVectorizableContraction(cast<linalg::LinalgOp>(op));
  auto iters = cast<linalg::LinalgOp>(op).getIteratorTypesArray();
  SmallVector<int64_t> parallelPart(s.tile), reductionPart(s.tile);
  for (size_t i = 0; i < iters.size(); ++i) {
    if (iters[i] == utils::IteratorType::reduction)
      parallelPart[i] = 0;
    else
      reductionPart[i] = 0;
  }
  // Elementwise tiles (and a consumer's) step on one thread through an scf.forall, which
  // bufferizes in place of a destination buffer (gnc.sequential_tiles).
  bool forallTiles = !contraction || epilogue;
  auto blockLoops = forallTiles ? scf::SCFTilingOptions::LoopType::ForallOp : scf::SCFTilingOptions::LoopType::ForOp;
  Operation *consumerTile = nullptr;
  FailureOr<Tiled> block = failure();
  if (epilogue) {
    unsigned loops = cast<linalg::LinalgOp>(epilogue).getNumLoops();
    block = tileAndFuseInit(rw, epilogue, ArrayRef<int64_t>(parallelPart).take_front(loops), blockLoops, op);
    if (succeeded(block)) {
      consumerTile = block->op;
      block->op = block->producer;
    }
  } else {
    block = tileAndFuseInit(rw, op, parallelPart, blockLoops);
  }
  if (failed(block))
    return op->emitError("gnc-apply-schedules: tiling the register block failed");
  if (forallTiles)
    for (LoopLikeOpInterface loop : block->loops)
      loop->setAttr(gnc::kSequentialTilesAttr, rw.getUnitAttr());
  // The fill fused into a contraction's tile, if any (the init of the tiled kernel).
  Operation *fill = contraction ? cast<linalg::LinalgOp>(block->op).getDpsInitOperand(0)->get().getDefiningOp<linalg::FillOp>()
                                : nullptr;
  FailureOr<Tiled> reduction = tileOnly(rw, block->op, reductionPart, scf::SCFTilingOptions::LoopType::ForOp,
                                        /*order=*/{}, /*partialSums=*/!contraction);
  if (failed(reduction))
    return op->emitError("gnc-apply-schedules: tiling the reduction failed");
  Operation *kernel = reduction->op;
  outermost = !block->loops.empty()       ? block->loops.front().getOperation()
              : !reduction->loops.empty() ? reduction->loops.front().getOperation()
                                          : nullptr;
  // One output row and one kernel row per tile: a 1-D convolution, which the vectorizer takes.
  FailureOr<Operation *> conv1d = kernel;
  if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(kernel))
    conv1d = downscale<linalg::DownscaleSizeOneWindowed2DConvolution<linalg::Conv2DNhwcHwcfOp,
                                                                      linalg::Conv1DNwcWcfOp>>(conv);
  else if (auto dw = dyn_cast<linalg::DepthwiseConv2DNhwcHwcOp>(kernel))
    conv1d = downscale<linalg::DownscaleDepthwiseConv2DNhwcHwcOp>(dw);
  else if (gnc::isWindowedContraction(cast<linalg::LinalgOp>(kernel)))
    conv1d = projectWindowedTile(rw, cast<linalg::GenericOp>(kernel));
  if (failed(conv1d))
    return op->emitError("gnc-apply-schedules: the register tile is not one output row and one kernel row (a "
                         "convolution) or not one strided step of each window (a windowed contraction)");
  kernel = *conv1d;
  SmallVector<Operation *> targets{fill, kernel, consumerTile};
  llvm::append_range(targets, reduction->inits);
  for (Operation *target : targets) {
    if (!target)
      continue;
    rw.setInsertionPoint(target);
    FailureOr<linalg::VectorizationResult> v =
        linalg::vectorize(rw, target, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
                          /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
                          /*assumeDynamicDimsMatchVecSizes=*/false, /*createNamedContraction=*/true);
    if (failed(v))
      return target->emitError("gnc-apply-schedules: vectorization failed");
    rw.replaceOp(target, v->replacements);
  }
  return success();
}

// `result` is the op inside the tile loops, `outermost` the outermost tile loop (null when
// nothing was tiled).
LogicalResult applyPlainLoops(RewriterBase &rw, Operation *op, const KernelSchedule &s, Operation *&result,
                              Operation *&outermost) {
  FailureOr<Tiled> cur = tileOnly(rw, op, s.tile, scf::SCFTilingOptions::LoopType::ForOp, s.order);
  if (failed(cur))
    return op->emitError("gnc-apply-schedules: tiling failed");
  result = cur->op;
  outermost = cur->loops.empty() ? nullptr : cur->loops.front().getOperation();
  if (s.order.empty())
    return success();
  rw.setInsertionPoint(cur->op);
  auto generic = dyn_cast<linalg::GenericOp>(cur->op);
  if (!generic) {
    FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rw, cast<linalg::LinalgOp>(cur->op));
    if (failed(g))
      return op->emitError("gnc-apply-schedules: cannot reorder the loops of this kernel");
    generic = *g;
  }
  SmallVector<unsigned> order(s.order.begin(), s.order.end());
  FailureOr<linalg::GenericOp> reordered = linalg::interchangeGenericOp(rw, generic, order);
  if (failed(reordered))
    return failure();
  result = *reordered;
  return success();
}

// What the profile reports of a kernel: its name (gnc-name-kernels'; the signature when it
// has none), its signature, and its arithmetic and memory traffic (each float operation of
// the body counts one FLOP per iteration: a multiply-add two).
DictionaryAttr kernelInfo(linalg::LinalgOp op, StringRef signature, StringRef backend) {
  auto named = op->getAttrOfType<StringAttr>(gnc::kKernelNameAttr);
  StringRef name = named ? named.getValue() : signature;
  int64_t iterations = 1;
  for (int64_t r : op.getStaticLoopRanges())
    iterations *= r;
  int64_t perIteration = 0;
  op->getRegion(0).walk([&](Operation *inner) {
    if (isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp, arith::MaximumFOp, arith::MinimumFOp,
            arith::NegFOp>(inner) ||
        inner->getDialect()->getNamespace() == "math")
      ++perIteration;
  });
  int64_t bytes = 0;
  for (Value v : op->getOperands())
    if (auto t = dyn_cast<ShapedType>(v.getType()); t && t.hasStaticShape())
      bytes += t.getNumElements() * std::max<int64_t>(1, t.getElementTypeBitWidth() / 8);
  Builder b(op->getContext());
  return b.getDictionaryAttr({b.getNamedAttr("name", b.getStringAttr(name)),
                              b.getNamedAttr("signature", b.getStringAttr(signature)),
                              b.getNamedAttr("flops", b.getI64IntegerAttr(iterations * perIteration)),
                              b.getNamedAttr("bytes", b.getI64IntegerAttr(bytes)),
                              b.getNamedAttr("backend", b.getStringAttr(backend))});
}

struct GncApplySchedulesPass : gnc::impl::GncApplySchedulesBase<GncApplySchedulesPass> {
  FrozenRewritePatternSet cleanup;

  LogicalResult initialize(MLIRContext *ctx) override {
    // Canonicalization inside each tiled kernel only (folds the zero accumulator into the
    // reduction, drops full-size slices); a module-wide canonicalization before bufferization
    // would erase the entry functions' materialize_in_destination ops.
    RewritePatternSet patterns(ctx);
    for (Dialect *d : ctx->getLoadedDialects())
      d->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : ctx->getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, ctx);
    cleanup = FrozenRewritePatternSet(std::move(patterns));
    return success();
  }

  void runOnOperation() override {
    std::vector<std::pair<Operation *, KernelSchedule>> kernels;
    bool bad = false;
    getOperation().walk([&](linalg::LinalgOp op) {
      auto attr = op->getAttrOfType<DictionaryAttr>(gnc::kScheduleAttr);
      if (!attr)
        return;
      FailureOr<KernelSchedule> s = KernelSchedule::fromAttr(attr);
      if (failed(s)) {
        op->emitError("gnc-apply-schedules: malformed ") << gnc::kScheduleAttr << " " << attr;
        bad = true;
        return;
      }
      op->removeAttr(gnc::kScheduleAttr);
      kernels.push_back({op, *s});
    });
    if (bad)
      return signalPassFailure();
    IRRewriter rw(&getContext());
    for (auto &[op, s] : kernels) {
      // The thread level: an scf.forall whose tiles the OpenMP threads share.
      Location loc = op->getLoc();
      DictionaryAttr info = kernelInfo(cast<linalg::LinalgOp>(op), s.kernel, s.backend);
      // A Halide kernel stays one op until gnc-halide-calls replaces it by a call of its
      // pipeline (codegen/halide/); compiling it here instead would be a silent fallback.
      if (s.isHalide()) {
        if (!op->hasAttr("gnc.halide")) {
          op->emitError("gnc-apply-schedules: kernel '")
              << info.getAs<StringAttr>("name").getValue()
              << "' is scheduled for Halide but was not translated (gnc-halide-kernels did not run)";
          return signalPassFailure();
        }
        op->setAttr(gnc::kKernelAttr, info);
        continue;
      }
      bool contraction = s.vectorize && gnc::isVectorizableContraction(cast<linalg::LinalgOp>(op));
      // The epilogue: the consumer is tiled across threads, with the contraction fused into
      // its tiles (the contraction's loops and the consumer's coincide up to the reductions).
      Operation *epilogue = nullptr;
      if (s.epilogue) {
        epilogue = gnc::epilogueConsumer(cast<linalg::LinalgOp>(op));
        if (!contraction || !epilogue) {
          op->emitError("gnc-apply-schedules: the schedule has an epilogue, but the kernel has no consumer to compute");
          return signalPassFailure();
        }
      }
      // A contraction's fill is computed in each of its thread tiles; anything else (a split
      // sum among them) is tiled alone.
      FailureOr<Tiled> tiled = failure();
      if (epilogue) {
        unsigned loops = cast<linalg::LinalgOp>(epilogue).getNumLoops();
        tiled = tileAndFuseInit(rw, epilogue, ArrayRef<int64_t>(s.parallel).take_front(loops),
                                scf::SCFTilingOptions::LoopType::ForallOp, op);
        if (succeeded(tiled)) {
          epilogue = tiled->op;
          tiled->op = tiled->producer;
        }
      } else if (contraction) {
        tiled = tileAndFuseInit(rw, op, s.parallel, scf::SCFTilingOptions::LoopType::ForallOp);
      } else {
        tiled = tileOnly(rw, op, s.parallel, scf::SCFTilingOptions::LoopType::ForallOp);
      }
      if (failed(tiled)) {
        emitError(loc, "gnc-apply-schedules: tiling across threads failed");
        return signalPassFailure();
      }
      Operation *inner = tiled->op;
      // The outermost loop of the kernel, kept to clean up inside it afterwards.
      Operation *root = tiled->loops.empty() ? nullptr : tiled->loops.front().getOperation();
      // The outer level: sequential loops around all register blocks of the thread tile. A
      // reduction loop split here accumulates into the thread tile's output, which its fill
      // (fused into the thread tile above) zeroed once.
      if (!s.outer.empty()) {
        FailureOr<Tiled> outer = tileOnly(rw, inner, s.outer, scf::SCFTilingOptions::LoopType::ForOp);
        if (failed(outer)) {
          emitError(loc, "gnc-apply-schedules: tiling the outer level failed");
          return signalPassFailure();
        }
        inner = outer->op;
        if (!root && !outer->loops.empty())
          root = outer->loops.front().getOperation();
      }
      Operation *outermost = nullptr, *plain = nullptr;
      if (failed(s.vectorize ? applyVectorized(rw, inner, s, outermost, epilogue)
                             : applyPlainLoops(rw, inner, s, plain, outermost)))
        return signalPassFailure();
      if (!root)
        root = outermost;
      // The kernel's outermost op, marked for the profile hooks (gnc-kernel-hooks) and the
      // outlining: the whole loop nest, whose one call does the FLOPs and bytes of `info`
      // (not one tile of it); an untiled plain-loop kernel is its linalg op.
      Operation *marked = root ? root : plain;
      if (marked)
        marked->setAttr(gnc::kKernelAttr, info);
      if (root && s.vectorize) {
        for (Region &r : root->getRegions())
          (void)applyPatternsGreedily(r, cleanup);
        // The accumulator tile becomes a loop-carried vector (registers) across the reduction
        // loops, innermost first: read before the loops, written after them; the read of a
        // tile just zero-filled then folds away.
        SmallVector<scf::ForOp> loops;
        root->walk([&](scf::ForOp loop) { loops.push_back(loop); }); // post-order: innermost first
        for (scf::ForOp loop : loops)
          hoistLoopInvariantSubsets(rw, cast<LoopLikeOpInterface>(loop.getOperation()));
        for (Region &r : root->getRegions())
          (void)applyPatternsGreedily(r, cleanup);
      }
    }
    // The names are in the kernels' info now (fills fused into tiles carried theirs along).
    getOperation().walk([](Operation *op) { op->removeAttr(gnc::kKernelNameAttr); });
    // Tiling leaves the untiled fills and slices it replaced without users.
    bool erased = true;
    while (erased) {
      erased = false;
      getOperation().walk([&](Operation *op) {
        if (isa<linalg::LinalgDialect, tensor::TensorDialect>(op->getDialect()) && isOpTriviallyDead(op)) {
          op->erase();
          erased = true;
        }
      });
    }
  }
};

} // namespace
