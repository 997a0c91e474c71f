// PNG grids: layout, clamping, and a valid PNG of the right size.
#include "runtime/PngGrid.h"

#include "TestUtil.h"

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

using namespace gnc::rt;
using namespace gnc::rt::test;

namespace {
uint32_t be32(const std::string &s, size_t at) {
  return (uint32_t)(uint8_t)s[at] << 24 | (uint32_t)(uint8_t)s[at + 1] << 16 |
         (uint32_t)(uint8_t)s[at + 2] << 8 | (uint8_t)s[at + 3];
}
} // namespace

TEST(PngGrid, Columns) {
  EXPECT_EQ(gridColumns(1), 1u);
  EXPECT_EQ(gridColumns(2), 2u);
  EXPECT_EQ(gridColumns(4), 2u);
  EXPECT_EQ(gridColumns(5), 3u);
  EXPECT_EQ(gridColumns(64), 8u);
  EXPECT_EQ(gridColumns(65), 9u);
}

TEST(PngGrid, LayoutAndClamping) {
  // 5 tiles of 2x3 grey, 3 columns -> 2 rows; 1-px gaps.
  std::vector<float> tiles(5 * 6);
  for (size_t t = 0; t < 5; ++t)
    for (size_t i = 0; i < 6; ++i)
      tiles[t * 6 + i] = (float)t / 4.0f;
  tiles[0] = -3.0f; // clamped to 0
  tiles[1] = 7.0f;  // clamped to 1
  tiles[2] = NAN;   // drawn as 0
  GridImage g = makeGrid(tiles.data(), 5, 2, 3, 1, 3);
  EXPECT_EQ(g.width, 3u * 3 + 2);
  EXPECT_EQ(g.height, 2u * 2 + 1);
  EXPECT_EQ(g.pixels[0], 0);
  EXPECT_EQ(g.pixels[1], 255);
  EXPECT_EQ(g.pixels[2], 0);
  EXPECT_EQ(g.pixels[3], 128); // the gap after tile 0
  EXPECT_EQ(g.pixels[4], 64);  // tile 1 = 0.25 -> 63.75 -> 64
  EXPECT_EQ(g.pixels[3 * g.width + 4], 255); // tile 4 (1.0), second row
  EXPECT_EQ(g.pixels[4 * g.width + 10], 128); // the empty sixth cell stays grey
}

TEST(PngGrid, WritesValidPng) {
  TempDir t;
  std::vector<float> tiles(7 * 28 * 28, 0.5f);
  GridImage g = makeGrid(tiles.data(), 7, 28, 28, 1, gridColumns(7));
  writePng(t.path("grid.png"), g);
  std::string png = readBytes(t.path("grid.png"));
  ASSERT_GT(png.size(), 33u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(be32(png, 16), 3u * 28 + 2); // width: 3 columns
  EXPECT_EQ(be32(png, 20), 3u * 28 + 2); // height: 3 rows
  int w = 0, h = 0, c = 0;
  unsigned char *px = stbi_load_from_memory(reinterpret_cast<const unsigned char *>(png.data()),
                                            (int)png.size(), &w, &h, &c, 1);
  ASSERT_NE(px, nullptr);
  EXPECT_EQ(w, 86);
  EXPECT_EQ(h, 86);
  EXPECT_EQ(c, 1);
  EXPECT_EQ(px[0], 128);      // 0.5 -> 127.5 -> 128
  EXPECT_EQ(px[28], 128);     // gap
  stbi_image_free(px);
}

TEST(PngGrid, Rgb) {
  std::vector<float> tiles(2 * 2 * 2 * 3, 1.0f);
  GridImage g = makeGrid(tiles.data(), 2, 2, 2, 3, 2);
  EXPECT_EQ(g.channels, 3u);
  EXPECT_EQ(g.pixels.size(), 5u * 2 * 3);
  std::string png = encodePng(g);
  EXPECT_EQ(be32(png, 16), 5u);
}

TEST(PngGrid, Errors) {
  std::vector<float> tiles(4 * 4 * 2);
  expectError([&] { makeGrid(tiles.data(), 1, 4, 4, 2, 1); }, {"2 channels"});
  TempDir t;
  GridImage g = makeGrid(tiles.data(), 1, 4, 4, 1, 1);
  expectError([&] { writePng(t.path("nodir/x.png"), g); }, {t.path("nodir/x.png")});
}
