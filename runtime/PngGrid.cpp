#include "runtime/PngGrid.h"

#include "runtime/Error.h"
#include "runtime/FileIO.h"

#include <cmath>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace gnc::rt {

size_t gridColumns(size_t n) {
  size_t c = (size_t)std::ceil(std::sqrt((double)n));
  while (c * c < n)
    ++c;
  while (c > 1 && (c - 1) * (c - 1) >= n)
    --c;
  return c ? c : 1;
}

GridImage makeGrid(const float *tiles, size_t count, size_t h, size_t w, size_t c, size_t cols) {
  if (c != 1 && c != 3)
    throw Error("cannot draw images with " + std::to_string(c) + " channels (only 1 or 3)");
  if (count == 0 || h == 0 || w == 0 || cols == 0)
    throw Error("internal error: empty image grid", ExitInternal);
  if (cols > count)
    cols = count;
  size_t rows = (count + cols - 1) / cols;
  GridImage g;
  g.width = cols * w + (cols - 1);
  g.height = rows * h + (rows - 1);
  g.channels = c;
  g.pixels.assign(g.width * g.height * c, 128);
  for (size_t t = 0; t < count; ++t) {
    size_t x0 = (t % cols) * (w + 1), y0 = (t / cols) * (h + 1);
    const float *src = tiles + t * h * w * c;
    for (size_t y = 0; y < h; ++y)
      for (size_t x = 0; x < w; ++x)
        for (size_t k = 0; k < c; ++k) {
          float v = src[(y * w + x) * c + k];
          v = std::isnan(v) ? 0.0f : v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
          g.pixels[((y0 + y) * g.width + x0 + x) * c + k] = (uint8_t)std::lround(v * 255.0f);
        }
  }
  return g;
}

std::string encodePng(const GridImage &image) {
  if (image.width > (1u << 24) || image.height > (1u << 24))
    throw Error("image grid too large");
  std::string out;
  auto append = [](void *ctx, void *data, int size) {
    static_cast<std::string *>(ctx)->append(static_cast<const char *>(data), (size_t)size);
  };
  if (!stbi_write_png_to_func(append, &out, (int)image.width, (int)image.height,
                              (int)image.channels, image.pixels.data(),
                              (int)(image.width * image.channels)))
    throw Error("PNG encoding failed");
  return out;
}

void writePng(const std::string &path, const GridImage &image) {
  std::string bytes = encodePng(image);
  writeFileAtomic(path, bytes.data(), bytes.size());
}

} // namespace gnc::rt
