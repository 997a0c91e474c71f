// The reference evaluator: a plain interpreter of gn-stage IR (gn, func, scf, arith, tensor ops)
// on host tensors. It is the oracle that every pass and backend is tested against, so it is slow
// on purpose and simple enough to trust: plain loops over row-major data, every op written out
// from its description in GnOps.td, random numbers straight from Philox.h. It is never linked
// into generated programs.
//
// Precision::F32 rounds every f32 op result (and f32 arguments, parameters and constants)
// through `float`, which emulates f32 storage between ops; inside one op (a convolution's sum,
// a loss's reduction) the arithmetic is double, so results can differ from a true f32 kernel by
// the f32 accumulation error only. Precision::F64 never rounds (gradient checks).
#ifndef GNC_DIALECTS_GN_REFERENCE_EVALUATOR_H
#define GNC_DIALECTS_GN_REFERENCE_EVALUATOR_H

#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gn::reference {

/// A row-major host tensor. f32 values are stored as doubles; i32 (and index/i64 scalars of
/// scf/arith) are stored exactly as doubles with isInt set. A scalar has an empty shape.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;
  bool isInt = false;

  Tensor() = default;
  Tensor(std::vector<int64_t> shape, std::vector<double> data, bool isInt = false)
      : shape(std::move(shape)), data(std::move(data)), isInt(isInt) {}
  /// A zero-filled tensor of `shape`.
  static Tensor zeros(std::vector<int64_t> shape, bool isInt = false);
  static Tensor scalar(double v, bool isInt = false) { return Tensor({}, {v}, isInt); }

  int64_t numel() const;
};

enum class Precision {
  F32, // every f32 op result is rounded through float (emulates f32 arithmetic between ops)
  F64  // no rounding (for gradient checks)
};

class Evaluator {
public:
  Evaluator(mlir::ModuleOp module, Precision p);

  /// Runs the func.func named `func` on `args` (checked against its signature). On failure
  /// returns false with a one-line reason (op name + location) in `err`.
  bool call(llvm::StringRef func, const std::vector<Tensor> &args, std::vector<Tensor> &results,
            std::string &err);

  /// Values read by gn.param_ref, by parameter name (without '@'); a missing one is an error.
  std::map<std::string, Tensor> params;

private:
  mlir::ModuleOp module;
  Precision precision;
};

} // namespace gn::reference

#endif
