// libFuzzer target for the .gn front end: any byte string may be rejected with an error
// message, but must never crash, hang, leak or trip ASan/UBSan, and a module the front end
// accepts must pass the MLIR verifier.
//
// Long inputs from short ones: a line holding @N@ (N decimal, '@' is no .gn character) is
// compiled as N copies of itself without the marker, with @I@ and @I-1@ replaced by 1..N and
// 0..N-1, as test/frontend/Inputs/repeat.py expands the limit tests' templates. One mutation
// of a count then turns `+ 0 @40@` into a chain of 40,000 terms, the deep-but-legal input that
// used to overflow the stack (issue 10); gn.dict holds such lines.
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
#include <cstdlib>
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

// The source with every @N@ line repeated (above), cut at 1 MB, the -max_len of run-fuzz.sh:
// a count must not make inputs larger than the fuzzer could write out.
std::string expand(llvm::StringRef input) {
  constexpr size_t kMaxBytes = 1 << 20;
  std::string out;
  while (!input.empty() && out.size() <= kMaxBytes) {
    auto [line, rest] = input.split('\n');
    bool lastLine = rest.empty() && !input.ends_with("\n");
    input = rest;
    size_t at = line.find('@');
    size_t end = at == llvm::StringRef::npos ? at : line.find('@', at + 1);
    llvm::StringRef digits = end == llvm::StringRef::npos ? "" : line.slice(at + 1, end);
    unsigned long long n = 0;
    if (digits.empty() || digits.size() > 7 || digits.getAsInteger(10, n)) {
      out += line;
      out += lastLine ? "" : "\n";
      continue;
    }
    std::string body = (line.take_front(at) + line.drop_front(end + 1)).str();
    for (unsigned long long i = 1; i <= n && out.size() <= kMaxBytes; ++i) {
      std::string copy = body;
      for (auto [from, to] : {std::pair<std::string, std::string>{"@I-1@", std::to_string(i - 1)},
                              {"@I@", std::to_string(i)}})
        for (size_t p; (p = copy.find(from)) != std::string::npos;)
          copy.replace(p, from.size(), to);
      out += copy + "\n";
    }
  }
  return out;
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
  std::string expanded = expand(llvm::StringRef(reinterpret_cast<const char *>(data), size));
  llvm::StringRef source(expanded);

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
