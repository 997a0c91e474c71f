#include "compiler/Frontend.h"
#include "compiler/Parser.h"
#include "dialects/gn/GnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/IR/Verifier.h"

#include "llvm/Support/MemoryBuffer.h"

void gnc::registerDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::gn::GnDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect,
                  mlir::scf::SCFDialect, mlir::tensor::TensorDialect>();
  mlir::func::registerInlinerExtension(registry);
  // Lowering needs the upstream dialects' bufferization and to-LLVM interface models.
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
}

mlir::OwningOpRef<mlir::ModuleOp> gnc::compileSource(mlir::MLIRContext &ctx,
                                                     llvm::StringRef source,
                                                     llvm::StringRef filename,
                                                     llvm::raw_ostream &errs,
                                                     const ConstOverrides &defines) {
  llvm::SourceMgr sm;
  sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(source, filename), llvm::SMLoc());
  Diagnostics diag(sm, errs);
  std::optional<Program> program = parseProgram(diag);
  if (!program)
    return nullptr;
  for (const auto &[name, value] : defines) {
    bool found = false;
    std::string known;
    for (const Item &it : program->items)
      if (it.kind == Item::Const) {
        found |= it.name == name;
        known += (known.empty() ? "" : ", ") + it.name;
      }
    if (!found) {
      errs << filename << ": error: -D " << name << ": the file has no constant '" << name
           << "' (its constants: " << (known.empty() ? "none" : known) << ")\n";
      return nullptr;
    }
  }
  // Op verifier messages point into the same buffer, rendered with the same caret format.
  mlir::SourceMgrDiagnosticHandler handler(sm, &ctx, errs);
  mlir::OwningOpRef<mlir::ModuleOp> module = lowerToGn(*program, ctx, diag, defines);
  if (!module || mlir::failed(mlir::verify(*module)))
    return nullptr;
  return module;
}
