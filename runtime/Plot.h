// Drawing for the runtime's charts (the loss curve, LossCurve.h; the latent scatter plot,
// Apply.h): an RGB canvas with anti-aliased lines and discs, text in stb_easy_font's bitmap
// font, and a Frame that maps data to pixels and draws axes with "nice" numeric ticks
// (1, 2, 5 x 10^k; decades on a log axis), light grid lines and a legend. No dependencies
// beyond the stb headers; the result is a GridImage for PngGrid's encoder.
#ifndef GNC_RUNTIME_PLOT_H
#define GNC_RUNTIME_PLOT_H

#include "runtime/PngGrid.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gnc::rt {

struct Rgb {
  uint8_t r, g, b;
  bool operator==(const Rgb &o) const { return r == o.r && g == o.g && b == o.b; }
};

// Matplotlib's "tab10" colours: loss i and digit d get palette(i) and palette(d).
Rgb palette(size_t i);

class Canvas {
public:
  Canvas(int width, int height, Rgb background = {255, 255, 255});
  int width() const { return w; }
  int height() const { return h; }
  Rgb at(int x, int y) const;

  // Pixel (x, y) becomes (1 - alpha) * itself + alpha * c; outside the canvas: nothing.
  void blend(int x, int y, Rgb c, float alpha);
  // Pixels whose centres are inside [x0, x1) x [y0, y1).
  void fillRect(double x0, double y0, double x1, double y1, Rgb c, float alpha = 1);
  // A segment `width` pixels wide with anti-aliased edges, only inside the clip rectangle.
  void line(double x0, double y0, double x1, double y1, Rgb c, float width, float alpha = 1);
  void disc(double cx, double cy, double radius, Rgb c, float alpha = 1);
  // Text with its top-left corner at (x, y); `scale` pixels per font pixel (glyphs are 7 font
  // pixels high above the baseline). ASCII only.
  void text(double x, double y, const std::string &s, Rgb c, int scale = 2);
  static int textWidth(const std::string &s, int scale = 2);
  static int textHeight(int scale = 2) { return 7 * scale; }

  // Drawing (but text) is limited to this rectangle; the whole canvas by default.
  void clip(int x0, int y0, int x1, int y1);
  void unclip() { clip(0, 0, w, h); }

  GridImage image() const;

private:
  int w, h;
  int cx0 = 0, cy0 = 0, cx1, cy1;
  std::vector<uint8_t> rgb;
};

// One axis: data range [lo, hi], linear or log10 (then lo > 0).
struct AxisRange {
  double lo = 0, hi = 1;
  bool log = false;
  bool integer = false; // linear ticks at whole numbers only (steps)
};

// Tick positions in [lo, hi]: multiples of a 1/2/5 x 10^k step, about `target` of them;
// on a log axis the powers of ten (and 2x, 5x when the range spans few decades).
std::vector<double> axisTicks(const AxisRange &axis, int target);
// A tick's label: as few digits as tell the ticks apart ("0.25", "1e-05", "20000").
std::string tickLabel(double v, const AxisRange &axis, const std::vector<double> &ticks);

// The q-quantile (0..1) of the finite values (linear interpolation); NaN when there are none.
double quantile(std::vector<double> values, double q);

// A plot area [left, right) x [top, bottom) of a canvas with data ranges for x and y.
class Frame {
public:
  Frame(Canvas &canvas, int left, int top, int right, int bottom, AxisRange x, AxisRange y);
  double px(double x) const; // data -> pixel
  double py(double y) const;
  bool inside(double px, double py) const;
  // Grid lines, the frame, ticks with labels, axis titles (x below, y above the axis).
  void axes(const std::string &xTitle, const std::string &yTitle);
  // A polyline through the finite points (gaps at NaNs), clipped to the plot area.
  void polyline(const std::vector<double> &xs, const std::vector<double> &ys, Rgb c, float width,
                float alpha);
  struct LegendEntry {
    std::string name;
    Rgb colour;
  };
  // A boxed legend: the top-right corner of the plot area, or at (x, y) of the canvas.
  void legend(const std::vector<LegendEntry> &entries, bool markers);
  void legendAt(int x, int y, const std::vector<LegendEntry> &entries, bool markers);

  Canvas &canvas;
  int left, top, right, bottom;
  AxisRange x, y;
};

} // namespace gnc::rt

#endif
