// One kernel (a linalg op on tensors at the `scheduled` stage) as a Halide pipeline, described
// in JSON for gnc-halide-gen (codegen/halide/gen/), which builds the Funcs and compiles them.
// The description keeps the algorithm apart from the schedule (HalideSchedule.h adds that):
//
//   function   the symbol of the compiled pipeline ("gnc_h_" + the kernel's name)
//   kernel, signature   the kernel's gnc.kernel_name and its schedule signature
//   params     [{name, type}]: scalars the body reads from outside (a random kernel's key)
//   inputs     [{name, type, shape}]: one buffer per tensor operand ("in0", ...), and "init"
//              (the output's initial contents: the same buffer as the output) when the kernel
//              reads them; shapes in MLIR order (row-major; Halide's dimension 0 is the last)
//   output     {name: "out", type, shape}
//   vars       [{name: "dL", extent}]: the output's loops, in the output's dimension order
//   rvars      [{name: "dL", extent}]: the reduction loops (an RDom), in loop order
//   pure       {lets, value}: the pure definition over vars; with rvars, the accumulator's
//              initial value (a constant fill of the output, or init(...))
//   update     {lets, value}: with rvars, the accumulator's update; ["self"] is its value
// With rvars the pipeline is acc(vars) = pure; acc(vars) = update (over the RDom);
// out(vars) = acc(vars): the accumulator is its own Func so that a schedule can compute it per
// register tile (the classic Halide matmul). An expression is a JSON array: ["const", TYPE,
// VALUE], ["var", NAME] (Int(32)), ["param", NAME], ["load", BUFFER, [index...]] (indices in
// MLIR order), ["ref", LET], ["self"], or [OP, TYPE?, operands...] (PipelineText.cpp and
// gen/gnc-halide-gen.cpp list the operations). Integer values are unsigned of their width
// (arith's integers are signless; signed operations reinterpret), index is u64, i1 is bool.
#ifndef GNC_CODEGEN_HALIDE_KERNELTOHALIDE_H
#define GNC_CODEGEN_HALIDE_KERNELTOHALIDE_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"

#include "llvm/Support/JSON.h"

#include <string>

namespace mlir::linalg { class LinalgOp; }

namespace gnc {

// The scalars a kernel's body reads from outside (values defined above it, and scalar
// operands) that are not constants: the pipeline's params, in this order. The same on the op
// before and after bufferization, so that the call site passes what the pipeline declares.
llvm::SmallVector<mlir::Value> halideKernelParams(mlir::linalg::LinalgOp op);

// The tensors (memrefs after bufferization) a kernel's body reads elements of (a table
// indexed by a loaded value: tensor.extract / memref.load), in order of first use: the
// pipeline's inputs "g0", ... after its operands, loaded at clamped, data-dependent indices.
llvm::SmallVector<mlir::Value> halideKernelGathers(mlir::linalg::LinalgOp op);

// The constant a kernel's output is initialized with (its init operand is a linalg.fill of a
// constant on tensors), which the pipeline then computes itself.
std::optional<mlir::TypedAttr> constantInit(mlir::linalg::LinalgOp op);

// The pipeline's algorithm (all fields above but function and schedule). On failure `why`
// names what cannot be translated (an operation, a non-affine index, several outputs).
mlir::FailureOr<llvm::json::Object> translateKernel(mlir::linalg::LinalgOp op, std::string &why);

} // namespace gnc

#endif
