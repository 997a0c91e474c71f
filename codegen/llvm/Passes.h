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

// The pipeline's choices (none yet).
struct LinalgToLLVMOptions {};

// linalg on tensors -> bufferized loops -> LLVM dialect with bare-pointer entry functions
// whose results are out-parameters, plus the runtime's entry points.
void addLinalgToLLVMPasses(mlir::OpPassManager &pm, const LinalgToLLVMOptions &options = {});

} // namespace gnc

#endif
