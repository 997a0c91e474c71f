//===- Passes.td - backend-neutral codegen passes ---------------*- tablegen -*-===//
// Passes every backend runs; a backend's own passes are in its directory (llvm/Passes.td).
#ifndef GNC_CODEGEN_PASSES_TD
#define GNC_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def GncModelInfo : Pass<"gnc-model-info", "::mlir::ModuleOp"> {
  let summary = "Records the runtime's model description (state, entries) and drops gn.param";
  let description = [{
    Computes the JSON that the runtime reads (see codegen/ModelInfo.h) from a grad-stage module,
    stores it in the module attribute `gnc.model_info`, and erases the gn.param declarations,
    whose contents it now holds: from here on the state lives only in function arguments.
  }];
  let options = [
    Option<"backend", "backend", "std::string", "\"llvm\"", "Backend name recorded in the model info">,
    Option<"buildFlags", "build-flags", "std::string", "\"\"", "Build flags recorded in the model info">
  ];
}

def GncNameKernels : Pass<"gnc-name-kernels", "::mlir::ModuleOp"> {
  let summary = "Names every kernel after what it computes and its output shape (gnc.kernel_name)";
  let description = [{
    After fusion, every linalg op on tensors (a kernel) gets `gnc.kernel_name`: the operation
    it computes and its output's shape without the batch, e.g. `conv2d_s2_7x7x64`,
    `conv2d_filter_grad_k14x14_3x3x32x64`, `matmul_16`, `bias_relu_14x14x32`,
    `sigmoid_bce_sum_of_28x28x1`, `relu_grad_3136`, `ema_square_3x3x32x64`. A fused elementwise
    kernel is named by the idioms of its body (bias, relu, sigmoid, relu_grad, bce, ema,
    rms_step, random_uniform/normal), then its remaining operations, then `sum` for a
    reduction. Kernels with one signature share a name; a different kernel that would get the
    same name gets `_2`, `_3`, ... The name is for people (`gnc ir`, --profile, the kernel
    benchmark, outlined function symbols); schedule files stay keyed by the signature.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def GncSelectSchedules : Pass<"gnc-select-schedules", "::mlir::ModuleOp"> {
  let summary = "Gives every kernel a schedule (gnc.schedule), from a schedule file or the heuristic";
  let description = [{
    Every linalg op on tensors is a kernel (a fill that only initializes a vectorized kernel's
    accumulator is fused into it and gets none). Its schedule (codegen/Schedule.h) comes from
    `schedules-file` when the file has an entry for the kernel's signature, else from the
    heuristic of docs/scheduling.md. A file entry that does not fit its kernel, or that names a
    kernel the program does not have, is an error naming the kernel and the field. This pass
    only decides; gnc-apply-schedules realizes the schedules. `dump-file` writes the chosen
    schedules in the file format. Each schedule names the kernel's backend (`backend`: the
    file entry's, else the `backend` option); a Halide kernel computes no epilogue.
  }];
  let options = [
    Option<"schedulesFile", "schedules-file", "std::string", "\"\"", "JSON file of schedules by kernel signature">,
    Option<"dumpFile", "dump-file", "std::string", "\"\"", "Write the chosen schedules to this JSON file">,
    Option<"vectorBits", "vector-bits", "unsigned", "256", "The target's vector register width in bits">,
    Option<"vectorRegisters", "vector-registers", "unsigned", "16", "The target's number of vector registers">,
    Option<"backend", "backend", "std::string", "\"llvm\"",
           "The backend of kernels whose file entry names none: llvm or halide (gnc build --backend)">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def GncSelectAlgorithms : Pass<"gnc-select-algorithms", "::mlir::ModuleOp"> {
  let summary = "Gives every gn.conv2d_transpose its form (gnc.algorithm), from a schedule file or the heuristic";
  let description = [{
    The schedule of a transposed convolution at the gn level: "subpixel" (s*s stride-1
    convolutions, no zero multiplied; needs dilation 1) or "zero_insertion" (one stride-1
    convolution of the zero-inserted input). The heuristic takes sub-pixel where it applies.
    `schedules-file` entries keyed by the op's signature (codegen/Schedule.h,
    transposedConvSignature) override it: {"algorithm": "zero_insertion"}. An entry with an
    unknown field or algorithm, one the op cannot take, or one naming no transposed
    convolution of the program is an error located in the file, naming the kernel and the
    field. The choices are also recorded on the module (`gnc.algorithms`), for
    gnc-select-schedules' `dump-file`. Only decides: gn-transposed-conv-to-conv rewrites.
  }];
  let options = [
    Option<"schedulesFile", "schedules-file", "std::string", "\"\"", "JSON file of schedules by kernel signature">
  ];
}

def GncFuseElementwise : Pass<"gnc-fuse-elementwise", "::mlir::ModuleOp"> {
  let summary = "Fuses each elementwise linalg.generic into its only consumer";
  let description = [{
    An all-parallel linalg.generic whose result has one use, by another linalg.generic, is
    computed inside that consumer's loops (linalg::populateElementwiseOpsFusionPatterns):
    a bias add and its activation, a loss term and its reduction, a gradient and relu's mask
    become one kernel and one pass over memory. Nothing is computed twice (a producer with
    several uses stays), and the arithmetic is unchanged.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

def GncCollapseLoops : Pass<"gnc-collapse-loops", "::mlir::ModuleOp"> {
  let summary = "Merges neighbouring loops of elementwise kernels and reductions that walk memory contiguously";
  let description = [{
    A linalg.generic whose innermost loop is too short to fill a vector (a [128, 28, 28, 1]
    image kernel: extent 1), or that reduces everything into a scalar (a loss), gets its
    neighbouring loops of one kind merged wherever every operand walks them as one contiguous
    run (linalg::collapseOpIterationDims; operands and results reshaped by views): the image
    kernel becomes [100352], which vectorizes; the loss a 1-D sum, which splits into partial
    sums. Kernels that already have a vector-length innermost loop keep their loops (their
    producers, contractions, are tiled together with them later). Ops whose body reads loop
    indices (the random number generators) are left as they are.
  }];
  let options = [
    Option<"lanes", "lanes", "unsigned", "8", "f32 lanes of the target's vectors">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

#endif
