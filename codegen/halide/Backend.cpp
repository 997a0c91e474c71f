// The LLVM backend with Halide kernels, assembled for the driver (Backend.h).
#include "codegen/halide/Backend.h"

#include "codegen/halide/Generator.h"
#include "codegen/halide/Passes.h"
#include "codegen/halide/PipelineText.h"
#include "codegen/llvm/Backend.h"
#include "codegen/llvm/ObjectEmitter.h"
#include "codegen/llvm/Passes.h"

#include "mlir/Pass/PassManager.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"

using namespace mlir;

namespace {

void addHalideKernels(OpPassManager &pm, const gnc::LoweringOptions &options) {
  gnc::GncHalideKernelsOptions o;
  o.autoscheduler = options.halideAutoscheduler;
  pm.addPass(gnc::createGncHalideKernels(o));
}

void addHalideCalls(OpPassManager &pm) { pm.addPass(gnc::createGncHalideCalls()); }

void addToLLVM(OpPassManager &pm, const gnc::LoweringOptions &options) {
  gnc::LinalgToLLVMOptions o;
  o.kernelEntries = options.kernelBench;
  o.afterBufferization = addHalideCalls;
  gnc::addLinalgToLLVMPasses(pm, o);
}

LogicalResult printPipelines(ModuleOp module, const std::string &, llvm::raw_ostream &os, std::string &err) {
  auto attr = module->getAttrOfType<ArrayAttr>(gnc::kHalidePipelinesAttr);
  if (!attr) {
    os << "// no kernel is scheduled for Halide (gnc --backend=halide, or \"backend\": \"halide\" in a schedule file)\n";
    return success();
  }
  if (auto as = module->getAttrOfType<StringAttr>(gnc::kHalideAutoschedulerAttr))
    os << "// every pipeline is scheduled by Halide's " << as.getValue()
       << " autoscheduler (machine parameters " << gnc::kHalideMachineParams
       << "), not by the directives below\n\n";
  for (Attribute a : attr) {
    llvm::Expected<llvm::json::Value> v = llvm::json::parse(cast<StringAttr>(a).getValue());
    if (!v) {
      err = "malformed " + gnc::kHalidePipelinesAttr.str() + ": " + llvm::toString(v.takeError());
      return failure();
    }
    gnc::printPipeline(*v->getAsObject(), os);
    os << "\n";
  }
  return success();
}

// The LLVM backend's object, and the pipelines' objects beside it, joined into one.
LogicalResult emitObjectFile(ModuleOp module, const gnc::ObjectOptions &opts, std::string &err) {
  if (!module->hasAttr(gnc::kHalidePipelinesAttr))
    return gnc::emitLLVMObjectFile(module, opts, err);
  llvm::SmallString<128> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("gnc-halide", dir)) {
    err = "cannot create a temporary directory: " + ec.message();
    return failure();
  }
  gnc::ObjectOptions llvmOpts = opts;
  llvmOpts.path = (dir + "/llvm.o").str();
  // The generators run while LLVM emits the rest.
  gnc::HalideGeneration gen;
  LogicalResult ok = gnc::startHalideGeneration(module, opts.cpu, dir.str().str(), std::max(1u, opts.threads), gen, err);
  if (succeeded(ok)) {
    std::string llvmErr;
    LogicalResult emitted = gnc::emitLLVMObjectFile(module, llvmOpts, llvmErr);
    ok = gnc::finishHalideGeneration(gen, err);
    if (succeeded(ok) && failed(emitted)) {
      err = llvmErr;
      ok = failure();
    }
  } else {
    (void)gnc::finishHalideGeneration(gen, err); // never leave a child running
  }
  if (succeeded(ok)) {
    std::vector<std::string> objects{llvmOpts.path};
    objects.insert(objects.end(), gen.objects.begin(), gen.objects.end());
    ok = gnc::relocatableLink(objects, opts.path, err);
  }
  llvm::sys::fs::remove_directories(dir);
  return ok;
}

} // namespace

const gnc::Backend &gnc::halideBackend() {
  static const Backend backend = [] {
    Backend b = llvmBackend();
    b.name = "halide";
    b.stages = {
        {"halide", "kernels scheduled for Halide as Halide pipelines (printed as Halide C++: algorithm, then schedule)",
         addHalideKernels, printPipelines},
        {"halide-stmt", "Halide's lowered statement of each pipeline (runs gnc-halide-gen; printed only)", nullptr,
         printHalideStmts},
        {"llvm", "the LLVM dialect: bufferized loops, Halide kernels as calls, bare-pointer entry points", addToLLVM},
    };
    b.emitObjectFile = emitObjectFile;
    return b;
  }();
  return backend;
}
