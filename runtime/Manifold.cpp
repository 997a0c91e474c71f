#include "runtime/Manifold.h"

#include "runtime/Error.h"
#include "runtime/Shuffle.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gnc::rt {

double normalQuantile(double p) {
  if (std::isnan(p) || p < 0 || p > 1)
    return std::numeric_limits<double>::quiet_NaN();
  if (p == 0)
    return -std::numeric_limits<double>::infinity();
  if (p == 1)
    return std::numeric_limits<double>::infinity();
  // The upper half by symmetry, so the refinement below never cancels (1 - p is exact there).
  if (p > 0.5)
    return -normalQuantile(1 - p);
  // Peter J. Acklam's algorithm (2003): relative error below 1.15e-9.
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                             -2.759285104469687e+02, 1.383577518672690e+02,
                             -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                             -1.556989798598866e+02, 6.680131188771972e+01,
                             -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                             -2.400758277161838e+00, -2.549732539343734e+00,
                             4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                             2.445134137142996e+00, 3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // One step of Halley's method on Phi(x) - p, Phi(x) = erfc(-x / sqrt 2) / 2.
  double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

std::vector<float> manifoldPoints(size_t n) {
  std::vector<double> z(n);
  for (size_t i = 0; i < n; ++i)
    z[i] = normalQuantile(n == 1 ? 0.5 : 0.05 + 0.9 * (double)i / (double)(n - 1));
  std::vector<float> points;
  points.reserve(2 * n * n);
  for (size_t r = 0; r < n; ++r)
    for (size_t c = 0; c < n; ++c) {
      points.push_back((float)z[c]);
      points.push_back((float)z[n - 1 - r]);
    }
  return points;
}

GridImage manifoldGrid(Engine &engine, const EntrySpec &entry, size_t n, uint64_t seed) {
  const ModelInfo &m = engine.model();
  const size_t B = (size_t)m.batch;
  std::string what = "procedure '" + entry.name + "'";
  if (!entry.takesInput || entry.inputShape != Shape{m.batch, 2})
    throw Error(what + (entry.takesInput ? " takes " + shapeString(entry.inputShape)
                                         : std::string(" takes no input")) +
                "; the manifold needs a decoder of 2-D latent codes [" + std::to_string(B) +
                ",2] (--proc NAME)");
  const Shape &o = entry.outputShape;
  bool image = o.size() >= 3 && o.size() <= 4 && o[0] == m.batch &&
               (o.size() == 3 || o[3] == 1 || o[3] == 3) && o[1] > 0 && o[2] > 0;
  if (!image)
    throw Error(what + " outputs " + shapeString(o) + ", not a batch of images [" +
                std::to_string(B) + ",H,W,C] (C 1 or 3)");
  size_t h = (size_t)o[1], w = (size_t)o[2], c = o.size() == 4 ? (size_t)o[3] : 1;
  size_t per = h * w * c, total = n * n;
  std::vector<float> points = manifoldPoints(n);
  std::vector<float> tiles(total * per);
  AlignedBuffer in(B * 2 * sizeof(float));
  for (size_t done = 0, call = 0; done < total; ++call) {
    size_t take = std::min(B, total - done);
    for (size_t k = 0; k < B; ++k) { // padding: the batch's last point again
      size_t p = done + std::min(k, take - 1);
      in.f32()[2 * k] = points[2 * p];
      in.f32()[2 * k + 1] = points[2 * p + 1];
    }
    const float *out = engine.sample(entry, in.f32(), evalKey(seed, call));
    std::copy(out, out + take * per, tiles.begin() + (long)(done * per));
    done += take;
  }
  return makeGrid(tiles.data(), total, h, w, c, n);
}

} // namespace gnc::rt
