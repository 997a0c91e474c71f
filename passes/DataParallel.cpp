// gn-data-parallel: a train step as one process's share of a data-parallel step (Passes.td).
//
// Each process runs the same program on its own rows of the global batch; what makes the
// processes one training run is decided here, from the IR:
//   - the values that depend on the process's rows ("per-example" values): the data
//     arguments, and random tensors whose leading dimension is the batch, which get gn.shard
//     so that process r draws rows r*B.. of the global batch's random numbers;
//   - how each scalar reduces the batch: a mean over the batch (a loss with reduction mean or
//     batch, gn.mean, a sum divided by the constant B) or a sum (reduction sum, gn.sum), kept
//     through linear arithmetic with per-process-identical values;
//   - that nothing else mixes examples (a statistic over the batch used per example, as
//     linear_ae's centring does, would differ per process): that is an error.
// Each gn.minimize then gets gn.gradient_reduction ("mean" for a mean loss: the global
// gradient is the mean of the processes'; "sum" for a sum), which gn-autodiff realizes as
// one gn.all_reduce of all the minimize's gradients between gradient and update. The losses a
// train function returns are all-reduced the same way, so that every process reports the
// global batch's losses (and the eval function gn-autodiff clones from it, the test loss).
//
// Why before gn-autodiff and not after: gn-autodiff emits each gradient and, right after it,
// the optimizer update that consumes it; the gradients are no longer identifiable afterwards.
// So this pass decides (as gnc-select-algorithms decides for gn-transposed-conv-to-conv) and
// gn-autodiff places the collective where gradients meet updates.
#include "passes/Passes.h"

#include "passes/FlatAllReduce.h"

#include "dialects/gn/GnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace gnc {
#define GEN_PASS_DEF_GNDATAPARALLEL
#include "passes/Passes.h.inc"
} // namespace gnc

using namespace mlir;
using namespace mlir::gn;

namespace {

// How a per-example scalar depends on the batch.
enum class BatchReduction { Mean, Sum, Other };

const char *describe(BatchReduction r) {
  switch (r) {
  case BatchReduction::Mean: return "a mean over the batch";
  case BatchReduction::Sum: return "a sum over the batch";
  case BatchReduction::Other: break;
  }
  return "neither a mean nor a sum over the batch";
}

bool isScalar(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getRank() == 0;
}

bool isKey(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getRank() == 1 && t.getDimSize(0) == 2 && t.getElementType().isInteger(32);
}

bool isConstantEqualTo(Value v, double x) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() || !attr.getElementType().isF32())
    return false;
  return attr.getSplatValue<APFloat>().convertToDouble() == x;
}

bool reducesAxis0(ArrayRef<int64_t> axes) { return axes.empty() || llvm::is_contained(axes, 0); }

struct GnDataParallelPass : gnc::impl::GnDataParallelBase<GnDataParallelPass> {
  int64_t batch = 0;
  llvm::DenseSet<Value> perExample;                 // depends on this process's rows
  llvm::DenseMap<Value, BatchReduction> reductions; // per-example scalars

  void runOnOperation() override {
    ModuleOp module = getOperation();
    IntegerAttr b = GnDialect::BatchAttrHelper(&getContext()).getAttr(module);
    if (!b) {
      module.emitError("gn-data-parallel needs the module's gn.batch");
      return signalPassFailure();
    }
    batch = b.getInt();
    for (auto fn : module.getOps<func::FuncOp>())
      if (getFunctionKind(fn) == FunctionKind::Train && failed(runOnTrain(fn)))
        return signalPassFailure();
  }

  LogicalResult runOnTrain(func::FuncOp fn) {
    perExample.clear();
    reductions.clear();
    Block &entry = fn.getBody().front();
    for (BlockArgument a : entry.getArguments())
      if (!isKey(a))
        perExample.insert(a);
    for (Operation &op : entry) {
      if (!op.getRegions().empty() && !isa<func::ReturnOp>(op))
        return op.emitOpError("in a train step is not supported by gn-data-parallel");
      if (failed(visit(&op)))
        return failure();
    }
    // The gradients of each minimize, reduced as its loss is.
    for (auto min : entry.getOps<MinimizeOp>()) {
      BatchReduction r = reductionOf(min.getLoss());
      if (r == BatchReduction::Other)
        return min.emitOpError("cannot be data-parallel: its loss is ")
               << describe(r)
               << ", so the global batch's gradient is not a sum or mean of the processes'";
      GnDialect::GradientReductionAttrHelper(&getContext())
          .setAttr(min, StringAttr::get(&getContext(), r == BatchReduction::Sum ? "sum" : "mean"));
    }
    // The returned losses, grouped by reduction: at most two small messages per step.
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    ArrayAttr names = GnDialect::LossesAttrHelper(&getContext()).getAttr(fn);
    unsigned numLosses = names ? names.size() : 0;
    OpBuilder builder(ret);
    for (BatchReduction r : {BatchReduction::Mean, BatchReduction::Sum}) {
      SmallVector<unsigned> idx;
      SmallVector<Value> vals;
      for (unsigned i = 0; i < numLosses && i < ret.getNumOperands(); ++i) {
        Value v = ret.getOperand(i);
        if (!perExample.contains(v))
          continue; // the same on every process
        BatchReduction vr = reductionOf(v);
        if (vr == BatchReduction::Other)
          return ret.emitOpError("returns loss '")
                 << cast<StringAttr>(names[i]).getValue() << "', which is " << describe(vr)
                 << ": gn-data-parallel cannot combine the processes' values";
        if (vr == r) {
          idx.push_back(i);
          vals.push_back(v);
        }
      }
      auto reduced = gnc::emitFlatAllReduce(
          builder, ret.getLoc(), vals,
          r == BatchReduction::Sum ? ProcessReduction::Sum : ProcessReduction::Mean);
      for (auto [i, v] : llvm::zip(idx, reduced))
        ret.setOperand(i, v);
    }
    return success();
  }

  BatchReduction reductionOf(Value v) {
    if (!perExample.contains(v))
      return BatchReduction::Mean; // identical on every process: the mean of the copies is it
    auto it = reductions.find(v);
    return it == reductions.end() ? BatchReduction::Other : it->second;
  }

  // Propagates per-example-ness through `op` and classifies its per-example scalars.
  LogicalResult visit(Operation *op) {
    if (isa<NormalOp, UniformOp, RandintOp, DropoutMaskOp>(op)) {
      auto t = cast<RankedTensorType>(op->getResult(0).getType());
      if (t.getRank() > 0 && t.getDimSize(0) == batch) {
        GnDialect::ShardAttrHelper(&getContext()).setAttr(op, UnitAttr::get(&getContext()));
        perExample.insert(op->getResult(0));
      }
      return success();
    }
    if (isa<MinimizeOp, func::ReturnOp>(op))
      return success();
    SmallVector<Value> inputs;
    for (Value v : op->getOperands())
      if (perExample.contains(v))
        inputs.push_back(v);
    if (inputs.empty())
      return success();
    for (Value r : op->getResults())
      perExample.insert(r);
    if (op->getNumResults() != 1)
      return op->emitOpError("has several results; gn-data-parallel does not know how it uses the batch");
    Value result = op->getResult(0);
    auto mixes = [&](const Twine &how) {
      return op->emitOpError("mixes the examples of the batch (")
             << how
             << "): with data parallelism each process sees only its own rows, so this would "
                "differ from one process training on the whole batch";
    };
    // A statistic over the batch must end in the loss, never flow back into examples.
    for (Value v : inputs)
      if (isScalar(v) && !isScalar(result))
        return mixes("a value reduced over the batch is used per example");
    if (!isScalar(result)) {
      if (auto red = dyn_cast<SumOp>(op); red && reducesAxis0(red.getAxes()))
        return mixes("a sum over the batch that is not the loss");
      if (auto red = dyn_cast<MeanOp>(op); red && reducesAxis0(red.getAxes()))
        return mixes("a mean over the batch that is not the loss");
      if (auto tr = dyn_cast<TransposeOp>(op); tr && tr.getPerm()[0] != 0)
        return mixes("a transpose moves the batch dimension");
      if (auto mm = dyn_cast<MatmulOp>(op); mm && perExample.contains(mm.getOperand(1)))
        return mixes("a product contracts over the batch");
      if (auto g = dyn_cast<GatherOp>(op); g && perExample.contains(g.getTable()))
        return mixes("a table indexed per example is itself per example");
      if (cast<RankedTensorType>(result.getType()).getDimSize(0) != batch)
        return mixes("its result's leading dimension is not the batch");
      for (Value v : inputs)
        if (cast<RankedTensorType>(v.getType()).getDimSize(0) != batch)
          return mixes("an operand's leading dimension is not the batch");
      return success();
    }
    reductions[result] = classify(op, inputs);
    return success();
  }

  BatchReduction classify(Operation *op, ArrayRef<Value> inputs) {
    using R = BatchReduction;
    auto fromLoss = [](Reduction r) { return r == Reduction::Sum ? R::Sum : R::Mean; };
    if (auto l = dyn_cast<MseOp>(op))
      return fromLoss(l.getReduction());
    if (auto l = dyn_cast<BceOp>(op))
      return fromLoss(l.getReduction());
    if (auto l = dyn_cast<BceWithLogitsOp>(op))
      return fromLoss(l.getReduction());
    if (auto l = dyn_cast<KlNormalOp>(op))
      return fromLoss(l.getReduction());
    // A scalar reduced from per-example rows (every axis, the batch's included).
    if (isa<SumOp>(op) && !isScalar(op->getOperand(0)))
      return R::Sum;
    if (isa<MeanOp>(op) && !isScalar(op->getOperand(0)))
      return R::Mean;
    if (isa<NegOp, ReshapeOp, BroadcastOp, StopGradientOp, SumOp, MeanOp>(op))
      return reductionOf(op->getOperand(0));
    if (isa<AddOp, SubOp>(op)) {
      R a = reductionOf(op->getOperand(0)), b = reductionOf(op->getOperand(1));
      if (inputs.size() == 2)
        return a == b ? a : R::Other;
      // Adding a per-process-identical value to a mean keeps a mean; to a sum it would be
      // counted once per process.
      R r = perExample.contains(op->getOperand(0)) ? a : b;
      return r == R::Mean ? R::Mean : R::Other;
    }
    if (isa<MulOp>(op))
      return inputs.size() == 1 ? reductionOf(inputs[0]) : R::Other;
    if (isa<DivOp>(op)) {
      if (perExample.contains(op->getOperand(1)))
        return R::Other;
      R a = reductionOf(op->getOperand(0));
      // sum(...) / B, the mean per example written by hand (sparse_ae, contractive_ae).
      if (a == R::Sum && isConstantEqualTo(op->getOperand(1), (double)batch))
        return R::Mean;
      return a;
    }
    return R::Other;
  }
};

} // namespace
