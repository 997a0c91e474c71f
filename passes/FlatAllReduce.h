// All-reducing several tensors as one flat buffer: one gn.all_reduce (one message exchange
// per step) instead of one per tensor, which matters when a model has many small parameters
// (biases) and the network's latency, not its bandwidth, would dominate.
#ifndef GNC_PASSES_FLATALLREDUCE_H
#define GNC_PASSES_FLATALLREDUCE_H

#include "dialects/gn/GnOps.h"

#include "mlir/IR/Builders.h"

namespace gnc {

// Emits, at b's insertion point, reshapes of `values` (f32 tensors) to 1-D, their
// concatenation, one gn.all_reduce of it and the slices back to each value's shape; returns
// the reduced values in order. A single 1-D value is reduced directly.
llvm::SmallVector<mlir::Value> emitFlatAllReduce(mlir::OpBuilder &b, mlir::Location loc,
                                                 mlir::ValueRange values,
                                                 mlir::gn::ProcessReduction reduction);

} // namespace gnc

#endif
