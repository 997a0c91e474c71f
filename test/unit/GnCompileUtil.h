// Helpers of the tests that compile .gn source in-process (ModelGradTest, OptimizerTest, the slow
// training test): a context with every dialect gnc uses, .gn text or gn-dialect text to the
// `grad` stage, and the state layout of the resulting functions (`gn.state` attributes).
#ifndef GNC_TEST_UNIT_GNCOMPILEUTIL_H
#define GNC_TEST_UNIT_GNCOMPILEUTIL_H

#include "compiler/Frontend.h"
#include "compiler/Pipeline.h"
#include "dialects/gn/GnDialect.h"
#include "dialects/gn/reference/Evaluator.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gnc::test {

// A context with the dialects of every stage (as gnc's), shared by the tests of one binary.
inline mlir::MLIRContext &compilerContext() {
  static mlir::MLIRContext *ctx = [] {
    mlir::DialectRegistry registry;
    gnc::registerDialects(registry);
    auto *c = new mlir::MLIRContext(registry);
    c->loadAllAvailableDialects();
    return c;
  }();
  return *ctx;
}

// Compiles .gn `source` to pipeline stage `stage` (every stage's passes up to it, as gnc ir
// --stage does); on failure records a test failure with the diagnostics and returns null.
inline mlir::OwningOpRef<mlir::ModuleOp> compileGn(const std::string &source,
                                                   const std::string &stage = "grad") {
  mlir::MLIRContext &ctx = compilerContext();
  std::string errs;
  llvm::raw_string_ostream os(errs);
  auto module = gnc::compileSource(ctx, source, "test.gn", os);
  if (!module) {
    ADD_FAILURE() << "the front end rejected the program:\n" << errs << "\n" << source;
    return nullptr;
  }
  mlir::PassManager pm(&ctx);
  const auto stages = gnc::pipelineStages();
  int last = gnc::findStage(stages, stage);
  EXPECT_GE(last, 1) << "unknown stage " << stage;
  for (int i = 1; i <= last; ++i)
    if (stages[i].addPasses)
      stages[i].addPasses(pm, gnc::PipelineOptions());
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    os << d.str() << "\n";
    return mlir::success();
  });
  if (mlir::failed(pm.run(*module))) {
    ADD_FAILURE() << "compiling to stage " << stage << " failed:\n" << errs;
    return nullptr;
  }
  return module;
}

// Parses gn-dialect `text` and runs gn-autodiff on it (no inlining, no canonicalization).
inline mlir::OwningOpRef<mlir::ModuleOp> autodiffGnText(const std::string &text) {
  mlir::MLIRContext &ctx = compilerContext();
  std::string errs;
  llvm::raw_string_ostream os(errs);
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    os << d.str() << "\n";
    return mlir::success();
  });
  auto module = mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
  if (!module) {
    ADD_FAILURE() << "cannot parse:\n" << text << "\n" << errs;
    return nullptr;
  }
  mlir::PassManager pm(&ctx);
  pm.addPass(gnc::createGnAutodiff());
  if (mlir::failed(pm.run(*module))) {
    ADD_FAILURE() << "gn-autodiff failed:\n" << errs;
    return nullptr;
  }
  return module;
}

// The state layout: the `gn.state` names of @init's results, in order (= the state arguments
// of every train/eval/sample function and the trailing results of every train function).
inline std::vector<std::string> stateNames(mlir::ModuleOp module) {
  std::vector<std::string> names;
  auto init = module.lookupSymbol<mlir::func::FuncOp>("init");
  if (!init) {
    ADD_FAILURE() << "no @init";
    return names;
  }
  for (unsigned i = 0; i < init.getNumResults(); ++i) {
    auto a = init.getResultAttrOfType<mlir::StringAttr>(
        i, mlir::gn::GnDialect::StateAttrHelper::getNameStr());
    names.push_back(a ? a.getValue().str() : std::string());
  }
  return names;
}

// Index of state `name` in stateNames(), or -1.
inline int stateIndex(const std::vector<std::string> &names, const std::string &name) {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name)
      return (int)i;
  return -1;
}

// Runs `fn` through `ev`; on failure records a test failure and returns no results.
inline std::vector<gn::reference::Tensor> call(gn::reference::Evaluator &ev, const std::string &fn,
                                               const std::vector<gn::reference::Tensor> &args) {
  std::vector<gn::reference::Tensor> results;
  std::string err;
  if (!ev.call(fn, args, results, err)) {
    ADD_FAILURE() << "evaluating @" << fn << " failed: " << err;
    results.clear();
  }
  return results;
}

} // namespace gnc::test

#endif
