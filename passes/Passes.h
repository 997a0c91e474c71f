// gnc's own passes (declared in Passes.td).
#ifndef GNC_PASSES_PASSES_H
#define GNC_PASSES_PASSES_H

#include "mlir/Pass/Pass.h"

#include <memory>

namespace gnc {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace gnc

#endif
