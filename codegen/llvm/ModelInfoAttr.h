// The module attribute gnc.model_info (gnc-model-info's JSON), as the LLVM backend's late passes
// read and extend it (kernel table, kernel functions, entry points), and the string constants
// they emit into the object.
#ifndef GNC_CODEGEN_LLVM_MODELINFOATTR_H
#define GNC_CODEGEN_LLVM_MODELINFOATTR_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/JSON.h"

namespace gnc {

// The module's model info as a JSON object; an error at the module naming `pass` when it is
// missing or not an object.
mlir::FailureOr<llvm::json::Object> readModelInfo(mlir::ModuleOp module, llvm::StringRef pass);
void writeModelInfo(mlir::ModuleOp module, llvm::json::Object info);

// An internal, NUL-terminated constant char array named `name` holding `text`.
mlir::LLVM::GlobalOp stringGlobal(mlir::OpBuilder &b, mlir::Location loc, llvm::StringRef name,
                                  llvm::StringRef text);

} // namespace gnc

#endif
