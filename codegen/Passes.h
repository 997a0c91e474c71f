// Backend-neutral codegen passes (declared in Passes.td): the model info, elementwise fusion,
// schedule selection.
#ifndef GNC_CODEGEN_PASSES_H
#define GNC_CODEGEN_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::linalg { class LinalgDialect; }
namespace mlir::tensor { class TensorDialect; }

namespace gnc {

#define GEN_PASS_DECL
#include "codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/Passes.h.inc"

} // namespace gnc

#endif
