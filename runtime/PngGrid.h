// Image grids as PNG files (stb_image_write). Tiles are f32 images (HxWxC, C = 1 grey or
// 3 RGB) with values clamped to [0, 1] and mapped to 0..255 (rounded); tiles are laid out row
// by row, `cols` per row, separated by 1-pixel gaps of mid grey (128). The file is written
// atomically (FileIO.h).
#ifndef GNC_RUNTIME_PNGGRID_H
#define GNC_RUNTIME_PNGGRID_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gnc::rt {

struct GridImage {
  size_t width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels; // height x width x channels
};

// tiles: count images of h x w x c floats each, contiguous.
GridImage makeGrid(const float *tiles, size_t count, size_t h, size_t w, size_t c, size_t cols);

// ceil(sqrt(n)), at least 1.
size_t gridColumns(size_t n);

std::string encodePng(const GridImage &image);
void writePng(const std::string &path, const GridImage &image);

} // namespace gnc::rt

#endif
