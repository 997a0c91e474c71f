// gnc-opt: mlir-opt plus the gn dialect. Every upstream dialect, extension (bufferization
// models, convert-to-llvm interfaces, ...) and pass is registered: they come from the shared
// libMLIR.so, so this costs nothing at build time.
#include "dialects/gn/GnDialect.h"
#include "passes/Passes.h"
#include "codegen/Passes.h"
#include "codegen/llvm/Passes.h"
#include "codegen/halide/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  gnc::registerGncPasses();
  gnc::registerGncLLVMPasses();
  gnc::registerGncCodegenPasses();
  gnc::registerGncHalidePasses();
  // The LLVM backend's whole pipeline (the `llvm` stage), for lit tests and kernel benchmarks.
  mlir::PassPipelineRegistration<>("gnc-linalg-to-llvm", "gnc's LLVM backend: scheduled linalg to the LLVM dialect",
                                   [](mlir::OpPassManager &pm) { gnc::addLinalgToLLVMPasses(pm); });
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry); // includes func, arith, tensor, scf, linalg, bufferization
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::gn::GnDialect>();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "gnc optimizer driver (gn dialect + upstream MLIR)\n", registry));
}
