// gnc-destination-passing: results of entry functions go into caller-provided buffers.
#include "codegen/llvm/Passes.h"
#include "dialects/gn/GnDialect.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace gnc {
#define GEN_PASS_DEF_GNCDESTINATIONPASSING
#include "codegen/llvm/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {
struct GncDestinationPassingPass : gnc::impl::GncDestinationPassingBase<GncDestinationPassingPass> {
  void runOnOperation() override {
    // Loop-carried tensors (a sampler's image) are updated in their own buffer: without this,
    // every iteration would yield a fresh allocation that the deallocation machinery must track.
    getOperation().walk([](scf::ForOp loop) {
      auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
      OpBuilder b(yield);
      for (auto [i, v] : llvm::enumerate(yield.getOperands()))
        if (isa<RankedTensorType>(v.getType()))
          yield.setOperand(i, bufferization::MaterializeInDestinationOp::create(
                                  b, yield.getLoc(), v, loop.getRegionIterArgs()[i])
                                  .getResult());
    });
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (!fn->hasAttr(mlir::gn::GnDialect::KindAttrHelper::getNameStr()) || fn.isExternal())
        continue;
      Block &entry = fn.getBody().front();
      auto ret = cast<func::ReturnOp>(entry.getTerminator());
      unsigned numInputs = entry.getNumArguments();
      SmallVector<Type> resultTypes(fn.getFunctionType().getResults());
      SmallVector<DictionaryAttr> resultAttrs;
      fn.getAllResultAttrs(resultAttrs);
      OpBuilder b(ret);
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        BlockArgument out = entry.addArgument(resultTypes[i], ret.getLoc());
        bufferization::MaterializeInDestinationOp::create(b, ret.getLoc(), v, out);
      }
      ret->setOperands({});
      // Argument attributes are rebuilt whole: the function type grows, the results vanish.
      SmallVector<DictionaryAttr> argAttrs;
      fn.getAllArgAttrs(argAttrs);
      SmallVector<Attribute> all;
      auto notWritable = b.getNamedAttr("bufferization.writable", b.getBoolAttr(false));
      auto writable = b.getNamedAttr("bufferization.writable", b.getBoolAttr(true));
      for (unsigned i = 0; i < numInputs; ++i) {
        NamedAttrList l(i < argAttrs.size() && argAttrs[i] ? argAttrs[i] : b.getDictionaryAttr({}));
        l.set(notWritable.getName(), notWritable.getValue());
        all.push_back(l.getDictionary(&getContext()));
      }
      for (unsigned i = 0; i < resultTypes.size(); ++i) {
        NamedAttrList l(i < resultAttrs.size() && resultAttrs[i] ? resultAttrs[i] : b.getDictionaryAttr({}));
        l.set(writable.getName(), writable.getValue());
        all.push_back(l.getDictionary(&getContext()));
      }
      fn.removeResAttrsAttr();
      fn.setFunctionType(FunctionType::get(&getContext(), entry.getArgumentTypes(), {}));
      fn.setArgAttrsAttr(b.getArrayAttr(all));
    }
  }
};
} // namespace
