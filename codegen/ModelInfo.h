// The description of a compiled model that the runtime reads (gnc_model_info): state tensors,
// entry points and build facts, as JSON. Backend-independent: computed from the grad stage.
#ifndef GNC_CODEGEN_MODELINFO_H
#define GNC_CODEGEN_MODELINFO_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace gnc {

// Fails (with an error on the module) when the module is not at the grad stage.
mlir::FailureOr<std::string> buildModelInfo(mlir::ModuleOp gradModule, llvm::StringRef backend,
                                            llvm::StringRef buildFlags);

} // namespace gnc

#endif
