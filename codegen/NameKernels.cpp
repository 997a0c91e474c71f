// gnc-name-kernels: every kernel named after what it computes and its output shape (see
// Passes.td), e.g. "conv2d_s2_7x7x64", "bias_relu_14x14x32", "sigmoid_bce_sum_28x28x1".
#include "codegen/Passes.h"
#include "codegen/Schedule.h"
#include "dialects/gn/GnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace gnc {
#define GEN_PASS_DEF_GNCNAMEKERNELS
#include "codegen/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

bool isConstant(Value v, double c) {
  FloatAttr::ValueType f(0.0);
  return matchPattern(v, m_ConstantFloat(&f)) && f.convertToDouble() == c;
}

template <typename OpT> OpT def(Value v) { return v.getDefiningOp<OpT>(); }

// The words of a generic op's body: idioms first (each consumes the ops it is made of), then a
// word per remaining arithmetic op, in body order, each word once.
class BodyWords {
public:
  explicit BodyWords(linalg::GenericOp g) : g(g) {}

  SmallVector<std::string> words() {
    Block &body = g.getRegion().front();
    bool philox = false, hasLog = false, hasCos = false;
    unsigned logs = 0;
    for (Operation &op : body) {
      philox |= isa<arith::MulUIExtendedOp>(op);
      hasCos |= isa<math::CosOp>(op);
      if (isa<math::LogOp>(op))
        hasLog = true, ++logs;
    }
    // Random numbers (Philox-4x32-10, dialects/gn/Philox.h): uniform, or normal by Box-Muller.
    if (philox)
      return {hasLog && hasCos ? "random_normal" : "random_uniform"};
    std::string reduction = reductionWord(body);
    // Binary cross-entropy: the two clamped logs of x*log(p) + (1-x)*log(1-p), and the
    // arithmetic around them up to the reduction.
    bool bce = logs >= 2;
    for (Operation &op : body.without_terminator())
      if (!consumed.contains(&op))
        matchIdiom(&op, bce);
    for (Operation &op : body.without_terminator()) {
      if (consumed.contains(&op))
        continue;
      if (auto it = idiomAt.find(&op); it != idiomAt.end()) {
        add(it->second);
        continue;
      }
      if (bce && (isa<math::LogOp>(op) || isBceArith(&op))) {
        if (isa<math::LogOp>(op))
          add("bce");
        continue;
      }
      if (std::string w = opWord(&op); !w.empty())
        add(w);
    }
    if (!reduction.empty())
      add(reduction);
    if (out.empty())
      add(copyWord());
    if (out.size() > 5) // a long fused chain: its first four steps and the rest elided
      out.resize(4), out.push_back("etc");
    return out;
  }

private:
  linalg::GenericOp g;
  llvm::DenseSet<Operation *> consumed;
  llvm::DenseMap<Operation *, std::string> idiomAt; // the idiom's first op -> its word
  SmallVector<std::string> out;

  void add(StringRef w) {
    if (!llvm::is_contained(out, w))
      out.push_back(w.str());
  }

  // A block argument of an input that is broadcast (its map drops loops): a bias.
  bool isBroadcastInput(Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    if (!arg || arg.getOwner() != &g.getRegion().front() || arg.getArgNumber() >= g.getNumDpsInputs())
      return false;
    AffineMap map = g.getMatchingIndexingMap(g.getDpsInputOperand(arg.getArgNumber()));
    return map.getNumResults() < map.getNumDims() && map.getNumResults() > 0;
  }

  void mark(Operation *first, StringRef word, std::initializer_list<Operation *> parts) {
    for (Operation *p : parts)
      if (p)
        consumed.insert(p);
    consumed.erase(first);
    idiomAt[first] = word.str();
  }

  static Operation *earliest(std::initializer_list<Operation *> ops) {
    Operation *e = nullptr;
    for (Operation *o : ops)
      if (o && (!e || o->isBeforeInBlock(e)))
        e = o;
    return e;
  }

  void matchIdiom(Operation *op, bool bce) {
    // sigmoid: 1 / (1 + exp(-x))
    if (auto div = dyn_cast<arith::DivFOp>(op); div && isConstant(div.getLhs(), 1.0)) {
      if (auto add = def<arith::AddFOp>(div.getRhs())) {
        Value e = isConstant(add.getLhs(), 1.0) ? add.getRhs() : add.getLhs();
        if (auto exp = def<math::ExpOp>(e))
          if (auto neg = def<arith::NegFOp>(exp.getOperand())) {
            Operation *first = earliest({neg, exp, add, div});
            mark(first, "sigmoid", {neg, exp, add, div});
            return;
          }
      }
    }
    // relu: max(x, 0)
    if (auto max = dyn_cast<arith::MaximumFOp>(op);
        max && (isConstant(max.getLhs(), 0.0) || isConstant(max.getRhs(), 0.0))) {
      mark(op, "relu", {op});
      return;
    }
    // relu's gradient: the upstream gradient where x > 0 (a compare and a select, times g)
    if (auto sel = dyn_cast<arith::SelectOp>(op); sel && def<arith::CmpFOp>(sel.getCondition())) {
      Operation *cmp = sel.getCondition().getDefiningOp();
      Operation *mul = nullptr;
      if (sel->hasOneUse() && isa<arith::MulFOp>(*sel->getUsers().begin()))
        mul = *sel->getUsers().begin();
      mark(earliest({cmp, sel}), "relu_grad", {cmp, sel, mul});
      return;
    }
    // bias: x + b with b broadcast along the other loops
    if (auto add = dyn_cast<arith::AddFOp>(op);
        add && isBroadcastInput(add.getLhs()) != isBroadcastInput(add.getRhs())) {
      mark(op, "bias", {op});
      return;
    }
    // an exponential moving average a*m + b*g, or of g*g (an optimizer's moments)
    if (auto add = dyn_cast<arith::AddFOp>(op); add && !bce) {
      auto l = def<arith::MulFOp>(add.getLhs()), r = def<arith::MulFOp>(add.getRhs());
      if (l && r) {
        auto square = [](arith::MulFOp m) -> Operation * {
          for (Value v : {m.getLhs(), m.getRhs()})
            if (auto sq = def<arith::MulFOp>(v); sq && sq.getLhs() == sq.getRhs())
              return sq;
          return nullptr;
        };
        Operation *sq = square(l) ? square(l) : square(r);
        mark(earliest({l, r, sq, add}), sq ? "ema_square" : "ema", {l, r, sq, add});
        return;
      }
    }
    // a step scaled by a root mean square, p - lr * m / (sqrt(v) [/ c] + eps) (Adam, RMSprop)
    if (auto div = dyn_cast<arith::DivFOp>(op)) {
      if (auto add = def<arith::AddFOp>(div.getRhs()))
        for (Value v : {add.getLhs(), add.getRhs()}) {
          Operation *scaled = v.getDefiningOp<arith::DivFOp>();
          if (!scaled)
            scaled = v.getDefiningOp<arith::MulFOp>();
          auto sq = def<math::SqrtOp>(scaled ? scaled->getOperand(0) : v);
          if (!sq)
            continue;
          // the learning rate's product and the subtraction from the parameter
          Operation *mul = div->hasOneUse() ? *div->getUsers().begin() : nullptr;
          mul = isa_and_nonnull<arith::MulFOp>(mul) ? mul : nullptr;
          Operation *subf = mul && mul->hasOneUse() ? *mul->getUsers().begin() : nullptr;
          subf = isa_and_nonnull<arith::SubFOp>(subf) ? subf : nullptr;
          mark(earliest({sq, scaled, add, div}), "rms_step", {sq, scaled, add, div, mul, subf});
          return;
        }
    }
  }

  // The arithmetic between BCE's logs and its reduction (clamps, 1 - x, products, the sum).
  static bool isBceArith(Operation *op) {
    return isa<arith::MaximumFOp, arith::SubFOp, arith::MulFOp, arith::AddFOp, arith::NegFOp>(op);
  }

  // "sum" when the body accumulates into its output across reduction loops.
  std::string reductionWord(Block &body) {
    if (g.getNumReductionLoops() == 0)
      return "";
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    for (Value v : yield.getValues()) {
      Operation *acc = v.getDefiningOp();
      if (!acc)
        continue;
      for (Value operand : acc->getOperands())
        if (auto arg = dyn_cast<BlockArgument>(operand); arg && arg.getArgNumber() >= g.getNumDpsInputs()) {
          consumed.insert(acc);
          if (isa<arith::AddFOp>(acc))
            return "sum";
          if (isa<arith::MaximumFOp>(acc))
            return "max";
          return "reduce";
        }
    }
    return "reduce";
  }

  static std::string opWord(Operation *op) {
    if (isa<arith::ConstantOp, arith::IndexCastOp, arith::IndexCastUIOp, arith::ExtFOp, arith::TruncFOp,
            arith::SIToFPOp, arith::UIToFPOp, arith::FPToSIOp, arith::BitcastOp, linalg::IndexOp>(op))
      return "";
    static const llvm::StringMap<const char *> words = {
        {"arith.addf", "add"}, {"arith.subf", "sub"}, {"arith.mulf", "mul"}, {"arith.divf", "div"},
        {"arith.maximumf", "max"}, {"arith.minimumf", "min"}, {"arith.negf", "neg"}, {"arith.cmpf", "cmp"},
        {"arith.select", "select"}, {"arith.addi", "addi"}, {"arith.muli", "muli"}};
    auto it = words.find(op->getName().getStringRef());
    if (it != words.end())
      return it->second;
    return op->getName().stripDialect().str(); // exp, log, sqrt, tanh, ...
  }

  // A body that only moves values: a broadcast when an input drops loops, else a copy.
  std::string copyWord() {
    for (OpOperand *in : g.getDpsInputOperands()) {
      AffineMap m = g.getMatchingIndexingMap(in);
      if (m.getNumResults() < m.getNumDims())
        return "broadcast";
    }
    return "copy";
  }
};

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string s;
  for (int64_t d : shape)
    s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

// "s2" for 2x2, "s1x4" for 1x4; empty for 1x1.
std::string pairText(char prefix, DenseIntElementsAttr attr) {
  auto v = attr.getValues<int64_t>();
  if (v[0] == 1 && v[1] == 1)
    return "";
  return std::string(1, prefix) + (v[0] == v[1] ? std::to_string(v[0]) : std::to_string(v[0]) + "x" + std::to_string(v[1]));
}

// What a convolution computes: conv2d, its stride, dilation and window when not 3x3.
template <typename ConvOp> std::string convWords(ConvOp conv, StringRef base) {
  auto kernelShape = cast<ShapedType>(conv.getDpsInputOperand(1)->get().getType()).getShape();
  std::string s = base.str();
  for (std::string part : {pairText('s', conv.getStrides()), pairText('d', conv.getDilations())})
    if (!part.empty())
      s += "_" + part;
  if (kernelShape[0] != 3 || kernelShape[1] != 3)
    s += "_k" + std::to_string(kernelShape[0]) + "x" + std::to_string(kernelShape[1]);
  return s;
}

std::string describe(linalg::LinalgOp op) {
  Operation *o = op.getOperation();
  if (auto c = dyn_cast<linalg::Conv2DNhwcHwcfOp>(o))
    return convWords(c, "conv2d");
  if (auto c = dyn_cast<linalg::DepthwiseConv2DNhwcHwcOp>(o))
    return convWords(c, "dwconv2d");
  if (auto f = dyn_cast<linalg::FillOp>(o)) {
    FloatAttr::ValueType v(0.0);
    if (matchPattern(f.value(), m_ConstantFloat(&v)) && v.isZero())
      return "zero";
    return "fill";
  }
  if (gnc::isWindowedContraction(op)) {
    // A kernel gradient: its windows' strides (the forward convolution's) and dilations.
    int64_t stride = 1, dilation = 1;
    auto iters = op.getIteratorTypesArray();
    for (AffineMap m : op.getIndexingMapsArray())
      for (AffineExpr e : m.getResults())
        if (auto terms = *gnc::windowTerms(e); terms.size() > 1)
          for (auto [loop, step] : terms)
            (iters[loop] == utils::IteratorType::reduction ? stride : dilation) = step;
    std::string s = "conv2d_filter_grad";
    if (stride != 1)
      s += "_s" + std::to_string(stride);
    if (dilation != 1)
      s += "_d" + std::to_string(dilation);
    // The output gradient's pixels (the reduction loops after the batch): kernel gradients of
    // equal shape differ in them.
    SmallVector<int64_t> pixels;
    for (auto [extent, it] : llvm::zip_equal(op.getStaticLoopRanges(), iters))
      if (it == utils::IteratorType::reduction)
        pixels.push_back(extent);
    if (pixels.size() > 1)
      s += "_" + shapeText(ArrayRef<int64_t>(pixels).drop_front());
    return s;
  }
  if (auto g = dyn_cast<linalg::GenericOp>(o))
    return llvm::join(BodyWords(g).words(), "_");
  if (isa<linalg::MatmulOp>(o)) // with its reduction's length: the output alone is ambiguous
    return "matmul_k" + std::to_string(op.getStaticLoopRanges().back());
  return o->getName().stripDialect().str(); // matmul, transpose, copy, broadcast, ...
}

// The output's shape without the batch; a reduction into a scalar is named by what it reads.
std::string shapeOf(linalg::LinalgOp op, int64_t batch) {
  auto shapeOfValue = [&](Value v) -> SmallVector<int64_t> {
    auto t = dyn_cast<ShapedType>(v.getType());
    if (!t)
      return {};
    SmallVector<int64_t> s(t.getShape());
    if (s.size() > 1 && s.front() == batch)
      s.erase(s.begin());
    return s;
  };
  SmallVector<int64_t> s = shapeOfValue(op.getDpsInitOperand(0)->get());
  if (s.empty() && op.getNumDpsInputs() > 0) {
    for (OpOperand *in : op.getDpsInputOperands())
      if (auto t = dyn_cast<ShapedType>(in->get().getType()); t && t.getRank() > 0)
        return "of_" + shapeText(shapeOfValue(in->get()));
  }
  return shapeText(s);
}

struct GncNameKernelsPass : gnc::impl::GncNameKernelsBase<GncNameKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t batch = 0;
    if (auto b = mlir::gn::GnDialect::BatchAttrHelper(&getContext()).getAttr(module))
      batch = b.getInt();
    // One name per signature; a second signature with the same name gets _2, _3, ...
    llvm::StringMap<std::string> bySignature;
    llvm::StringSet<> taken;
    module.walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics() || op.getNumDpsInits() == 0)
        return;
      std::string signature = gnc::kernelSignature(op);
      auto [it, fresh] = bySignature.try_emplace(signature);
      if (fresh) {
        std::string what = describe(op), shape = shapeOf(op, batch);
        std::string base = shape.empty() ? what : what + "_" + shape;
        std::string name = base;
        for (unsigned n = 2; taken.contains(name); ++n)
          name = base + "_" + std::to_string(n);
        taken.insert(name);
        it->second = name;
      }
      op->setAttr(gnc::kKernelNameAttr, StringAttr::get(&getContext(), it->second));
    });
  }
};

} // namespace
