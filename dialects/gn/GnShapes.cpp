#include "dialects/gn/GnShapes.h"

#include <algorithm>
#include <numeric>

namespace gn::shapes {

std::string str(const Shape &s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

static int64_t product(const Shape &s) {
  int64_t p = 1;
  for (int64_t d : s)
    p *= d;
  return p;
}

bool validShape(const Shape &s, std::string &err) {
  for (int64_t d : s)
    if (d <= 0) {
      err = "dimension sizes must be positive, got " + str(s);
      return false;
    }
  return true;
}

std::optional<Shape> broadcast(const Shape &a, const Shape &b, std::string &err) {
  size_t n = std::max(a.size(), b.size());
  Shape r(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1) {
      err = "shapes " + str(a) + " and " + str(b) + " do not broadcast (dimension " +
            std::to_string(i) + ": " + std::to_string(da) + " vs " + std::to_string(db) + ")";
      return std::nullopt;
    }
    r[i] = da == 1 ? db : da;
  }
  return r;
}

bool broadcastsTo(const Shape &from, const Shape &to) {
  std::string err;
  auto r = broadcast(from, to, err);
  return r && *r == to;
}

std::optional<Shape> matmul(const Shape &a, const Shape &b, std::string &err) {
  if (a.size() != 2 || b.size() != 2) {
    err = "matmul expects 2-D operands, got " + str(a) + " and " + str(b);
    return std::nullopt;
  }
  if (a[1] != b[0]) {
    err = "matmul inner dimensions differ: " + str(a) + " and " + str(b);
    return std::nullopt;
  }
  return Shape{a[0], b[1]};
}

std::optional<Shape> dense(const Shape &x, const Shape &w, const Shape *b, std::string &err) {
  if (x.size() != 2) {
    err = "dense expects a 2-D input [batch, features], got " + str(x) +
          (x.size() > 2 ? " (flatten it first)" : "");
    return std::nullopt;
  }
  if (w.size() != 2 || w[0] != x[1]) {
    err = "dense weight " + str(w) + " does not fit input " + str(x) + " (expected [" +
          std::to_string(x[1]) + ", units])";
    return std::nullopt;
  }
  if (b && (b->size() != 1 || (*b)[0] != w[1])) {
    err = "dense bias " + str(*b) + " does not match " + std::to_string(w[1]) + " units";
    return std::nullopt;
  }
  return Shape{x[0], w[1]};
}

static bool checkConvCommon(const char *op, const Shape &x, const Shape &w,
                            const Conv2DParams &p, std::string &err) {
  if (x.size() != 4) {
    err = std::string(op) + " expects a 4-D NHWC input [batch, height, width, channels], got " +
          str(x);
    return false;
  }
  if (w.size() != 4) {
    err = std::string(op) + " expects a 4-D kernel, got " + str(w);
    return false;
  }
  if (p.strideH < 1 || p.strideW < 1 || p.dilationH < 1 || p.dilationW < 1) {
    err = std::string(op) + " strides and dilations must be >= 1";
    return false;
  }
  if (p.padTop < 0 || p.padBottom < 0 || p.padLeft < 0 || p.padRight < 0) {
    err = std::string(op) + " padding must be >= 0";
    return false;
  }
  return true;
}

std::optional<Shape> conv2d(const Shape &x, const Shape &w, const Shape *b,
                            const Conv2DParams &p, std::string &err) {
  if (!checkConvCommon("conv2d", x, w, p, err))
    return std::nullopt;
  if (w[2] != x[3]) {
    err = "conv2d kernel " + str(w) + " expects " + std::to_string(w[2]) +
          " input channels, but the input " + str(x) + " has " + std::to_string(x[3]);
    return std::nullopt;
  }
  if (b && (b->size() != 1 || (*b)[0] != w[3])) {
    err = "conv2d bias " + str(*b) + " does not match " + std::to_string(w[3]) + " filters";
    return std::nullopt;
  }
  int64_t effH = p.dilationH * (w[0] - 1) + 1, effW = p.dilationW * (w[1] - 1) + 1;
  int64_t inH = x[1] + p.padTop + p.padBottom, inW = x[2] + p.padLeft + p.padRight;
  if (effH > inH || effW > inW) {
    err = "conv2d kernel (effective " + std::to_string(effH) + "x" + std::to_string(effW) +
          ") is larger than the padded input (" + std::to_string(inH) + "x" +
          std::to_string(inW) + ")";
    return std::nullopt;
  }
  return Shape{x[0], (inH - effH) / p.strideH + 1, (inW - effW) / p.strideW + 1, w[3]};
}

std::optional<Shape> conv2dTranspose(const Shape &x, const Shape &w, const Shape *b,
                                     const Conv2DParams &p, std::string &err) {
  if (!checkConvCommon("conv2d_transpose", x, w, p, err))
    return std::nullopt;
  if (w[3] != x[3]) {
    err = "conv2d_transpose kernel " + str(w) + " expects " + std::to_string(w[3]) +
          " input channels, but the input " + str(x) + " has " + std::to_string(x[3]);
    return std::nullopt;
  }
  if (b && (b->size() != 1 || (*b)[0] != w[2])) {
    err = "conv2d_transpose bias " + str(*b) + " does not match " + std::to_string(w[2]) +
          " filters";
    return std::nullopt;
  }
  if (p.outPadH < 0 || p.outPadW < 0 ||
      (p.outPadH >= p.strideH && p.outPadH >= p.dilationH) ||
      (p.outPadW >= p.strideW && p.outPadW >= p.dilationW)) {
    err = "conv2d_transpose output padding must be smaller than the stride or the dilation";
    return std::nullopt;
  }
  int64_t oh = (x[1] - 1) * p.strideH - p.padTop - p.padBottom + p.dilationH * (w[0] - 1) +
               p.outPadH + 1;
  int64_t ow = (x[2] - 1) * p.strideW - p.padLeft - p.padRight + p.dilationW * (w[1] - 1) +
               p.outPadW + 1;
  if (oh <= 0 || ow <= 0) {
    err = "conv2d_transpose padding leaves no output (" + std::to_string(oh) + "x" +
          std::to_string(ow) + ")";
    return std::nullopt;
  }
  return Shape{x[0], oh, ow, w[2]};
}

std::optional<Shape> conv2dFilterGrad(const Shape &x, const Shape &dy, int64_t kh, int64_t kw,
                                      const Conv2DParams &p, std::string &err) {
  if (dy.size() != 4) {
    err = "conv2d_filter_grad expects a 4-D output gradient, got " + str(dy);
    return std::nullopt;
  }
  if (kh < 1 || kw < 1) {
    err = "conv2d_filter_grad kernel size must be positive";
    return std::nullopt;
  }
  Shape w{kh, kw, x.size() == 4 ? x[3] : 1, dy[3]};
  auto out = conv2d(x, w, nullptr, p, err);
  if (!out)
    return std::nullopt;
  if (*out != dy) {
    err = "conv2d_filter_grad output gradient " + str(dy) + " does not match the convolution's "
          "output " + str(*out);
    return std::nullopt;
  }
  return w;
}

std::optional<Shape> pad(const Shape &x, const std::vector<int64_t> &low,
                         const std::vector<int64_t> &high, std::string &err) {
  if (low.size() != x.size() || high.size() != x.size()) {
    err = "pad needs one low and one high amount per dimension of " + str(x);
    return std::nullopt;
  }
  Shape r = x;
  for (size_t d = 0; d < x.size(); ++d) {
    if (low[d] < 0 || high[d] < 0) {
      err = "pad amounts must not be negative";
      return std::nullopt;
    }
    r[d] += low[d] + high[d];
  }
  return r;
}

std::optional<Shape> dilate(const Shape &x, const std::vector<int64_t> &strides,
                            const std::vector<int64_t> &padding, std::string &err) {
  if (x.size() != 4) {
    err = "dilate expects a 4-D NHWC input, got " + str(x);
    return std::nullopt;
  }
  if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1) {
    err = "dilate expects strides [sH, sW], each >= 1";
    return std::nullopt;
  }
  if (padding.size() != 4 || padding[0] < 0 || padding[1] < 0 || padding[2] < 0 || padding[3] < 0) {
    err = "dilate expects padding [top, bottom, left, right], each >= 0";
    return std::nullopt;
  }
  return Shape{x[0], padding[0] + (x[1] - 1) * strides[0] + 1 + padding[1],
               padding[2] + (x[2] - 1) * strides[1] + 1 + padding[3], x[3]};
}

std::optional<Shape> flipKernel(const Shape &w, const std::vector<int64_t> &phase,
                                const std::vector<int64_t> &step, std::string &err) {
  if (w.size() != 4) {
    err = "flip_kernel expects a 4-D kernel [KH, KW, Cout, Cin], got " + str(w);
    return std::nullopt;
  }
  if (phase.size() != 2 || step.size() != 2 || step[0] < 1 || step[1] < 1) {
    err = "flip_kernel expects phase [pH, pW] and step [sH, sW], each step >= 1";
    return std::nullopt;
  }
  for (int i = 0; i < 2; ++i)
    if (phase[i] < 0 || phase[i] >= w[i]) {
      err = "flip_kernel phase " + str(phase) + " is outside the kernel " + str(w);
      return std::nullopt;
    }
  return Shape{(w[0] - phase[0] + step[0] - 1) / step[0], (w[1] - phase[1] + step[1] - 1) / step[1],
               w[3], w[2]};
}

std::string interleave(const std::vector<Shape> &parts, const std::vector<int64_t> &strides,
                       const std::vector<int64_t> &offsets, const Shape &result) {
  if (result.size() != 4)
    return "interleave expects a 4-D NHWC result, got " + str(result);
  if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1)
    return "interleave expects strides [sH, sW], each >= 1";
  if (parts.empty())
    return "interleave needs at least one part";
  if (offsets.size() != 2 * parts.size())
    return "interleave expects 2 offsets per part, got " + std::to_string(offsets.size()) + " for " +
           std::to_string(parts.size()) + " parts";
  std::vector<std::pair<int64_t, int64_t>> residues;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Shape &p = parts[i];
    int64_t oh = offsets[2 * i], ow = offsets[2 * i + 1];
    if (p.size() != 4 || p[0] != result[0] || p[3] != result[3])
      return "interleave part " + std::to_string(i) + " " + str(p) + " does not match the result " +
             str(result) + " in batch and channels";
    if (oh < 0 || ow < 0 || oh + (p[1] - 1) * strides[0] >= result[1] ||
        ow + (p[2] - 1) * strides[1] >= result[2])
      return "interleave part " + std::to_string(i) + " " + str(p) + " at offsets [" +
             std::to_string(oh) + ", " + std::to_string(ow) + "] does not fit in " + str(result);
    std::pair<int64_t, int64_t> r{oh % strides[0], ow % strides[1]};
    for (size_t j = 0; j < residues.size(); ++j)
      if (residues[j] == r)
        return "interleave parts " + std::to_string(j) + " and " + std::to_string(i) +
               " start on the same residue [" + std::to_string(r.first) + ", " +
               std::to_string(r.second) + "] modulo the strides";
    residues.push_back(r);
  }
  return "";
}

std::optional<Shape> upsample(const Shape &x, int64_t factor, std::string &err) {
  if (x.size() != 4) {
    err = "upsample expects a 4-D NHWC input, got " + str(x);
    return std::nullopt;
  }
  if (factor < 1) {
    err = "upsample factor must be >= 1, got " + std::to_string(factor);
    return std::nullopt;
  }
  return Shape{x[0], x[1] * factor, x[2] * factor, x[3]};
}

std::optional<Shape> flatten(const Shape &x, std::string &err) {
  if (x.empty()) {
    err = "flatten expects a tensor with a batch dimension, got a scalar";
    return std::nullopt;
  }
  Shape rest(x.begin() + 1, x.end());
  return Shape{x[0], product(rest)};
}

std::optional<Shape> reshape(const Shape &x, const Shape &to, std::string &err) {
  if (!validShape(to, err))
    return std::nullopt;
  if (product(x) != product(to)) {
    err = "reshape from " + str(x) + " (" + std::to_string(product(x)) + " elements) to " +
          str(to) + " (" + std::to_string(product(to)) + " elements) changes the element count";
    return std::nullopt;
  }
  return to;
}

std::optional<Shape> transpose(const Shape &x, const std::vector<int64_t> &perm,
                               std::string &err) {
  if (perm.size() != x.size()) {
    err = "transpose permutation has " + std::to_string(perm.size()) + " entries for a " +
          std::to_string(x.size()) + "-D tensor";
    return std::nullopt;
  }
  std::vector<bool> seen(x.size(), false);
  Shape r(x.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] < 0 || perm[i] >= (int64_t)x.size() || seen[perm[i]]) {
      err = "transpose permutation " + str(perm) + " is not a permutation of 0.." +
            std::to_string((int64_t)x.size() - 1);
      return std::nullopt;
    }
    seen[perm[i]] = true;
    r[i] = x[perm[i]];
  }
  return r;
}

std::optional<Shape> concat(const std::vector<Shape> &xs, int64_t axis, std::string &err) {
  if (xs.empty()) {
    err = "concat needs at least one operand";
    return std::nullopt;
  }
  const Shape &first = xs[0];
  if (axis < 0 || axis >= (int64_t)first.size()) {
    err = "concat axis " + std::to_string(axis) + " is out of range for " + str(first);
    return std::nullopt;
  }
  Shape r = first;
  for (size_t i = 1; i < xs.size(); ++i) {
    const Shape &s = xs[i];
    bool ok = s.size() == first.size();
    for (size_t d = 0; ok && d < s.size(); ++d)
      ok = (int64_t)d == axis || s[d] == first[d];
    if (!ok) {
      err = "concat operands " + str(first) + " and " + str(s) +
            " differ outside the concatenation axis " + std::to_string(axis);
      return std::nullopt;
    }
    r[axis] += s[axis];
  }
  return r;
}

std::optional<Shape> slice(const Shape &x, const std::vector<int64_t> &start,
                           const std::vector<int64_t> &size, std::string &err) {
  if (start.size() != x.size() || size.size() != x.size()) {
    err = "slice needs one start and one size per dimension of " + str(x);
    return std::nullopt;
  }
  for (size_t d = 0; d < x.size(); ++d)
    if (start[d] < 0 || size[d] <= 0 || start[d] + size[d] > x[d]) {
      err = "slice start " + str(start) + " size " + str(size) + " is out of bounds for " +
            str(x);
      return std::nullopt;
    }
  return size;
}

std::optional<Shape> reduce(const Shape &x, const std::vector<int64_t> &axes, std::string &err) {
  std::vector<bool> drop(x.size(), axes.empty());
  for (int64_t a : axes) {
    if (a < 0 || a >= (int64_t)x.size() || drop[a]) {
      err = "reduction axes " + str(axes) + " are invalid for " + str(x);
      return std::nullopt;
    }
    drop[a] = true;
  }
  Shape r;
  for (size_t d = 0; d < x.size(); ++d)
    if (!drop[d])
      r.push_back(x[d]);
  return r;
}

std::optional<Shape> groupNorm(const Shape &x, const Shape &gamma, const Shape &beta,
                               int64_t groups, std::string &err) {
  if (x.size() != 4) {
    err = "group_norm expects a 4-D NHWC input, got " + str(x);
    return std::nullopt;
  }
  if (groups < 1 || x[3] % groups != 0) {
    err = "group_norm: " + std::to_string(x[3]) + " channels are not divisible into " +
          std::to_string(groups) + " groups";
    return std::nullopt;
  }
  if (gamma != Shape{x[3]} || beta != Shape{x[3]}) {
    err = "group_norm scale and offset must be [" + std::to_string(x[3]) + "]";
    return std::nullopt;
  }
  return x;
}

std::optional<Shape> loss(const Shape &a, const Shape &b, std::string &err) {
  if (a != b) {
    err = "loss operands must have the same shape, got " + str(a) + " and " + str(b);
    return std::nullopt;
  }
  return Shape{};
}

std::optional<Shape> gather(const Shape &table, const Shape &idx, std::string &err) {
  if (table.size() != 1) {
    err = "only a 1-D array can be indexed, got " + str(table);
    return std::nullopt;
  }
  return idx;
}

} // namespace gn::shapes
