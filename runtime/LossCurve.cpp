#include "runtime/LossCurve.h"

#include "runtime/FileIO.h"
#include "runtime/Plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gnc::rt {

size_t movingAverageWindow(size_t steps) {
  return std::max<size_t>(1, std::min(steps, std::max<size_t>(20, steps / 100)));
}

std::vector<double> movingAverage(const std::vector<double> &v, size_t window) {
  size_t n = v.size();
  window = std::max<size_t>(1, window);
  // Prefix sums of the finite values and of their count.
  std::vector<double> sum(n + 1, 0.0);
  std::vector<size_t> count(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    bool ok = std::isfinite(v[i]);
    sum[i + 1] = sum[i] + (ok ? v[i] : 0.0);
    count[i + 1] = count[i] + ok;
  }
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) {
    // Symmetric around i: the window shrinks towards the ends instead of going flat there.
    size_t half = std::min({(window - 1) / 2, i, n - 1 - i});
    size_t lo = i - half, hi = i + half + 1;
    size_t c = count[hi] - count[lo];
    out[i] = c ? (sum[hi] - sum[lo]) / (double)c : NAN;
  }
  return out;
}

std::string lossCsv(const LossHistory &h) {
  std::string s = "step,epoch";
  for (const std::string &name : h.names)
    s += "," + name;
  s += "\n";
  const size_t L = h.names.size();
  char buf[48];
  for (size_t i = 0; i < h.steps(); ++i) {
    uint64_t step = h.first + i;
    s += std::to_string(step + 1) + ",";
    if (h.stepsPerEpoch)
      s += std::to_string(step / h.stepsPerEpoch + 1);
    for (size_t k = 0; k < L; ++k) {
      std::snprintf(buf, sizeof buf, ",%.9g", (double)h.values[i * L + k]);
      s += buf;
    }
    s += "\n";
  }
  return s;
}

GridImage lossCurveImage(const LossHistory &h) {
  const int W = 960, H = 560, left = 100, right = W - 24, top = 70, bottom = H - 70;
  Canvas canvas(W, H);
  const size_t n = h.steps(), L = h.names.size();

  // Per loss: raw values, moving average, and the 1st/99th percentiles for the y range.
  std::vector<std::vector<double>> raw(L), smooth(L);
  double lo = INFINITY, hi = -INFINITY;
  const size_t window = movingAverageWindow(n);
  for (size_t k = 0; k < L; ++k) {
    raw[k].resize(n);
    for (size_t i = 0; i < n; ++i)
      raw[k][i] = h.values[i * L + k];
    smooth[k] = movingAverage(raw[k], window);
    double p1 = quantile(raw[k], 0.01), p99 = quantile(raw[k], 0.99);
    if (std::isfinite(p1)) {
      lo = std::min(lo, p1);
      hi = std::max(hi, p99);
    }
  }
  AxisRange y;
  if (!std::isfinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo <= 1e-12 * std::max(1.0, std::fabs(hi))) {
    double d = std::max(std::fabs(hi) * 0.1, 1e-3);
    lo -= d;
    hi += d;
  }
  if (lo > 0 && hi / lo > 20) {
    double f = std::pow(hi / lo, 0.05);
    y = {lo / f, hi * f, true};
  } else {
    double pad = 0.05 * (hi - lo);
    y = {lo - pad, hi + pad, false};
  }
  AxisRange x;
  x.integer = true;
  x.lo = (double)h.first + 1;
  x.hi = (double)(h.first + n);
  if (n < 2) {
    x.lo = (double)h.first;
    x.hi = (double)h.first + 2;
  }

  Frame f(canvas, left, top, right, bottom, x, y);
  std::string note = n ? "step   (faint: every step; bold: mean over " + std::to_string(window) +
                             (window == 1 ? " step)" : " steps)")
                       : "step   (no training steps recorded)";
  f.axes(note, std::string("loss") + (y.log ? " (log scale)" : ""));
  canvas.text(left, 14, h.title.empty() ? "training loss" : "training loss: " + h.title,
              {30, 30, 30});

  std::vector<double> xs(n);
  for (size_t i = 0; i < n; ++i)
    xs[i] = (double)(h.first + i + 1);
  const int plotWidth = right - left;
  for (size_t k = 0; k < L; ++k) {
    Rgb c = palette(k);
    if (n <= (size_t)plotWidth * 2) {
      f.polyline(xs, raw[k], c, 1.0f, 0.3f);
    } else {
      // Dense: each pixel column shows the range of its steps' values.
      std::vector<double> cmin(plotWidth, INFINITY), cmax(plotWidth, -INFINITY);
      for (size_t i = 0; i < n; ++i) {
        double py = f.py(raw[k][i]);
        int col = (int)std::floor(f.px(xs[i])) - left;
        if (!std::isfinite(py) || col < 0 || col >= plotWidth)
          continue;
        cmin[col] = std::min(cmin[col], py);
        cmax[col] = std::max(cmax[col], py);
      }
      canvas.clip(left, top, right, bottom);
      for (int col = 0; col < plotWidth; ++col)
        if (cmin[col] <= cmax[col])
          canvas.fillRect(left + col, std::floor(cmin[col]), left + col + 1,
                          std::floor(cmax[col]) + 1, c, 0.3f);
      canvas.unclip();
    }
  }
  for (size_t k = 0; k < L; ++k) {
    f.polyline(xs, smooth[k], palette(k), 2.5f, 1.0f);
    if (n == 1) { // no line to draw: a dot
      canvas.clip(left, top, right, bottom);
      canvas.disc(f.px(xs[0]), f.py(smooth[k][0]), 4, palette(k));
      canvas.unclip();
    }
  }
  std::vector<Frame::LegendEntry> legend;
  for (size_t k = 0; k < L; ++k)
    legend.push_back({h.names[k], palette(k)});
  if (!legend.empty())
    f.legend(legend, /*markers=*/false);
  return canvas.image();
}

void writeLossCsv(const std::string &path, const LossHistory &h) {
  std::string s = lossCsv(h);
  writeFileAtomic(path, s.data(), s.size());
}

void writeLossCurve(const std::string &path, const LossHistory &h) {
  writePng(path, lossCurveImage(h));
}

std::string checkpointStem(const std::string &checkpoint) {
  size_t slash = checkpoint.find_last_of('/');
  size_t dot = checkpoint.find_last_of('.');
  size_t base = slash == std::string::npos ? 0 : slash + 1;
  // "a.safetensors" -> "a"; ".hidden" and "dir.d/file" keep their dots.
  if (dot == std::string::npos || dot <= base)
    return checkpoint;
  return checkpoint.substr(0, dot);
}

} // namespace gnc::rt
