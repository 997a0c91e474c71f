// A kernel's algorithm as a Halide pipeline description (see KernelToHalide.h). Named ops
// (matmul, convolutions, transposes, fills) are generalized first, so that one translation of
// linalg.generic covers every kernel: loops -> Vars and an RDom, indexing maps -> loads,
// the body's arith/math ops -> expressions.
#include "codegen/halide/KernelToHalide.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using llvm::json::Array;
using llvm::json::Object;
using JValue = llvm::json::Value;

namespace gnc {

namespace {

// "f32", "u32", "u1" (i1 is bool), "u64" for index; "" for anything else.
std::string typeName(Type t) {
  if (t.isF32())
    return "f32";
  if (t.isF64())
    return "f64";
  if (t.isIndex())
    return "u64";
  if (auto i = dyn_cast<IntegerType>(t); i && llvm::is_contained({1u, 8u, 16u, 32u, 64u}, i.getWidth()))
    return "u" + std::to_string(i.getWidth());
  return "";
}
std::string signedName(Type t) {
  std::string u = typeName(t);
  return u == "u1" ? u : "i" + u.substr(1);
}

JValue op(StringRef name, std::initializer_list<JValue> args) {
  Array a{name.str()};
  for (const JValue &v : args)
    a.push_back(v);
  return a;
}

// An integer or float constant as an expression of its type (integers as decimal strings:
// JSON numbers would round 64-bit values).
std::optional<JValue> constantExpr(Attribute a) {
  if (auto f = dyn_cast<FloatAttr>(a)) {
    std::string t = typeName(f.getType());
    if (t.empty())
      return std::nullopt;
    return op("const", {t, f.getValueAsDouble()});
  }
  if (auto i = dyn_cast<IntegerAttr>(a)) {
    std::string t = typeName(i.getType());
    if (t.empty())
      return std::nullopt;
    return op("const", {t, std::to_string(i.getValue().getZExtValue())});
  }
  return std::nullopt;
}

// Affine index expressions over the loops, in Int(32).
std::optional<JValue> affineExpr(AffineExpr e) {
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return op("var", {"d" + std::to_string(d.getPosition())});
  if (auto c = dyn_cast<AffineConstantExpr>(e))
    return op("const", {"i32", std::to_string(c.getValue())});
  auto b = dyn_cast<AffineBinaryOpExpr>(e);
  if (!b)
    return std::nullopt;
  auto l = affineExpr(b.getLHS()), r = affineExpr(b.getRHS());
  if (!l || !r)
    return std::nullopt;
  switch (e.getKind()) {
  case AffineExprKind::Add:
    return op("add", {*l, *r});
  case AffineExprKind::Mul:
    return op("mul", {*l, *r});
  case AffineExprKind::FloorDiv: // Halide's integer division and modulo round down, as these
    return op("div", {*l, *r});
  case AffineExprKind::Mod:
    return op("mod", {*l, *r});
  default:
    return std::nullopt;
  }
}

struct BodyTranslator {
  DenseMap<Value, JValue> exprs;
  DenseMap<Value, std::string> params; // outside scalars -> param name
  DenseMap<Value, std::string> tables; // outside tensors read by tensor.extract -> input name
  Array lets;
  unsigned nextLet = 0;
  std::string why;

  // A value used more than once is let-bound: Philox's rounds would otherwise grow as a tree.
  void bind(Value v, JValue e) {
    if (!v.hasOneUse() && !v.use_empty()) {
      std::string name = "t" + std::to_string(nextLet++);
      lets.push_back(Array{name, std::move(e)});
      set(v, op("ref", {name}));
      return;
    }
    set(v, std::move(e));
  }
  // A let for an intermediate value of an expansion.
  JValue let(JValue e) {
    std::string name = "t" + std::to_string(nextLet++);
    lets.push_back(Array{name, std::move(e)});
    return op("ref", {name});
  }
  void set(Value v, JValue e) {
    exprs.erase(v);
    exprs.try_emplace(v, std::move(e));
  }

  std::optional<JValue> get(Value v) {
    auto it = exprs.find(v);
    if (it != exprs.end())
      return it->second;
    if (Operation *def = v.getDefiningOp())
      if (auto c = dyn_cast<arith::ConstantOp>(def))
        return constantExpr(c.getValue());
    auto p = params.find(v);
    if (p != params.end())
      return op("param", {p->second});
    return std::nullopt;
  }

  // Reinterprets an unsigned value as signed, applies f, and back.
  static JValue asSigned(Type t, const JValue &v) { return op("reinterpret", {signedName(t), v}); }
  static JValue asUnsigned(Type t, const JValue &v) { return op("reinterpret", {typeName(t), v}); }

  bool translate(Operation &o) {
    SmallVector<JValue> in;
    for (Value v : o.getOperands()) {
      if (isa<ShapedType>(v.getType())) { // a table (tensor.extract), looked up by the case
        in.push_back(nullptr);
        continue;
      }
      auto e = get(v);
      if (!e) {
        why = "an operand of '" + o.getName().getStringRef().str() + "' is neither computed in the kernel nor a scalar from outside";
        return false;
      }
      in.push_back(*e);
    }
    for (Type t : o.getResultTypes())
      if (typeName(t).empty()) {
        why = "'" + o.getName().getStringRef().str() + "' has a result type Halide cannot take";
        return false;
      }
    auto bin = [&](StringRef name) { bind(o.getResult(0), op(name, {in[0], in[1]})); return true; };
    auto cast = [&](const JValue &v) { return op("cast", {typeName(o.getResult(0).getType()), v}); };
    auto call = [&](StringRef fn) {
      Array a{"call", fn.str()};
      for (JValue &v : in)
        a.push_back(v);
      bind(o.getResult(0), std::move(a));
      return true;
    };
    Type t0 = o.getNumOperands() ? o.getOperand(0).getType() : Type();
    auto signedBin = [&](StringRef name) {
      bind(o.getResult(0), asUnsigned(t0, op(name, {asSigned(t0, in[0]), asSigned(t0, in[1])})));
      return true;
    };
    return llvm::TypeSwitch<Operation *, bool>(&o)
        .Case<arith::ConstantOp>([&](arith::ConstantOp c) {
          auto e = constantExpr(c.getValue());
          if (!e) {
            why = "a constant Halide cannot take";
            return false;
          }
          bind(c, *e);
          return true;
        })
        .Case<arith::AddFOp, arith::AddIOp>([&](auto) { return bin("add"); })
        .Case<arith::SubFOp, arith::SubIOp>([&](auto) { return bin("sub"); })
        .Case<arith::MulFOp, arith::MulIOp>([&](auto) { return bin("mul"); })
        .Case<arith::DivFOp, arith::DivUIOp>([&](auto) { return bin("div"); })
        .Case<arith::RemUIOp>([&](auto) { return bin("mod"); })
        .Case<arith::MaximumFOp, arith::MaxNumFOp, arith::MaxUIOp>([&](auto) { return bin("max"); })
        .Case<arith::MinimumFOp, arith::MinNumFOp, arith::MinUIOp>([&](auto) { return bin("min"); })
        .Case<arith::MaxSIOp>([&](auto) { return signedBin("max"); })
        .Case<arith::MinSIOp>([&](auto) { return signedBin("min"); })
        .Case<arith::AndIOp>([&](auto) { return bin("and"); })
        .Case<arith::OrIOp>([&](auto) { return bin("or"); })
        .Case<arith::XOrIOp>([&](auto) { return bin("xor"); })
        .Case<arith::ShLIOp>([&](auto) { return bin("shl"); })
        .Case<arith::ShRUIOp>([&](auto) { return bin("shr"); })
        .Case<arith::ShRSIOp>([&](auto) { return signedBin("shr"); })
        .Case<arith::NegFOp>([&](auto) {
          bind(o.getResult(0), op("neg", {in[0]}));
          return true;
        })
        .Case<arith::SelectOp>([&](auto) {
          bind(o.getResult(0), op("select", {in[0], in[1], in[2]}));
          return true;
        })
        .Case<arith::CmpFOp>([&](arith::CmpFOp c) {
          // Ordered and unordered predicates alike: they differ only on NaN.
          using P = arith::CmpFPredicate;
          StringRef name;
          switch (c.getPredicate()) {
          case P::OEQ: case P::UEQ: name = "eq"; break;
          case P::ONE: case P::UNE: name = "ne"; break;
          case P::OGT: case P::UGT: name = "gt"; break;
          case P::OGE: case P::UGE: name = "ge"; break;
          case P::OLT: case P::ULT: name = "lt"; break;
          case P::OLE: case P::ULE: name = "le"; break;
          default:
            why = "arith.cmpf " + arith::stringifyCmpFPredicate(c.getPredicate()).str();
            return false;
          }
          return bin(name);
        })
        .Case<arith::CmpIOp>([&](arith::CmpIOp c) {
          using P = arith::CmpIPredicate;
          switch (c.getPredicate()) {
          case P::eq: return bin("eq");
          case P::ne: return bin("ne");
          case P::ult: return bin("lt");
          case P::ule: return bin("le");
          case P::ugt: return bin("gt");
          case P::uge: return bin("ge");
          case P::slt: bind(c, op("lt", {asSigned(t0, in[0]), asSigned(t0, in[1])})); return true;
          case P::sle: bind(c, op("le", {asSigned(t0, in[0]), asSigned(t0, in[1])})); return true;
          case P::sgt: bind(c, op("gt", {asSigned(t0, in[0]), asSigned(t0, in[1])})); return true;
          case P::sge: bind(c, op("ge", {asSigned(t0, in[0]), asSigned(t0, in[1])})); return true;
          }
          return false;
        })
        .Case<arith::ExtFOp, arith::TruncFOp, arith::ExtUIOp, arith::UIToFPOp, arith::FPToUIOp,
              arith::IndexCastUIOp>([&](auto) {
          bind(o.getResult(0), cast(in[0]));
          return true;
        })
        .Case<arith::TruncIOp>([&](auto) {
          Type to = o.getResult(0).getType();
          if (to.isInteger(1)) // the low bit (a cast to bool would test for non-zero)
            bind(o.getResult(0), op("ne", {op("and", {in[0], op("const", {typeName(t0), "1"})}),
                                           op("const", {typeName(t0), "0"})}));
          else
            bind(o.getResult(0), cast(in[0]));
          return true;
        })
        .Case<arith::ExtSIOp, arith::IndexCastOp>([&](auto) {
          Type to = o.getResult(0).getType();
          unsigned fromBits = t0.isIndex() ? 64 : t0.getIntOrFloatBitWidth();
          unsigned toBits = to.isIndex() ? 64 : to.getIntOrFloatBitWidth();
          if (toBits <= fromBits || t0.isInteger(1)) {
            bind(o.getResult(0), cast(in[0]));
            return true;
          }
          // Sign extension: through the signed types.
          bind(o.getResult(0), asUnsigned(to, op("cast", {signedName(to), asSigned(t0, in[0])})));
          return true;
        })
        .Case<arith::SIToFPOp>([&](auto) {
          bind(o.getResult(0), cast(asSigned(t0, in[0])));
          return true;
        })
        .Case<arith::FPToSIOp>([&](auto) {
          Type to = o.getResult(0).getType();
          bind(o.getResult(0), asUnsigned(to, op("cast", {signedName(to), in[0]})));
          return true;
        })
        .Case<arith::BitcastOp>([&](auto) {
          bind(o.getResult(0), op("reinterpret", {typeName(o.getResult(0).getType()), in[0]}));
          return true;
        })
        .Case<arith::MulUIExtendedOp>([&](auto) {
          // The high half of the double-width product.
          unsigned bits = t0.getIntOrFloatBitWidth();
          if (bits > 32) {
            why = "arith.mului_extended wider than 32 bits";
            return false;
          }
          std::string wide = "u" + std::to_string(2 * bits);
          bind(o.getResult(0), op("mul", {in[0], in[1]}));
          bind(o.getResult(1),
               cast(op("shr", {op("mul", {op("cast", {wide, in[0]}), op("cast", {wide, in[1]})}),
                               op("const", {wide, std::to_string(bits)})})));
          return true;
        })
        .Case<math::ExpOp>([&](auto) { return call("exp"); })
        .Case<math::LogOp>([&](auto) { return call("log"); })
        .Case<math::TanhOp>([&](auto) { return call("tanh"); })
        .Case<math::SqrtOp>([&](auto) { return call("sqrt"); })
        .Case<math::ErfOp>([&](auto) { return call("erf"); })
        .Case<math::AbsFOp>([&](auto) { return call("abs"); })
        .Case<math::PowFOp>([&](auto) { return call("pow"); })
        .Case<math::FloorOp>([&](auto) { return call("floor"); })
        .Case<math::CeilOp>([&](auto) { return call("ceil"); })
        .Case<math::SinOp>([&](auto) { return call("sin"); })
        .Case<math::CosOp>([&](auto) { return call("cos"); })
        .Case<math::Log1pOp>([&](auto) {
          // Halide has no log1p; log(1 + x) loses x's digits for small x. Kahan's form keeps
          // them: u = 1 + x; u == 1 ? x : log(u) * x / (u - 1).
          std::string t = typeName(t0);
          JValue x = let(in[0]);
          JValue u = let(op("add", {x, op("const", {t, 1.0})}));
          bind(o.getResult(0),
               op("select", {op("eq", {u, op("const", {t, 1.0})}), x,
                             op("div", {op("mul", {op("call", {"log", u}), x}), op("sub", {u, op("const", {t, 1.0})})})}));
          return true;
        })
        .Case<math::RsqrtOp>([&](auto) {
          bind(o.getResult(0), op("div", {op("const", {typeName(t0), 1.0}), op("call", {"sqrt", in[0]})}));
          return true;
        })
        .Case<math::FmaOp>([&](auto) {
          bind(o.getResult(0), op("add", {op("mul", {in[0], in[1]}), in[2]}));
          return true;
        })
        .Case<tensor::ExtractOp>([&](tensor::ExtractOp x) {
          auto it = tables.find(x.getTensor());
          if (it == tables.end()) {
            why = "tensor.extract of a tensor computed in the kernel";
            return false;
          }
          ArrayRef<int64_t> shape = x.getTensor().getType().getShape();
          Array index;
          for (unsigned d = 0; d < shape.size(); ++d) {
            JValue i = op("cast", {"i32", in[1 + d]});
            index.push_back(op("min", {op("max", {i, op("const", {"i32", "0"})}),
                                       op("const", {"i32", std::to_string(shape[d] - 1)})}));
          }
          bind(x, op("load", {it->second, JValue(std::move(index))}));
          return true;
        })
        .Case<linalg::IndexOp>([&](linalg::IndexOp i) {
          bind(i, op("cast", {"u64", op("var", {"d" + std::to_string(i.getDim())})}));
          return true;
        })
        .Default([&](Operation *other) {
          why = "'" + other->getName().getStringRef().str() + "' has no Halide translation";
          return false;
        });
  }
};

} // namespace

SmallVector<Value> halideKernelParams(linalg::LinalgOp op) {
  llvm::SetVector<Value> outside;
  for (OpOperand *in : op.getDpsInputOperands())
    if (!isa<ShapedType>(in->get().getType()))
      outside.insert(in->get());
  getUsedValuesDefinedAbove(op->getRegions(), outside);
  SmallVector<Value> params;
  for (Value v : outside)
    if (!v.getDefiningOp<arith::ConstantOp>() && !isa<ShapedType>(v.getType()))
      params.push_back(v);
  return params;
}

SmallVector<Value> halideKernelGathers(linalg::LinalgOp op) {
  llvm::SetVector<Value> outside;
  getUsedValuesDefinedAbove(op->getRegions(), outside);
  SmallVector<Value> gathers;
  for (Value v : outside)
    if (isa<ShapedType>(v.getType()))
      gathers.push_back(v);
  return gathers;
}

std::optional<TypedAttr> constantInit(linalg::LinalgOp op) {
  if (op.getNumDpsInits() != 1)
    return std::nullopt;
  auto fill = op.getDpsInitOperand(0)->get().getDefiningOp<linalg::FillOp>();
  if (!fill)
    return std::nullopt;
  auto c = fill.getInputs()[0].getDefiningOp<arith::ConstantOp>();
  if (!c)
    return std::nullopt;
  return c.getValue();
}

FailureOr<Object> translateKernel(linalg::LinalgOp kernel, std::string &why) {
  if (kernel.getNumDpsInits() != 1) {
    why = std::to_string(kernel.getNumDpsInits()) + " outputs (a pipeline of one output is translated)";
    return failure();
  }
  if (kernel.hasDynamicShape() || !kernel.hasPureTensorSemantics()) {
    why = "dynamic shapes or buffers (kernels on static tensors are translated)";
    return failure();
  }
  // Generalize a copy: the kernel itself stays as it is for the call site.
  IRRewriter rw(kernel->getContext());
  rw.setInsertionPoint(kernel);
  Operation *copy = rw.clone(*kernel);
  llvm::scope_exit cleanup([&] { rw.eraseOp(copy); });
  linalg::GenericOp g = dyn_cast<linalg::GenericOp>(copy);
  if (!g) {
    FailureOr<linalg::GenericOp> gen = linalg::generalizeNamedOp(rw, cast<linalg::LinalgOp>(copy));
    if (failed(gen)) {
      why = "'" + kernel->getName().getStringRef().str() + "' cannot be generalized";
      return failure();
    }
    g = *gen;
    copy = g;
  }
  SmallVector<int64_t> ranges = g.getStaticLoopRanges();
  auto iters = g.getIteratorTypesArray();
  OpOperand *outOperand = g.getDpsInitOperand(0);
  AffineMap outMap = g.getMatchingIndexingMap(outOperand);
  if (!outMap.isProjectedPermutation()) {
    why = "its output's indexing map is not a projection of its loops";
    return failure();
  }
  Object d;
  Array vars, rvars;
  llvm::SmallDenseSet<unsigned> pure;
  for (unsigned r = 0; r < outMap.getNumResults(); ++r) {
    unsigned l = outMap.getDimPosition(r);
    pure.insert(l);
    if (iters[l] != utils::IteratorType::parallel) {
      why = "its output is indexed by a reduction loop";
      return failure();
    }
    vars.push_back(Object{{"name", "d" + std::to_string(l)}, {"extent", ranges[l]}});
  }
  for (unsigned l = 0; l < ranges.size(); ++l)
    if (!pure.count(l)) {
      if (iters[l] != utils::IteratorType::reduction) {
        why = "a parallel loop that does not index its output";
        return failure();
      }
      rvars.push_back(Object{{"name", "d" + std::to_string(l)}, {"extent", ranges[l]}});
    }

  BodyTranslator body;
  SmallVector<Value> params = halideKernelParams(kernel);
  // The copy's body reads the same outside values in the same order as the kernel's.
  Array paramList;
  for (auto [i, v] : llvm::enumerate(params)) {
    std::string t = typeName(v.getType());
    if (t.empty()) {
      why = "a scalar from outside of a type Halide cannot take";
      return failure();
    }
    std::string name = "p" + std::to_string(i);
    body.params[v] = name;
    paramList.push_back(Object{{"name", name}, {"type", t}});
  }
  Array inputs;
  Block &block = g.getRegion().front();
  unsigned tensorInputs = 0;
  for (OpOperand *in : g.getDpsInputOperands()) {
    Value arg = block.getArgument(in->getOperandNumber());
    auto shaped = dyn_cast<RankedTensorType>(in->get().getType());
    if (!shaped) { // a scalar operand: a constant or a param
      auto e = body.get(in->get());
      if (!e) {
        why = "a scalar operand Halide cannot take";
        return failure();
      }
      body.set(arg, *e);
      continue;
    }
    std::string name = "in" + std::to_string(tensorInputs++);
    std::string t = typeName(shaped.getElementType());
    if (t.empty()) {
      why = "an input of element type Halide cannot take";
      return failure();
    }
    inputs.push_back(Object{{"name", name}, {"type", t}, {"shape", Array(shaped.getShape())}});
    Array index;
    for (AffineExpr e : g.getMatchingIndexingMap(in).getResults()) {
      auto x = affineExpr(e);
      if (!x) {
        why = "an input's index is not affine in the loops";
        return failure();
      }
      index.push_back(*x);
    }
    body.set(arg, op("load", {name, JValue(std::move(index))}));
  }
  // Tables the body reads elements of: inputs loaded at data-dependent indices, clamped to
  // their bounds so that Halide's bounds inference sees the whole table (in range anyway).
  for (auto [i, v] : llvm::enumerate(halideKernelGathers(kernel))) {
    auto shaped = dyn_cast<RankedTensorType>(v.getType());
    std::string t = shaped ? typeName(shaped.getElementType()) : "";
    if (t.empty() || !shaped.hasStaticShape()) {
      why = "a table it reads elements of has no static shape or a type Halide cannot take";
      return failure();
    }
    std::string name = "g" + std::to_string(i);
    inputs.push_back(Object{{"name", name}, {"type", t}, {"shape", Array(shaped.getShape())}});
    body.tables.try_emplace(v, name);
  }
  auto outType = cast<RankedTensorType>(outOperand->get().getType());
  std::string outElem = typeName(outType.getElementType());
  if (outElem.empty()) {
    why = "an output of element type Halide cannot take";
    return failure();
  }
  Array outIndex;
  for (const JValue &v : vars)
    outIndex.push_back(op("var", {*v.getAsObject()->getString("name")}));
  // The output's initial value: a constant fill, or its contents (the "init" input).
  Value outArg = block.getArguments().back();
  std::optional<JValue> init;
  if (auto c = constantInit(kernel))
    init = constantExpr(*c);
  else if (!outArg.use_empty() || !rvars.empty()) {
    inputs.push_back(Object{{"name", "init"}, {"type", outElem}, {"shape", Array(outType.getShape())}});
    init = op("load", {"init", JValue(Array(outIndex))});
  }
  if (rvars.empty() && !outArg.use_empty())
    body.set(outArg, *init);
  else
    body.set(outArg, op("self", {}));
  for (Operation &o : block.without_terminator())
    if (!body.translate(o)) {
      why = body.why;
      return failure();
    }
  auto result = body.get(block.getTerminator()->getOperand(0));
  if (!result) {
    why = "its result is not computed by its body";
    return failure();
  }
  Object definition{{"lets", std::move(body.lets)}, {"value", *result}};
  d["params"] = std::move(paramList);
  d["inputs"] = std::move(inputs);
  d["output"] = Object{{"name", "out"}, {"type", outElem}, {"shape", Array(outType.getShape())}};
  d["vars"] = std::move(vars);
  d["rvars"] = std::move(rvars);
  if (d.getArray("rvars")->empty()) {
    d["pure"] = std::move(definition);
  } else {
    d["pure"] = Object{{"lets", Array()}, {"value", *init}};
    d["update"] = std::move(definition);
  }
  return d;
}

} // namespace gnc
