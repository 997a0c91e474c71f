//===- Passes.td - the LLVM backend's passes -------------------*- tablegen -*-===//
#ifndef GNC_CODEGEN_LLVM_PASSES_TD
#define GNC_CODEGEN_LLVM_PASSES_TD

include "mlir/Pass/PassBase.td"

def GnToLinalg : Pass<"gn-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lowers gn ops to linalg, tensor, arith and math on tensors";
  let description = [{
    gn.all_reduce (data-parallel programs) becomes a copy into a fresh buffer and a call of
    the runtime's `gnc_all_reduce_f32(ptr, n, mean)` on it (runtime/GncAbi.h), the buffer
    then read as the result tensor; a random op marked gn.shard starts its element indices
    at `gnc_comm_rank()` x its element count.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def GncApplySchedules : Pass<"gnc-apply-schedules", "::mlir::ModuleOp"> {
  let summary = "Realizes every kernel's gnc.schedule: thread tiles, register tiles, vectors";
  let description = [{
    For each linalg op with a `gnc.schedule` (codegen/Schedule.h; chosen by
    gnc-select-schedules, never here): the `parallel` tiles become an scf.forall (run on
    OpenMP threads); a vectorized kernel is then tiled into register blocks (parallel loops,
    with the accumulator's linalg.fill fused into each block, then the reduction loops), a
    convolution block becomes a 1-D convolution (one output row, one kernel row), and the
    block and its fill are vectorized (vector.contract). A vectorized elementwise kernel's
    tiles are an scf.forall marked gnc.sequential_tiles (one thread; in-place bufferization),
    a sum's tiles accumulate into a vector of partial sums (PartialReductionOuterReduction)
    added up after them. A plain-loop kernel is tiled by
    `tile` and its loops reordered by `order`. The summation order of a reduction follows the
    schedule, so results differ from the reference evaluator in rounding only.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
                           "::mlir::tensor::TensorDialect", "::mlir::linalg::LinalgDialect"];
}

def GncLowerVectors : Pass<"gnc-lower-vectors", "::mlir::func::FuncOp"> {
  let summary = "Lowers the vectorized kernels' vector ops to 1-D vectors and FMAs (after bufferization)";
  let description = [{
    Hoists each accumulator tile's transfer_read/transfer_write out of its reduction loops
    (registers, not memory, across the reduction), forwards stored zeros to later reads,
    drops unit dimensions, and lowers vector.contract to outer products (broadcast times
    row, one FMA per vector register), multi-reductions, transposes and broadcasts to 1-D
    vector ops; exp, log, tanh and erf on vectors become inline polynomials (the math
    library has scalar versions only). convert-vector-to-scf and convert-vector-to-llvm finish
    the job.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect", "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect", "::mlir::math::MathDialect"];
}

def GncDestinationPassing : Pass<"gnc-destination-passing", "::mlir::ModuleOp"> {
  let summary = "Entry functions write their results into caller-provided tensors";
  let description = [{
    For every function with a `gn.kind`, each result becomes an extra argument marked
    `bufferization.writable = true`, filled with `bufferization.materialize_in_destination`;
    the function returns nothing. The original arguments are marked not writable, so that
    one-shot bufferization never writes into the caller's inputs. After bufferization the
    runtime's result buffers are written in place. Likewise each tensor carried by an scf.for
    is materialized in its iteration argument, so that loops update their buffers in place.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def GncPadsInPlace : Pass<"gnc-pads-in-place", "::mlir::ModuleOp"> {
  let summary = "Pads become a buffer with filled border strips that the source is written into";
  let description = [{
    A tensor.pad bufferizes to a fill of the whole padded buffer and a copy of the source
    into its interior: every element is written twice, and a fifth of a ConvAE training step
    went to those memsets and copies. Each pad with a constant value and static shapes becomes
    a `bufferization.alloc_tensor` whose border strips (at most two per padded dimension) are
    filled, and a `tensor.insert_slice` of the source into the interior, all but the last op
    placed before the source's producer, so that eliminate-empty-tensors lets the producer
    write the interior in place. Runs after gnc-apply-schedules (the strips' fills are no
    kernels), before eliminate-empty-tensors.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect", "::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect"];
}

def GncCopiesToLinalg : Pass<"gnc-copies-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Rewrites memref.copy as linalg.copy, so that copies compile to loops";
  let description = [{
    Bufferization copies strided views (e.g. the zero-interleaved input of a transposed
    convolution) with memref.copy, which LLVM lowering turns into a call to MLIR's C runner
    utility library. Generated programs link no such library: as linalg.copy the copy becomes
    ordinary loops.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def GncOuterParallelLoops : Pass<"gnc-outer-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Keeps only outermost, large scf.parallel loops parallel (for OpenMP)";
  let description = [{
    convert-linalg-to-parallel-loops makes every parallel dimension an scf.parallel. Forking
    threads for a loop nested in another loop, or for a nest with little work, costs more than
    it gains on two cores: such loops become sequential scf.for nests. What stays parallel is
    the outermost loop of each sizeable kernel, which convert-scf-to-openmp then runs on the
    OpenMP thread pool. An scf.forall (a schedule's thread tiles, gnc-apply-schedules) always
    becomes a parallel loop, also inside a sequential loop (a sampler's time steps). Every
    output element is still computed by one thread in a fixed order, so results do not depend
    on the thread count.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", "32768",
           "Nests with fewer innermost iterations than this run sequentially">
  ];
}

def GncOutlineKernels : Pass<"gnc-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Every kernel as a private function of its own; equal kernels share one";
  let description = [{
    After bufferization, each op marked `gnc.kernel` (a kernel's outermost loop or its linalg
    op) in an entry function moves into a private function `gnc_k_<signature>` taking the
    buffers and scalars it uses (constants are rematerialized inside) and is replaced by a
    call, which keeps the mark for gnc-kernel-hooks. Kernels whose bodies print the same
    (the forward kernels of a train step, its eval twin and the samplers) share one function:
    LLVM optimizes and emits each once, and profiles and debuggers show kernels by name. Bare-pointer arguments need identity layouts: a kernel on
    a strided view of a buffer (a sub-pixel phase's output, a reshape) takes the buffer and
    rebuilds the view inside; one on any other strided value stays inline.

    With `record-arguments`, each outlined function also carries `gnc.kernel_function`:
    the kernel's name and its argument types (memref shapes and element types, scalars),
    which gnc-kernel-entries turns into a callable entry and a table for the per-kernel
    benchmark after the conversion to the LLVM dialect has erased the memref types.
  }];
  let options = [
    Option<"recordArguments", "record-arguments", "bool", /*default=*/"false",
           "Mark each outlined function with its kernel's name and argument types">
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def GncKernelHooks : Pass<"gnc-kernel-hooks", "::mlir::ModuleOp"> {
  let summary = "Calls gnc_kernel_begin/end(id) around every kernel; the kernel table in the model info";
  let description = [{
    After bufferization, every op marked `gnc.kernel` by gnc-apply-schedules (a kernel's
    outermost loop, or its linalg op) in an entry function is bracketed by calls to the
    runtime's `gnc_kernel_begin(i32 id)` and `gnc_kernel_end(i32 id)`, which time it when the
    program runs with --profile and return at once otherwise. Kernels with one signature share
    an id. The model info gains `kernels`, by id: name, flops, bytes, backend, and the
    entry functions that call it.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::arith::ArithDialect"];
}

def GncKernelEntries : Pass<"gnc-kernel-entries", "::mlir::ModuleOp"> {
  let summary = "Every outlined kernel callable on its own: gnc_kernel_fn_<k>(void**) and their table";
  let description = [{
    Runs on the LLVM dialect, before gnc-entry-points, on a module whose outlined kernels
    carry `gnc.kernel_function` (gnc-outline-kernels with record-arguments). For each it
    emits `void gnc_kernel_fn_K(void **args)`, which loads one pointer per argument (a
    buffer's address, or the address of a scalar's value) and calls the kernel; a table
    `gnc_kernel_functions` of {name, function} pairs ending in {null, null}; and the model
    info's `kernel_functions`: per function its benchmark name, its kernel's index in
    `kernels` (FLOPs, bytes) and its arguments (`{"shape", "dtype"}` or `{"scalar"}`). The
    per-kernel benchmark (runtime/KernelBench.cpp, `gnc build --kernel-bench`) calls them.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def GncEntryPoints : Pass<"gnc-entry-points", "::mlir::ModuleOp"> {
  let summary = "Emits the runtime ABI: gnc_entry_<fn>(void**) trampolines, gnc_entries, gnc_model_info";
  let description = [{
    Runs on the LLVM dialect, after functions use the bare-pointer calling convention. For
    every function with a `gn.kind` other than "net" it emits `void gnc_entry_NAME(void **)`,
    which loads one pointer per argument and out-parameter and calls the function; a table
    `gnc_entries` of {"gnc_entry_NAME", function} pairs ending in {null, null}; and `gnc_model_info`, the
    module's `gnc.model_info` string (JSON), NUL-terminated. See runtime/ for the consumer.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif
