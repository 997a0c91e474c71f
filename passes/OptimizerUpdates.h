// The update formulas of the optimizers of `minimize ... with OPT(...)` as generated gn IR
// (used by gn-autodiff); their names, hyperparameters and state are dialects/gn/GnOptimizers.h.
#ifndef GNC_PASSES_OPTIMIZERUPDATES_H
#define GNC_PASSES_OPTIMIZERUPDATES_H

#include "dialects/gn/GnOps.h"

#include "mlir/IR/Builders.h"

#include <string>
#include <vector>

namespace gnc {

// The optimizer's per-parameter state tensors, by name suffix (each has the parameter's
// shape and starts at zero; GnOptimizers.h's slots).
std::vector<std::string> optimizerSlots(mlir::gn::MinimizeOp op);

// Emits one update of `param` with gradient `grad`. `slots` are the current values of the
// state named by optimizerSlots; their new values are appended to `newSlots`. `step` is the
// 1-based step count (tensor<f32>) of this minimize, for Adam's bias correction.
mlir::Value emitOptimizerUpdate(mlir::OpBuilder &b, mlir::Location loc, mlir::gn::MinimizeOp op,
                                mlir::Value param, mlir::Value grad,
                                llvm::ArrayRef<mlir::Value> slots, mlir::Value step,
                                llvm::SmallVectorImpl<mlir::Value> &newSlots);

} // namespace gnc

#endif
