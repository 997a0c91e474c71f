// What the driver and the pipeline need from a backend: the passes of the stages it owns (gn to
// kernels on tensors, and its lowering stages after `scheduled`), the target facts that
// schedule selection sizes kernels for, and a native object file of the module. The driver
// and compiler/Pipeline.cpp see a backend only through this interface (the LLVM one:
// codegen/llvm/Backend.h), so that another backend plugs in without them linking, or
// including, the LLVM one's insides.
#ifndef GNC_CODEGEN_BACKEND_H
#define GNC_CODEGEN_BACKEND_H

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir { class OpPassManager; }

namespace gnc {

// How the backend's lowering stages are built for one compilation.
struct LoweringOptions {
  // gnc --halide-autoscheduler: Halide kernels scheduled by this autoscheduler of Halide's
  // (Adams2019, Mullapudi2016, Li2018) instead of their gnc schedules; empty: not.
  std::string halideAutoscheduler;
  // gnc build --kernel-bench: every kernel also callable on its own, with the table of its
  // arguments in the model info, for the per-kernel benchmark (runtime/KernelBench.cpp).
  bool kernelBench = false;
};

// One of the backend's stages after `scheduled` (`gnc ir --stage=NAME`).
struct BackendStage {
  const char *name;
  const char *description;
  void (*addPasses)(mlir::OpPassManager &pm, const LoweringOptions &options);
  // If set, `gnc ir --stage=NAME` prints this instead of the module (the Halide backend's
  // pipelines); on failure, err says why.
  mlir::LogicalResult (*print)(mlir::ModuleOp module, const std::string &cpu, llvm::raw_ostream &os,
                               std::string &err) = nullptr;
};

struct ObjectOptions {
  std::string path;              // the .o to write
  unsigned optLevel = 3;         // -O0..-O3: the backend's optimization level
  std::string cpu = "native";    // --target-cpu; "native" uses the host's CPU and features
  llvm::raw_ostream *llvmIR = nullptr; // if set, receives the optimized LLVM IR (one part)
  unsigned threads = 2;                // parts optimized and emitted in parallel
};

// What the kernel schedules are sized for: the target's vector width and register count.
struct TargetVectorInfo {
  std::string cpu;          // the resolved CPU name (the host's for "native")
  unsigned vectorBits = 128;
  unsigned vectorRegisters = 16;
};

struct Backend {
  const char *name; // recorded in the model info (gnc-model-info's `backend`)
  // The `linalg` stage after the backend-neutral model info: the program's gn ops as linalg
  // kernels on tensors, which fusion and schedule selection then work on.
  const char *linalgDescription;
  void (*addToLinalgPasses)(mlir::OpPassManager &pm);
  // The stages from the scheduled kernels to what emitObjectFile takes, in order; `gnc build`
  // runs them all.
  std::vector<BackendStage> stages;
  TargetVectorInfo (*describeTarget)(const std::string &cpu);
  // Writes opts.path from the module at the pipeline's last stage; on failure, err says why.
  mlir::LogicalResult (*emitObjectFile)(mlir::ModuleOp module, const ObjectOptions &opts,
                                        std::string &err);
};

} // namespace gnc

#endif
