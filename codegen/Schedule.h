// A kernel's schedule as data: what gnc-select-schedules decides and a backend's
// gnc-apply-schedules realizes. Backend-neutral: the vocabulary is the one Halide's scheduling
// directives also express (split = tiles, parallel, vectorize, reorder).
//
// A schedule lives on its kernel's root op as the attribute `gnc.schedule`, a dictionary:
//   kernel    the kernel's signature (see kernelSignature), which a schedule file is keyed by
//   vectorize true: tiles are vectorized (register blocking); false: plain loops
//   parallel  per loop: tile size of the thread-level loop (scf.forall; 0 = not split), whose
//             tiles the OpenMP threads share; every output element is written by one thread
//   outer     per loop (optional): a sequential tile level between the thread tile and the
//             register tile, looped outside all register blocks of the thread tile (0 = not
//             split); a kernel gradient steps through its window (kh, kw) this way so that one
//             step's slab of the loaded operand stays in cache for every block
//   tile      per loop: the register tile inside a thread's tile (0 = whole extent)
//   order     loop order of a plain-loop kernel (order[new] = old loop)
//   epilogue  (optional, vectorized contractions) true: wherever the contraction's result is
//             read by one elementwise consumer (bias + activation), that consumer is computed in
//             its register tiles, from the
//             accumulators, so the contraction's result never goes to memory; in Halide's terms
//             the contraction is computed at the consumer's register tile, whose tiles are
//             the contraction's parallel tiles
//   backend   (optional) which backend compiles the kernel: "llvm" (absent: the default) or
//             "halide" (codegen/halide/: the kernel becomes a Halide pipeline, docs/halide.md);
//             the program's glue is LLVM either way, so one program mixes both
// Loops are numbered as the linalg op's iteration space (e.g. matmul (m, n, k); convolution
// (n, oh, ow, f, kh, kw, c)).
#ifndef GNC_CODEGEN_SCHEDULE_H
#define GNC_CODEGEN_SCHEDULE_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace mlir::linalg { class LinalgOp; }
namespace mlir::gn { class Conv2DTransposeOp; }

namespace gnc {

inline constexpr llvm::StringLiteral kScheduleAttr = "gnc.schedule";
// Set by gnc-name-kernels on every kernel: what it computes and its output shape, for people
// (e.g. "conv2d_s2_7x7x64"); unique per signature within a module. The signature stays the
// schedule file's key.
inline constexpr llvm::StringLiteral kKernelNameAttr = "gnc.kernel_name";
// Set by gnc-apply-schedules on each kernel's outermost op: {name, signature, flops, bytes},
// read by gnc-kernel-hooks (the profile) after bufferization.
inline constexpr llvm::StringLiteral kKernelAttr = "gnc.kernel";
// Marks an scf.forall of register tiles that runs on one thread (gnc-outer-parallel-loops makes
// it a sequential loop): elementwise kernels step through their tiles with scf.forall, whose
// shared output bufferizes in place of an entry function's destination where an scf.for's
// loop-carried tensor cannot (its first iteration reads the destination's old contents).
inline constexpr llvm::StringLiteral kSequentialTilesAttr = "gnc.sequential_tiles";

inline constexpr llvm::StringLiteral kLLVMBackend = "llvm", kHalideBackend = "halide";

struct KernelSchedule {
  std::string kernel;
  bool vectorize = false;
  llvm::SmallVector<int64_t> parallel;
  llvm::SmallVector<int64_t> outer; // empty: no outer level
  llvm::SmallVector<int64_t> tile;
  llvm::SmallVector<int64_t> order;
  bool epilogue = false;
  // "llvm" or "halide"; empty in a file entry that names none (gnc-select-schedules then
  // gives the --backend default). The attribute holds it only when it is not "llvm".
  std::string backend;

  bool isHalide() const { return backend == kHalideBackend; }
  mlir::DictionaryAttr toAttr(mlir::MLIRContext *ctx) const;
  static mlir::FailureOr<KernelSchedule> fromAttr(mlir::DictionaryAttr attr);
  llvm::json::Object toJson() const;
  // Reads the fields of a schedule file's entry; `error` names the field at fault.
  static mlir::FailureOr<KernelSchedule> fromJson(const llvm::json::Object &o, std::string &error);
};

// A stable name of what a kernel computes and on which shapes: the op, its loop extents and,
// for generic ops, a hash of its indexing maps and body (e.g. "conv_2d_nhwc_hwcf_s2x2_d1x1
// [128,14,14,32,3,3,1]", "matmul[128,16,3136]", "generic.3f2a91c0[128,784]").
std::string kernelSignature(mlir::linalg::LinalgOp op);

// A transposed convolution is a kernel of the gn level: gnc-select-algorithms chooses its
// form (`gnc.algorithm`, passes/TransposedConvAlgorithm.h) before it becomes linalg kernels.
// Its signature: "conv2d_transpose_s2x2_p1x1x1x1_op1x1_d1x1[N,H,W,Cin,KH,KW,Cout]" (strides,
// padding top/bottom/left/right, output padding, dilations); schedule file entries keyed by
// one hold {"algorithm": NAME}.
std::string transposedConvSignature(mlir::gn::Conv2DTransposeOp op);
bool isTransposedConvSignature(llvm::StringRef signature);
// On the module, from gnc-select-algorithms on: each transposed convolution's signature and
// the algorithm chosen for it, which gnc-select-schedules writes into --dump-schedules files
// beside the linalg kernels' schedules.
inline constexpr llvm::StringLiteral kAlgorithmsAttr = "gnc.algorithms";

// Checks that `s` is one `op` can take: field lengths match its loops, tile sizes divide the
// extents (register tiles divide the thread tiles), order is a permutation, vectorization is
// possible for this kind of op. Returns an empty string or the reason, naming the field.
std::string validateSchedule(mlir::linalg::LinalgOp op, const KernelSchedule &s);

// Named contractions and convolutions, and windowed contractions, whose vectorized tiles are
// register blocks of accumulators (their accumulator's fill is computed inside each tile).
bool isVectorizableContraction(mlir::linalg::LinalgOp op);
// A linalg.generic that sums the product of its two inputs into its output, each input index
// a sum of loops times positive strides (a window, e.g. `oh*2 + kh`): a kernel gradient
// (gn-to-linalg). Its output's innermost loop is the innermost index of one input (the vector
// operand) and of no other; the other input's innermost index is a parallel loop (its rows
// are broadcast). Its register tile keeps every loop of a window index but one at 1, so that
// the tile is a plain contraction read through strided slices.
bool isWindowedContraction(mlir::linalg::LinalgOp op);
// The terms (loop, stride) of an index that is a sum of loops times positive constants, in
// order; failure for anything else (a constant, a division, a loop twice).
mlir::FailureOr<llvm::SmallVector<std::pair<unsigned, int64_t>>> windowTerms(mlir::AffineExpr e);
// Elementwise kernels and plain sums into a scalar (after gnc-collapse-loops: one loop) whose
// innermost loop walks every operand that uses it contiguously: their tiles are vectors along
// that loop (a sum accumulates one vector of partial sums per tile, added up at the end).
bool isVectorizableGeneric(mlir::linalg::LinalgOp op);
// Whether a schedule may vectorize this op's tiles: either of the two above.
bool isVectorizableKernel(mlir::linalg::LinalgOp op);

// The elementwise consumer a vectorized contraction can compute in its register tiles (the
// `epilogue` field), or null: the contraction's only user, an all-parallel vectorizable generic
// over the contraction's parallel loops (its first ones), reading the result elementwise.
mlir::Operation *epilogueConsumer(mlir::linalg::LinalgOp contraction);

} // namespace gnc

#endif
