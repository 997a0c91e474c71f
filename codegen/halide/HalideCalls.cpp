// gnc-halide-calls: each Halide kernel, after bufferization, becomes a call of its compiled
// pipeline through a wrapper that describes its buffers as halide_buffer_t (see Passes.td).
#include "codegen/Schedule.h"
#include "codegen/halide/KernelToHalide.h"
#include "codegen/halide/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/StringMap.h"

namespace gnc {
#define GEN_PASS_DEF_GNCHALIDECALLS
#include "codegen/halide/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

// halide_type_t {code, bits, lanes}: code 0 int, 1 uint, 2 float (HalideRuntime.h).
std::optional<std::pair<int, int>> halideType(Type t) {
  if (t.isF32() || t.isF64())
    return std::make_pair(2, (int)t.getIntOrFloatBitWidth());
  if (auto i = dyn_cast<IntegerType>(t); i && i.getWidth() >= 8)
    return std::make_pair(1, (int)i.getWidth());
  return std::nullopt;
}

struct BufferLayout {
  SmallVector<int64_t> shape, strides;
  int code, bits;
};

struct GncHalideCallsPass : gnc::impl::GncHalideCallsBase<GncHalideCallsPass> {
  // The wrapper: allocas of one halide_buffer_t (and its dimensions) per buffer, the call, and
  // abort() on an error code. Memory layout of halide_buffer_t (Halide 14): {u64 device,
  // ptr device_interface, ptr host, u64 flags, {u8 code, u8 bits, u16 lanes} type,
  // i32 dimensions, ptr dim, ptr padding}; halide_dimension_t: {i32 min, extent, stride, flags}.
  LLVM::LLVMFuncOp wrapper(ModuleOp module, StringRef name, StringRef function,
                           ArrayRef<BufferLayout> buffers, TypeRange paramTypes) {
    MLIRContext *ctx = module.getContext();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    Location loc = module.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i8 = b.getI8Type(), i16 = b.getI16Type(), i32 = b.getI32Type(), i64 = b.getI64Type();
    auto voidT = LLVM::LLVMVoidType::get(ctx);
    auto typeT = LLVM::LLVMStructType::getLiteral(ctx, {i8, i8, i16});
    auto bufT = LLVM::LLVMStructType::getLiteral(ctx, {i64, ptr, ptr, i64, typeT, i32, ptr, ptr});
    auto dimT = LLVM::LLVMStructType::getLiteral(ctx, {i32, i32, i32, i32});

    SmallVector<Type> halideArgs(paramTypes.begin(), paramTypes.end());
    halideArgs.append(buffers.size(), ptr);
    if (!module.lookupSymbol(function))
      LLVM::LLVMFuncOp::create(b, loc, function, LLVM::LLVMFunctionType::get(i32, halideArgs));
    if (!module.lookupSymbol("abort"))
      LLVM::LLVMFuncOp::create(b, loc, "abort", LLVM::LLVMFunctionType::get(voidT, {}));

    SmallVector<Type> args(buffers.size(), ptr);
    args.append(paramTypes.begin(), paramTypes.end());
    auto fn = LLVM::LLVMFuncOp::create(b, loc, name, LLVM::LLVMFunctionType::get(voidT, args));
    fn.setLinkage(LLVM::Linkage::Internal);
    Block *entry = fn.addEntryBlock(b);
    b.setInsertionPointToStart(entry);
    auto c32 = [&](int64_t v) { return LLVM::ConstantOp::create(b, loc, i32, b.getI32IntegerAttr(v)); };
    Value one = c32(1);
    Value null = LLVM::ZeroOp::create(b, loc, ptr);
    SmallVector<Value> callArgs;
    for (unsigned i = 0; i < paramTypes.size(); ++i)
      callArgs.push_back(entry->getArgument(buffers.size() + i));
    for (auto [k, layout] : llvm::enumerate(buffers)) {
      size_t rank = layout.shape.size();
      Value dims = null;
      if (rank) {
        auto arrT = LLVM::LLVMArrayType::get(dimT, rank);
        dims = LLVM::AllocaOp::create(b, loc, ptr, arrT, one);
        Value v = LLVM::UndefOp::create(b, loc, arrT);
        for (size_t d = 0; d < rank; ++d) { // Halide's dimension 0 is the innermost
          size_t m = rank - 1 - d;
          int64_t fields[4] = {0, layout.shape[m], layout.strides[m], 0};
          for (int f = 0; f < 4; ++f)
            v = LLVM::InsertValueOp::create(b, loc, v, c32(fields[f]), ArrayRef<int64_t>{(int64_t)d, f});
        }
        LLVM::StoreOp::create(b, loc, v, dims);
      }
      Value buf = LLVM::AllocaOp::create(b, loc, ptr, bufT, one);
      Value v = LLVM::UndefOp::create(b, loc, bufT);
      Value zero64 = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(0));
      Value type = LLVM::UndefOp::create(b, loc, typeT);
      type = LLVM::InsertValueOp::create(b, loc, type, LLVM::ConstantOp::create(b, loc, i8, b.getI8IntegerAttr(layout.code)), ArrayRef<int64_t>{0});
      type = LLVM::InsertValueOp::create(b, loc, type, LLVM::ConstantOp::create(b, loc, i8, b.getI8IntegerAttr(layout.bits)), ArrayRef<int64_t>{1});
      type = LLVM::InsertValueOp::create(b, loc, type, LLVM::ConstantOp::create(b, loc, i16, b.getI16IntegerAttr(1)), ArrayRef<int64_t>{2});
      Value fields[8] = {zero64, null, entry->getArgument(k), zero64, type, c32(rank), dims, null};
      for (int f = 0; f < 8; ++f)
        v = LLVM::InsertValueOp::create(b, loc, v, fields[f], ArrayRef<int64_t>{f});
      LLVM::StoreOp::create(b, loc, v, buf);
      callArgs.push_back(buf);
    }
    auto callee = module.lookupSymbol<LLVM::LLVMFuncOp>(function);
    Value rc = LLVM::CallOp::create(b, loc, callee, callArgs).getResult();
    Value ok = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, rc, c32(0));
    Block *fail = fn.addBlock(), *done = fn.addBlock();
    LLVM::CondBrOp::create(b, loc, ok, done, fail);
    b.setInsertionPointToStart(fail);
    LLVM::CallOp::create(b, loc, module.lookupSymbol<LLVM::LLVMFuncOp>("abort"), ValueRange{});
    LLVM::UnreachableOp::create(b, loc);
    b.setInsertionPointToStart(done);
    LLVM::ReturnOp::create(b, loc, ValueRange{});
    return fn;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> kernels;
    SmallVector<Operation *> unusedInits;
    module.walk([&](Operation *op) {
      if (op->hasAttr(gnc::kHalideUnusedInitAttr))
        unusedInits.push_back(op);
      else if (op->hasAttr(gnc::kHalideAttr)) {
        if (auto l = dyn_cast<linalg::LinalgOp>(op))
          kernels.push_back(l);
      }
    });
    llvm::StringMap<LLVM::LLVMFuncOp> wrappers;
    auto ptr = LLVM::LLVMPointerType::get(&getContext());
    for (linalg::LinalgOp op : kernels) {
      auto attr = op->getAttrOfType<DictionaryAttr>(gnc::kHalideAttr);
      auto function = attr.getAs<StringAttr>("function");
      auto init = attr.getAs<BoolAttr>("init");
      if (!function || !init || !op.hasPureBufferSemantics()) {
        op->emitError("gnc-halide-calls: a Halide kernel must be bufferized and carry {function, init}");
        return signalPassFailure();
      }
      SmallVector<Value> buffers;
      for (OpOperand *in : op.getDpsInputOperands())
        if (isa<MemRefType>(in->get().getType()))
          buffers.push_back(in->get());
      for (Value table : gnc::halideKernelGathers(op))
        buffers.push_back(table);
      Value out = op.getDpsInitOperand(0)->get();
      if (init.getValue())
        buffers.push_back(out);
      buffers.push_back(out);
      SmallVector<BufferLayout> layouts;
      SmallVector<int64_t> offsets;
      std::string key = function.str();
      for (Value v : buffers) {
        auto t = cast<MemRefType>(v.getType());
        BufferLayout l;
        int64_t offset;
        auto type = halideType(t.getElementType());
        if (!type || failed(t.getStridesAndOffset(l.strides, offset)) || !t.hasStaticShape() ||
            ShapedType::isDynamic(offset) || llvm::any_of(l.strides, ShapedType::isDynamic)) {
          op->emitError("gnc-halide-calls: a buffer of kernel '")
              << function.getValue() << "' has no static strided layout or an element type Halide cannot take: " << t;
          return signalPassFailure();
        }
        l.shape = SmallVector<int64_t>(t.getShape());
        l.code = type->first;
        l.bits = type->second;
        layouts.push_back(l);
        offsets.push_back(offset * (l.bits / 8));
        key += ";";
        for (int64_t s : l.shape)
          key += std::to_string(s) + ",";
        key += "/";
        for (int64_t s : l.strides)
          key += std::to_string(s) + ",";
      }
      OpBuilder b(op);
      Location loc = op.getLoc();
      SmallVector<Value> params = gnc::halideKernelParams(op);
      SmallVector<Type> paramTypes;
      SmallVector<Value> args;
      for (auto [v, offset] : llvm::zip(buffers, offsets)) {
        Value p = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, v);
        Value i = arith::IndexCastOp::create(b, loc, b.getI64Type(), p);
        Value host = LLVM::IntToPtrOp::create(b, loc, ptr, i);
        if (offset)
          host = LLVM::GEPOp::create(b, loc, ptr, b.getI8Type(), host, ArrayRef<LLVM::GEPArg>{(int32_t)offset});
        args.push_back(host);
      }
      for (Value p : params) {
        if (p.getType().isIndex())
          p = arith::IndexCastOp::create(b, loc, b.getI64Type(), p);
        paramTypes.push_back(p.getType());
        args.push_back(p);
      }
      auto [it, fresh] = wrappers.try_emplace(key, nullptr);
      if (fresh) {
        std::string name = "gnc_hw_" + function.str();
        if (module.lookupSymbol(name))
          name += "_" + std::to_string(wrappers.size());
        it->second = wrapper(module, name, function.getValue(), layouts, paramTypes);
      }
      auto call = LLVM::CallOp::create(b, loc, it->second, args);
      if (Attribute info = op->getAttr(gnc::kKernelAttr))
        call->setAttr(gnc::kKernelAttr, info);
      op->erase();
    }
    for (Operation *fill : unusedInits)
      fill->erase();
  }
};

} // namespace
