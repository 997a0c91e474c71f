#include "runtime/Plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb/stb_easy_font.h>
#pragma GCC diagnostic pop

namespace gnc::rt {

namespace {

const Rgb kAxis = {60, 60, 60}, kGrid = {228, 228, 228}, kText = {30, 30, 30};

double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

// The quads of stb_easy_font for `s`, at scale 1 with the top-left corner at (0, 0).
struct Quad {
  float x0, y0, x1, y1;
};
std::vector<Quad> glyphQuads(const std::string &s) {
  std::vector<char> text(s.begin(), s.end());
  text.push_back('\0');
  std::vector<char> buffer(1000 * (s.size() + 1));
  int n = stb_easy_font_print(0, 0, text.data(), nullptr, buffer.data(), (int)buffer.size());
  std::vector<Quad> quads;
  for (int q = 0; q < n; ++q) {
    // Four vertices of {x, y, z, rgba} (16 bytes) per quad: the first and the third corner.
    float v0[2], v2[2];
    std::memcpy(v0, buffer.data() + q * 64, sizeof v0);
    std::memcpy(v2, buffer.data() + q * 64 + 32, sizeof v2);
    quads.push_back({v0[0], v0[1], v2[0], v2[1]});
  }
  return quads;
}

std::string printf1(const char *format, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

} // namespace

Rgb palette(size_t i) {
  static const Rgb tab10[10] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},
                                {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                                {188, 189, 34},  {23, 190, 207}};
  return tab10[i % 10];
}

// ---- Canvas ------------------------------------------------------------------------------------

Canvas::Canvas(int width, int height, Rgb background)
    : w(width), h(height), cx1(width), cy1(height), rgb((size_t)width * height * 3) {
  for (size_t i = 0; i < rgb.size(); i += 3) {
    rgb[i] = background.r;
    rgb[i + 1] = background.g;
    rgb[i + 2] = background.b;
  }
}

Rgb Canvas::at(int x, int y) const {
  const uint8_t *p = &rgb[((size_t)y * w + x) * 3];
  return {p[0], p[1], p[2]};
}

void Canvas::clip(int x0, int y0, int x1, int y1) {
  cx0 = std::max(0, x0);
  cy0 = std::max(0, y0);
  cx1 = std::min(w, x1);
  cy1 = std::min(h, y1);
}

void Canvas::blend(int x, int y, Rgb c, float alpha) {
  if (x < 0 || y < 0 || x >= w || y >= h || !(alpha > 0))
    return;
  uint8_t *p = &rgb[((size_t)y * w + x) * 3];
  float a = alpha > 1 ? 1 : alpha;
  p[0] = (uint8_t)std::lround(p[0] + (c.r - p[0]) * a);
  p[1] = (uint8_t)std::lround(p[1] + (c.g - p[1]) * a);
  p[2] = (uint8_t)std::lround(p[2] + (c.b - p[2]) * a);
}

void Canvas::fillRect(double x0, double y0, double x1, double y1, Rgb c, float alpha) {
  int ix0 = std::max(cx0, (int)std::ceil(std::min(x0, x1) - 0.5));
  int ix1 = std::min(cx1, (int)std::ceil(std::max(x0, x1) - 0.5));
  int iy0 = std::max(cy0, (int)std::ceil(std::min(y0, y1) - 0.5));
  int iy1 = std::min(cy1, (int)std::ceil(std::max(y0, y1) - 0.5));
  for (int y = iy0; y < iy1; ++y)
    for (int x = ix0; x < ix1; ++x)
      blend(x, y, c, alpha);
}

void Canvas::line(double x0, double y0, double x1, double y1, Rgb c, float width, float alpha) {
  if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) || !std::isfinite(y1))
    return;
  double half = width / 2.0;
  int bx0 = std::max(cx0, (int)std::floor(std::min(x0, x1) - half - 1));
  int bx1 = std::min(cx1, (int)std::ceil(std::max(x0, x1) + half + 1));
  int by0 = std::max(cy0, (int)std::floor(std::min(y0, y1) - half - 1));
  int by1 = std::min(cy1, (int)std::ceil(std::max(y0, y1) + half + 1));
  double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
  for (int y = by0; y < by1; ++y)
    for (int x = bx0; x < bx1; ++x) {
      // Distance from the pixel's centre to the segment.
      double px = x + 0.5 - x0, py = y + 0.5 - y0;
      double t = len2 > 0 ? clamp01((px * dx + py * dy) / len2) : 0;
      double ex = px - t * dx, ey = py - t * dy;
      double cover = clamp01(half + 0.5 - std::sqrt(ex * ex + ey * ey));
      if (cover > 0)
        blend(x, y, c, (float)(cover * alpha));
    }
}

void Canvas::disc(double cx, double cy, double radius, Rgb c, float alpha) {
  if (!std::isfinite(cx) || !std::isfinite(cy))
    return;
  int bx0 = std::max(cx0, (int)std::floor(cx - radius - 1));
  int bx1 = std::min(cx1, (int)std::ceil(cx + radius + 1));
  int by0 = std::max(cy0, (int)std::floor(cy - radius - 1));
  int by1 = std::min(cy1, (int)std::ceil(cy + radius + 1));
  for (int y = by0; y < by1; ++y)
    for (int x = bx0; x < bx1; ++x) {
      double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
      double cover = clamp01(radius + 0.5 - d);
      if (cover > 0)
        blend(x, y, c, (float)(cover * alpha));
    }
}

void Canvas::text(double x, double y, const std::string &s, Rgb c, int scale) {
  int sx0 = cx0, sy0 = cy0, sx1 = cx1, sy1 = cy1;
  unclip();
  x = std::round(x);
  y = std::round(y);
  for (const Quad &q : glyphQuads(s))
    fillRect(x + q.x0 * scale, y + q.y0 * scale, x + q.x1 * scale, y + q.y1 * scale, c);
  clip(sx0, sy0, sx1, sy1);
}

int Canvas::textWidth(const std::string &s, int scale) {
  std::vector<char> text(s.begin(), s.end());
  text.push_back('\0');
  // stb's width includes the spacing after the last glyph (one font pixel).
  int wpx = stb_easy_font_width(text.data());
  return s.empty() ? 0 : (wpx - 1) * scale;
}

GridImage Canvas::image() const {
  GridImage g;
  g.width = (size_t)w;
  g.height = (size_t)h;
  g.channels = 3;
  g.pixels = rgb;
  return g;
}

// ---- ticks -------------------------------------------------------------------------------------

std::vector<double> axisTicks(const AxisRange &a, int target) {
  std::vector<double> ticks;
  if (!(a.hi > a.lo) || !std::isfinite(a.lo) || !std::isfinite(a.hi))
    return ticks;
  if (a.log) {
    double d0 = std::floor(std::log10(a.lo)), d1 = std::ceil(std::log10(a.hi));
    double decades = std::log10(a.hi / a.lo);
    std::vector<std::vector<double>> choices = {{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
    for (const std::vector<double> &mults : choices) {
      if (mults.size() == 1 && decades < 3)
        continue;
      ticks.clear();
      int every = std::max(1, (int)std::ceil((d1 - d0) / std::max(1, target)));
      for (double d = d0; d <= d1; ++d) {
        if (mults.size() == 1 && (int)(d - d0) % every)
          continue;
        for (double m : mults) {
          double v = m * std::pow(10.0, d);
          if (v >= a.lo * (1 - 1e-9) && v <= a.hi * (1 + 1e-9))
            ticks.push_back(v);
        }
      }
      if (ticks.size() >= 2 && (int)ticks.size() <= 2 * target)
        return ticks;
    }
    if (ticks.size() >= 2)
      return ticks;
    // Less than a decade with no two ticks: fall back to linear ticks.
    AxisRange linear = a;
    linear.log = false;
    return axisTicks(linear, target);
  }
  double raw = (a.hi - a.lo) / std::max(1, target);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double norm = raw / mag;
  double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  if (a.integer && step < 1)
    step = 1;
  double k0 = std::ceil(a.lo / step - 1e-9), k1 = std::floor(a.hi / step + 1e-9);
  for (double k = k0; k <= k1 && ticks.size() < 1000; ++k)
    ticks.push_back(std::fabs(k) < 0.5 ? 0.0 : k * step);
  return ticks;
}

std::string tickLabel(double v, const AxisRange &a, const std::vector<double> &ticks) {
  if (a.log || std::fabs(v) >= 1e7) {
    std::string s = printf1("%.3g", v);
    return s;
  }
  double step = ticks.size() >= 2 ? ticks[1] - ticks[0] : std::fabs(v);
  if (!(step > 0))
    return printf1("%g", v);
  if (step < 1e-4)
    return printf1("%.3g", v);
  int decimals = std::max(0, -(int)std::floor(std::log10(step) + 1e-9));
  char format[16];
  std::snprintf(format, sizeof format, "%%.%df", decimals);
  return printf1(format, v);
}

double quantile(std::vector<double> values, double q) {
  values.erase(std::remove_if(values.begin(), values.end(),
                              [](double v) { return !std::isfinite(v); }),
               values.end());
  if (values.empty())
    return NAN;
  std::sort(values.begin(), values.end());
  double pos = clamp01(q) * (double)(values.size() - 1);
  size_t i = (size_t)pos;
  if (i + 1 >= values.size())
    return values.back();
  return values[i] + (values[i + 1] - values[i]) * (pos - (double)i);
}

// ---- Frame -------------------------------------------------------------------------------------

Frame::Frame(Canvas &c, int l, int t, int r, int b, AxisRange xr, AxisRange yr)
    : canvas(c), left(l), top(t), right(r), bottom(b), x(xr), y(yr) {}

namespace {
double fraction(double v, const AxisRange &a) {
  if (a.log)
    return v > 0 ? (std::log10(v) - std::log10(a.lo)) / (std::log10(a.hi) - std::log10(a.lo)) : NAN;
  return (v - a.lo) / (a.hi - a.lo);
}
} // namespace

double Frame::px(double v) const { return left + fraction(v, x) * (right - left); }
double Frame::py(double v) const { return bottom - fraction(v, y) * (bottom - top); }

bool Frame::inside(double qx, double qy) const {
  return qx >= left && qx <= right && qy >= top && qy <= bottom;
}

void Frame::axes(const std::string &xTitle, const std::string &yTitle) {
  const int th = Canvas::textHeight();
  // x ticks: fewer when the labels would touch.
  std::vector<double> xt;
  for (int target = 8; target >= 2; --target) {
    xt = axisTicks(x, target);
    double widest = 0;
    for (double v : xt)
      widest = std::max(widest, (double)Canvas::textWidth(tickLabel(v, x, xt)));
    if (xt.size() < 2 || (px(xt[1]) - px(xt[0])) > widest + 16)
      break;
  }
  std::vector<double> yt = axisTicks(y, 6);
  for (double v : xt)
    canvas.fillRect(px(v) - 0.5, top, px(v) + 0.5, bottom, kGrid);
  for (double v : yt)
    canvas.fillRect(left, py(v) - 0.5, right, py(v) + 0.5, kGrid);
  // The frame.
  canvas.fillRect(left - 1, top - 1, right + 1, top, kAxis);
  canvas.fillRect(left - 1, bottom, right + 1, bottom + 1, kAxis);
  canvas.fillRect(left - 1, top - 1, left, bottom + 1, kAxis);
  canvas.fillRect(right, top - 1, right + 1, bottom + 1, kAxis);
  for (double v : xt) {
    double p = std::round(px(v));
    canvas.fillRect(p - 0.5, bottom, p + 0.5, bottom + 6, kAxis);
    std::string s = tickLabel(v, x, xt);
    canvas.text(p - Canvas::textWidth(s) / 2.0, bottom + 10, s, kText);
  }
  for (double v : yt) {
    double p = std::round(py(v));
    canvas.fillRect(left - 6, p - 0.5, left, p + 0.5, kAxis);
    std::string s = tickLabel(v, y, yt);
    canvas.text(left - 10 - Canvas::textWidth(s), p - th / 2.0, s, kText);
  }
  if (!xTitle.empty())
    canvas.text((left + right) / 2.0 - Canvas::textWidth(xTitle) / 2.0, bottom + 16 + th + 8,
                xTitle, kText);
  if (!yTitle.empty())
    canvas.text(left, top - th - 10, yTitle, kText);
}

void Frame::polyline(const std::vector<double> &xs, const std::vector<double> &ys, Rgb c,
                     float width, float alpha) {
  canvas.clip(left, top, right, bottom);
  for (size_t i = 1; i < xs.size() && i < ys.size(); ++i) {
    double x0 = px(xs[i - 1]), y0 = py(ys[i - 1]), x1 = px(xs[i]), y1 = py(ys[i]);
    if (std::isfinite(x0) && std::isfinite(y0) && std::isfinite(x1) && std::isfinite(y1)) {
      // Keep far-away points from making a huge bounding box: clamp to a margin around the
      // plot (the clipped part of the segment keeps its direction only approximately, which
      // the clip rectangle hides).
      auto near = [](double v, double lo, double hi) {
        return std::max(lo - 1e4, std::min(hi + 1e4, v));
      };
      canvas.line(near(x0, left, right), near(y0, top, bottom), near(x1, left, right),
                  near(y1, top, bottom), c, width, alpha);
    }
  }
  canvas.unclip();
}

void Frame::legend(const std::vector<LegendEntry> &entries, bool markers) {
  int wMax = 0;
  for (const LegendEntry &e : entries)
    wMax = std::max(wMax, Canvas::textWidth(e.name));
  int boxW = 16 + 28 + wMax + 12;
  legendAt(right - boxW - 10, top + 10, entries, markers);
}

void Frame::legendAt(int lx, int ly, const std::vector<LegendEntry> &entries, bool markers) {
  const int th = Canvas::textHeight(), row = th + 10;
  int wMax = 0;
  for (const LegendEntry &e : entries)
    wMax = std::max(wMax, Canvas::textWidth(e.name));
  int boxW = 16 + 28 + wMax + 12, boxH = (int)entries.size() * row + 10;
  canvas.fillRect(lx, ly, lx + boxW, ly + boxH, {255, 255, 255}, 0.9f);
  canvas.fillRect(lx, ly, lx + boxW, ly + 1, {180, 180, 180});
  canvas.fillRect(lx, ly + boxH - 1, lx + boxW, ly + boxH, {180, 180, 180});
  canvas.fillRect(lx, ly, lx + 1, ly + boxH, {180, 180, 180});
  canvas.fillRect(lx + boxW - 1, ly, lx + boxW, ly + boxH, {180, 180, 180});
  for (size_t i = 0; i < entries.size(); ++i) {
    double cy = ly + 5 + (double)i * row + row / 2.0;
    if (markers)
      canvas.disc(lx + 12 + 12, cy, 5, entries[i].colour);
    else
      canvas.line(lx + 12, cy, lx + 12 + 24, cy, entries[i].colour, 3);
    canvas.text(lx + 12 + 28 + 4, cy - th / 2.0, entries[i].name, kText);
  }
}

} // namespace gnc::rt
