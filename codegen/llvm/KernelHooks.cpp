// gnc-kernel-hooks: the calls around every kernel that the runtime's --profile times (see
// Passes.td), and the kernel table of the model info.
#include "codegen/Schedule.h"
#include "dialects/gn/GnDialect.h"
#include "codegen/llvm/ModelInfoAttr.h"
#include "codegen/llvm/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/JSON.h"

#include <map>

namespace gnc {
#define GEN_PASS_DEF_GNCKERNELHOOKS
#include "codegen/llvm/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

constexpr StringLiteral kBegin = "gnc_kernel_begin", kEnd = "gnc_kernel_end";

struct GncKernelHooksPass : gnc::impl::GncKernelHooksBase<GncKernelHooksPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    // Kernels with one signature share an id: the profile sums their calls.
    std::map<std::string, int32_t> ids;
    llvm::json::Array table;
    // The entry functions that call each kernel (which are forward passes, which gradients).
    std::vector<std::vector<std::string>> callers;
    SmallVector<std::pair<Operation *, int32_t>> kernels;
    module.walk([&](Operation *op) {
      auto info = op->getAttrOfType<DictionaryAttr>(gnc::kKernelAttr);
      if (!info)
        return;
      op->removeAttr(gnc::kKernelAttr);
      auto fn = op->getParentOfType<func::FuncOp>();
      if (!fn || !fn->hasAttr(mlir::gn::GnDialect::KindAttrHelper::getNameStr()))
        return;
      std::string name = info.getAs<StringAttr>("name").str();
      auto [it, fresh] = ids.emplace(name, (int32_t)ids.size());
      if (fresh) {
        auto signature = info.getAs<StringAttr>("signature");
        table.push_back(llvm::json::Object{{"name", name},
                                           {"signature", signature ? signature.str() : name},
                                           {"flops", info.getAs<IntegerAttr>("flops").getInt()},
                                           {"bytes", info.getAs<IntegerAttr>("bytes").getInt()},
                                           {"backend", info.getAs<StringAttr>("backend")
                                                           ? info.getAs<StringAttr>("backend").str()
                                                           : "llvm"}});
        callers.emplace_back();
      }
      std::vector<std::string> &by = callers[it->second];
      if (!llvm::is_contained(by, fn.getSymName()))
        by.push_back(fn.getSymName().str());
      kernels.push_back({op, it->second});
    });
    if (kernels.empty())
      return;
    auto hookType = b.getFunctionType({b.getI32Type()}, {});
    b.setInsertionPointToStart(module.getBody());
    for (StringRef name : {kBegin, kEnd}) {
      auto decl = func::FuncOp::create(b, module.getLoc(), name, hookType);
      decl.setPrivate();
    }
    for (auto [op, id] : kernels) {
      b.setInsertionPoint(op);
      Value v = arith::ConstantOp::create(b, op->getLoc(), b.getI32IntegerAttr(id));
      func::CallOp::create(b, op->getLoc(), kBegin, TypeRange{}, ValueRange{v});
      b.setInsertionPointAfter(op);
      func::CallOp::create(b, op->getLoc(), kEnd, TypeRange{}, ValueRange{v});
    }
    // The runtime reads the table from the model info: kernel id -> name, FLOPs, bytes.
    if (!module->hasAttr("gnc.model_info"))
      return;
    FailureOr<llvm::json::Object> info = gnc::readModelInfo(module, "gnc-kernel-hooks");
    if (failed(info))
      return signalPassFailure();
    for (auto [k, by] : llvm::zip(table, callers)) {
      llvm::json::Array entries;
      for (const std::string &e : by)
        entries.push_back(e);
      (*k.getAsObject())["entries"] = std::move(entries);
    }
    (*info)["kernels"] = std::move(table);
    gnc::writeModelInfo(module, std::move(*info));
  }
};

} // namespace
