// Reading a schedule file (`gnc build --schedules FILE`, docs/scheduling.md):
//   {"format": "gnc-schedules-1", "kernels": {SIGNATURE: {FIELD: VALUE, ...}, ...}}
// Two passes read it, each the entries of its own kernels: gnc-select-algorithms those of
// transposed convolutions (isTransposedConvSignature), gnc-select-schedules the rest.
#ifndef GNC_CODEGEN_SCHEDULEFILE_H
#define GNC_CODEGEN_SCHEDULEFILE_H

#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"

#include "llvm/Support/JSON.h"

#include <map>
#include <string>

namespace gnc {

// The file's entries by signature. Errors (unreadable file, not JSON, no "kernels" object, an
// entry that is not an object) are emitted located in the file, naming the kernel.
mlir::FailureOr<std::map<std::string, llvm::json::Object>> readScheduleFile(mlir::MLIRContext *ctx,
                                                                            llvm::StringRef path);
// Where errors about the file's entries are reported (line 1 of the file).
mlir::Location scheduleFileLoc(mlir::MLIRContext *ctx, llvm::StringRef path);

} // namespace gnc

#endif
