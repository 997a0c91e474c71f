// Running gnc-halide-gen (codegen/halide/gen/) on a module's pipelines: the Halide target for
// a CPU, the objects of the pipelines and Halide's runtime, or Halide's lowered statements.
#ifndef GNC_CODEGEN_HALIDE_GENERATOR_H
#define GNC_CODEGEN_HALIDE_GENERATOR_H

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace gnc {

// The Halide target pinned for `cpu` ("native": the host's features): x86-64-linux with
// sse41, avx, avx2, fma, f16c, and avx512 + avx512_skylake where the CPU has AVX-512 (Halide's
// `host` would name features newer than Halide 14's code generator handles well).
std::string halideTarget(const std::string &cpu);

// Compiles the module's pipelines (gnc.halide_pipelines) into objects in `dir`, plus Halide's
// runtime once; appends their paths to `objects`. On failure err names the cause (the tool
// prints which kernel failed).
mlir::LogicalResult generateHalideObjects(mlir::ModuleOp module, const std::string &cpu, const std::string &dir,
                                          std::vector<std::string> &objects, std::string &err);

// Prints Halide's lowered statement of every pipeline (gnc ir --stage=halide-stmt).
mlir::LogicalResult printHalideStmts(mlir::ModuleOp module, const std::string &cpu, llvm::raw_ostream &os,
                                     std::string &err);

} // namespace gnc

#endif
