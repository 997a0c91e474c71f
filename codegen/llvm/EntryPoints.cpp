// gnc-entry-points: the runtime ABI on top of the lowered functions (see Passes.td).
#include "codegen/llvm/ModelInfoAttr.h"
#include "codegen/llvm/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/JSON.h"

namespace gnc {
#define GEN_PASS_DEF_GNCENTRYPOINTS
#include "codegen/llvm/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

struct GncEntryPointsPass : gnc::impl::GncEntryPointsBase<GncEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<llvm::json::Object> info = gnc::readModelInfo(module, "gnc-entry-points");
    if (failed(info))
      return signalPassFailure();
    const llvm::json::Array *entries = info->getArray("entries");
    if (!entries) {
      module.emitError("gnc.model_info has no entries");
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    Location loc = module.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto voidT = LLVM::LLVMVoidType::get(ctx);

    SmallVector<std::pair<std::string, std::string>> table; // entry name -> trampoline
    for (const llvm::json::Value &e : *entries) {
      std::string name = e.getAsObject()->getString("name")->str();
      auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name);
      if (!fn) {
        module.emitError("entry function @") << name << " was not lowered to LLVM";
        return signalPassFailure();
      }
      // Internal names cannot collide with symbols of the runtime or libc.
      std::string internal = "gnc_fn_" + name;
      if (failed(SymbolTable::replaceAllSymbolUses(fn, b.getStringAttr(internal), module)))
        return signalPassFailure();
      fn.setSymName(internal);
      fn.setLinkage(LLVM::Linkage::Internal);
      for (Type t : fn.getFunctionType().getParams())
        if (!isa<LLVM::LLVMPointerType>(t)) {
          fn.emitError("entry function parameters must all be pointers (bare-pointer convention), got ") << t;
          return signalPassFailure();
        }

      std::string tramp = "gnc_entry_" + name;
      auto tf = LLVM::LLVMFuncOp::create(b, loc, tramp, LLVM::LLVMFunctionType::get(voidT, {ptr}));
      OpBuilder::InsertionGuard g(b);
      Block *body = tf.addEntryBlock(b);
      b.setInsertionPointToStart(body);
      SmallVector<Value> args;
      for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
        Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, body->getArgument(0), ArrayRef<LLVM::GEPArg>{(int32_t)i});
        args.push_back(LLVM::LoadOp::create(b, loc, ptr, slot));
      }
      LLVM::CallOp::create(b, loc, fn, args);
      LLVM::ReturnOp::create(b, loc, ValueRange{});
      table.push_back({name, tramp});
    }

    // The runtime reads the model info as the attribute's text, byte for byte.
    StringRef infoText = module->getAttrOfType<StringAttr>("gnc.model_info").getValue();
    gnc::stringGlobal(b, loc, "gnc_model_info", infoText).setLinkage(LLVM::Linkage::External);
    // The table is keyed by the entry's symbol, as gnc_model_info's "symbol" names it.
    for (auto &[name, tramp] : table)
      gnc::stringGlobal(b, loc, "gnc_name_" + name, tramp);
    auto entryT = LLVM::LLVMStructType::getLiteral(ctx, {ptr, ptr});
    auto tableT = LLVM::LLVMArrayType::get(entryT, table.size() + 1);
    auto global = LLVM::GlobalOp::create(b, loc, tableT, /*isConstant=*/true, LLVM::Linkage::External,
                                         "gnc_entries", Attribute());
    Block *init = b.createBlock(&global.getInitializerRegion());
    b.setInsertionPointToStart(init);
    Value arr = LLVM::UndefOp::create(b, loc, tableT);
    Value null = LLVM::ZeroOp::create(b, loc, ptr);
    for (size_t i = 0; i <= table.size(); ++i) {
      Value n = null, f = null;
      if (i < table.size()) {
        n = LLVM::AddressOfOp::create(b, loc, ptr, "gnc_name_" + table[i].first);
        f = LLVM::AddressOfOp::create(b, loc, ptr, table[i].second);
      }
      arr = LLVM::InsertValueOp::create(b, loc, arr, n, ArrayRef<int64_t>{(int64_t)i, 0});
      arr = LLVM::InsertValueOp::create(b, loc, arr, f, ArrayRef<int64_t>{(int64_t)i, 1});
    }
    LLVM::ReturnOp::create(b, loc, arr);
  }
};

} // namespace
