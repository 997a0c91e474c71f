// gnc-select-algorithms: gives every gn.conv2d_transpose its form (`gnc.algorithm`), from a
// schedule file or the heuristic below; gn-transposed-conv-to-conv applies it. The choice is
// the kernel's schedule at the gn level: after the rewrite the forms are different linalg
// kernels, which gnc-select-schedules then schedules.
#include "codegen/Passes.h"
#include "codegen/Schedule.h"
#include "codegen/ScheduleFile.h"
#include "passes/TransposedConvAlgorithm.h"

#include "dialects/gn/GnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <set>

namespace gnc {
#define GEN_PASS_DEF_GNCSELECTALGORITHMS
#include "codegen/Passes.h.inc"
} // namespace gnc

using namespace mlir;
using gnc::TransposedConvAlgorithm;

namespace {

// Sub-pixel whenever it applies: zero insertion multiplies s*s - 1 inserted zeros for every
// useful multiply-add (3/4 of the work at stride 2) and reads a zero-interleaved copy of the
// input four times its size, while the sub-pixel parts are ordinary stride-1 convolutions
// that write the output in place. It needs dilation 1; dilated kernels take zero insertion.
TransposedConvAlgorithm heuristic(gn::Conv2DTransposeOp op) {
  return gnc::whyCannotRealize(op, TransposedConvAlgorithm::SubPixel).empty() ? TransposedConvAlgorithm::SubPixel
                                                                              : TransposedConvAlgorithm::ZeroInsertion;
}

// A file entry's algorithm, or the reason it has none, naming the field.
FailureOr<TransposedConvAlgorithm> fromEntry(const llvm::json::Object &entry, std::string &error) {
  for (const auto &kv : entry)
    if (kv.first != "algorithm") {
      error = "unknown field '" + kv.first.str() + "' (a transposed convolution's entry has one field, algorithm)";
      return failure();
    }
  const llvm::json::Value *v = entry.get("algorithm");
  if (!v) {
    error = "field 'algorithm' is missing";
    return failure();
  }
  std::optional<llvm::StringRef> name = v->getAsString();
  std::optional<TransposedConvAlgorithm> a = name ? gnc::parseAlgorithm(*name) : std::nullopt;
  if (!a) {
    error = "field 'algorithm': expected " + gnc::algorithmNames();
    if (name)
      error += ", got \"" + name->str() + "\"";
    return failure();
  }
  return *a;
}

struct GncSelectAlgorithmsPass : gnc::impl::GncSelectAlgorithmsBase<GncSelectAlgorithmsPass> {
  using GncSelectAlgorithmsBase::GncSelectAlgorithmsBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    std::map<std::string, llvm::json::Object> entries;
    if (!schedulesFile.empty()) {
      auto all = gnc::readScheduleFile(ctx, schedulesFile);
      if (failed(all))
        return signalPassFailure();
      for (auto &[name, entry] : *all)
        if (gnc::isTransposedConvSignature(name))
          entries.emplace(name, std::move(entry));
    }
    // A file's errors, once per kernel, located in the file (not at each op using the kernel).
    std::map<std::string, std::string> fileErrors;
    std::set<std::string> used;
    std::map<std::string, std::string> chosen;
    Builder b(ctx);
    getOperation().walk([&](gn::Conv2DTransposeOp op) {
      std::string sig = gnc::transposedConvSignature(op);
      TransposedConvAlgorithm a = heuristic(op);
      if (auto it = entries.find(sig); it != entries.end()) {
        used.insert(sig);
        std::string error;
        FailureOr<TransposedConvAlgorithm> fromFile = fromEntry(it->second, error);
        if (succeeded(fromFile))
          if (std::string why = gnc::whyCannotRealize(op, *fromFile); !why.empty())
            error = "field 'algorithm': " + why;
        if (!error.empty()) {
          fileErrors.emplace(sig, error);
          return;
        }
        a = *fromFile;
      }
      op->setAttr(gnc::kAlgorithmAttr, b.getStringAttr(gnc::algorithmName(a)));
      chosen[sig] = gnc::algorithmName(a).str();
    });
    for (auto &[name, entry] : entries)
      if (!used.count(name))
        fileErrors.emplace(name, "no kernel of this program has this signature (gnc build --dump-schedules "
                                 "FILE lists them)");
    Location fileLoc = gnc::scheduleFileLoc(ctx, schedulesFile);
    for (auto &[name, why] : fileErrors)
      mlir::emitError(fileLoc) << "kernel '" << name << "': " << why;
    if (!fileErrors.empty())
      return signalPassFailure();
    SmallVector<NamedAttribute> record;
    for (auto &[sig, name] : chosen)
      record.push_back(b.getNamedAttr(sig, b.getStringAttr(name)));
    if (!record.empty())
      getOperation()->setAttr(gnc::kAlgorithmsAttr, b.getDictionaryAttr(record));
  }
};

} // namespace
