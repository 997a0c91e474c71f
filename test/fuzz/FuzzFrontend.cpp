// libFuzzer target for the .gn front end: any byte string may be rejected with an error
// message, but must never crash, hang, leak or trip ASan/UBSan, and a module the front end
// accepts must pass the MLIR verifier.
//
//   make fuzz [FUZZ_SECONDS=60]     (build-fuzz/bin/gnc-fuzz-frontend; see test/fuzz/run-fuzz.sh)
#include "compiler/Frontend.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

// One context for the whole run (creating one per input would dominate the time).
// Single-threaded: deterministic, and no thread pool for the leak checker to trip on.
mlir::MLIRContext &context() {
  static mlir::MLIRContext *ctx = [] {
    mlir::DialectRegistry registry;
    gnc::registerDialects(registry);
    auto *c = new mlir::MLIRContext(registry, mlir::MLIRContext::Threading::DISABLED);
    c->loadAllAvailableDialects();
    return c;
  }();
  return *ctx;
}

[[noreturn]] void fail(const char *what, llvm::StringRef source, const std::string &diags) {
  llvm::errs() << "gnc-fuzz-frontend: " << what << "\n--- input (" << source.size()
               << " bytes) ---\n"
               << source << "\n--- diagnostics ---\n"
               << diags << "\n";
  llvm::errs().flush();
  __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext &ctx = context();
  llvm::StringRef source(reinterpret_cast<const char *>(data), size);

  std::string diags;
  llvm::raw_string_ostream errs(diags);
  // Diagnostics the front end or the verifier emits through the context land in `diags` too.
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    errs << d << "\n";
    return mlir::success();
  });

  mlir::OwningOpRef<mlir::ModuleOp> module = gnc::compileSource(ctx, source, "fuzz.gn", errs);
  errs.flush();
  if (!module) {
    // Every rejection must say why (docs/language.md: "Every mistake is reported").
    if (diags.empty())
      fail("input rejected without an error message", source, diags);
    return 0;
  }
  if (mlir::failed(mlir::verify(*module)))
    fail("the front end produced a module that does not verify", source, diags);
  return 0;
}
