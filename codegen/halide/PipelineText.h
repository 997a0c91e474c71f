// A pipeline description (KernelToHalide.h, HalideSchedule.h) printed as Halide C++ for
// people: `gnc ir MODEL.gn --stage=halide`. The printed text is what gnc-halide-gen builds
// (dimension 0 innermost, so indices are printed in reverse of MLIR's order).
#ifndef GNC_CODEGEN_HALIDE_PIPELINETEXT_H
#define GNC_CODEGEN_HALIDE_PIPELINETEXT_H

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace gnc {

void printPipeline(const llvm::json::Object &pipeline, llvm::raw_ostream &os);

} // namespace gnc

#endif
