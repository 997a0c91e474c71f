// Shape rules of the gn operations, in plain C++ (no MLIR types).
//
// One source of truth: the op verifiers / result-type inference of the gn dialect and the .gn
// front end's type checker both call these, so a rule cannot drift between the language and the
// IR. Each function returns the result shape, or std::nullopt with a human-readable reason in
// `err` (no trailing period, no location: callers attach those).
#ifndef GNC_DIALECTS_GN_GNSHAPES_H
#define GNC_DIALECTS_GN_GNSHAPES_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gn::shapes {

using Shape = std::vector<int64_t>;

std::string str(const Shape &s); // "[128, 28, 28, 1]"

// NumPy broadcasting of two shapes (aligned at the right).
std::optional<Shape> broadcast(const Shape &a, const Shape &b, std::string &err);
// Whether `from` broadcasts to exactly `to`.
bool broadcastsTo(const Shape &from, const Shape &to);

// x [N, in] . w [in, out] (+ b [out]) -> [N, out]
std::optional<Shape> dense(const Shape &x, const Shape &w, const Shape *b, std::string &err);
// a [M, K] . b [K, N] -> [M, N]
std::optional<Shape> matmul(const Shape &a, const Shape &b, std::string &err);

struct Conv2DParams {
  int64_t strideH = 1, strideW = 1;
  int64_t padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
  int64_t dilationH = 1, dilationW = 1;
  int64_t outPadH = 0, outPadW = 0; // transposed convolution only
};
// x [N,H,W,Cin] (NHWC), w [KH,KW,Cin,Cout] (HWIO), b [Cout] -> [N,OH,OW,Cout]
std::optional<Shape> conv2d(const Shape &x, const Shape &w, const Shape *b,
                            const Conv2DParams &p, std::string &err);
// x [N,H,W,Cin], w [KH,KW,Cout,Cin] (HWOI), b [Cout] -> [N,OH,OW,Cout] with
// OH = (H-1)*sH - padTop - padBottom + dH*(KH-1) + outPadH + 1.
std::optional<Shape> conv2dTranspose(const Shape &x, const Shape &w, const Shape *b,
                                     const Conv2DParams &p, std::string &err);

// Gradient of conv2d w.r.t. its kernel: x [N,H,W,Cin] (the conv's input), dy [N,OH,OW,Cout]
// (the gradient of its output) -> [KH,KW,Cin,Cout]; OH/OW must be conv2d's output size.
std::optional<Shape> conv2dFilterGrad(const Shape &x, const Shape &dy, int64_t kh, int64_t kw,
                                      const Conv2DParams &p, std::string &err);
// Zero padding: low[d] elements before and high[d] after dimension d.
std::optional<Shape> pad(const Shape &x, const std::vector<int64_t> &low,
                         const std::vector<int64_t> &high, std::string &err);

// Zero insertion and padding (gn.dilate): x [N,H,W,C] ->
// [N, top + (H-1)*sH + 1 + bottom, left + (W-1)*sW + 1 + right, C].
std::optional<Shape> dilate(const Shape &x, const std::vector<int64_t> &strides,
                            const std::vector<int64_t> &padding, std::string &err);
// gn.flip_kernel: w [KH,KW,Cout,Cin] -> [ceil((KH-pH)/sH), ceil((KW-pW)/sW), Cin, Cout], for
// phase p in [0, K) and step s >= 1.
std::optional<Shape> flipKernel(const Shape &w, const std::vector<int64_t> &phase,
                                const std::vector<int64_t> &step, std::string &err);
// gn.interleave: whether `parts` (NHWC) placed at `offsets` (2 per part) with `strides` fit in
// `result`, on distinct residues modulo the strides. Returns "" or the reason.
std::string interleave(const std::vector<Shape> &parts, const std::vector<int64_t> &strides,
                       const std::vector<int64_t> &offsets, const Shape &result);

// Nearest-neighbour upsampling of NHWC by an integer factor.
std::optional<Shape> upsample(const Shape &x, int64_t factor, std::string &err);
// [N, ...] -> [N, prod(...)]
std::optional<Shape> flatten(const Shape &x, std::string &err);
std::optional<Shape> reshape(const Shape &x, const Shape &to, std::string &err);
std::optional<Shape> transpose(const Shape &x, const std::vector<int64_t> &perm, std::string &err);
std::optional<Shape> concat(const std::vector<Shape> &xs, int64_t axis, std::string &err);
std::optional<Shape> slice(const Shape &x, const std::vector<int64_t> &start,
                           const std::vector<int64_t> &size, std::string &err);
// Reduction over `axes` (empty = all); reduced dims are dropped.
std::optional<Shape> reduce(const Shape &x, const std::vector<int64_t> &axes, std::string &err);
// x [N,H,W,C], gamma/beta [C], C % groups == 0.
std::optional<Shape> groupNorm(const Shape &x, const Shape &gamma, const Shape &beta,
                               int64_t groups, std::string &err);
// Two operands of one loss must have the same shape; the result is a scalar [].
std::optional<Shape> loss(const Shape &a, const Shape &b, std::string &err);
// table [T] indexed by idx (any shape) -> idx's shape.
std::optional<Shape> gather(const Shape &table, const Shape &idx, std::string &err);
// A tensor shape written by a user or an attribute: every dim > 0.
bool validShape(const Shape &s, std::string &err);

} // namespace gn::shapes

#endif
