// The LLVM backend assembled for the driver (codegen/Backend.h): its stages' pass builders,
// its target facts and its object emission.
#include "codegen/llvm/Backend.h"

#include "codegen/llvm/ObjectEmitter.h"
#include "codegen/llvm/Passes.h"

#include "mlir/Pass/PassManager.h"

static void addToLinalg(mlir::OpPassManager &pm) { pm.addPass(gnc::createGnToLinalg()); }

static void addToLLVM(mlir::OpPassManager &pm, const gnc::LoweringOptions &options) {
  gnc::LinalgToLLVMOptions o;
  o.kernelEntries = options.kernelBench;
  gnc::addLinalgToLLVMPasses(pm, o);
}

const gnc::Backend &gnc::llvmBackend() {
  static const Backend backend{
      "llvm",
      "linalg, tensor, arith and math on tensors (LLVM backend)",
      addToLinalg,
      {{"llvm", "the LLVM dialect: bufferized loops, bare-pointer entry points for the runtime", addToLLVM}},
      describeLLVMTarget,
      emitLLVMObjectFile};
  return backend;
}
