// Running gnc-halide-gen (codegen/halide/gen/) on a module's pipelines: the Halide target for
// a CPU, the objects of the pipelines and Halide's runtime, or Halide's lowered statements.
#ifndef GNC_CODEGEN_HALIDE_GENERATOR_H
#define GNC_CODEGEN_HALIDE_GENERATOR_H

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace gnc {

// The Halide target pinned for `cpu` ("native": the host's features): x86-64-linux with
// sse41, avx, avx2, fma, f16c, and avx512 + avx512_skylake where the CPU has AVX-512 (Halide's
// `host` would name features newer than Halide 14's code generator handles well).
std::string halideTarget(const std::string &cpu);

// The generation of a module's pipelines (gnc.halide_pipelines): startHalideGeneration
// launches gnc-halide-gen (in `jobs` processes, beside the LLVM backend's own emission) for
// the pipelines not in the cache, finishHalideGeneration waits for them. `objects` is then
// every pipeline's object and Halide's runtime (linked once).
//
// The cache: $GNC_HALIDE_CACHE (empty or "off": none), else $XDG_CACHE_HOME/gnc/halide, else
// ~/.cache/gnc/halide. An object is keyed by the SHA-256 of its pipeline's description (the
// algorithm and the schedule, the function's name), the Halide target and the tool's size
// and modification time: a build after a change elsewhere runs no generator.
struct HalideGeneration {
  struct Job {
    llvm::sys::ProcessInfo process;
    std::string kernels;                                    // for the error message
    std::string log;                                        // its stdout and stderr
    std::vector<std::pair<std::string, std::string>> moves; // generated -> cached
  };
  std::vector<std::string> objects;
  std::vector<Job> jobs;
  unsigned cached = 0, generated = 0;
};
mlir::LogicalResult startHalideGeneration(mlir::ModuleOp module, const std::string &cpu, const std::string &dir,
                                          unsigned jobs, HalideGeneration &gen, std::string &err);
mlir::LogicalResult finishHalideGeneration(HalideGeneration &gen, std::string &err);

// Prints Halide's lowered statement of every pipeline (gnc ir --stage=halide-stmt).
mlir::LogicalResult printHalideStmts(mlir::ModuleOp module, const std::string &cpu, llvm::raw_ostream &os,
                                     std::string &err);

} // namespace gnc

#endif
