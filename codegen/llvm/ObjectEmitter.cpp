#include "codegen/llvm/ObjectEmitter.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;

static std::string hostFeatures() {
  llvm::SubtargetFeatures features;
  for (auto &f : llvm::sys::getHostCPUFeatures())
    features.AddFeature(f.first(), f.second);
  return features.getString();
}

gnc::TargetVectorInfo gnc::describeTarget(const std::string &cpuOpt) {
  llvm::InitializeNativeTarget();
  TargetVectorInfo info;
  bool native = cpuOpt.empty() || cpuOpt == "native";
  info.cpu = native ? llvm::sys::getHostCPUName().str() : cpuOpt;
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string err;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target)
    return info;
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(triple, info.cpu, native ? hostFeatures() : ""));
  if (!sti)
    return info;
  if (sti->checkFeatures("+avx512f"))
    info.vectorBits = 512, info.vectorRegisters = 32;
  else if (sti->checkFeatures("+avx"))
    info.vectorBits = 256, info.vectorRegisters = 16;
  return info;
}

LogicalResult gnc::emitObjectFile(ModuleOp module, const ObjectOptions &opts, std::string &err) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  registerOpenMPDialectTranslation(*module.getContext()); // kernels' parallel loops

  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(module, llvmCtx, "gnc");
  if (!llvmModule) {
    err = "translation of the LLVM dialect to LLVM IR failed";
    return failure();
  }
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target)
    return failure();
  bool native = opts.cpu.empty() || opts.cpu == "native";
  std::string cpu = native ? llvm::sys::getHostCPUName().str() : opts.cpu;
  std::string features = native ? hostFeatures() : "";
  if (!native) {
    std::unique_ptr<llvm::MCSubtargetInfo> sti(target->createMCSubtargetInfo(triple, "", ""));
    if (!sti || !sti->isCPUStringValid(cpu)) {
      err = "unknown --target-cpu '" + cpu + "' for " + triple.str() +
            " (use native, or a CPU name such as x86-64-v3, znver4, skylake-avx512)";
      return failure();
    }
  }
  llvm::TargetOptions targetOptions;
  llvm::CodeGenOptLevel level = opts.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
                                : opts.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                : opts.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                                     : llvm::CodeGenOptLevel::None;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm) {
    err = "cannot create a target machine for " + triple.str() + " / " + cpu;
    return failure();
  }
  llvmModule->setDataLayout(tm->createDataLayout());
  llvmModule->setTargetTriple(triple);
  // Kernels are register-blocked for the CPU's full vector width; X86 otherwise legalizes
  // 512-bit vectors into 256-bit halves on CPUs tuned to prefer 256 bits (Zen, Ice Lake).
  if (tm->getMCSubtargetInfo()->checkFeatures("+avx512f"))
    for (llvm::Function &fn : *llvmModule)
      if (!fn.isDeclaration()) {
        fn.addFnAttr("prefer-vector-width", "512");
        fn.addFnAttr("min-legal-vector-width", "512");
      }

  if (opts.optLevel > 0) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm.get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::OptimizationLevel ol = opts.optLevel == 1   ? llvm::OptimizationLevel::O1
                                 : opts.optLevel == 2 ? llvm::OptimizationLevel::O2
                                                      : llvm::OptimizationLevel::O3;
    llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(ol);
    mpm.run(*llvmModule, mam);
  }
  if (opts.llvmIR)
    llvmModule->print(*opts.llvmIR, nullptr);

  std::error_code ec;
  llvm::raw_fd_ostream out(opts.path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    err = "cannot write '" + opts.path + "': " + ec.message();
    return failure();
  }
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    err = "the target cannot emit object files";
    return failure();
  }
  pm.run(*llvmModule);
  out.flush();
  if (out.has_error()) {
    err = "error writing '" + opts.path + "'";
    out.clear_error();
    return failure();
  }
  return success();
}
