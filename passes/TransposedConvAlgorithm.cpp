#include "passes/TransposedConvAlgorithm.h"

using namespace mlir;

llvm::StringRef gnc::algorithmName(TransposedConvAlgorithm a) {
  switch (a) {
  case TransposedConvAlgorithm::SubPixel: return "subpixel";
  case TransposedConvAlgorithm::ZeroInsertion: return "zero_insertion";
  }
  return "";
}

std::optional<gnc::TransposedConvAlgorithm> gnc::parseAlgorithm(llvm::StringRef name) {
  for (auto a : {TransposedConvAlgorithm::SubPixel, TransposedConvAlgorithm::ZeroInsertion})
    if (name == algorithmName(a))
      return a;
  return std::nullopt;
}

std::string gnc::algorithmNames() { return "\"subpixel\" or \"zero_insertion\""; }

std::string gnc::whyCannotRealize(gn::Conv2DTransposeOp op, TransposedConvAlgorithm a) {
  ArrayRef<int64_t> d = op.getDilations();
  // With dilation d the taps of one output residue are every s/gcd(s, d)-th kernel row, at
  // input offsets d/gcd(s, d) apart: realizable, but not implemented.
  if (a == TransposedConvAlgorithm::SubPixel && (d[0] != 1 || d[1] != 1))
    return "\"subpixel\" needs dilations [1, 1], this transposed convolution has [" + std::to_string(d[0]) + ", " +
           std::to_string(d[1]) + "] (use \"zero_insertion\")";
  return "";
}
