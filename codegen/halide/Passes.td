//===- Passes.td - the Halide kernel backend's passes ----------*- tablegen -*-===//
#ifndef GNC_CODEGEN_HALIDE_PASSES_TD
#define GNC_CODEGEN_HALIDE_PASSES_TD

include "mlir/Pass/PassBase.td"

def GncHalideKernels : Pass<"gnc-halide-kernels", "::mlir::ModuleOp"> {
  let summary = "Translates every kernel scheduled for Halide into a Halide pipeline description";
  let description = [{
    On linalg on tensors at the `scheduled` stage: every kernel whose `gnc.schedule` names the
    backend "halide" is translated (codegen/halide/KernelToHalide.h: named ops generalized,
    loops as Vars and an RDom, the body as expressions) and its schedule turned into Halide
    directives (HalideSchedule.h). The kernel op stays, marked `gnc.halide = {function,
    init}`, as the place its call goes after bufferization (gnc-halide-calls); a constant
    fill of its output becomes the pipeline's own initial value (the fill is given to the
    kernel alone and marked `gnc.halide_unused_init`, so no other kernel shares its buffer).
    Equal pipelines share one function. The module gets `gnc.halide_pipelines`, the JSON
    descriptions that gnc-halide-gen compiles. A kernel that cannot be translated is an
    error naming the kernel and the reason: never a silent fallback to the LLVM backend.
  }];
  let options = [
    Option<"autoscheduler", "autoscheduler", "std::string", "\"\"",
           "Schedule the pipelines with this Halide autoscheduler (Adams2019, Mullapudi2016, Li2018) "
           "instead of the kernels' gnc schedules; recorded on the module (gnc.halide_autoscheduler)">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

def GncHalideCalls : Pass<"gnc-halide-calls", "::mlir::ModuleOp"> {
  let summary = "Replaces each Halide kernel (after bufferization) by a call of its compiled pipeline";
  let description = [{
    After bufferization, each linalg op marked `gnc.halide` becomes a call of a private
    wrapper `gnc_hw_<function>` that takes the host pointers of its buffers (a view's offset
    added) and its scalar params, describes each buffer to Halide as a `halide_buffer_t`
    with its static shape and strides (built on the wrapper's stack, in the LLVM dialect),
    calls the pipeline `int <function>(params..., inputs..., [init,] out)` compiled by
    gnc-halide-gen, and aborts when it returns an error (Halide's runtime has printed it).
    The call keeps the kernel's `gnc.kernel` mark for the profile hooks. Fills marked
    `gnc.halide_unused_init` are erased: the pipeline writes every element itself.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::arith::ArithDialect"];
}

def GncPrintHalide : Pass<"gnc-print-halide", "::mlir::ModuleOp"> {
  let summary = "Prints the module's Halide pipelines as Halide C++ to stdout (for tests and people)";
  let description = [{
    Prints every description of `gnc.halide_pipelines` (gnc-halide-kernels) as
    codegen/halide/PipelineText.h does for `gnc ir --stage=halide`, and leaves the module as
    it is.
  }];
}

#endif
