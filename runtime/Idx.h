// The IDX file format of MNIST (http://yann.lecun.com/exdb/mnist/): a 4-byte magic number
// 0x00 0x00 TYPE NDIMS, NDIMS big-endian uint32 dimensions, then the data, row-major. The
// loader accepts unsigned-byte data (TYPE 0x08) only and checks the magic number, the number
// of dimensions, that no dimension is zero, and that the file holds exactly the bytes the
// dimensions announce (a truncated file and trailing garbage are both errors).
#ifndef GNC_RUNTIME_IDX_H
#define GNC_RUNTIME_IDX_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gnc::rt {

struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data; // product(dims) bytes
};

// Parses an IDX file held in memory; `what` names it in errors. expectedDims: the required
// number of dimensions (3 for images, 1 for labels).
IdxArray parseIdx(const std::vector<uint8_t> &bytes, const std::string &what, size_t expectedDims);

// A set of greyscale images: count x rows x cols bytes.
struct ImageSet {
  std::string path;
  size_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;
  size_t imageBytes() const { return rows * cols; }
  const uint8_t *image(size_t i) const { return pixels.data() + i * imageBytes(); }
};

// Loads an idx3-ubyte image file and checks that its images are rows x cols.
ImageSet loadIdxImages(const std::string &path, size_t rows, size_t cols);

// Loads an idx1-ubyte label file (MNIST's digit labels: train --exclude-label, the label
// columns of apply/encode and the latent scatter plot; Dataset.h checks them against the images).
std::vector<uint8_t> loadIdxLabels(const std::string &path);

} // namespace gnc::rt

#endif
