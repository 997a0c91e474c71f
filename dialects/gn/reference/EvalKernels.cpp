// Kernels of the reference evaluator: plain loops, written from the op descriptions in GnOps.td.
#include "dialects/gn/reference/EvalKernels.h"

#include <algorithm>
#include <cmath>

namespace gn::reference {

Tensor Tensor::zeros(std::vector<int64_t> shape, bool isInt) {
  Tensor t;
  t.data.assign((size_t)detail::product(shape), 0.0);
  t.shape = std::move(shape);
  t.isInt = isInt;
  return t;
}

int64_t Tensor::numel() const { return detail::product(shape); }

namespace detail {

void fail(const std::string &msg) { throw EvalError{msg}; }

std::string str(const Shape &s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

int64_t product(const Shape &s) {
  int64_t p = 1;
  for (int64_t d : s)
    p *= d;
  return p;
}

Shape stridesOf(const Shape &s) {
  Shape st(s.size(), 1);
  for (int64_t d = (int64_t)s.size() - 2; d >= 0; --d)
    st[d] = st[d + 1] * s[d + 1];
  return st;
}

void unravel(int64_t i, const Shape &shape, std::vector<int64_t> &idx) {
  idx.resize(shape.size());
  for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {
    idx[d] = i % shape[d];
    i /= shape[d];
  }
}

static void expectRank(const Tensor &t, size_t rank, const char *what) {
  if (t.shape.size() != rank)
    fail(std::string(what) + " must have rank " + std::to_string(rank) + ", got " + str(t.shape));
}

// ---- shape manipulation ----------------------------------------------------------------------

Tensor broadcastTo(const Tensor &x, const Shape &to) {
  if (x.shape.size() > to.size())
    fail("cannot broadcast " + str(x.shape) + " to " + str(to));
  size_t lead = to.size() - x.shape.size();
  for (size_t d = 0; d < x.shape.size(); ++d)
    if (x.shape[d] != 1 && x.shape[d] != to[lead + d])
      fail("cannot broadcast " + str(x.shape) + " to " + str(to));
  Tensor y = Tensor::zeros(to, x.isInt);
  Shape xs = stridesOf(x.shape);
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < y.numel(); ++i) {
    unravel(i, to, idx);
    int64_t src = 0;
    for (size_t d = 0; d < x.shape.size(); ++d)
      src += (x.shape[d] == 1 ? 0 : idx[lead + d]) * xs[d];
    y.data[i] = x.data[src];
  }
  return y;
}

Tensor reshape(const Tensor &x, const Shape &to) {
  if (product(to) != x.numel())
    fail("reshape from " + str(x.shape) + " to " + str(to) + " changes the element count");
  return Tensor(to, x.data, x.isInt);
}

Tensor flatten(const Tensor &x) {
  if (x.shape.empty())
    fail("flatten of a scalar");
  return reshape(x, {x.shape[0], x.numel() / std::max<int64_t>(1, x.shape[0])});
}

Tensor transpose(const Tensor &x, const std::vector<int64_t> &perm) {
  if (perm.size() != x.shape.size())
    fail("transpose permutation " + str(perm) + " does not fit " + str(x.shape));
  Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] < 0 || perm[i] >= (int64_t)perm.size())
      fail("transpose permutation " + str(perm) + " is out of range");
    out[i] = x.shape[perm[i]];
  }
  Tensor y = Tensor::zeros(out, x.isInt);
  Shape xs = stridesOf(x.shape);
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < y.numel(); ++i) {
    unravel(i, out, idx);
    int64_t src = 0;
    for (size_t d = 0; d < perm.size(); ++d)
      src += idx[d] * xs[perm[d]]; // result dim d is operand dim perm[d]
    y.data[i] = x.data[src];
  }
  return y;
}

Tensor concat(const std::vector<const Tensor *> &xs, int64_t axis) {
  if (xs.empty())
    fail("concat of nothing");
  Shape out = xs[0]->shape;
  if (axis < 0 || axis >= (int64_t)out.size())
    fail("concat axis out of range");
  for (size_t k = 1; k < xs.size(); ++k) {
    if (xs[k]->shape.size() != out.size())
      fail("concat operands differ in rank");
    for (size_t d = 0; d < out.size(); ++d)
      if ((int64_t)d != axis && xs[k]->shape[d] != out[d])
        fail("concat operands differ outside the axis");
    out[axis] += xs[k]->shape[axis];
  }
  Tensor y = Tensor::zeros(out, xs[0]->isInt);
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < y.numel(); ++i) {
    unravel(i, out, idx);
    int64_t pos = idx[axis];
    size_t k = 0;
    while (pos >= xs[k]->shape[axis]) {
      pos -= xs[k]->shape[axis];
      ++k;
    }
    Shape st = stridesOf(xs[k]->shape);
    int64_t src = 0;
    for (size_t d = 0; d < out.size(); ++d)
      src += ((int64_t)d == axis ? pos : idx[d]) * st[d];
    y.data[i] = xs[k]->data[src];
  }
  return y;
}

Tensor slice(const Tensor &x, const std::vector<int64_t> &start,
             const std::vector<int64_t> &size) {
  if (start.size() != x.shape.size() || size.size() != x.shape.size())
    fail("slice start/size do not fit " + str(x.shape));
  for (size_t d = 0; d < x.shape.size(); ++d)
    if (start[d] < 0 || size[d] < 0 || start[d] + size[d] > x.shape[d])
      fail("slice out of bounds of " + str(x.shape));
  Tensor y = Tensor::zeros(size, x.isInt);
  Shape xs = stridesOf(x.shape);
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < y.numel(); ++i) {
    unravel(i, size, idx);
    int64_t src = 0;
    for (size_t d = 0; d < size.size(); ++d)
      src += (start[d] + idx[d]) * xs[d];
    y.data[i] = x.data[src];
  }
  return y;
}

Tensor pad(const Tensor &x, const std::vector<int64_t> &low, const std::vector<int64_t> &high) {
  if (low.size() != x.shape.size() || high.size() != x.shape.size())
    fail("pad amounts do not fit " + str(x.shape));
  Shape out = x.shape;
  for (size_t d = 0; d < out.size(); ++d) {
    if (low[d] < 0 || high[d] < 0)
      fail("negative pad amount");
    out[d] += low[d] + high[d];
  }
  Tensor y = Tensor::zeros(out, x.isInt);
  Shape ys = stridesOf(out);
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < x.numel(); ++i) {
    unravel(i, x.shape, idx);
    int64_t dst = 0;
    for (size_t d = 0; d < out.size(); ++d)
      dst += (idx[d] + low[d]) * ys[d];
    y.data[dst] = x.data[i];
  }
  return y;
}

Tensor upsample(const Tensor &x, int64_t f) {
  expectRank(x, 4, "upsample input");
  if (f < 1)
    fail("upsample factor must be >= 1");
  int64_t N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3];
  Tensor y = Tensor::zeros({N, H * f, W * f, C});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < H * f; ++oh)
      for (int64_t ow = 0; ow < W * f; ++ow)
        for (int64_t c = 0; c < C; ++c)
          y.data[((n * H * f + oh) * W * f + ow) * C + c] =
              x.data[((n * H + oh / f) * W + ow / f) * C + c];
  return y;
}

Tensor dilate(const Tensor &x, const std::vector<int64_t> &s, const std::vector<int64_t> &pad) {
  expectRank(x, 4, "dilate input");
  if (s.size() != 2 || s[0] < 1 || s[1] < 1)
    fail("dilate strides must be [sH, sW], each >= 1");
  if (pad.size() != 4 || *std::min_element(pad.begin(), pad.end()) < 0)
    fail("dilate padding must be [top, bottom, left, right], each >= 0");
  int64_t N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3];
  int64_t OH = pad[0] + (H - 1) * s[0] + 1 + pad[1], OW = pad[2] + (W - 1) * s[1] + 1 + pad[3];
  Tensor y = Tensor::zeros({N, OH, OW, C});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w)
        for (int64_t c = 0; c < C; ++c)
          y.data[((n * OH + pad[0] + h * s[0]) * OW + pad[2] + w * s[1]) * C + c] =
              x.data[((n * H + h) * W + w) * C + c];
  return y;
}

Tensor flipKernel(const Tensor &w, const std::vector<int64_t> &p, const std::vector<int64_t> &s) {
  expectRank(w, 4, "flip_kernel kernel");
  if (p.size() != 2 || s.size() != 2 || s[0] < 1 || s[1] < 1)
    fail("flip_kernel needs phase [pH, pW] and step [sH, sW] >= 1");
  int64_t KH = w.shape[0], KW = w.shape[1], Co = w.shape[2], Ci = w.shape[3];
  if (p[0] < 0 || p[0] >= KH || p[1] < 0 || p[1] >= KW)
    fail("flip_kernel phase " + str(p) + " outside the kernel " + str(w.shape));
  int64_t kH = (KH - p[0] + s[0] - 1) / s[0], kW = (KW - p[1] + s[1] - 1) / s[1];
  Tensor k = Tensor::zeros({kH, kW, Ci, Co});
  for (int64_t u = 0; u < kH; ++u)
    for (int64_t v = 0; v < kW; ++v)
      for (int64_t ci = 0; ci < Ci; ++ci)
        for (int64_t co = 0; co < Co; ++co) {
          int64_t kh = p[0] + s[0] * (kH - 1 - u), kw = p[1] + s[1] * (kW - 1 - v);
          k.data[((u * kW + v) * Ci + ci) * Co + co] = w.data[((kh * KW + kw) * Co + co) * Ci + ci];
        }
  return k;
}

Tensor interleave(const std::vector<const Tensor *> &parts, const std::vector<int64_t> &s,
                  const std::vector<int64_t> &offsets, const Shape &out) {
  if (out.size() != 4 || s.size() != 2 || s[0] < 1 || s[1] < 1 || offsets.size() != 2 * parts.size())
    fail("interleave needs a 4-D result, strides [sH, sW] >= 1 and 2 offsets per part");
  int64_t N = out[0], OH = out[1], OW = out[2], C = out[3];
  Tensor y = Tensor::zeros(out);
  std::vector<bool> written(y.numel(), false);
  for (size_t i = 0; i < parts.size(); ++i) {
    const Tensor &p = *parts[i];
    expectRank(p, 4, "interleave part");
    if (p.shape[0] != N || p.shape[3] != C)
      fail("interleave part " + str(p.shape) + " does not match the result " + str(out));
    int64_t H = p.shape[1], W = p.shape[2];
    for (int64_t n = 0; n < N; ++n)
      for (int64_t a = 0; a < H; ++a)
        for (int64_t b = 0; b < W; ++b) {
          int64_t oh = offsets[2 * i] + s[0] * a, ow = offsets[2 * i + 1] + s[1] * b;
          if (oh < 0 || oh >= OH || ow < 0 || ow >= OW)
            fail("interleave part " + std::to_string(i) + " lies outside the result " + str(out));
          for (int64_t c = 0; c < C; ++c) {
            int64_t dst = ((n * OH + oh) * OW + ow) * C + c;
            if (written[dst])
              fail("interleave parts overlap at row " + std::to_string(oh) + ", column " + std::to_string(ow));
            written[dst] = true;
            y.data[dst] = p.data[((n * H + a) * W + b) * C + c];
          }
        }
  }
  return y;
}

Tensor reduce(const Tensor &x, const std::vector<int64_t> &axes, bool mean) {
  std::vector<bool> drop(x.shape.size(), axes.empty());
  for (int64_t a : axes) {
    if (a < 0 || a >= (int64_t)x.shape.size() || drop[a])
      fail("invalid reduction axes " + str(axes) + " for " + str(x.shape));
    drop[a] = true;
  }
  Shape out;
  for (size_t d = 0; d < x.shape.size(); ++d)
    if (!drop[d])
      out.push_back(x.shape[d]);
  Tensor y = Tensor::zeros(out);
  Shape ys = stridesOf(out);
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < x.numel(); ++i) {
    unravel(i, x.shape, idx);
    int64_t dst = 0, k = 0;
    for (size_t d = 0; d < x.shape.size(); ++d)
      if (!drop[d])
        dst += idx[d] * ys[k++];
    y.data[dst] += x.data[i];
  }
  if (mean) {
    int64_t count = x.numel() / std::max<int64_t>(1, y.numel());
    for (double &v : y.data)
      v /= (double)count;
  }
  return y;
}

Tensor gather(const Tensor &table, const Tensor &indices) {
  expectRank(table, 1, "gather table");
  if (!indices.isInt)
    fail("gather indices must be integers");
  Tensor y = Tensor::zeros(indices.shape);
  for (int64_t i = 0; i < y.numel(); ++i) {
    int64_t k = (int64_t)indices.data[i];
    if (k < 0 || k >= table.shape[0])
      fail("gather index " + std::to_string(k) + " is out of range for a table of " +
           std::to_string(table.shape[0]));
    y.data[i] = table.data[k];
  }
  return y;
}

// ---- layers -----------------------------------------------------------------------------------

Tensor matmul(const Tensor &a, const Tensor &b) {
  expectRank(a, 2, "matmul lhs");
  expectRank(b, 2, "matmul rhs");
  int64_t M = a.shape[0], K = a.shape[1], N = b.shape[1];
  if (b.shape[0] != K)
    fail("matmul inner dimensions differ: " + str(a.shape) + " and " + str(b.shape));
  Tensor y = Tensor::zeros({M, N});
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k)
        s += a.data[m * K + k] * b.data[k * N + n];
      y.data[m * N + n] = s;
    }
  return y;
}

Tensor dense(const Tensor &x, const Tensor &w, const Tensor *bias) {
  Tensor y = matmul(x, w);
  if (bias) {
    int64_t N = y.shape[0], O = y.shape[1];
    if (bias->shape != Shape{O})
      fail("dense bias " + str(bias->shape) + " does not match " + std::to_string(O) + " units");
    for (int64_t n = 0; n < N; ++n)
      for (int64_t o = 0; o < O; ++o)
        y.data[n * O + o] += bias->data[o];
  }
  return y;
}

static void checkBias(const Tensor *bias, int64_t C) {
  if (bias && bias->shape != Shape{C})
    fail("bias " + str(bias->shape) + " does not match " + std::to_string(C) + " channels");
}

Tensor conv2d(const Tensor &x, const Tensor &w, const Tensor *bias, const ConvAttrs &c) {
  expectRank(x, 4, "conv2d input");
  expectRank(w, 4, "conv2d kernel");
  int64_t N = x.shape[0], H = x.shape[1], W = x.shape[2], Ci = x.shape[3];
  int64_t KH = w.shape[0], KW = w.shape[1], Co = w.shape[3];
  if (w.shape[2] != Ci)
    fail("conv2d kernel " + str(w.shape) + " does not fit input " + str(x.shape));
  checkBias(bias, Co);
  int64_t OH = (H + c.top + c.bottom - c.dH * (KH - 1) - 1) / c.sH + 1;
  int64_t OW = (W + c.left + c.right - c.dW * (KW - 1) - 1) / c.sW + 1;
  if (OH <= 0 || OW <= 0 || H + c.top + c.bottom < c.dH * (KH - 1) + 1 ||
      W + c.left + c.right < c.dW * (KW - 1) + 1)
    fail("conv2d kernel is larger than the padded input");
  Tensor y = Tensor::zeros({N, OH, OW, Co});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        for (int64_t co = 0; co < Co; ++co) {
          double s = bias ? bias->data[co] : 0.0;
          for (int64_t kh = 0; kh < KH; ++kh)
            for (int64_t kw = 0; kw < KW; ++kw) {
              int64_t ih = oh * c.sH - c.top + kh * c.dH, iw = ow * c.sW - c.left + kw * c.dW;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W)
                continue;
              for (int64_t ci = 0; ci < Ci; ++ci)
                s += x.data[((n * H + ih) * W + iw) * Ci + ci] *
                     w.data[((kh * KW + kw) * Ci + ci) * Co + co];
            }
          y.data[((n * OH + oh) * OW + ow) * Co + co] = s;
        }
  return y;
}

Tensor conv2dTranspose(const Tensor &x, const Tensor &w, const Tensor *bias, const ConvAttrs &c) {
  expectRank(x, 4, "conv2d_transpose input");
  expectRank(w, 4, "conv2d_transpose kernel");
  int64_t N = x.shape[0], H = x.shape[1], W = x.shape[2], Ci = x.shape[3];
  int64_t KH = w.shape[0], KW = w.shape[1], Co = w.shape[2];
  if (w.shape[3] != Ci)
    fail("conv2d_transpose kernel " + str(w.shape) + " does not fit input " + str(x.shape));
  checkBias(bias, Co);
  int64_t OH = (H - 1) * c.sH - c.top - c.bottom + c.dH * (KH - 1) + c.opH + 1;
  int64_t OW = (W - 1) * c.sW - c.left - c.right + c.dW * (KW - 1) + c.opW + 1;
  if (OH <= 0 || OW <= 0)
    fail("conv2d_transpose leaves no output");
  Tensor y = Tensor::zeros({N, OH, OW, Co});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t ih = 0; ih < H; ++ih)
      for (int64_t iw = 0; iw < W; ++iw)
        for (int64_t kh = 0; kh < KH; ++kh)
          for (int64_t kw = 0; kw < KW; ++kw) {
            int64_t oh = ih * c.sH - c.top + kh * c.dH, ow = iw * c.sW - c.left + kw * c.dW;
            if (oh < 0 || oh >= OH || ow < 0 || ow >= OW)
              continue; // cropped by the padding
            for (int64_t co = 0; co < Co; ++co)
              for (int64_t ci = 0; ci < Ci; ++ci)
                y.data[((n * OH + oh) * OW + ow) * Co + co] +=
                    x.data[((n * H + ih) * W + iw) * Ci + ci] *
                    w.data[((kh * KW + kw) * Co + co) * Ci + ci];
          }
  if (bias)
    for (int64_t i = 0; i < y.numel(); ++i)
      y.data[i] += bias->data[i % Co];
  return y;
}

Tensor conv2dFilterGrad(const Tensor &x, const Tensor &dy, int64_t KH, int64_t KW,
                        const ConvAttrs &c) {
  expectRank(x, 4, "conv2d_filter_grad input");
  expectRank(dy, 4, "conv2d_filter_grad output gradient");
  int64_t N = x.shape[0], H = x.shape[1], W = x.shape[2], Ci = x.shape[3];
  int64_t OH = dy.shape[1], OW = dy.shape[2], Co = dy.shape[3];
  if (dy.shape[0] != N)
    fail("conv2d_filter_grad batch sizes differ");
  Tensor dw = Tensor::zeros({KH, KW, Ci, Co});
  for (int64_t kh = 0; kh < KH; ++kh)
    for (int64_t kw = 0; kw < KW; ++kw)
      for (int64_t ci = 0; ci < Ci; ++ci)
        for (int64_t co = 0; co < Co; ++co) {
          double s = 0;
          for (int64_t n = 0; n < N; ++n)
            for (int64_t oh = 0; oh < OH; ++oh)
              for (int64_t ow = 0; ow < OW; ++ow) {
                int64_t ih = oh * c.sH + kh * c.dH - c.top, iw = ow * c.sW + kw * c.dW - c.left;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W)
                  continue;
                s += x.data[((n * H + ih) * W + iw) * Ci + ci] *
                     dy.data[((n * OH + oh) * OW + ow) * Co + co];
              }
          dw.data[((kh * KW + kw) * Ci + ci) * Co + co] = s;
        }
  return dw;
}

Tensor groupNorm(const Tensor &x, const Tensor &gamma, const Tensor &beta, int64_t groups,
                 double eps) {
  expectRank(x, 4, "group_norm input");
  int64_t N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3];
  if (groups < 1 || C % groups != 0)
    fail("group_norm: channels not divisible into groups");
  if (gamma.shape != Shape{C} || beta.shape != Shape{C})
    fail("group_norm scale/offset must be [" + std::to_string(C) + "]");
  int64_t G = C / groups;
  double count = (double)(H * W * G);
  Tensor y = Tensor::zeros(x.shape);
  auto at = [&](int64_t n, int64_t h, int64_t w, int64_t ch) {
    return ((n * H + h) * W + w) * C + ch;
  };
  for (int64_t n = 0; n < N; ++n)
    for (int64_t g = 0; g < groups; ++g) {
      double sum = 0;
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w)
          for (int64_t ch = g * G; ch < (g + 1) * G; ++ch)
            sum += x.data[at(n, h, w, ch)];
      double mean = sum / count, sq = 0;
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w)
          for (int64_t ch = g * G; ch < (g + 1) * G; ++ch) {
            double d = x.data[at(n, h, w, ch)] - mean;
            sq += d * d;
          }
      double inv = 1.0 / std::sqrt(sq / count + eps);
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w)
          for (int64_t ch = g * G; ch < (g + 1) * G; ++ch) {
            int64_t i = at(n, h, w, ch);
            y.data[i] = (x.data[i] - mean) * inv * gamma.data[ch] + beta.data[ch];
          }
    }
  return y;
}

// ---- losses ---------------------------------------------------------------------------------

static double clampedLog(double v) { return std::max(std::log(v), -100.0); }

// The divisor of a reduction: mean -> numel, sum -> 1, batch -> dim 0.
static double reductionCount(Reduction red, const Tensor &a) {
  switch (red) {
  case Reduction::Mean:
    return (double)a.numel();
  case Reduction::Sum:
    return 1.0;
  case Reduction::Batch:
    if (a.shape.empty())
      fail("batch reduction of a scalar");
    return (double)a.shape[0];
  }
  return 1.0;
}

static void checkLossOperands(const Tensor &a, const Tensor &b) {
  if (a.shape != b.shape)
    fail("loss operands differ in shape: " + str(a.shape) + " and " + str(b.shape));
}

Tensor loss(LossKind kind, Reduction red, const Tensor &a, const Tensor &b) {
  checkLossOperands(a, b);
  double sum = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    double x = a.data[i], t = b.data[i], l = 0;
    switch (kind) {
    case LossKind::Mse:
      l = (x - t) * (x - t);
      break;
    case LossKind::Bce: // x = probability, t = target
      l = -(t * clampedLog(x) + (1 - t) * clampedLog(1 - x));
      break;
    case LossKind::BceWithLogits: // x = logit
      l = std::max(x, 0.0) - x * t + std::log1p(std::exp(-std::fabs(x)));
      break;
    case LossKind::KlNormal: // x = mu, t = logvar
      l = -0.5 * (1 + t - x * x - std::exp(t));
      break;
    }
    sum += l;
  }
  return Tensor::scalar(sum / reductionCount(red, a));
}

Tensor lossGrad(LossKind kind, int64_t wrt, Reduction red, const Tensor &a, const Tensor &b,
                double dloss) {
  checkLossOperands(a, b);
  if (wrt != 0 && wrt != 1)
    fail("wrt must be 0 or 1");
  double scale = dloss / reductionCount(red, a);
  Tensor g = Tensor::zeros(a.shape);
  for (int64_t i = 0; i < a.numel(); ++i) {
    double x = a.data[i], t = b.data[i], d = 0;
    switch (kind) {
    case LossKind::Mse:
      d = wrt == 0 ? 2 * (x - t) : -2 * (x - t);
      break;
    case LossKind::Bce:
      d = wrt == 0 ? (x - t) / std::max(x * (1 - x), 1e-12) : clampedLog(1 - x) - clampedLog(x);
      break;
    case LossKind::BceWithLogits:
      d = wrt == 0 ? 1 / (1 + std::exp(-x)) - t : -x;
      break;
    case LossKind::KlNormal:
      d = wrt == 0 ? x : 0.5 * (std::exp(t) - 1);
      break;
    }
    g.data[i] = d * scale;
  }
  return g;
}

} // namespace detail
} // namespace gn::reference
