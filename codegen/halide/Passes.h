// Passes of the Halide kernel backend (declared in Passes.td).
#ifndef GNC_CODEGEN_HALIDE_PASSES_H
#define GNC_CODEGEN_HALIDE_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include "llvm/Support/JSON.h"

#include <vector>

namespace mlir::linalg { class LinalgDialect; }
namespace mlir::tensor { class TensorDialect; }
namespace mlir::arith { class ArithDialect; }
namespace mlir::LLVM { class LLVMDialect; }
namespace mlir::memref { class MemRefDialect; }
namespace mlir::func { class FuncDialect; }

namespace gnc {

#define GEN_PASS_DECL
#include "codegen/halide/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/halide/Passes.h.inc"

// On a Halide kernel op from gnc-halide-kernels to gnc-halide-calls: {function = the compiled
// pipeline's symbol, init = whether it reads the output's initial contents}.
inline constexpr llvm::StringLiteral kHalideAttr = "gnc.halide";
// A fill whose buffer the Halide kernel after it overwrites without reading.
inline constexpr llvm::StringLiteral kHalideUnusedInitAttr = "gnc.halide_unused_init";
// On the module: the Halide autoscheduler that schedules the pipelines instead of their
// directives (gnc --halide-autoscheduler), if any.
inline constexpr llvm::StringLiteral kHalideAutoschedulerAttr = "gnc.halide_autoscheduler";
// The machine parameters it is given: parallelism, last-level cache bytes, load cost balance
// (2 threads, gnc's default; the figures of shared/notes' Adams2019 measurement).
inline constexpr llvm::StringLiteral kHalideMachineParams = "2,16777216,40";
// On the module: the pipelines' JSON descriptions (an array of strings), for gnc-halide-gen.
inline constexpr llvm::StringLiteral kHalidePipelinesAttr = "gnc.halide_pipelines";
// Those descriptions parsed (none without the attribute); failure when one is not a JSON
// object (Generator.cpp).
mlir::FailureOr<std::vector<llvm::json::Value>> readHalidePipelines(mlir::ModuleOp module);

} // namespace gnc

#endif
