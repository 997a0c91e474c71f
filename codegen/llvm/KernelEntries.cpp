// gnc-kernel-entries: every outlined kernel callable on its own through a uniform
// `void (void **args)` entry, for the per-kernel benchmark (see Passes.td).
#include "codegen/llvm/ModelInfoAttr.h"
#include "codegen/llvm/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"

namespace gnc {
#define GEN_PASS_DEF_GNCKERNELENTRIES
#include "codegen/llvm/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

// "f32", "i32", ...: how the benchmark fills a buffer of this element type, or passes a scalar.
std::string typeName(Type t) {
  if (t.isIndex())
    return "i64"; // the bare-pointer convention passes an index as a 64-bit integer
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

// One argument as the model info describes it: a buffer's shape and element type, or a scalar.
FailureOr<llvm::json::Object> describeArgument(Type t) {
  if (auto m = dyn_cast<MemRefType>(t)) {
    if (!m.hasStaticShape() || !m.getElementType().isIntOrFloat())
      return failure();
    llvm::json::Array shape;
    for (int64_t d : m.getShape())
      shape.push_back(d);
    return llvm::json::Object{{"shape", std::move(shape)}, {"dtype", typeName(m.getElementType())}};
  }
  if (t.isIntOrIndexOrFloat())
    return llvm::json::Object{{"scalar", typeName(t)}};
  return failure();
}

struct GncKernelEntriesPass : gnc::impl::GncKernelEntriesBase<GncKernelEntriesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    FailureOr<llvm::json::Object> info = gnc::readModelInfo(module, "gnc-kernel-entries");
    if (failed(info))
      return signalPassFailure();
    llvm::json::Object *infoObject = &*info;
    // The kernel table of gnc-kernel-hooks, by name: FLOPs and bytes per call.
    llvm::StringMap<int64_t> kernelIndex;
    if (const llvm::json::Array *kernels = infoObject->getArray("kernels"))
      for (size_t i = 0; i < kernels->size(); ++i)
        if (auto name = (*kernels)[i].getAsObject()->getString("name"))
          kernelIndex[*name] = (int64_t)i;

    SmallVector<LLVM::LLVMFuncOp> functions;
    module.walk([&](LLVM::LLVMFuncOp fn) {
      if (fn->hasAttr(gnc::kKernelFunctionAttr))
        functions.push_back(fn);
    });

    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    Location loc = module.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto voidT = LLVM::LLVMVoidType::get(ctx);
    llvm::json::Array table;
    SmallVector<std::pair<std::string, std::string>> entries; // benchmark name -> entry symbol
    llvm::StringMap<unsigned> nameUses;
    for (LLVM::LLVMFuncOp fn : functions) {
      auto record = fn->getAttrOfType<DictionaryAttr>(gnc::kKernelFunctionAttr);
      fn->removeAttr(gnc::kKernelFunctionAttr);
      auto kernel = record ? record.getAs<StringAttr>("kernel") : StringAttr();
      auto argTypes = record ? record.getAs<ArrayAttr>("args") : ArrayAttr();
      if (!kernel || !argTypes || argTypes.size() != fn.getNumArguments()) {
        fn.emitError("gnc-kernel-entries: malformed ") << gnc::kKernelFunctionAttr << " " << record;
        return signalPassFailure();
      }
      auto index = kernelIndex.find(kernel.getValue());
      if (index == kernelIndex.end()) {
        fn.emitError("gnc-kernel-entries: kernel '") << kernel.getValue() << "' is not in the model info's kernels";
        return signalPassFailure();
      }
      llvm::json::Array args;
      for (Attribute a : argTypes) {
        Type t = cast<TypeAttr>(a).getValue();
        FailureOr<llvm::json::Object> arg = describeArgument(t);
        if (failed(arg)) {
          fn.emitError("gnc-kernel-entries: cannot describe argument type ") << t;
          return signalPassFailure();
        }
        args.push_back(std::move(*arg));
      }

      // Every argument is a pointer in args[i]: a buffer's address is passed on, a scalar is
      // loaded from it.
      std::string entry = "gnc_kernel_fn_" + fn.getSymName().str();
      auto ef = LLVM::LLVMFuncOp::create(b, loc, entry, LLVM::LLVMFunctionType::get(voidT, {ptr}));
      {
        OpBuilder::InsertionGuard g(b);
        Block *body = ef.addEntryBlock(b);
        b.setInsertionPointToStart(body);
        SmallVector<Value> callArgs;
        for (auto [i, t] : llvm::enumerate(fn.getFunctionType().getParams())) {
          Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, body->getArgument(0), ArrayRef<LLVM::GEPArg>{(int32_t)i});
          Value p = LLVM::LoadOp::create(b, loc, ptr, slot);
          callArgs.push_back(isa<LLVM::LLVMPointerType>(t) ? p : LLVM::LoadOp::create(b, loc, t, p).getResult());
        }
        LLVM::CallOp::create(b, loc, fn, callArgs);
        LLVM::ReturnOp::create(b, loc, ValueRange{});
      }
      // A kernel outlined into several functions (equal signatures, different bodies: views
      // at other offsets) gets one benchmark per function.
      unsigned n = nameUses[kernel.getValue()]++;
      std::string name = kernel.getValue().str() + (n ? "#" + std::to_string(n + 1) : "");
      table.push_back(llvm::json::Object{
          {"name", name}, {"kernel", index->second}, {"symbol", entry}, {"args", std::move(args)}});
      entries.push_back({name, entry});
    }

    // {name, entry} pairs ending in {null, null}, as gnc_entries (runtime/GncAbi.h).
    for (auto [i, e] : llvm::enumerate(entries))
      gnc::stringGlobal(b, loc, "gnc_kernel_name_" + std::to_string(i), e.first);
    auto pairT = LLVM::LLVMStructType::getLiteral(ctx, {ptr, ptr});
    auto tableT = LLVM::LLVMArrayType::get(pairT, entries.size() + 1);
    auto global = LLVM::GlobalOp::create(b, loc, tableT, /*isConstant=*/true, LLVM::Linkage::External,
                                         "gnc_kernel_functions", Attribute());
    Block *init = b.createBlock(&global.getInitializerRegion());
    b.setInsertionPointToStart(init);
    Value arr = LLVM::UndefOp::create(b, loc, tableT);
    Value null = LLVM::ZeroOp::create(b, loc, ptr);
    for (size_t i = 0; i <= entries.size(); ++i) {
      Value n = null, f = null;
      if (i < entries.size()) {
        n = LLVM::AddressOfOp::create(b, loc, ptr, "gnc_kernel_name_" + std::to_string(i));
        f = LLVM::AddressOfOp::create(b, loc, ptr, entries[i].second);
      }
      arr = LLVM::InsertValueOp::create(b, loc, arr, n, ArrayRef<int64_t>{(int64_t)i, 0});
      arr = LLVM::InsertValueOp::create(b, loc, arr, f, ArrayRef<int64_t>{(int64_t)i, 1});
    }
    LLVM::ReturnOp::create(b, loc, arr);

    (*infoObject)["kernel_functions"] = std::move(table);
    gnc::writeModelInfo(module, std::move(*info));
  }
};

} // namespace
