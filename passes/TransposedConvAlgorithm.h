// The forms gn-transposed-conv-to-conv can give a transposed convolution, named by the
// attribute `gnc.algorithm` that gnc-select-algorithms sets (from a schedule file or its
// heuristic) and the rewrite reads: selection and application share this vocabulary.
#ifndef GNC_PASSES_TRANSPOSEDCONVALGORITHM_H
#define GNC_PASSES_TRANSPOSEDCONVALGORITHM_H

#include "dialects/gn/GnOps.h"

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace gnc {

inline constexpr llvm::StringLiteral kAlgorithmAttr = "gnc.algorithm";

enum class TransposedConvAlgorithm {
  // s*s stride-1 convolutions of the input with sub-kernels, interleaved: no zero multiplied.
  SubPixel,
  // One stride-1 convolution of the zero-inserted, padded input with the flipped kernel.
  ZeroInsertion,
};

// "subpixel", "zero_insertion".
llvm::StringRef algorithmName(TransposedConvAlgorithm a);
std::optional<TransposedConvAlgorithm> parseAlgorithm(llvm::StringRef name);
// The names, for error messages: "\"subpixel\" or \"zero_insertion\"".
std::string algorithmNames();
// Empty when `a` can realize `op`, else the reason.
std::string whyCannotRealize(mlir::gn::Conv2DTransposeOp op, TransposedConvAlgorithm a);

} // namespace gnc

#endif
