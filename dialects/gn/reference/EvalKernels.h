// The reference evaluator's kernels (internal to GnEvaluator): one plain function per
// operation, on host tensors, with no MLIR types. Each computes its own result shape from the
// op's description; the interpreter (Evaluator.cpp) then checks it against the op's type, so a
// shape rule in GnShapes and the semantics here are cross-checked on every evaluation.
//
// Kernels report bad input (wrong rank, index out of range) by throwing EvalError; the
// interpreter adds the op's name and location.
#ifndef GNC_DIALECTS_GN_REFERENCE_EVALKERNELS_H
#define GNC_DIALECTS_GN_REFERENCE_EVALKERNELS_H

#include "dialects/gn/reference/Evaluator.h"

#include <string>
#include <vector>

namespace gn::reference::detail {

using Shape = std::vector<int64_t>;

struct EvalError {
  std::string msg;
  bool located = false; // the message already names the op and its location
};
[[noreturn]] void fail(const std::string &msg);

std::string str(const Shape &s);            // "[2, 3]"
int64_t product(const Shape &s);
Shape stridesOf(const Shape &s);            // row-major strides
// Linear index `i` of `shape` -> multi-index.
void unravel(int64_t i, const Shape &shape, std::vector<int64_t> &idx);

// ---- shape manipulation ----------------------------------------------------------------------
Tensor broadcastTo(const Tensor &x, const Shape &to); // NumPy rules, aligned at the right
Tensor reshape(const Tensor &x, const Shape &to);
Tensor flatten(const Tensor &x);
Tensor transpose(const Tensor &x, const std::vector<int64_t> &perm);
Tensor concat(const std::vector<const Tensor *> &xs, int64_t axis);
Tensor slice(const Tensor &x, const std::vector<int64_t> &start, const std::vector<int64_t> &size);
Tensor pad(const Tensor &x, const std::vector<int64_t> &low, const std::vector<int64_t> &high);
Tensor upsample(const Tensor &x, int64_t factor);
// y[n, top + h*sH, left + w*sW, c] = x[n, h, w, c], zeros elsewhere:
// [N, top + (H-1)*sH + 1 + bottom, left + (W-1)*sW + 1 + right, C] (pad: top, bottom, left, right).
Tensor dilate(const Tensor &x, const std::vector<int64_t> &strides, const std::vector<int64_t> &pad);
// w [KH, KW, Cout, Cin] -> k [kH, kW, Cin, Cout], kH = ceil((KH - pH) / sH):
//   k[u, v, ci, co] = w[pH + sH*(kH-1-u), pW + sW*(kW-1-v), co, ci]
Tensor flipKernel(const Tensor &w, const std::vector<int64_t> &phase, const std::vector<int64_t> &step);
// A zero tensor of shape `out` with y[n, oh_i + sH*a, ow_i + sW*b, c] = parts[i][n, a, b, c]
// (offsets: oh_0, ow_0, oh_1, ...); a position written twice is an error.
Tensor interleave(const std::vector<const Tensor *> &parts, const std::vector<int64_t> &strides,
                  const std::vector<int64_t> &offsets, const Shape &out);
// Sum (or mean) over `axes` (all if empty); reduced dimensions are dropped.
Tensor reduce(const Tensor &x, const std::vector<int64_t> &axes, bool mean);
Tensor gather(const Tensor &table, const Tensor &indices);

// ---- layers -----------------------------------------------------------------------------------
Tensor matmul(const Tensor &a, const Tensor &b);
Tensor dense(const Tensor &x, const Tensor &w, const Tensor *bias);

struct ConvAttrs {
  int64_t sH = 1, sW = 1;
  int64_t top = 0, bottom = 0, left = 0, right = 0;
  int64_t dH = 1, dW = 1;
  int64_t opH = 0, opW = 0; // output_padding (transposed convolution only)
};
// x NHWC, w HWIO [KH, KW, Cin, Cout]:
//   y[n,oh,ow,co] = b[co] + sum x[n, oh*sH - top + kh*dH, ow*sW - left + kw*dW, ci] w[kh,kw,ci,co]
Tensor conv2d(const Tensor &x, const Tensor &w, const Tensor *bias, const ConvAttrs &c);
// x NHWC, w [KH, KW, Cout, Cin]: every input pixel scatters into the output,
//   y[n, ih*sH - top + kh*dH, iw*sW - left + kw*dW, co] += x[n,ih,iw,ci] w[kh,kw,co,ci]
// where that position lies inside the output [OH, OW], OH = (H-1)*sH - top - bottom +
// dH*(KH-1) + opH + 1; then + b[co] everywhere.
Tensor conv2dTranspose(const Tensor &x, const Tensor &w, const Tensor *bias, const ConvAttrs &c);
//   dw[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*sH + kh*dH - top, ow*sW + kw*dW - left, ci] dy[n,oh,ow,co]
Tensor conv2dFilterGrad(const Tensor &x, const Tensor &dy, int64_t kh, int64_t kw,
                        const ConvAttrs &c);
// Mean and biased variance over H, W and the channels of each group; eps inside the sqrt.
Tensor groupNorm(const Tensor &x, const Tensor &gamma, const Tensor &beta, int64_t groups,
                 double eps);

// ---- losses ---------------------------------------------------------------------------------
enum class LossKind { Mse, Bce, BceWithLogits, KlNormal };
enum class Reduction { Mean, Sum, Batch };
// The scalar loss: per-element values reduced by `red` (mean: / numel, sum, batch: / dim 0).
Tensor loss(LossKind kind, Reduction red, const Tensor &a, const Tensor &b);
// dloss * d loss / d operand `wrt` (0: a, 1: b), elementwise.
Tensor lossGrad(LossKind kind, int64_t wrt, Reduction red, const Tensor &a, const Tensor &b,
                double dloss);

} // namespace gn::reference::detail

#endif
