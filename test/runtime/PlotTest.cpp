// Charts: ticks, quantiles, the moving average, the loss CSV and the loss-curve PNG (its size,
// and that each loss's colour is drawn). GNC_TEST_PLOT_DIR=DIR keeps the PNGs for a look.
#include "runtime/LossCurve.h"
#include "runtime/Plot.h"

#include "TestUtil.h"

#include <cmath>
#include <cstdlib>

using namespace gnc::rt;
using namespace gnc::rt::test;

namespace {

void keep(const GridImage &g, const std::string &name) {
  if (const char *dir = std::getenv("GNC_TEST_PLOT_DIR"))
    writePng(std::string(dir) + "/" + name, g);
}

// Pixels of exactly this colour (the bold moving average and the legend are opaque).
size_t count(const GridImage &g, Rgb c) {
  size_t n = 0;
  for (size_t i = 0; i + 2 < g.pixels.size(); i += 3)
    n += g.pixels[i] == c.r && g.pixels[i + 1] == c.g && g.pixels[i + 2] == c.b;
  return n;
}

LossHistory decaying(size_t steps, size_t losses) {
  LossHistory h;
  h.first = 0;
  h.stepsPerEpoch = 100;
  h.title = "test";
  for (size_t k = 0; k < losses; ++k)
    h.names.push_back("loss" + std::to_string(k));
  for (size_t i = 0; i < steps; ++i)
    for (size_t k = 0; k < losses; ++k) {
      double v = (k + 1) * (0.2 + std::exp(-(double)i / 300.0)) + 0.05 * std::sin(i * 1.7 + k);
      if (i < 3)
        v *= 1000; // the first steps' huge losses
      h.values.push_back((float)v);
    }
  return h;
}

} // namespace

TEST(Plot, Ticks) {
  std::vector<double> t = axisTicks({0, 1, false}, 5);
  EXPECT_EQ(t, (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  EXPECT_EQ(tickLabel(t[1], {0, 1, false}, t), "0.2");
  t = axisTicks({1, 469, false}, 8);
  ASSERT_GE(t.size(), 2u);
  EXPECT_EQ(t[0], 50);
  EXPECT_EQ(t[1] - t[0], 50);
  EXPECT_EQ(tickLabel(t[0], {1, 469, false}, t), "50");
  t = axisTicks({-0.003, 0.004, false}, 6);
  EXPECT_NE(std::find(t.begin(), t.end(), 0.0), t.end()) << "0 is a tick, not 1e-19";
  t = axisTicks({0.001, 10, true}, 6);
  EXPECT_EQ(t, (std::vector<double>{0.001, 0.01, 0.1, 1, 10}));
  EXPECT_EQ(tickLabel(0.001, {0.001, 10, true}, t), "0.001");
  t = axisTicks({0.03, 0.5, true}, 6);
  EXPECT_EQ(t, (std::vector<double>{0.05, 0.1, 0.2, 0.5}));
  EXPECT_TRUE(axisTicks({1, 1, false}, 5).empty());
  EXPECT_TRUE(axisTicks({0, NAN, false}, 5).empty());
}

TEST(Plot, Quantile) {
  EXPECT_EQ(quantile({3, 1, 2, NAN, INFINITY}, 0.5), 2);
  EXPECT_EQ(quantile({0, 10}, 0.25), 2.5);
  EXPECT_TRUE(std::isnan(quantile({NAN}, 0.5)));
}

TEST(Plot, MovingAverage) {
  EXPECT_EQ(movingAverageWindow(5), 5u);
  EXPECT_EQ(movingAverageWindow(500), 20u);
  EXPECT_EQ(movingAverageWindow(46800), 468u);
  std::vector<double> m = movingAverage({1, 2, 3, 4, 5, NAN, 7}, 3);
  EXPECT_EQ(m, (std::vector<double>{1, 2, 3, 4, 4.5, 6, 7}));
}

TEST(Plot, CanvasAndText) {
  Canvas c(40, 20);
  c.fillRect(0, 0, 10, 10, {255, 0, 0});
  EXPECT_EQ(c.at(9, 9), (Rgb{255, 0, 0}));
  EXPECT_EQ(c.at(10, 9), (Rgb{255, 255, 255}));
  c.text(12, 2, "1", {0, 0, 0});
  size_t black = 0;
  for (int y = 0; y < 20; ++y)
    for (int x = 12; x < 40; ++x)
      black += c.at(x, y) == Rgb{0, 0, 0};
  EXPECT_GT(black, 10u);
  EXPECT_EQ(Canvas::textWidth("12", 2), 22);
  c.clip(0, 0, 5, 5);
  c.line(0, 15, 39, 15, {0, 0, 255}, 3);
  c.unclip();
  EXPECT_EQ(c.at(20, 15), (Rgb{255, 255, 255})) << "clipped";
}

TEST(LossCurve, Csv) {
  LossHistory h;
  h.names = {"loss", "kl"};
  h.first = 3;
  h.stepsPerEpoch = 4;
  h.values = {0.5f, 0.1f, 0.25f, NAN};
  EXPECT_EQ(lossCsv(h), "step,epoch,loss,kl\n4,1,0.5,0.100000001\n5,2,0.25,nan\n");
  TempDir t;
  writeLossCsv(t.path("x.csv"), h);
  EXPECT_EQ(readBytes(t.path("x.csv")), lossCsv(h));
}

TEST(LossCurve, Png) {
  for (size_t steps : {1u, 200u, 5000u}) {
    LossHistory h = decaying(steps, 3);
    GridImage g = lossCurveImage(h);
    keep(g, "loss-" + std::to_string(steps) + ".png");
    EXPECT_EQ(g.width, 960u);
    EXPECT_EQ(g.height, 560u);
    EXPECT_EQ(g.channels, 3u);
    // Each loss's colour: the legend's sample line at least, and the bold curve when there is
    // more than one step.
    for (size_t k = 0; k < 3; ++k)
      EXPECT_GT(count(g, palette(k)), steps > 1 ? 300u : 40u) << steps << " steps, loss " << k;
    EXPECT_GT(count(g, {255, 255, 255}), g.width * g.height / 2) << "a white background";
  }
  // The huge first steps do not flatten the curve: the bold line of loss 0 spans more than a
  // third of the plot's height.
  GridImage g = lossCurveImage(decaying(1000, 1));
  int top = INT32_MAX, bottom = -1;
  for (size_t y = 0; y < g.height; ++y)
    for (size_t x = 100; x < 800; ++x) { // left of the legend
      const uint8_t *p = &g.pixels[(y * g.width + x) * 3];
      if (Rgb{p[0], p[1], p[2]} == palette(0)) {
        top = std::min(top, (int)y);
        bottom = std::max(bottom, (int)y);
      }
    }
  EXPECT_GT(bottom - top, (560 - 140) / 3);
  TempDir t;
  writeLossCurve(t.path("c.png"), decaying(10, 1));
  EXPECT_EQ(readBytes(t.path("c.png")).substr(1, 3), "PNG");
}

TEST(LossCurve, Stem) {
  EXPECT_EQ(checkpointStem("out/ae.safetensors"), "out/ae");
  EXPECT_EQ(checkpointStem("ae"), "ae");
  EXPECT_EQ(checkpointStem("dir.d/ae"), "dir.d/ae");
  EXPECT_EQ(checkpointStem("dir/.hidden"), "dir/.hidden");
  EXPECT_EQ(checkpointStem("a.b.c"), "a.b");
}
