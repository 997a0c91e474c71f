// Philox-4x32-10 and the gn random distributions as arith/math IR, bit-compatible with
// dialects/gn/Philox.h (the specification the reference evaluator implements).
#ifndef GNC_CODEGEN_LLVM_PHILOXIR_H
#define GNC_CODEGEN_LLVM_PHILOXIR_H

#include "mlir/IR/Builders.h"

#include <array>

namespace gnc::codegen {

// Four i32 words of philox4x32_10(counter, key); all values are i32.
std::array<mlir::Value, 4> emitPhilox(mlir::OpBuilder &b, mlir::Location loc,
                                      std::array<mlir::Value, 4> counter,
                                      std::array<mlir::Value, 2> key);
// (w >> 8) * 2^-24 as f32.
mlir::Value emitUnitFloat(mlir::OpBuilder &b, mlir::Location loc, mlir::Value w);

} // namespace gnc::codegen

#endif
