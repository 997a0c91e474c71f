// Passes of the LLVM backend (declared in Passes.td) and its pipeline.
#ifndef GNC_CODEGEN_LLVM_PASSES_H
#define GNC_CODEGEN_LLVM_PASSES_H

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::linalg { class LinalgDialect; }
namespace mlir::tensor { class TensorDialect; }
namespace mlir::arith { class ArithDialect; }
namespace mlir::math { class MathDialect; }
namespace mlir::LLVM { class LLVMDialect; }
namespace mlir::bufferization { class BufferizationDialect; }
namespace mlir::scf { class SCFDialect; }
namespace mlir::vector { class VectorDialect; }
namespace mlir::memref { class MemRefDialect; }
namespace mlir::func { class FuncOp; class FuncDialect; }

namespace gnc {

#define GEN_PASS_DECL
#include "codegen/llvm/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/llvm/Passes.h.inc"

// On an outlined kernel's function (gnc-outline-kernels with record-arguments): {kernel = its
// name, args = its argument types}, for gnc-kernel-entries.
inline constexpr llvm::StringLiteral kKernelFunctionAttr = "gnc.kernel_function";

struct LinalgToLLVMOptions {
  // Every outlined kernel callable on its own, with the table of its arguments
  // (gnc-kernel-entries; gnc build --kernel-bench). Off by default: the extra callers change
  // LLVM's inlining of the kernels.
  bool kernelEntries = false;
  // Passes run right after bufferization, before kernels are outlined: another kernel backend
  // replaces its kernels by calls here (the Halide backend's gnc-halide-calls).
  void (*afterBufferization)(mlir::OpPassManager &pm) = nullptr;
};

// linalg on tensors -> bufferized loops -> LLVM dialect with bare-pointer entry functions
// whose results are out-parameters, plus the runtime's entry points.
void addLinalgToLLVMPasses(mlir::OpPassManager &pm, const LinalgToLLVMOptions &options = {});

} // namespace gnc

#endif
