// NumPy's .npy format (version 1.0/2.0/3.0, https://numpy.org/doc/stable/reference/generated/
// numpy.lib.format.html): the magic "\x93NUMPY", a version, a little-endian header length, a
// Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, D), } padded with
// spaces and a newline, then the C-order data. gnc writes little-endian float32 ('<f4') and
// unsigned bytes ('|u1', for labels). The reader accepts little-endian float32/float64,
// (u)int8, bool, int16/int32/int64 (converted to f32), C order only; it parses the header dict
// exactly (the three keys, each once, nothing else) and checks that the file holds exactly the
// data its shape announces. Every problem is a one-line Error "WHAT: problem" (ExitUsage).
#ifndef GNC_RUNTIME_NPY_H
#define GNC_RUNTIME_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace gnc::rt {

struct NpyArray {
  std::string dtype;           // the header's descr, e.g. "<f4"
  std::vector<uint64_t> shape; // () for a scalar
  std::vector<float> data;     // every element converted to f32, row-major
  // The first dimension (1 for a scalar) and the elements of one row (product of shape[1:]).
  uint64_t rows() const { return shape.empty() ? 1 : shape[0]; }
  uint64_t rowElements() const;
};

// At most this many elements (and 8 dimensions); the product of the non-zero dimensions is
// bounded too, so rows() * rowElements() never overflows.
constexpr uint64_t kMaxNpyElements = 1ULL << 32;

// Parses an .npy file held in memory; `what` names it in errors.
NpyArray parseNpy(const uint8_t *bytes, size_t size, const std::string &what);
NpyArray parseNpy(const std::vector<uint8_t> &bytes, const std::string &what);
NpyArray loadNpy(const std::string &path);

// The bytes of an .npy file (version 1.0) of f32 or u8 data with the given shape.
std::vector<uint8_t> npyBytes(const std::vector<uint64_t> &shape, const float *data);
std::vector<uint8_t> npyBytes(const std::vector<uint64_t> &shape, const uint8_t *data);
// Written atomically (FileIO.h).
void writeNpy(const std::string &path, const std::vector<uint64_t> &shape, const float *data);
void writeNpy(const std::string &path, const std::vector<uint64_t> &shape, const uint8_t *data);

} // namespace gnc::rt

#endif
