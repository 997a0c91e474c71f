// The optimizers of gn.minimize, in one table: their names, hyperparameters (positional order,
// valid values, defaults) and per-parameter state. The front end binds `with OPT(...)` by it,
// MinimizeOp's verifier checks against it and gn-autodiff (passes/OptimizerUpdates.cpp) reads
// defaults and state slots from it; the update formulas themselves live in OptimizerUpdates.
#ifndef GNC_DIALECTS_GN_GNOPTIMIZERS_H
#define GNC_DIALECTS_GN_GNOPTIMIZERS_H

#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::gn {

struct Hyperparameter {
  // The values it accepts: every one is an f64 but nesterov, a bool.
  enum class Range {
    NonNegative, // [0, inf)
    Positive,    // (0, inf)
    Fraction,    // [0, 1): decay rates such as beta1
    Rate,        // (0, 1]: lr_decay's factor per step
    Bool,
  };
  llvm::StringLiteral name;
  Range range;
  // The value when left out; none: lr (required), clip and lr_decay (off when left out).
  std::optional<double> dflt;

  bool valid(double v) const;
};

struct Optimizer {
  llvm::StringLiteral name;
  // In the order `with OPT(...)` takes positional arguments; lr first and required.
  std::vector<Hyperparameter> hyper;
  // State per parameter, a tensor of its shape each, starting at zero.
  std::vector<llvm::StringLiteral> slots;
  // When set, the slots exist only while this hyperparameter is positive (sgd's momentum).
  llvm::StringLiteral slotsWhen;

  const Hyperparameter *find(llvm::StringRef name) const;
  // The f64 hyperparameter `name` from a gn.minimize's `hyper`, or its default.
  std::optional<double> value(DictionaryAttr given, llvm::StringRef name) const;
  // The state slots of a gn.minimize with these hyperparameters.
  std::vector<std::string> stateSlots(DictionaryAttr given) const;
};

llvm::ArrayRef<Optimizer> optimizers();
// The optimizer named `name`, or null.
const Optimizer *findOptimizer(llvm::StringRef name);

} // namespace mlir::gn

#endif
