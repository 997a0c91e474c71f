#include "codegen/ScheduleFile.h"
#include "support/UserFile.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

using namespace mlir;

Location gnc::scheduleFileLoc(MLIRContext *ctx, llvm::StringRef path) {
  return FileLineColLoc::get(ctx, path, 1, 1);
}

FailureOr<std::map<std::string, llvm::json::Object>> gnc::readScheduleFile(MLIRContext *ctx,
                                                                           llvm::StringRef path) {
  Location loc = scheduleFileLoc(ctx, path);
  auto buf = gnc::readUserFile(path.str());
  // Line 0: a diagnostic handler shows line 1 of a file by opening it, which blocks on the
  // very FIFO this error is about; no line, no opening.
  if (!buf)
    return mlir::emitError(FileLineColLoc::get(ctx, path, 0, 0))
           << "cannot read the schedule file: " << llvm::toString(buf.takeError());
  llvm::Expected<llvm::json::Value> v = llvm::json::parse((*buf)->getBuffer());
  if (!v)
    return mlir::emitError(loc) << "not a JSON schedule file: " << llvm::toString(v.takeError());
  llvm::json::Object *top = v->getAsObject();
  llvm::json::Object *kernels = top ? top->getObject("kernels") : nullptr;
  if (!kernels)
    return mlir::emitError(loc) << "expected an object with a \"kernels\" object (docs/scheduling.md)";
  std::map<std::string, llvm::json::Object> entries;
  for (auto &kv : *kernels) {
    llvm::json::Object *entry = kv.second.getAsObject();
    if (!entry)
      return mlir::emitError(loc) << "kernel '" << kv.first.str() << "': the entry must be an object";
    entries.emplace(kv.first.str(), std::move(*entry));
  }
  return entries;
}
