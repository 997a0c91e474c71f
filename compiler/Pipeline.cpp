#include "compiler/Pipeline.h"

#include "codegen/Passes.h"
#include "passes/Passes.h"

#include "mlir/Transforms/Passes.h"

using namespace mlir;

std::vector<gnc::Stage> gnc::pipelineStages(const Backend *backend) {
  std::vector<Stage> stages = {
      {"ast", "the parsed .gn syntax tree", nullptr},
      {"gn", "the gn dialect: typed tensors, one function per net and procedure",
       [](OpPassManager &pm, const PipelineOptions &) {
         // The front end emits one constant per literal; merge and fold them.
         pm.addPass(createCanonicalizerPass());
         pm.addPass(createCSEPass());
       }},
      {"grad", "train steps with gradients and optimizer updates; state as arguments",
       [](OpPassManager &pm, const PipelineOptions &o) {
         // Nets are inlined so that each procedure is straight-line code to differentiate.
         pm.addPass(createInlinerPass());
         pm.addPass(createSymbolDCEPass());
         pm.addPass(gnc::createGnDecompose());
         // Decides where the processes' collectives go; gn-autodiff places the gradients'.
         if (o.dataParallel)
           pm.addPass(gnc::createGnDataParallel());
         pm.addPass(gnc::createGnAutodiff());
         pm.addPass(createCanonicalizerPass());
         pm.addPass(createCSEPass());
       }},
      {"algorithm", "every gn.conv2d_transpose with its form (gnc.algorithm): subpixel or zero_insertion",
       [](OpPassManager &pm, const PipelineOptions &o) {
         GncSelectAlgorithmsOptions select;
         select.schedulesFile = o.schedulesFile;
         pm.addPass(createGncSelectAlgorithms(select));
       }},
      {"conv", "transposed convolutions as stride-1 convolutions (gn.dilate, gn.flip_kernel, gn.interleave)",
       [](OpPassManager &pm, const PipelineOptions &) {
         // After gn-autodiff, so the input gradients of strided convolutions are rewritten too.
         pm.addPass(gnc::createGnTransposedConvToConv());
         pm.addPass(createCanonicalizerPass());
         pm.addPass(createCSEPass());
       }},
  };
  if (!backend)
    return stages;
  stages.push_back({"linalg", backend->linalgDescription,
                    [addToLinalg = backend->addToLinalgPasses](OpPassManager &pm, const PipelineOptions &o) {
                      GncModelInfoOptions info;
                      info.backend = o.backend;
                      info.buildFlags = o.buildFlags;
                      pm.addPass(createGncModelInfo(info));
                      addToLinalg(pm);
                      pm.addPass(createCanonicalizerPass());
                      pm.addPass(createCSEPass());
                    }});
  std::vector<Stage> kernels = {
      {"fused", "elementwise producers fused into their consumers: one kernel per fused chain, named",
       [](OpPassManager &pm, const PipelineOptions &) {
         // A producer with one use is computed inside its consumer's loops (bias + activation,
         // a loss term and its reduction, a gradient and relu's mask): one pass over memory.
         pm.addPass(gnc::createGncFuseElementwise());
         // Then loops merged where memory is contiguous: a [128, 28, 28, 1] image kernel
         // becomes [100352], whose innermost loop fills vectors.
         pm.addPass(gnc::createGncCollapseLoops());
         pm.addPass(createCanonicalizerPass());
         pm.addPass(createCSEPass());
         // Named once the kernels are final: what each computes, for gnc ir and --profile.
         pm.addPass(gnc::createGncNameKernels());
       }},
      {"scheduled", "every kernel with its schedule (gnc.schedule): tiles, vectors, threads",
       [](OpPassManager &pm, const PipelineOptions &o) {
         GncSelectSchedulesOptions select;
         select.schedulesFile = o.schedulesFile;
         select.dumpFile = o.dumpSchedulesFile;
         select.vectorBits = o.vectorBits;
         select.vectorRegisters = o.vectorRegisters;
         select.backend = o.kernelBackend;
         pm.addPass(createGncSelectSchedules(select));
       }},
  };
  stages.insert(stages.end(), kernels.begin(), kernels.end());
  for (const BackendStage &b : backend->stages)
    stages.push_back({b.name, b.description,
                      [addPasses = b.addPasses](OpPassManager &pm, const PipelineOptions &o) {
                        if (addPasses)
                          addPasses(pm, o.lowering);
                      },
                      b.print});
  return stages;
}

int gnc::findStage(const std::vector<Stage> &s, llvm::StringRef name) {
  for (size_t i = 0; i < s.size(); ++i)
    if (name == s[i].name)
      return (int)i;
  return -1;
}
