// The LLVM backend's last step: the LLVM dialect module translated to LLVM IR, optimized for
// the target CPU and written as an object file (ObjectEmitter.cpp).
#ifndef GNC_CODEGEN_LLVM_OBJECTEMITTER_H
#define GNC_CODEGEN_LLVM_OBJECTEMITTER_H

#include "codegen/Backend.h"

#include <string>
#include <vector>

namespace gnc {

// The vector width and register count of `cpu` ("native": the host's).
TargetVectorInfo describeLLVMTarget(const std::string &cpu);
// Writes opts.path from a module at the `llvm` stage; on failure, err says why.
mlir::LogicalResult emitLLVMObjectFile(mlir::ModuleOp module, const ObjectOptions &opts, std::string &err);

// Joins objects into one relocatable object (ld.lld -r): the parts emitted in parallel, and
// the Halide backend's pipelines beside them.
mlir::LogicalResult relocatableLink(const std::vector<std::string> &parts, const std::string &out,
                                    std::string &err);

} // namespace gnc

#endif
