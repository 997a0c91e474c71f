// gnc-select-schedules: gives every kernel (linalg op) a schedule, from a schedule file or the
// heuristic below; it only decides, gnc-apply-schedules realizes. See codegen/Schedule.h for
// the vocabulary and docs/scheduling.md for the reasoning behind the heuristic.
#include "codegen/Passes.h"
#include "codegen/Schedule.h"
#include "codegen/ScheduleFile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <map>
#include <set>

namespace gnc {
#define GEN_PASS_DEF_GNCSELECTSCHEDULES
#include "codegen/Passes.h.inc"
} // namespace gnc

using namespace mlir;
using gnc::KernelSchedule;

namespace {

// The register file the tiles are sized for: f32 lanes per vector, the vector registers, and
// how many of them may hold accumulators (three quarters; the rest hold the loaded row
// vectors and the broadcast operand).
struct Registers {
  int64_t lanes;
  int64_t registers;
  int64_t accumulators;
};
// Kernels with fewer iterations than this stay on one thread: a fork costs more.
constexpr int64_t kMinParallelWork = 1 << 16;
// Thread tiles per kernel: enough to balance two (or a few) threads without tiny tasks.
constexpr int64_t kTargetTasks = 8;
// Thread tiles of a windowed contraction (a kernel gradient): one per core of the machines
// gnc is tuned on; every tile streams the whole batch (see its schedule below).
constexpr int64_t kWindowedTasks = 2;
// Half of a 512 KB L2 (Zen 3, Skylake-SP and later have 512 KB - 2 MB), in f32.
constexpr int64_t kHalfL2Floats = 256 * 1024 / 4;

// Images a convolution's register block may take: each brings its input window (`rows` input
// rows of the whole width) into cache, and together they stay within half of L2.
template <typename Conv>
int64_t maxImagesInL2(Conv conv, int64_t rows, int64_t channels) {
  int64_t width = cast<ShapedType>(conv.getInputs()[0].getType()).getDimSize(2);
  return std::max<int64_t>(1, kHalfL2Floats / (rows * width * channels));
}

// Input rows under one output row: (kh - 1) * dilation + 1.
template <typename Conv>
int64_t windowRows(Conv conv, int64_t kh) {
  return (kh - 1) * *conv.getDilations().template getValues<int64_t>().begin() + 1;
}

int64_t largestDivisorAtMost(int64_t n, int64_t cap) {
  for (int64_t d = std::min(n, std::max<int64_t>(cap, 1)); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

// The register block of a contraction: a tile of each row loop (every row of the block is
// one broadcast operand) times `width` lanes of the vector loop (whole vectors dividing its
// extent, or the extent itself when shorter than two vectors). The block is chosen by the
// cycles per FMA it is expected to cost on a core with two FMA pipes of latency 4 and two
// vector loads per cycle (Zen 3; Intel cores since Haswell are alike), the largest of
//  - issue: 1/2 (two pipes);
//  - latency: 4 / accumulators (each accumulator is a dependency chain);
//  - loads: (rows + vectors) per rows x vectors FMAs, at two per cycle; when the loaded
//    vectors cannot stay in registers beside the accumulators, every FMA loads its own;
//  - cache: the loaded operand's panel (reduction extent x width: a convolution's kernel, a
//    matmul's B panel) is re-read for every block; beyond L1 it comes from L2 at about one
//    vector per cycle, so each loaded vector must serve several rows (a vector re-read by
//    the FMAs of several rows still crosses from L2 once).
// `maxRows` caps each row loop's tile (a convolution's images: each brings its own input
// window into cache). Ties go to more accumulators, then fewer loads, then more rows (on
// dcgan's strided convolution 4 images x 2 vectors ran 1.2-1.4x faster than 2 x 4), then
// rows from inner loops (neighbouring pixels share cache lines; other images do not).
struct RegisterBlock {
  SmallVector<int64_t> rows; // per row loop, outermost first
  int64_t width;
};

RegisterBlock registerBlock(ArrayRef<int64_t> rowExtents, ArrayRef<int64_t> maxRows,
                            int64_t vecExtent, int64_t reduction, Registers regs) {
  SmallVector<int64_t> widths;
  for (int64_t w = regs.lanes; w <= vecExtent; w += regs.lanes)
    if (vecExtent % w == 0)
      widths.push_back(w);
  if (vecExtent <= 2 * regs.lanes && !llvm::is_contained(widths, vecExtent))
    widths.push_back(vecExtent);
  if (widths.empty())
    widths.push_back(largestDivisorAtMost(vecExtent, regs.lanes));
  constexpr double kL1Floats = 32 * 1024 / 4;

  // Every combination of divisors of the row extents with at most `accumulators` rows.
  SmallVector<SmallVector<int64_t>> rowTiles{{}};
  for (auto [extent, cap] : llvm::zip_equal(rowExtents, maxRows)) {
    SmallVector<SmallVector<int64_t>> next;
    for (const auto &prefix : rowTiles) {
      int64_t product = 1;
      for (int64_t t : prefix)
        product *= t;
      for (int64_t t = 1; t <= std::min(extent, cap) && product * t <= regs.accumulators; ++t)
        if (extent % t == 0) {
          next.push_back(prefix);
          next.back().push_back(t);
        }
    }
    rowTiles = std::move(next);
  }

  RegisterBlock best{SmallVector<int64_t>(rowExtents.size(), 1), widths.front()};
  double bestCycles = 1e30, bestLoads = 1e30;
  int64_t bestAcc = 0, bestRows = 0;
  for (const auto &tiles : rowTiles) {
    int64_t rows = 1;
    for (int64_t t : tiles)
      rows *= t;
    for (int64_t width : widths) {
      int64_t vectors = (width + regs.lanes - 1) / regs.lanes;
      int64_t acc = rows * vectors;
      if (acc > regs.accumulators || acc + 2 > regs.registers)
        continue;
      bool reused = acc + vectors + 1 <= regs.registers;
      double fmas = (double)acc;
      double loads = rows + (reused ? vectors : acc);
      double cycles = std::max({0.5, 4.0 / acc, loads / fmas / 2});
      if (reduction * width > kL1Floats)
        cycles = std::max(cycles, vectors / fmas);
      constexpr double eps = 1e-9;
      bool better = cycles < bestCycles - eps;
      if (!better && cycles < bestCycles + eps) {
        if (acc != bestAcc)
          better = acc > bestAcc;
        else if (loads / fmas != bestLoads)
          better = loads / fmas < bestLoads;
        else if (rows != bestRows)
          better = rows > bestRows; // each loaded vector serves more rows
        else // the smaller tiles of outer row loops (fewer images)
          better = std::lexicographical_compare(tiles.begin(), tiles.end(), best.rows.begin(), best.rows.end());
      }
      if (better) {
        best = {tiles, width};
        bestCycles = cycles, bestAcc = acc, bestLoads = loads / fmas, bestRows = rows;
      }
    }
  }
  return best;
}

// Splits one parallel loop (the first of `candidates` that yields at least two tasks) into
// about kTargetTasks thread tiles, each a multiple of the register tile.
void chooseThreadTiles(KernelSchedule &s, ArrayRef<int64_t> ranges, ArrayRef<unsigned> candidates,
                       int64_t targetTasks = kTargetTasks) {
  int64_t work = 1;
  for (int64_t r : ranges)
    work *= r;
  if (work < kMinParallelWork)
    return;
  for (unsigned d : candidates) {
    int64_t reg = s.tile[d] ? s.tile[d] : 1;
    int64_t blocks = ranges[d] / reg;
    if (blocks < 2)
      continue;
    // The smallest number of tasks >= min(blocks, targetTasks) that divides the blocks.
    int64_t tasks = std::min(blocks, targetTasks);
    while (blocks % tasks)
      ++tasks;
    s.parallel[d] = ranges[d] / tasks;
    return;
  }
}

// The plain-loop order of a reduction: the output's contiguous dimension innermost, so LLVM
// vectorizes a multiply-add over rows; reductions outside the other parallel loops when they
// are the larger space (a kernel gradient sums a whole batch into a small kernel).
SmallVector<int64_t> plainLoopOrder(linalg::LinalgOp op) {
  if (op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics() || op->getNumResults() != 1)
    return {};
  AffineMap out = op.getIndexingMapMatchingResult(op->getResult(0));
  if (out.getNumResults() == 0)
    return {};
  auto inner = dyn_cast<AffineDimExpr>(out.getResults().back());
  if (!inner)
    return {};
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  SmallVector<int64_t> parallel, reduction;
  int64_t parallelSize = 1, reductionSize = 1;
  for (auto [i, it] : llvm::enumerate(op.getIteratorTypesArray())) {
    if (it == utils::IteratorType::reduction) {
      reduction.push_back(i);
      reductionSize *= sizes[i];
    } else if (i != inner.getPosition()) {
      parallel.push_back(i);
      parallelSize *= sizes[i];
    }
  }
  if (reduction.empty())
    return {};
  SmallVector<int64_t> order;
  if (reductionSize > parallelSize)
    llvm::append_range(order, reduction), llvm::append_range(order, parallel);
  else
    llvm::append_range(order, parallel), llvm::append_range(order, reduction);
  order.push_back(inner.getPosition());
  return order;
}

// A reduction into a scalar (a loss) has no parallel work to share: its outermost reduction
// loop is split into thread tiles that sum into partial results, added in a fixed order
// afterwards. Only plain sums (the body ends in an addf of the accumulator) are split. A
// reduction into a vector (a bias gradient) keeps its plain loops, which LLVM vectorizes along
// the outputs; split, it ran 20x slower (its tiles' partial results are not contiguous rows).
void splitLargeReduction(KernelSchedule &s, linalg::LinalgOp op, ArrayRef<int64_t> r) {
  if (op.getNumDpsInits() != 1 || !isa<linalg::GenericOp>(op.getOperation()))
    return;
  int64_t outputs = 1, total = 1;
  for (auto [i, it] : llvm::enumerate(op.getIteratorTypesArray())) {
    total *= r[i];
    if (it != utils::IteratorType::reduction)
      outputs *= r[i];
  }
  if (outputs > 1 || total < kMinParallelWork)
    return;
  Block &body = op->getRegion(0).front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  Value acc = body.getArguments().back();
  if (!add || (add.getLhs() != acc && add.getRhs() != acc))
    return;
  for (auto [i, it] : llvm::enumerate(op.getIteratorTypesArray())) {
    if (it != utils::IteratorType::reduction || r[i] < 2)
      continue;
    int64_t tasks = std::min<int64_t>(r[i], kTargetTasks);
    while (r[i] % tasks)
      ++tasks;
    s.parallel[i] = r[i] / tasks;
    s.order.clear(); // the split kernel keeps its loops in order
    return;
  }
}

KernelSchedule contractionOrPlainSchedule(linalg::LinalgOp op, Registers regs);

// A vectorized contraction computes its elementwise consumer (bias + activation) in its
// register tiles: the result then never goes to memory and back (a window loop outside the
// blocks, `outer`, would leave partial sums in memory, so not then). Not when its reduction
// has only a few taps: the ConvAE's first layer (3 x 3 x 1) ran 1.4x slower with its bias and
// relu inside (271 us) than as two kernels (143 + 55 us; `gnc build --kernel-bench`), its
// blocks being all stores and little arithmetic. Matmuls only, for now: a convolution's tile is
// vectorized as a 1-D convolution written through a rank-reducing slice, which the consumer's
// read is not forwarded through, so its result still went to a scratch buffer the size of the
// whole output (allocated and faulted in on every call).
constexpr int64_t kMinEpilogueReduction = 32;

KernelSchedule heuristicSchedule(linalg::LinalgOp op, Registers regs) {
  KernelSchedule s = contractionOrPlainSchedule(op, regs);
  int64_t reduction = 1;
  for (auto [extent, it] : llvm::zip_equal(op.getStaticLoopRanges(), op.getIteratorTypesArray()))
    if (it == utils::IteratorType::reduction)
      reduction *= extent;
  s.epilogue = s.vectorize && s.outer.empty() && isa<linalg::MatmulOp>(op.getOperation()) &&
               reduction >= kMinEpilogueReduction;
  return s;
}

KernelSchedule contractionOrPlainSchedule(linalg::LinalgOp op, Registers regs) {
  KernelSchedule s;
  s.kernel = gnc::kernelSignature(op);
  SmallVector<int64_t> r = op.getStaticLoopRanges();
  s.parallel.assign(r.size(), 0);
  s.tile.assign(r.size(), 0);
  if (isa<linalg::MatmulOp>(op.getOperation()) && gnc::isVectorizableKernel(op)) {
    // (m, n, k): an m x n block of accumulators, k unrolled; rows (or columns) split across
    // threads.
    s.vectorize = true;
    RegisterBlock b = registerBlock({r[0]}, {r[0]}, r[1], r[2], regs);
    s.tile = {b.rows[0], b.width, largestDivisorAtMost(r[2], 4)};
    // A thread tile walks its row blocks outside its column blocks, so each row block
    // re-reads the tile's panel of B (k x its columns). When B is beyond half of L2, the
    // threads split the columns instead of the rows, into tiles whose panel fits: dcgan's
    // matmul[64,6272,100] went from 51 to 96 GFLOP/s, the FF AE's [128,256,784] from 79 to 95.
    int64_t columns = 0;
    if (r[2] * r[1] > kHalfL2Floats && r[0] * r[1] * r[2] >= kMinParallelWork)
      for (int64_t c = b.width; c <= std::min(kHalfL2Floats / r[2], r[1] / 2); c += b.width)
        if (r[1] % c == 0)
          columns = c;
    if (columns)
      s.parallel[1] = columns;
    else
      chooseThreadTiles(s, r, {0, 1});
    return s;
  }
  if (isa<linalg::Conv2DNhwcHwcfOp>(op.getOperation()) && gnc::isVectorizableKernel(op)) {
    // (n, oh, ow, f, kh, kw, c): output row segments of tw pixels in tn images x tf channels
    // in registers, summed over the kernel window and tc input channels at a time.
    s.vectorize = true;
    // Images share the kernel's vectors but not their input: tile images only while their
    // input windows (the rows under one output row, whole width) stay within half of L2.
    auto conv = cast<linalg::Conv2DNhwcHwcfOp>(op.getOperation());
    // Every register block streams the kernel's panel (kh x kw x c x its channels). A kernel
    // gradient's "kernel" is a whole output gradient (megabytes): streamed from memory for
    // every block, it held the ConvAE's largest one to a third of peak. Its window loops
    // then step outside all blocks (the outer level), so that one (kh, kw) slab, c x f, stays
    // in cache for all of them, and each step reads one input row per image. A step takes as
    // many kernel columns as fit in a quarter of L2, for fewer accumulator loads and stores.
    bool windowOutside = r[4] * r[5] * r[6] * r[3] > 2 * kHalfL2Floats; // beyond L2
    int64_t maxImages = maxImagesInL2(conv, windowOutside ? 1 : windowRows(conv, r[4]), r[6]);
    RegisterBlock b = registerBlock({r[0], r[2]}, {maxImages, r[2]}, r[3],
                                    windowOutside ? r[6] : r[4] * r[5] * r[6], regs);
    s.tile = {b.rows[0], 1, b.rows[1], b.width, 1, 1, largestDivisorAtMost(r[6], 4)};
    if (windowOutside)
      s.outer = {0, 0, 0, 0, 1, largestDivisorAtMost(r[5], kHalfL2Floats / 2 / (r[6] * r[3])), 0};
    chooseThreadTiles(s, r, {0, 1, 3});
    return s;
  }
  if (auto dw = dyn_cast<linalg::DepthwiseConv2DNhwcHwcOp>(op.getOperation());
      dw && gnc::isVectorizableKernel(op)) {
    // (n, oh, ow, c, kh, kw): like a convolution, with the channels as the vector and no
    // broadcast operand: each FMA multiplies an input vector by a kernel vector, which the
    // rows of the block share (the single-output-channel form of gn-to-linalg).
    s.vectorize = true;
    int64_t maxImages = maxImagesInL2(dw, windowRows(dw, r[4]), r[3]);
    RegisterBlock b = registerBlock({r[0], r[2]}, {maxImages, r[2]}, r[3], r[4] * r[5], regs);
    s.tile = {b.rows[0], 1, b.rows[1], b.width, 1, largestDivisorAtMost(r[5], 4)};
    chooseThreadTiles(s, r, {0, 1, 3});
    return s;
  }
  if (gnc::isWindowedContraction(op)) {
    // A kernel gradient (co, kh, kw, ci, n, oh, ow): blocks of broadcast rows (ci, contiguous
    // in the input) x vectors (co), each summed over a few steps of the innermost reduction
    // loop at a time (unrolled) and every other loop one step at a time. The outermost
    // reduction loop (the images) steps outside all blocks (the outer level): one image's
    // rows and output gradient (tens of KB) then stay in cache while every kernel tap and
    // block of the thread tile reads them; inside the blocks, the whole batch's gradient
    // (megabytes) would be streamed from memory once per block.
    s.vectorize = true;
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    unsigned vec = cast<AffineDimExpr>(maps[2].getResults().back()).getPosition();
    unsigned vecInput = maps[0].getResults().back() == maps[2].getResults().back() ? 0 : 1;
    unsigned row = cast<AffineDimExpr>(maps[1 - vecInput].getResults().back()).getPosition();
    auto iters = op.getIteratorTypesArray();
    int64_t reduction = 1;
    SmallVector<unsigned> reductions, candidates{row};
    for (unsigned i = 0; i < r.size(); ++i) {
      if (iters[i] == utils::IteratorType::reduction) {
        reduction *= r[i];
        reductions.push_back(i);
      } else if (i != row && i != vec) {
        candidates.push_back(i);
      }
    }
    candidates.push_back(vec);
    RegisterBlock b = registerBlock({r[row]}, {r[row]}, r[vec], reduction, regs);
    s.tile.assign(r.size(), 1);
    s.tile[row] = b.rows[0];
    s.tile[vec] = b.width;
    if (!reductions.empty()) {
      s.tile[reductions.back()] = largestDivisorAtMost(r[reductions.back()], 8);
      s.outer.assign(r.size(), 0);
      s.outer[reductions.front()] = 1;
    }
    // Each thread tile streams the whole batch's operands (megabytes) once, so as few tiles
    // as there are threads: with 8 (4 input channels each), the ConvAE's largest took 45 ms
    // per call under --profile, with 2 32 ms (both measured beside other builds).
    chooseThreadTiles(s, r, candidates, kWindowedTasks);
    return s;
  }
  if (gnc::isVectorizableGeneric(op)) {
    // Elementwise kernels and sums into a scalar: vectors along the innermost loop, every
    // other loop one at a time. A tile of two to four vectors per step keeps a body with a
    // polynomial exp or log within the registers and its chains independent; a sum carries
    // that many vectors of partial sums (blocked summation, deterministic for any thread
    // count). The outermost loop that has blocks to share goes to the threads; a sum splits
    // its one loop into partial sums per thread tile.
    int64_t inner = r.back(), width = 0;
    for (int64_t w : {4 * regs.lanes, 2 * regs.lanes, regs.lanes})
      if (inner % w == 0 && inner >= 2 * w) {
        width = w;
        break;
      }
    if (!width && inner % regs.lanes == 0)
      width = regs.lanes;
    if (width) {
      s.vectorize = true;
      s.tile.assign(r.size(), 1);
      s.tile.back() = width;
      SmallVector<unsigned> candidates;
      for (unsigned d = 0; d < r.size(); ++d)
        candidates.push_back(d);
      chooseThreadTiles(s, r, candidates);
      return s;
    }
  }
  s.vectorize = false;
  if (auto t = dyn_cast<linalg::TransposeOp>(op.getOperation())) {
    // A transpose reads along one loop and writes along another: walked in 16 x 16 blocks
    // of those two (every other loop one at a time), both stay within cache lines.
    ArrayRef<int64_t> perm = t.getPermutation();
    int64_t rank = (int64_t)perm.size(), out = rank - 1;
    int64_t in = std::find(perm.begin(), perm.end(), rank - 1) - perm.begin();
    if (in != out) {
      for (int64_t d = 0; d < rank; ++d)
        s.tile[d] = 1;
      // 8 x 8 blocks for 4-D transposes: every block row is a separate stream of memory
      // traffic, and 16 + 16 of them ran at two thirds of the speed of 8 + 8 (3.6 vs 5.4 GB/s
      // on the ConvAE's [32,29,29,128]).
      int64_t block = rank > 2 ? 8 : 16;
      s.tile[in] = largestDivisorAtMost(r[in], block);
      s.tile[out] = largestDivisorAtMost(r[out], block);
      // The two blocked loops outermost: the other loops then walk both operands' block rows a
      // few hundred bytes at a time, within the same pages. With a blocked loop innermost,
      // every 16 x 16 block of a 4-D transpose touched 32 new pages (a kernel gradient's
      // [128,29,29,32] -> [32,29,29,128] ran at 3.5 GB/s, TLB-bound).
      if (rank > 2) {
        s.order.push_back(std::min(in, out));
        s.order.push_back(std::max(in, out));
        for (int64_t d = 0; d < rank; ++d)
          if (d != in && d != out)
            s.order.push_back(d);
      }
      SmallVector<unsigned> candidates;
      for (int64_t d = 0; d < rank; ++d)
        candidates.push_back(d);
      chooseThreadTiles(s, r, candidates);
    }
    return s;
  }
  s.order = plainLoopOrder(op);
  splitLargeReduction(s, op, r);
  return s;
}

// A fill whose users are all vectorized kernels' accumulators is fused into each of their
// tiles by gnc-apply-schedules (every user computes its own zeros in registers): it is not a
// kernel of its own. CSE merges equal fills, so one fill often initializes several kernels.
bool isFusedInit(linalg::LinalgOp op) {
  if (!isa<linalg::FillOp>(op.getOperation()) || op->use_empty())
    return false;
  return llvm::all_of(op->getUses(), [](OpOperand &use) {
    auto user = dyn_cast<linalg::LinalgOp>(use.getOwner());
    return user && gnc::isVectorizableContraction(user) && user.isDpsInit(&use);
  });
}

struct GncSelectSchedulesPass : gnc::impl::GncSelectSchedulesBase<GncSelectSchedulesPass> {
  using GncSelectSchedulesBase::GncSelectSchedulesBase;

  // Schedules of a file, by kernel signature; an error names the file and the field. The
  // entries of transposed convolutions are gnc-select-algorithms', which has checked them.
  LogicalResult readFile(std::map<std::string, KernelSchedule> &out) {
    auto entries = gnc::readScheduleFile(&getContext(), schedulesFile);
    if (failed(entries))
      return failure();
    Location loc = gnc::scheduleFileLoc(&getContext(), schedulesFile);
    for (const auto &[name, entry] : *entries) {
      if (gnc::isTransposedConvSignature(name))
        continue;
      std::string error;
      FailureOr<KernelSchedule> s = KernelSchedule::fromJson(entry, error);
      if (failed(s))
        return mlir::emitError(loc) << "kernel '" << name << "': " << error;
      s->kernel = name;
      out[s->kernel] = *s;
    }
    return success();
  }

  void runOnOperation() override {
    std::map<std::string, KernelSchedule> fromFile;
    if (!schedulesFile.empty() && failed(readFile(fromFile)))
      return signalPassFailure();
    Registers regs{std::max<int64_t>(1, vectorBits / 32), vectorRegisters,
                   std::max<int64_t>(1, vectorRegisters * 3 / 4)};
    std::set<std::string> used;
    llvm::json::Object chosen;
    bool failedAny = false;
    // A file's errors, once per kernel, located in the file (not at each op using the kernel).
    std::map<std::string, std::string> fileErrors;
    Location fileLoc = gnc::scheduleFileLoc(&getContext(), schedulesFile);
    // Consumers computed in a contraction's register tiles (`epilogue`): no schedule of their own.
    llvm::DenseSet<Operation *> epilogues;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics() || isFusedInit(op))
        return;
      if (epilogues.count(op)) {
        // Its file entry, if any, schedules its instances that are kernels of their own.
        used.insert(gnc::kernelSignature(op));
        return;
      }
      KernelSchedule s = heuristicSchedule(op, regs);
      auto it = fromFile.find(s.kernel);
      if (it != fromFile.end()) {
        s = it->second;
        used.insert(s.kernel);
        if (std::string why = gnc::validateSchedule(op, s); !why.empty()) {
          fileErrors.emplace(s.kernel, why);
          return;
        }
      } else if (std::string why = gnc::validateSchedule(op, s); !why.empty()) {
        op->emitError() << "gnc-select-schedules: the heuristic's schedule of '" << s.kernel << "' is invalid: " << why;
        failedAny = true;
        return;
      }
      // `epilogue` holds where this instance has a consumer to compute (one kernel signature
      // may have one in one place and not in another); a consumer of two contractions (a sum
      // of two matmuls) is computed in the tiles of the first.
      KernelSchedule applied = s;
      if (applied.backend.empty())
        applied.backend = backend;
      // A Halide kernel computes no consumer in its tiles yet (docs/halide.md): the consumer
      // is a kernel of its own.
      if (applied.isHalide())
        applied.epilogue = false;
      if (applied.epilogue) {
        Operation *consumer = gnc::epilogueConsumer(op);
        applied.epilogue = consumer && !epilogues.count(consumer);
        if (applied.epilogue)
          epilogues.insert(consumer);
      }
      op->setAttr(gnc::kScheduleAttr, applied.toAttr(&getContext()));
      s.backend = applied.backend;
      chosen[s.kernel] = s.toJson();
    });
    for (auto &[name, s] : fromFile)
      if (!used.count(name))
        fileErrors.emplace(name, "no kernel of this program has this signature (gnc build --dump-schedules "
                                 "FILE lists them)");
    for (auto &[name, why] : fileErrors) {
      mlir::emitError(fileLoc) << "kernel '" << name << "': " << why;
      failedAny = true;
    }
    if (failedAny)
      return signalPassFailure();
    if (!dumpFile.empty()) {
      // The forms gnc-select-algorithms chose for transposed convolutions, beside the kernels.
      if (auto algorithms = getOperation()->getAttrOfType<DictionaryAttr>(gnc::kAlgorithmsAttr))
        for (NamedAttribute a : algorithms)
          if (auto name = dyn_cast<StringAttr>(a.getValue()))
            chosen[a.getName().str()] = llvm::json::Object{{"algorithm", name.getValue().str()}};
      std::error_code ec;
      llvm::raw_fd_ostream os(dumpFile, ec, llvm::sys::fs::OF_Text);
      if (ec) {
        emitError(getOperation().getLoc()) << dumpFile << ": cannot write: " << ec.message();
        return signalPassFailure();
      }
      os << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object{
                                       {"format", "gnc-schedules-1"}, {"kernels", std::move(chosen)}}))
         << "\n";
    }
  }
};

} // namespace
