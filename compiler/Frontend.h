// The .gn front end as a library: source text in, gn-dialect module out.
#ifndef GNC_COMPILER_FRONTEND_H
#define GNC_COMPILER_FRONTEND_H

#include "compiler/AST.h"
#include "compiler/Diagnostics.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <string>

namespace gnc {

// Every dialect a gn program may contain at any stage gnc prints.
void registerDialects(mlir::DialectRegistry &registry);

// `gnc -D NAME=VALUE`: scalar constants of the file replaced by other values.
using ConstOverrides = std::map<std::string, double>;

// Type-checks `program` while lowering it to the gn dialect. Reports the first error through
// `diag` (file:line:col with a caret) and returns null.
mlir::OwningOpRef<mlir::ModuleOp> lowerToGn(const Program &program, mlir::MLIRContext &ctx,
                                            Diagnostics &diag,
                                            const ConstOverrides &defines = {});

// Parse + lower + verify. Errors go to `errs`; a null result means the source was rejected.
mlir::OwningOpRef<mlir::ModuleOp> compileSource(mlir::MLIRContext &ctx, llvm::StringRef source,
                                                llvm::StringRef filename, llvm::raw_ostream &errs,
                                                const ConstOverrides &defines = {});

} // namespace gnc

#endif
