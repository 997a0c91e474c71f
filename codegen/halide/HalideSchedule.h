// A kernel's gnc schedule (codegen/Schedule.h) as Halide scheduling directives on the Funcs of
// its pipeline description (KernelToHalide.h). The directives are data too: the description's
// "schedule", a list of [STAGE, DIRECTIVE, args...] that gnc-halide-gen applies in order and
// `gnc ir --stage=halide` prints. Stages: "out", "acc" (pure), "acc.update", "rf",
// "rf.update" (rfactor's intermediate). Directives:
//   ["split", var, outer, inner, factor]   ["fuse", inner, outer, fused]
//   ["reorder", [vars, innermost first]]   ["vectorize", var, lanes]   ["unroll", var]
//   ["parallel", var]   ["compute_at", func, var] ("__outermost": Var::outermost())
//   ["compute_root"]    ["rfactor", [[rvar, newvar]...]] (defines "rf")
// docs/halide.md gives the mapping field by field.
#ifndef GNC_CODEGEN_HALIDE_HALIDESCHEDULE_H
#define GNC_CODEGEN_HALIDE_HALIDESCHEDULE_H

#include "codegen/Schedule.h"

#include "llvm/Support/JSON.h"

namespace gnc {

// The directives realizing `s` on the pipeline `d` (its vars and rvars name the loops).
llvm::json::Array halideSchedule(const llvm::json::Object &d, const KernelSchedule &s);

} // namespace gnc

#endif
