#include "codegen/Schedule.h"

#include "dialects/gn/GnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/Hashing.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>

using namespace mlir;

namespace gnc {

namespace {

ArrayAttr i64Array(Builder &b, ArrayRef<int64_t> v) { return b.getI64ArrayAttr(v); }

FailureOr<SmallVector<int64_t>> i64List(Attribute a) {
  SmallVector<int64_t> out;
  auto arr = dyn_cast_or_null<ArrayAttr>(a);
  if (!arr)
    return failure();
  for (Attribute e : arr) {
    auto i = dyn_cast<IntegerAttr>(e);
    if (!i)
      return failure();
    out.push_back(i.getInt());
  }
  return out;
}

std::string listText(ArrayRef<int64_t> v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleave(v, os, ",");
  os << "]";
  return s;
}

} // namespace

DictionaryAttr KernelSchedule::toAttr(MLIRContext *ctx) const {
  Builder b(ctx);
  SmallVector<NamedAttribute> fields{b.getNamedAttr("kernel", b.getStringAttr(kernel)),
                                     b.getNamedAttr("vectorize", b.getBoolAttr(vectorize)),
                                     b.getNamedAttr("parallel", i64Array(b, parallel)),
                                     b.getNamedAttr("tile", i64Array(b, tile))};
  if (!outer.empty())
    fields.push_back(b.getNamedAttr("outer", i64Array(b, outer)));
  if (!order.empty())
    fields.push_back(b.getNamedAttr("order", i64Array(b, order)));
  if (epilogue)
    fields.push_back(b.getNamedAttr("epilogue", b.getBoolAttr(true)));
  if (!backend.empty() && backend != kLLVMBackend)
    fields.push_back(b.getNamedAttr("backend", b.getStringAttr(backend)));
  return b.getDictionaryAttr(fields);
}

FailureOr<KernelSchedule> KernelSchedule::fromAttr(DictionaryAttr attr) {
  KernelSchedule s;
  auto kernel = attr.getAs<StringAttr>("kernel");
  auto vec = attr.getAs<BoolAttr>("vectorize");
  auto parallel = i64List(attr.get("parallel"));
  auto tile = i64List(attr.get("tile"));
  if (!kernel || !vec || failed(parallel) || failed(tile))
    return failure();
  s.kernel = kernel.str();
  s.vectorize = vec.getValue();
  s.parallel = *parallel;
  s.tile = *tile;
  if (Attribute o = attr.get("order")) {
    auto order = i64List(o);
    if (failed(order))
      return failure();
    s.order = *order;
  }
  if (Attribute o = attr.get("outer")) {
    auto outer = i64List(o);
    if (failed(outer))
      return failure();
    s.outer = *outer;
  }
  if (Attribute e = attr.get("epilogue")) {
    auto b = dyn_cast<BoolAttr>(e);
    if (!b)
      return failure();
    s.epilogue = b.getValue();
  }
  s.backend = kLLVMBackend.str();
  if (Attribute e = attr.get("backend")) {
    auto name = dyn_cast<StringAttr>(e);
    if (!name || (name.getValue() != kLLVMBackend && name.getValue() != kHalideBackend))
      return failure();
    s.backend = name.str();
  }
  return s;
}

llvm::json::Object KernelSchedule::toJson() const {
  llvm::json::Object o{{"vectorize", vectorize},
                       {"parallel", llvm::json::Array(parallel)},
                       {"tile", llvm::json::Array(tile)}};
  if (!outer.empty())
    o["outer"] = llvm::json::Array(outer);
  if (!order.empty())
    o["order"] = llvm::json::Array(order);
  if (epilogue)
    o["epilogue"] = true;
  if (!backend.empty() && backend != kLLVMBackend)
    o["backend"] = backend;
  return o;
}

FailureOr<KernelSchedule> KernelSchedule::fromJson(const llvm::json::Object &o, std::string &error) {
  KernelSchedule s;
  for (const auto &kv : o) {
    StringRef key = kv.first;
    if (key != "vectorize" && key != "parallel" && key != "outer" && key != "tile" && key != "order" &&
        key != "epilogue" && key != "backend" && key != "comment") {
      error = "unknown field '" + key.str() + "' (fields: vectorize, parallel, outer, tile, order, epilogue, backend)";
      return failure();
    }
  }
  auto readList = [&](StringRef key, SmallVector<int64_t> &into, bool required) -> bool {
    const llvm::json::Value *v = o.get(key);
    if (!v) {
      if (required)
        error = "missing field '" + key.str() + "'";
      return !required;
    }
    const llvm::json::Array *arr = v->getAsArray();
    if (!arr) {
      error = "field '" + key.str() + "' must be a list of integers";
      return false;
    }
    for (const llvm::json::Value &e : *arr) {
      std::optional<int64_t> i = e.getAsInteger();
      if (!i || *i < 0) {
        error = "field '" + key.str() + "' must be a list of non-negative integers";
        return false;
      }
      into.push_back(*i);
    }
    return true;
  };
  std::optional<bool> vec = o.getBoolean("vectorize");
  if (!vec) {
    error = o.get("vectorize") ? "field 'vectorize' must be true or false" : "missing field 'vectorize'";
    return failure();
  }
  s.vectorize = *vec;
  if (const llvm::json::Value *e = o.get("epilogue")) {
    std::optional<bool> b = e->getAsBoolean();
    if (!b) {
      error = "field 'epilogue' must be true or false";
      return failure();
    }
    s.epilogue = *b;
  }
  if (const llvm::json::Value *e = o.get("backend")) {
    std::optional<llvm::StringRef> name = e->getAsString();
    if (!name || (*name != kLLVMBackend && *name != kHalideBackend)) {
      error = "field 'backend' must be \"llvm\" or \"halide\"";
      return failure();
    }
    s.backend = name->str();
  }
  if (!readList("parallel", s.parallel, true) || !readList("tile", s.tile, true) ||
      !readList("outer", s.outer, false) || !readList("order", s.order, false))
    return failure();
  return s;
}

bool isVectorizableContraction(linalg::LinalgOp op) {
  return (isa<linalg::MatmulOp, linalg::Conv2DNhwcHwcfOp, linalg::DepthwiseConv2DNhwcHwcOp>(op.getOperation()) &&
          op.hasPureTensorSemantics() && !op.hasDynamicShape()) ||
         isWindowedContraction(op);
}

FailureOr<SmallVector<std::pair<unsigned, int64_t>>> windowTerms(AffineExpr e) {
  SmallVector<std::pair<unsigned, int64_t>> terms;
  std::function<bool(AffineExpr)> collect = [&](AffineExpr x) {
    if (auto d = dyn_cast<AffineDimExpr>(x)) {
      terms.push_back({d.getPosition(), 1});
      return true;
    }
    auto bin = dyn_cast<AffineBinaryOpExpr>(x);
    if (!bin)
      return false;
    if (bin.getKind() == AffineExprKind::Add)
      return collect(bin.getLHS()) && collect(bin.getRHS());
    if (bin.getKind() == AffineExprKind::Mul) {
      auto d = dyn_cast<AffineDimExpr>(bin.getLHS());
      auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
      if (!d || !c || c.getValue() <= 0)
        return false;
      terms.push_back({d.getPosition(), c.getValue()});
      return true;
    }
    return false;
  };
  if (!collect(e))
    return failure();
  for (size_t i = 0; i < terms.size(); ++i)
    for (size_t j = i + 1; j < terms.size(); ++j)
      if (terms[i].first == terms[j].first)
        return failure();
  return terms;
}

bool isWindowedContraction(linalg::LinalgOp op) {
  auto g = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!g || !g.hasPureTensorSemantics() || g.hasDynamicShape() || g.getNumDpsInputs() != 2 ||
      g.getNumDpsInits() != 1 || g->getNumResults() != 1)
    return false;
  Block &body = g.getRegion().front();
  if (body.getOperations().size() != 3)
    return false;
  auto add = cast<linalg::YieldOp>(body.getTerminator()).getOperand(0).getDefiningOp<arith::AddFOp>();
  Value acc = body.getArgument(2);
  if (!add || (add.getLhs() != acc && add.getRhs() != acc))
    return false;
  auto mul = (add.getLhs() == acc ? add.getRhs() : add.getLhs()).getDefiningOp<arith::MulFOp>();
  if (!mul || !llvm::is_contained({mul.getLhs(), mul.getRhs()}, body.getArgument(0)) ||
      !llvm::is_contained({mul.getLhs(), mul.getRhs()}, body.getArgument(1)))
    return false;
  auto iters = g.getIteratorTypesArray();
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  AffineMap out = maps[2];
  if (!out.isProjectedPermutation(/*allowZeroInResults=*/false) || out.getNumResults() == 0)
    return false;
  for (AffineExpr e : out.getResults())
    if (iters[cast<AffineDimExpr>(e).getPosition()] != utils::IteratorType::parallel)
      return false;
  for (unsigned i = 0; i < 2; ++i) {
    if (maps[i].getNumResults() == 0)
      return false;
    for (AffineExpr e : maps[i].getResults())
      if (failed(windowTerms(e)))
        return false;
  }
  AffineExpr vector = out.getResults().back();
  int vectorInput = -1;
  for (int i = 0; i < 2; ++i) {
    if (maps[i].getResults().back() == vector)
      vectorInput = i;
    else if (maps[i].isFunctionOfDim(cast<AffineDimExpr>(vector).getPosition()))
      return false;
  }
  if (vectorInput < 0 || maps[1 - vectorInput].isFunctionOfDim(cast<AffineDimExpr>(vector).getPosition()))
    return false;
  auto row = dyn_cast<AffineDimExpr>(maps[1 - vectorInput].getResults().back());
  return row && iters[row.getPosition()] == utils::IteratorType::parallel;
}

bool isVectorizableGeneric(linalg::LinalgOp op) {
  auto g = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!g || !g.hasPureTensorSemantics() || g.hasDynamicShape() || g.getNumDpsInits() != 1 || g.getNumLoops() == 0)
    return false;
  auto iters = g.getIteratorTypesArray();
  bool allParallel = llvm::all_of(iters, [](utils::IteratorType t) { return t == utils::IteratorType::parallel; });
  if (!allParallel) {
    // A plain sum of one loop into a scalar: the body ends in an addf of the accumulator.
    if (g.getNumLoops() != 1 || g.getIndexingMapsArray().back().getNumResults() != 0)
      return false;
    Block &body = g.getRegion().front();
    auto add = cast<linalg::YieldOp>(body.getTerminator()).getOperand(0).getDefiningOp<arith::AddFOp>();
    Value acc = body.getArguments().back();
    if (!add || (add.getLhs() != acc && add.getRhs() != acc))
      return false;
  }
  unsigned inner = g.getNumLoops() - 1;
  for (AffineMap m : g.getIndexingMapsArray()) {
    if (!m.isProjectedPermutation())
      return false;
    for (unsigned r = 0; r < m.getNumResults(); ++r)
      if (m.getDimPosition(r) == inner && r + 1 != m.getNumResults())
        return false; // strided along the vector
  }
  for (Operation &inner : g.getRegion().front()) {
    StringRef dialect = inner.getName().getDialectNamespace();
    if (!isa<linalg::YieldOp>(inner) && dialect != "arith" && dialect != "math")
      return false;
  }
  return true;
}

bool isVectorizableKernel(linalg::LinalgOp op) { return isVectorizableContraction(op) || isVectorizableGeneric(op); }

// (d0, ..., dn) -> (d0, ..., d(count-1)): the output of a contraction whose first `count`
// loops are its output's.
static bool leadingLoops(AffineMap map, unsigned count) {
  if (map.getNumResults() != count)
    return false;
  for (unsigned i = 0; i < count; ++i)
    if (map.getResult(i) != getAffineDimExpr(i, map.getContext()))
      return false;
  return true;
}

Operation *epilogueConsumer(linalg::LinalgOp contraction) {
  if (!isVectorizableContraction(contraction) || contraction->getNumResults() != 1 ||
      !contraction->getResult(0).hasOneUse())
    return nullptr;
  OpOperand &use = *contraction->getResult(0).getUses().begin();
  auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!consumer || !isVectorizableGeneric(consumer) || !consumer.isDpsInput(&use))
    return nullptr;
  unsigned loops = consumer.getNumLoops();
  auto iters = contraction.getIteratorTypesArray();
  if (consumer.getNumParallelLoops() != loops || contraction.getNumParallelLoops() != loops)
    return nullptr;
  for (unsigned i = 0; i < loops; ++i)
    if (iters[i] != utils::IteratorType::parallel)
      return nullptr;
  if (!consumer.getMatchingIndexingMap(&use).isIdentity() ||
      !consumer.getIndexingMapMatchingResult(consumer->getResult(0)).isIdentity() ||
      !leadingLoops(contraction.getIndexingMapMatchingResult(contraction->getResult(0)), loops))
    return nullptr;
  return consumer;
}

std::string kernelSignature(linalg::LinalgOp op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << op->getName().stripDialect();
  auto windowed = [&](auto conv) {
    auto st = conv.getStrides().template getValues<int64_t>();
    auto di = conv.getDilations().template getValues<int64_t>();
    os << "_s" << st[0] << "x" << st[1] << "_d" << di[0] << "x" << di[1];
  };
  if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(op.getOperation()))
    windowed(conv);
  if (auto conv = dyn_cast<linalg::DepthwiseConv2DNhwcHwcOp>(op.getOperation()))
    windowed(conv);
  if (auto g = dyn_cast<linalg::GenericOp>(op.getOperation())) {
    // What it computes, readably (its body's first few distinct operations, e.g.
    // "generic_addf_maximumf"), then a hash of its maps, iterators and body, which identifies it.
    std::string body;
    llvm::raw_string_ostream bs(body);
    bs << g.getIndexingMaps() << g.getIteratorTypes();
    SmallVector<StringRef> names;
    for (Operation &inner : g.getRegion().front()) {
      bs << inner.getName() << inner.getAttrDictionary();
      StringRef dialect = inner.getName().getDialectNamespace();
      StringRef name = inner.getName().stripDialect();
      if ((dialect == "arith" || dialect == "math") && !name.starts_with("constant") &&
          !name.starts_with("index") && !llvm::is_contained(names, name) && names.size() < 4)
        names.push_back(name);
    }
    for (StringRef n : names)
      os << "_" << n;
    os << llvm::format(".%08x", (uint32_t)llvm::hash_value(body));
  }
  os << listText(op.getStaticLoopRanges());
  for (Value v : op->getOperands())
    if (auto t = dyn_cast<ShapedType>(v.getType()); t && !t.getElementType().isF32()) {
      os << ":" << t.getElementType();
      break;
    }
  return s;
}

std::string validateSchedule(linalg::LinalgOp op, const KernelSchedule &s) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  size_t n = ranges.size();
  auto iters = op.getIteratorTypesArray();
  if (s.parallel.size() != n)
    return "field 'parallel' has " + std::to_string(s.parallel.size()) + " sizes; the kernel has " +
           std::to_string(n) + " loops " + listText(ranges);
  if (s.tile.size() != n)
    return "field 'tile' has " + std::to_string(s.tile.size()) + " sizes; the kernel has " + std::to_string(n) +
           " loops " + listText(ranges);
  if (!s.outer.empty() && s.outer.size() != n)
    return "field 'outer' has " + std::to_string(s.outer.size()) + " sizes; the kernel has " + std::to_string(n) +
           " loops " + listText(ranges);
  for (size_t i = 0; i < n; ++i) {
    if (s.parallel[i] && iters[i] == utils::IteratorType::reduction) {
      // A split reduction: partial sums per thread tile, added in a fixed order afterwards.
      if (s.vectorize && isVectorizableContraction(op))
        return "field 'parallel': loop " + std::to_string(i) +
               " is a reduction; a vectorized contraction splits only parallel loops across threads";
      for (size_t j = 0; j < n; ++j)
        if (s.parallel[j] && iters[j] != utils::IteratorType::reduction)
          return "field 'parallel': a kernel splits either its parallel loops or its reductions across "
                 "threads, not both";
    }
    if (s.parallel[i] && (s.parallel[i] > ranges[i] || ranges[i] % s.parallel[i]))
      return "field 'parallel': " + std::to_string(s.parallel[i]) + " does not divide loop " + std::to_string(i) +
             " of extent " + std::to_string(ranges[i]);
    int64_t outer = s.parallel[i] ? s.parallel[i] : ranges[i];
    if (!s.outer.empty() && s.outer[i]) {
      if (s.outer[i] > outer || outer % s.outer[i])
        return "field 'outer': " + std::to_string(s.outer[i]) + " does not divide loop " + std::to_string(i) +
               "'s thread tile of " + std::to_string(outer);
      if (s.parallel[i] && iters[i] == utils::IteratorType::reduction)
        return "field 'outer': loop " + std::to_string(i) + " is split across threads already";
      outer = s.outer[i];
    }
    if (s.tile[i] && (s.tile[i] > outer || outer % s.tile[i]))
      return "field 'tile': " + std::to_string(s.tile[i]) + " does not divide loop " + std::to_string(i) +
             "'s " + (!s.outer.empty() && s.outer[i] ? "outer" : "thread") + " tile of " + std::to_string(outer);
  }
  if (s.vectorize && !isVectorizableKernel(op))
    return "field 'vectorize': this kernel (" + op->getName().getStringRef().str() +
           ") has no vectorized form; it takes \"vectorize\": false";
  if (s.vectorize) {
    // The vector code is built from the register tile: every loop must be tiled so that the
    // vectors stay small (an untiled 3136-long loop would be one huge vector).
    int64_t elems = 1;
    for (size_t i = 0; i < n; ++i)
      elems *= s.tile[i] ? s.tile[i] : ranges[i];
    if (elems > (1 << 16))
      return "field 'tile': a register tile of " + std::to_string(elems) + " iterations is too large to vectorize";
    // Convolution tiles are vectorized as 1-D convolutions: one output row, one kernel row
    // (loops 1 and 4 of both (n, oh, ow, f, kh, kw, c) and depthwise (n, oh, ow, c, kh, kw)).
    if (isa<linalg::Conv2DNhwcHwcfOp, linalg::DepthwiseConv2DNhwcHwcOp>(op.getOperation()) &&
        (s.tile[1] != 1 || s.tile[4] != 1))
      return "field 'tile': a vectorized convolution needs tile 1 for loops 1 (oh) and 4 (kh)";
    // A windowed contraction's tile is read through strided slices: of each window index
    // (`ow*2 + kw`), one loop at most may take more than one step.
    if (isWindowedContraction(op))
      for (AffineMap m : op.getIndexingMapsArray())
        for (AffineExpr e : m.getResults()) {
          auto terms = *windowTerms(e);
          if (terms.size() < 2)
            continue;
          std::string longer;
          for (auto [loop, stride] : terms)
            if ((s.tile[loop] ? s.tile[loop] : ranges[loop]) != 1)
              longer += (longer.empty() ? "" : ", ") + std::to_string(loop);
          if (longer.find(',') != std::string::npos)
            return "field 'tile': loops " + longer +
                   " index the same input dimension; a vectorized windowed contraction tiles all but one of them by 1";
        }
  }
  if (s.epilogue) {
    if (!s.vectorize || !isVectorizableContraction(op))
      return "field 'epilogue': only a vectorized contraction computes a consumer in its tiles";
    if (!s.outer.empty())
      return "field 'epilogue': a kernel with an 'outer' level has no epilogue";
  }
  if (!s.order.empty()) {
    if (s.vectorize)
      return "field 'order': only plain-loop kernels (\"vectorize\": false) take a loop order";
    SmallVector<bool> seen(n, false);
    if (s.order.size() != n)
      return "field 'order' must list each of the " + std::to_string(n) + " loops once";
    for (int64_t o : s.order) {
      if (o < 0 || o >= (int64_t)n || seen[o])
        return "field 'order' must list each of the " + std::to_string(n) + " loops once";
      seen[o] = true;
    }
  }
  return "";
}

std::string transposedConvSignature(gn::Conv2DTransposeOp op) {
  auto x = cast<ShapedType>(op.getX().getType()), w = cast<ShapedType>(op.getW().getType());
  auto pair = [](ArrayRef<int64_t> v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i)
      s += (i ? "x" : "") + std::to_string(v[i]);
    return s;
  };
  SmallVector<int64_t> extents{x.getDimSize(0), x.getDimSize(1), x.getDimSize(2), x.getDimSize(3),
                               w.getDimSize(0), w.getDimSize(1), w.getDimSize(2)};
  return "conv2d_transpose_s" + pair(op.getStrides()) + "_p" + pair(op.getPadding()) + "_op" +
         pair(op.getOutputPadding()) + "_d" + pair(op.getDilations()) + listText(extents);
}

bool isTransposedConvSignature(llvm::StringRef signature) { return signature.starts_with("conv2d_transpose_"); }

} // namespace gnc
