// gn-autodiff: reverse-mode differentiation of gn.minimize, optimizer updates, and explicit
// program state (see Passes.td for the resulting function ABI).
#include "passes/Passes.h"

#include "passes/FlatAllReduce.h"
#include "passes/OptimizerUpdates.h"

#include "dialects/gn/GnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

namespace gnc {
#define GEN_PASS_DEF_GNAUTODIFF
#include "passes/Passes.h.inc"
} // namespace gnc

using namespace mlir;
using namespace mlir::gn;

namespace {

bool isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getElementType().isF32();
}

// Gradients of the scalar `loss` with respect to `wrt`, emitted before `at`. Only the ops
// between the start of the block and `at` that lie on a path from some `wrt` value to the
// loss are differentiated; reused values sum their gradients.
FailureOr<SmallVector<Value>> reverseMode(Operation *at, Value loss, ArrayRef<Value> wrt) {
  Block *block = at->getBlock();
  llvm::DenseSet<Value> active(wrt.begin(), wrt.end());
  SmallVector<Operation *> ops;
  for (Operation &op : *block) {
    if (&op == at)
      break;
    ops.push_back(&op);
    if (isa<StopGradientOp>(op))
      continue;
    bool anyActive = llvm::any_of(op.getOperands(), [&](Value v) { return active.contains(v); });
    // Values captured by nested regions count as operands.
    op.walk([&](Operation *inner) {
      for (Value v : inner->getOperands())
        anyActive |= active.contains(v);
    });
    if (anyActive)
      for (Value r : op.getResults())
        if (isFloatTensor(r))
          active.insert(r);
  }

  OpBuilder b(at);
  llvm::DenseMap<Value, Value> adjoint;
  auto scalarType = RankedTensorType::get({}, b.getF32Type());
  adjoint[loss] = ConstantOp::create(b, at->getLoc(), DenseElementsAttr::get(scalarType, 1.0f));
  for (Operation *op : llvm::reverse(ops)) {
    if (op->getNumResults() != 1)
      continue;
    auto it = adjoint.find(op->getResult(0));
    if (it == adjoint.end())
      continue;
    SmallVector<bool> needed;
    for (Value v : op->getOperands())
      needed.push_back(active.contains(v) && isFloatTensor(v));
    if (!llvm::is_contained(needed, true))
      continue;
    auto diff = dyn_cast<DifferentiableOpInterface>(op);
    if (!diff)
      return op->emitOpError("has no gradient rule, but the loss at ")
             << at->getLoc() << " depends on it through trainable parameters";
    SmallVector<Value> grads;
    if (failed(diff.vjp(b, it->second, needed, grads)))
      return failure();
    if (grads.size() != op->getNumOperands())
      return op->emitOpError("gradient rule returned ")
             << grads.size() << " gradients for " << op->getNumOperands() << " operands";
    for (auto [operand, grad, need] : llvm::zip(op->getOperands(), grads, needed)) {
      if (!need || !grad)
        continue;
      Value &acc = adjoint[operand];
      acc = acc ? AddOp::create(b, op->getLoc(), acc, grad).getResult() : grad;
    }
  }
  SmallVector<Value> result;
  for (Value w : wrt) {
    Value g = adjoint.lookup(w);
    if (!g) // a parameter the loss does not reach (e.g. an unused bias): zero gradient
      g = ConstantOp::create(b, at->getLoc(),
                             DenseElementsAttr::get(cast<RankedTensorType>(w.getType()), 0.0f));
    result.push_back(g);
  }
  return result;
}

struct GnAutodiffPass : gnc::impl::GnAutodiffBase<GnAutodiffPass> {
  ModuleOp module;
  SmallVector<ParamOp> state;            // every state tensor, in module order
  llvm::StringMap<size_t> stateIndex;    // name -> position in `state`
  // Per minimize op: its optimizer's state names (per parameter, per slot) and step counter.
  llvm::DenseMap<Operation *, std::vector<std::vector<std::string>>> slotNames;
  llvm::DenseMap<Operation *, std::string> stepName;

  void runOnOperation() override {
    module = getOperation();
    // Ops of the later stages (gn-transposed-conv-to-conv's) have no gradient rules: a module
    // holding one has been through those passes already, or was written out of order.
    WalkResult late = module.walk([](Operation *op) {
      if (!op->hasTrait<AfterAutodiff>())
        return WalkResult::advance();
      op->emitOpError("is created after gn-autodiff (by gn-transposed-conv-to-conv) and has no gradient "
                      "rule; differentiate gn.conv2d_transpose instead");
      return WalkResult::interrupt();
    });
    if (late.wasInterrupted())
      return signalPassFailure();
    if (!declareOptimizerState())
      return signalPassFailure();
    for (auto p : module.getOps<ParamOp>()) {
      stateIndex[p.getSymName()] = state.size();
      state.push_back(p);
    }
    for (auto fn : llvm::to_vector(module.getOps<func::FuncOp>())) {
      std::optional<FunctionKind> kind = getFunctionKind(fn);
      if (!kind || *kind == FunctionKind::Net)
        continue;
      if (*kind == FunctionKind::Train) {
        // NAME_eval: the same losses without the updates, for measuring a test set.
        OpBuilder b(fn);
        b.setInsertionPointAfter(fn);
        auto eval = cast<func::FuncOp>(b.clone(*fn));
        eval.setSymName((fn.getSymName() + "_eval").str());
        setFunctionKind(eval, FunctionKind::Eval);
        if (failed(functionalize(eval, Mode::Eval)))
          return signalPassFailure();
      }
      if (failed(functionalize(fn, *kind == FunctionKind::Train ? Mode::Train : Mode::Read)))
        return signalPassFailure();
    }
    createInit();
  }

  // Zero-initialised gn.params for every minimize's optimizer state, after the parameters.
  bool declareOptimizerState() {
    OpBuilder b(module.getContext());
    Operation *last = nullptr;
    for (auto p : module.getOps<ParamOp>())
      last = p;
    if (last)
      b.setInsertionPointAfter(last);
    else
      b.setInsertionPointToStart(module.getBody());
    int k = 0;
    bool ok = true;
    auto declare = [&](Location loc, const std::string &name, RankedTensorType t) {
      auto p = ParamOp::create(b, loc, name, t, "zeros", FloatAttr());
      GnDialect::OptimizerStateAttrHelper(b.getContext()).setAttr(p, b.getUnitAttr());
    };
    module.walk([&](MinimizeOp op) {
      std::string prefix = "opt" + std::to_string(k++) + ".";
      std::vector<std::string> slots = gnc::optimizerSlots(op);
      auto &names = slotNames[op];
      for (Attribute a : op.getParams()) {
        StringRef pname = cast<FlatSymbolRefAttr>(a).getValue();
        auto param = module.lookupSymbol<ParamOp>(pname);
        if (!param) {
          op.emitOpError("refers to an unknown parameter @") << pname;
          ok = false;
          return;
        }
        names.emplace_back();
        for (const std::string &slot : slots) {
          std::string n = prefix + pname.str() + "." + slot;
          declare(op.getLoc(), n, cast<RankedTensorType>(param.getType()));
          names.back().push_back(n);
        }
      }
      stepName[op] = prefix + "step";
      declare(op.getLoc(), stepName[op], RankedTensorType::get({}, b.getF32Type()));
    });
    return ok;
  }

  // Adds the state as arguments; replaces gn.param_ref by the current value; differentiates
  // and applies every gn.minimize; a train function returns the final state after its losses.
  // Train: differentiate and apply each minimize, return the new state after the results.
  // Eval: drop each minimize (the losses stay the results). Read: no minimize allowed.
  enum class Mode { Train, Eval, Read };
  LogicalResult functionalize(func::FuncOp fn, Mode mode) {
    bool train = mode == Mode::Train;
    Block &entry = fn.getBody().front();
    unsigned firstState = entry.getNumArguments();
    SmallVector<Value> current;
    for (ParamOp p : state)
      current.push_back(entry.addArgument(p.getType(), p.getLoc()));
    // Function attributes are sized by the type: update it before naming the new arguments.
    fn.setFunctionType(FunctionType::get(&getContext(), entry.getArgumentTypes(),
                                         fn.getFunctionType().getResults()));
    for (auto [i, p] : llvm::enumerate(state))
      fn.setArgAttr(firstState + i, GnDialect::StateAttrHelper::getNameStr(),
                    StringAttr::get(&getContext(), p.getSymName()));
    auto valueOf = [&](ParamRefOp ref) { return current[stateIndex.lookup(ref.getName())]; };

    for (Operation &op : llvm::make_early_inc_range(entry)) {
      if (auto ref = dyn_cast<ParamRefOp>(op)) {
        ref.replaceAllUsesWith(valueOf(ref));
        ref.erase();
        continue;
      }
      // Reads nested in loops see the values current at the loop.
      op.walk([&](ParamRefOp ref) {
        ref.replaceAllUsesWith(valueOf(ref));
        ref.erase();
      });
      auto min = dyn_cast<MinimizeOp>(op);
      if (!min)
        continue;
      if (mode == Mode::Eval) {
        min.erase();
        continue;
      }
      if (!train)
        return min.emitOpError("is only allowed in train functions");
      SmallVector<Value> wrt;
      SmallVector<size_t> idx;
      for (Attribute a : min.getParams()) {
        idx.push_back(stateIndex.lookup(cast<FlatSymbolRefAttr>(a).getValue()));
        wrt.push_back(current[idx.back()]);
      }
      auto grads = reverseMode(min, min.getLoss(), wrt);
      if (failed(grads))
        return failure();
      OpBuilder b(min);
      Location loc = min.getLoc();
      // gn-data-parallel's decision: this minimize's gradients summed or averaged over the
      // processes, as one message, before the update reads them.
      if (auto r = GnDialect::GradientReductionAttrHelper(&getContext()).getAttr(min))
        *grads = gnc::emitFlatAllReduce(b, loc, *grads, *symbolizeProcessReduction(r.getValue()));
      size_t stepIdx = stateIndex.lookup(stepName[min]);
      auto scalar = RankedTensorType::get({}, b.getF32Type());
      Value step = AddOp::create(b, loc, current[stepIdx],
                                 ConstantOp::create(b, loc, DenseElementsAttr::get(scalar, 1.0f)));
      current[stepIdx] = step;
      for (size_t i = 0; i < wrt.size(); ++i) {
        SmallVector<Value> slots, newSlots;
        for (const std::string &n : slotNames[min][i])
          slots.push_back(current[stateIndex.lookup(n)]);
        current[idx[i]] = gnc::emitOptimizerUpdate(b, loc, min, wrt[i], (*grads)[i], slots, step, newSlots);
        for (auto [n, v] : llvm::zip(slotNames[min][i], newSlots))
          current[stateIndex.lookup(n)] = v;
      }
      min.erase();
    }

    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    if (train)
      ret->insertOperands(ret.getNumOperands(), current);
    fn.setFunctionType(FunctionType::get(&getContext(), entry.getArgumentTypes(),
                                         ret.getOperandTypes()));
    if (train)
      for (auto [i, p] : llvm::enumerate(state))
        fn.setResultAttr(ret.getNumOperands() - state.size() + i,
                         GnDialect::StateAttrHelper::getNameStr(),
                         StringAttr::get(&getContext(), p.getSymName()));
    return success();
  }

  // @init(key) -> state: the initial values, drawn as each gn.param's `init` says.
  void createInit() {
    OpBuilder b(module.getContext());
    b.setInsertionPointToEnd(module.getBody());
    Location loc = module.getLoc();
    auto keyType = RankedTensorType::get({2}, b.getI32Type());
    SmallVector<Type> types;
    for (ParamOp p : state)
      types.push_back(p.getType());
    auto fn = func::FuncOp::create(b, loc, "init", b.getFunctionType({keyType}, types));
    setFunctionKind(fn, FunctionKind::Init);
    Block *entry = fn.addEntryBlock();
    b.setInsertionPointToStart(entry);
    Value key = entry->getArgument(0);
    int64_t stream = 0;
    module.walk([&](Operation *op) {
      if (auto s = op->getAttrOfType<IntegerAttr>("stream"))
        stream = std::max(stream, s.getInt() + 1);
    });
    SmallVector<Value> values;
    for (auto [i, p] : llvm::enumerate(state)) {
      auto t = cast<RankedTensorType>(p.getType());
      StringRef init = p.getInit();
      double scale = p.getScale() ? p.getScale()->convertToDouble() : 0;
      Value v;
      if (init == "uniform")
        v = UniformOp::create(b, p.getLoc(), t, key, stream++, llvm::APFloat(-scale), llvm::APFloat(scale));
      else if (init == "normal")
        v = NormalOp::create(b, p.getLoc(), t, key, stream++, llvm::APFloat(0.0), llvm::APFloat(scale));
      else
        v = ConstantOp::create(b, p.getLoc(), DenseElementsAttr::get(t, init == "ones" ? 1.0f : 0.0f));
      values.push_back(v);
      fn.setResultAttr(i, GnDialect::StateAttrHelper::getNameStr(), b.getStringAttr(p.getSymName()));
    }
    func::ReturnOp::create(b, loc, values);
  }
};

} // namespace
