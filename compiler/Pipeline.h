// The stages of gnc's pipeline, in order. `gnc ir --stage=S` runs every stage up to S; each
// stage names the passes that produce it, so `--print-ir-after-all` shows every step. The
// stages from `linalg` on take their backend's passes through codegen/Backend.h.
#ifndef GNC_COMPILER_PIPELINE_H
#define GNC_COMPILER_PIPELINE_H

#include "codegen/Backend.h"

#include "mlir/Pass/PassManager.h"

#include <functional>
#include <string>
#include <vector>

namespace gnc {

// Facts recorded in the generated program (gnc_model_info).
struct PipelineOptions {
  std::string backend = "llvm";
  std::string buildFlags;
  // Schedules by kernel signature (gnc build --schedules), and where to write the chosen ones.
  std::string schedulesFile;
  std::string dumpSchedulesFile;
  // Data-parallel training over processes (gnc ir --data-parallel, gnc build --mpi):
  // gn-data-parallel before gn-autodiff.
  bool dataParallel = false;
  // The backend of kernels whose schedule file entry names none (gnc --backend): "llvm" or
  // "halide".
  std::string kernelBackend = "llvm";
  // The target the heuristic sizes register tiles for (codegen/Backend.h).
  unsigned vectorBits = 256;
  unsigned vectorRegisters = 16;
  LoweringOptions lowering;
};

struct Stage {
  const char *name;
  const char *description;
  // Appends the passes that turn the previous stage into this one (null for `ast`, which is
  // printed from the syntax tree).
  std::function<void(mlir::OpPassManager &, const PipelineOptions &)> addPasses;
  // A backend stage that prints something else than the module (BackendStage::print).
  mlir::LogicalResult (*print)(mlir::ModuleOp, const std::string &, llvm::raw_ostream &, std::string &) = nullptr;
};

// The stages shared by every backend (ast, gn, grad) and, given a backend, `linalg`, `fused`,
// `scheduled` and the backend's own stages.
std::vector<Stage> pipelineStages(const Backend *backend = nullptr);
// Index into `stages`, or -1.
int findStage(const std::vector<Stage> &stages, llvm::StringRef name);

} // namespace gnc

#endif
