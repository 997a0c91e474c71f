#include "runtime/LatentScatter.h"

#include "runtime/Plot.h"

#include <algorithm>
#include <cmath>

namespace gnc::rt {

namespace {

AxisRange robustRange(const std::vector<double> &v) {
  double lo = quantile(v, 0.002), hi = quantile(v, 0.998);
  if (!std::isfinite(lo)) {
    lo = -1;
    hi = 1;
  }
  if (hi - lo <= 1e-12 * std::max(1.0, std::fabs(hi))) {
    double d = std::max(std::fabs(hi) * 0.1, 1.0);
    lo -= d;
    hi += d;
  }
  double pad = 0.08 * (hi - lo);
  return {lo - pad, hi + pad, false};
}

} // namespace

GridImage latentScatter(const std::vector<float> &codes, const std::vector<uint8_t> &labels,
                        const std::string &title) {
  const int W = 900, H = 760, left = 100, top = 70, right = 740, bottom = H - 80;
  const size_t n = codes.size() / 2;
  std::vector<double> xs(n), ys(n);
  for (size_t i = 0; i < n; ++i) {
    xs[i] = codes[2 * i];
    ys[i] = codes[2 * i + 1];
  }
  Canvas canvas(W, H);
  Frame f(canvas, left, top, right, bottom, robustRange(xs), robustRange(ys));
  f.axes("z[0]", "z[1]");
  canvas.text(left, 14, title, {30, 30, 30});
  const bool labelled = labels.size() == n && n > 0;
  const float alpha = n > 3000 ? 0.5f : 0.8f;
  canvas.clip(left, top, right, bottom);
  for (size_t i = 0; i < n; ++i)
    canvas.disc(f.px(xs[i]), f.py(ys[i]), 2.0, palette(labelled ? labels[i] : 0), alpha);
  canvas.unclip();
  if (labelled) {
    std::vector<Frame::LegendEntry> legend;
    for (int d = 0; d < 10; ++d)
      legend.push_back({"digit " + std::to_string(d), palette((size_t)d)});
    f.legendAt(right + 16, top, legend, /*markers=*/true);
  }
  return canvas.image();
}

} // namespace gnc::rt
