// The stages of gnc's pipeline, in order. `gnc ir --stage=S` runs every stage up to S; each
// stage names the passes that produce it, so `--print-ir-after-all` shows every step.
#ifndef GNC_COMPILER_PIPELINE_H
#define GNC_COMPILER_PIPELINE_H

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
  // The target the heuristic sizes register tiles for (codegen/Backend.h).
  unsigned vectorBits = 256;
  unsigned vectorRegisters = 16;
};

struct Stage {
  const char *name;
  const char *description;
  // Appends the passes that turn the previous stage into this one (null for `ast`, which is
  // printed from the syntax tree).
  std::function<void(mlir::OpPassManager &, const PipelineOptions &)> addPasses;
};

const std::vector<Stage> &pipelineStages();
// Index into pipelineStages(), or -1.
int findStage(llvm::StringRef name);

} // namespace gnc

#endif
