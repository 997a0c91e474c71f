// LLVM dialect -> LLVM IR -> optimized native object file, in process.
#include "codegen/llvm/ObjectEmitter.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/Transforms/Utils/SplitModule.h"

#include <atomic>
#include <algorithm>
#include <thread>

using namespace mlir;

static std::string hostFeatures() {
  llvm::SubtargetFeatures features;
  for (auto &f : llvm::sys::getHostCPUFeatures())
    features.AddFeature(f.first(), f.second);
  return features.getString();
}

static void optimize(llvm::Module &m, llvm::TargetMachine &tm, unsigned optLevel) {
  if (optLevel == 0)
    return;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel ol = optLevel == 1   ? llvm::OptimizationLevel::O1
                               : optLevel == 2 ? llvm::OptimizationLevel::O2
                                               : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(ol);
  mpm.run(m, mam);
}

static LogicalResult emitObject(llvm::Module &m, llvm::TargetMachine &tm, llvm::SmallString<0> &out,
                                std::string &err) {
  llvm::raw_svector_ostream os(out);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    err = "the target cannot emit object files";
    return failure();
  }
  pm.run(m);
  return success();
}

static LogicalResult writeFile(const std::string &path, llvm::StringRef bytes, std::string &err) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (!ec) {
    out << bytes;
    out.close();
    if (out.has_error()) {
      ec = out.error();
      out.clear_error();
    }
  }
  if (ec) {
    err = "cannot write '" + path + "': " + ec.message();
    return failure();
  }
  return success();
}

// Joins the parts' objects into one relocatable object (ld.lld -r).
LogicalResult gnc::relocatableLink(const std::vector<std::string> &parts, const std::string &out,
                                  std::string &err) {
  llvm::ErrorOr<std::string> lld = llvm::sys::findProgramByName("ld.lld");
  if (!lld) {
    err = "ld.lld (Debian package lld) is needed to join the object's parts";
    return failure();
  }
  std::vector<llvm::StringRef> args{*lld, "-r", "-o", out};
  for (const std::string &p : parts)
    args.push_back(p);
  std::string msg;
  if (llvm::sys::ExecuteAndWait(*lld, args, std::nullopt, {}, 0, 0, &msg) != 0) {
    err = "ld.lld -r failed" + (msg.empty() ? std::string() : ": " + msg);
    return failure();
  }
  return success();
}

gnc::TargetVectorInfo gnc::describeLLVMTarget(const std::string &cpuOpt) {
  llvm::InitializeNativeTarget();
  gnc::TargetVectorInfo info;
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

LogicalResult gnc::emitLLVMObjectFile(ModuleOp module, const gnc::ObjectOptions &opts,
                                    std::string &err) {
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

  auto makeTargetMachine = [&] {
    return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
        triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt, level));
  };
  // One partition: optimize, print if asked, emit straight to the file.
  unsigned threads = std::max(1u, opts.threads);
  // More parts than threads: the parts' sizes vary (entry functions are large, kernels small),
  // and idle threads pick up the next one.
  unsigned parts = opts.llvmIR || threads == 1 ? 1 : 4 * threads;
  if (parts == 1) {
    optimize(*llvmModule, *tm, opts.optLevel);
    if (opts.llvmIR)
      llvmModule->print(*opts.llvmIR, nullptr);
    llvm::SmallString<0> object;
    if (failed(emitObject(*llvmModule, *tm, object, err)))
      return failure();
    return writeFile(opts.path, object, err);
  }
  // Several: the module is split by functions (the kernels are functions of their own) and
  // each part optimized and emitted on its own thread, in its own LLVMContext (a context is
  // not thread-safe; parts travel as bitcode). A relocatable link joins the objects.
  std::vector<llvm::SmallString<0>> bitcode;
  llvm::SplitModule(
      *llvmModule, parts,
      [&](std::unique_ptr<llvm::Module> part) {
        llvm::SmallString<0> buf;
        llvm::raw_svector_ostream os(buf);
        llvm::WriteBitcodeToFile(*part, os);
        bitcode.push_back(std::move(buf));
      },
      /*PreserveLocals=*/false, /*RoundRobin=*/true);
  std::vector<llvm::SmallString<0>> objects(bitcode.size());
  std::vector<std::string> errors(bitcode.size());
  std::vector<std::thread> workers;
  std::atomic<size_t> next{0};
  auto work = [&](size_t i) {
      llvm::LLVMContext ctx;
      llvm::Expected<std::unique_ptr<llvm::Module>> m =
          llvm::parseBitcodeFile(llvm::MemoryBufferRef(bitcode[i], "gnc-part"), ctx);
      if (!m) {
        errors[i] = llvm::toString(m.takeError());
        return;
      }
      std::unique_ptr<llvm::TargetMachine> partTM = makeTargetMachine();
      optimize(**m, *partTM, opts.optLevel);
      (void)emitObject(**m, *partTM, objects[i], errors[i]);
  };
  // Largest parts first (bitcode size stands in for optimization time): the last part a
  // thread picks up is a small one, so the threads finish together.
  std::vector<size_t> order(bitcode.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return bitcode[a].size() > bitcode[b].size(); });
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      for (size_t k; (k = next++) < order.size();)
        work(order[k]);
    });
  for (std::thread &t : workers)
    t.join();
  for (const std::string &e : errors)
    if (!e.empty()) {
      err = e;
      return failure();
    }
  std::vector<std::string> paths;
  for (size_t i = 0; i < objects.size(); ++i) {
    paths.push_back(opts.path + ".part" + std::to_string(i) + ".o");
    if (failed(writeFile(paths.back(), objects[i], err)))
      return failure();
  }
  LogicalResult linked = relocatableLink(paths, opts.path, err);
  for (const std::string &p : paths)
    llvm::sys::fs::remove(p);
  return linked;
}
