// LLVM dialect -> LLVM IR -> optimized native object file, in process.
#ifndef GNC_CODEGEN_LLVM_OBJECTEMITTER_H
#define GNC_CODEGEN_LLVM_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace gnc {

struct ObjectOptions {
  std::string path;              // the .o to write
  unsigned optLevel = 3;         // -O0..-O3: LLVM's optimization pipeline and codegen level
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
TargetVectorInfo describeTarget(const std::string &cpu);

mlir::LogicalResult emitObjectFile(mlir::ModuleOp module, const ObjectOptions &opts, std::string &err);

} // namespace gnc

#endif
