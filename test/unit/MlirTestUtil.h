// Helpers of the MLIR unit tests (gnc-mlir-unit-tests): one shared context with the dialects
// of gn programs, parsing MLIR text, and running functions through the reference evaluator.
#ifndef GNC_TEST_UNIT_MLIRTESTUTIL_H
#define GNC_TEST_UNIT_MLIRTESTUTIL_H

#include "dialects/gn/GnDialect.h"
#include "dialects/gn/GnOps.h"
#include "dialects/gn/reference/Evaluator.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gnc::test {

using gn::reference::Evaluator;
using gn::reference::Precision;
using gn::reference::Tensor;

// gn, func, arith, scf and tensor: the dialects of gn-stage programs.
inline mlir::MLIRContext &context() {
  static mlir::MLIRContext *ctx = [] {
    mlir::DialectRegistry registry;
    registry.insert<mlir::gn::GnDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect,
                    mlir::scf::SCFDialect, mlir::tensor::TensorDialect>();
    auto *c = new mlir::MLIRContext(registry);
    c->loadAllAvailableDialects();
    return c;
  }();
  return *ctx;
}

// Collects the context's diagnostics while alive (instead of printing them).
struct DiagnosticCapture {
  std::string messages;
  mlir::ScopedDiagnosticHandler handler{&context(), [this](mlir::Diagnostic &d) {
                                          messages += d.str() + "\n";
                                          return mlir::success();
                                        }};
};

// Parses (and verifies) `text`; on failure records a test failure with the diagnostics.
inline mlir::OwningOpRef<mlir::ModuleOp> parse(const std::string &text) {
  DiagnosticCapture diags;
  auto module = mlir::parseSourceString<mlir::ModuleOp>(text, &context());
  if (!module)
    ADD_FAILURE() << "cannot parse:\n" << text << "\n" << diags.messages;
  return module;
}

inline Tensor tensor(std::vector<int64_t> shape, std::vector<double> data) {
  return Tensor(std::move(shape), std::move(data));
}
inline Tensor intTensor(std::vector<int64_t> shape, std::vector<double> data) {
  return Tensor(std::move(shape), std::move(data), /*isInt=*/true);
}

// Runs @fn; on failure records a test failure with the evaluator's reason.
inline std::vector<Tensor> run(mlir::ModuleOp module, const std::string &fn,
                               const std::vector<Tensor> &args, Precision p = Precision::F64) {
  Evaluator ev(module, p);
  std::vector<Tensor> results;
  std::string err;
  if (!ev.call(fn, args, results, err))
    ADD_FAILURE() << "evaluating @" << fn << " failed: " << err;
  return results;
}

} // namespace gnc::test

#endif
