// A Keras-style summary of a gn module: each net's layers, output shapes, parameter counts.
#ifndef GNC_COMPILER_MODELSUMMARY_H
#define GNC_COMPILER_MODELSUMMARY_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace gnc {
void printModelSummary(mlir::ModuleOp module, llvm::raw_ostream &os);
}

#endif
