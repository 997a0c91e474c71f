// gnc-outline-kernels: every kernel becomes a function of its own, one per distinct kernel
// (see Passes.td).
#include "codegen/Schedule.h"
#include "dialects/gn/GnDialect.h"
#include "codegen/llvm/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"

namespace gnc {
#define GEN_PASS_DEF_GNCOUTLINEKERNELS
#include "codegen/llvm/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

// "conv_2d_nhwc_hwcf_s2x2_d1x1[128,7,7,64,3,3,32]" -> "conv_2d_nhwc_hwcf_s2x2_d1x1_128x7x7x64x3x3x32"
std::string symbolName(StringRef signature) {
  std::string out = "gnc_k_";
  for (char c : signature) {
    if (std::isalnum((unsigned char)c) || c == '_')
      out.push_back(c);
    else if (c == ',')
      out.push_back('x');
    else if (!out.empty() && out.back() != '_')
      out.push_back('_');
  }
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  return out;
}

bool isRematerializable(Value v) {
  Operation *def = v.getDefiningOp();
  return def && isa<arith::ConstantOp, ub::PoisonOp>(def);
}

// Memrefs cross function boundaries as bare pointers, which needs identity layouts.
bool passable(Value v) {
  if (auto m = dyn_cast<MemRefType>(v.getType()))
    return m.getLayout().isIdentity();
  return v.getType().isIntOrIndexOrFloat();
}

bool isView(Operation *op) {
  return op && isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
                   memref::ReinterpretCastOp, memref::CastOp>(op);
}

// Sorts a kernel's captured values: bare-pointer arguments, constants cloned inside, and
// views (strided subviews of a sub-pixel phase, reshapes) rebuilt inside from their source.
// Rebuilding a view costs a few address computations and lets a kernel on a strided operand
// be outlined, so its copies in every entry point share one compiled function.
struct Captures {
  llvm::SetVector<Value> args, constants;
  llvm::SetVector<Operation *> views; // operands before users
  bool add(Value v) {
    if (args.contains(v) || constants.contains(v))
      return true;
    if (isRematerializable(v)) {
      constants.insert(v);
      return true;
    }
    if (passable(v)) {
      args.insert(v);
      return true;
    }
    Operation *def = v.getDefiningOp();
    if (!isView(def))
      return false;
    if (views.contains(def))
      return true;
    for (Value operand : def->getOperands())
      if (!add(operand))
        return false;
    views.insert(def);
    return true;
  }
};

struct GncOutlineKernelsPass : gnc::impl::GncOutlineKernelsBase<GncOutlineKernelsPass> {
  using GncOutlineKernelsBase::GncOutlineKernelsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> kernels;
    module.walk([&](Operation *op) {
      auto fn = op->getParentOfType<func::FuncOp>();
      if (op->hasAttr(gnc::kKernelAttr) && fn &&
          fn->hasAttr(mlir::gn::GnDialect::KindAttrHelper::getNameStr()))
        kernels.push_back(op);
    });
    // Outlined bodies by their printed form: equal kernels share one function.
    llvm::StringMap<func::FuncOp> bodies;
    llvm::StringMap<unsigned> nameUses;
    OpBuilder b(&getContext());
    for (Operation *k : kernels) {
      // A sum's loop over its tiles yields its vector of partial sums, added up after it:
      // with results, it stays inline (it is small; the sums worth threads are scf.forall).
      if (k->getNumResults())
        continue;
      // Another backend's kernel is a call already (gnc-halide-calls).
      if (isa<LLVM::CallOp>(k))
        continue;
      if (k->hasAttr("gnc.halide")) {
        k->emitError("gnc-outline-kernels: a Halide kernel was not replaced by its call (gnc-halide-calls did not run)");
        return signalPassFailure();
      }
      llvm::SetVector<Value> captured;
      for (Value v : k->getOperands())
        captured.insert(v);
      getUsedValuesDefinedAbove(k->getRegions(), captured);
      Captures captures;
      bool ok = true;
      for (Value v : captured)
        ok = ok && captures.add(v);
      if (!ok)
        continue; // stays inline (an operand that is neither passable nor a view of one)
      SmallVector<Value> args(captures.args.begin(), captures.args.end());
      auto kernelInfo = k->getAttrOfType<DictionaryAttr>(gnc::kKernelAttr);
      std::string base = symbolName(kernelInfo.getAs<StringAttr>("name").getValue());

      b.setInsertionPoint(k->getParentOfType<func::FuncOp>());
      SmallVector<Type> types;
      for (Value v : args)
        types.push_back(v.getType());
      auto fn = func::FuncOp::create(b, k->getLoc(), base, b.getFunctionType(types, {}));
      fn.setPrivate();
      Block *body = fn.addEntryBlock();
      OpBuilder inner = OpBuilder::atBlockBegin(body);
      IRMapping map;
      for (auto [v, arg] : llvm::zip(args, body->getArguments()))
        map.map(v, arg);
      for (Value c : captures.constants)
        map.map(c, inner.clone(*c.getDefiningOp())->getResult(0));
      for (Operation *view : captures.views)
        inner.clone(*view, map);
      Operation *clone = inner.clone(*k, map);
      clone->removeAttr(gnc::kKernelAttr);
      func::ReturnOp::create(inner, k->getLoc());

      std::string text;
      llvm::raw_string_ostream os(text);
      os << fn.getFunctionType();
      for (Operation &op : *body)
        op.print(os, OpPrintingFlags().printGenericOpForm().useLocalScope());
      func::FuncOp target;
      auto [it, fresh] = bodies.try_emplace(text, fn);
      if (fresh) {
        unsigned n = nameUses[base]++;
        if (n)
          fn.setSymName(base + "_" + std::to_string(n));
        if (recordArguments) {
          SmallVector<Attribute> argTypes;
          for (Type t : types)
            argTypes.push_back(TypeAttr::get(t));
          fn->setAttr(gnc::kKernelFunctionAttr, b.getDictionaryAttr({b.getNamedAttr("kernel", kernelInfo.get("name")),
                                                          b.getNamedAttr("args", b.getArrayAttr(argTypes))}));
        }
        target = fn;
      } else {
        fn.erase();
        target = it->second;
      }
      b.setInsertionPoint(k);
      auto call = func::CallOp::create(b, k->getLoc(), target, args);
      call->setAttr(gnc::kKernelAttr, kernelInfo);
      k->erase();
    }
  }
};

} // namespace
