#include "runtime/Idx.h"

#include "runtime/Error.h"
#include "runtime/FileIO.h"

#include <cstdio>

namespace gnc::rt {

namespace {
std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}
uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
} // namespace

IdxArray parseIdx(const std::vector<uint8_t> &bytes, const std::string &what, size_t expectedDims) {
  const uint32_t expectedMagic = 0x00000800u | (uint32_t)expectedDims;
  if (bytes.size() < 4)
    throw Error(what + ": truncated IDX file (" + std::to_string(bytes.size()) +
                " bytes, no magic number)");
  uint32_t magic = be32(bytes.data());
  if (magic != expectedMagic) {
    std::string why = (magic >> 16) != 0 ? "not an IDX file"
                      : ((magic >> 8) & 0xFF) != 0x08 ? "IDX data type is not unsigned byte"
                                                      : "wrong number of dimensions";
    throw Error(what + ": bad magic number " + hex32(magic) + " (" + why + "; expected " +
                hex32(expectedMagic) + ")");
  }
  size_t headerBytes = 4 + 4 * expectedDims;
  if (bytes.size() < headerBytes)
    throw Error(what + ": truncated IDX header (" + std::to_string(bytes.size()) + " of " +
                std::to_string(headerBytes) + " bytes)");
  IdxArray a;
  uint64_t total = 1;
  std::string dimsText;
  for (size_t i = 0; i < expectedDims; ++i) {
    uint32_t d = be32(bytes.data() + 4 + 4 * i);
    a.dims.push_back(d);
    dimsText += (i ? "x" : "") + std::to_string(d);
    if (d == 0)
      throw Error(what + ": dimension " + std::to_string(i) + " is zero");
    // Each factor < 2^32; stop before the product can overflow 64 bits.
    if (total > (1ULL << 40))
      total = UINT64_MAX;
    else
      total *= d;
  }
  uint64_t have = bytes.size() - headerBytes;
  if (have < total)
    throw Error(what + ": truncated: the header announces " + dimsText + " = " +
                (total == UINT64_MAX ? std::string("too many") : std::to_string(total)) +
                " bytes of data, the file has " + std::to_string(have));
  if (have > total)
    throw Error(what + ": " + std::to_string(have - total) +
                " unexpected bytes after the data announced by the header (" + dimsText + ")");
  a.data.assign(bytes.begin() + (long)headerBytes, bytes.end());
  return a;
}

ImageSet loadIdxImages(const std::string &path, size_t rows, size_t cols) {
  IdxArray a = parseIdx(readFile(path), path, 3);
  if (a.dims[1] != rows || a.dims[2] != cols)
    throw Error(path + ": images are " + std::to_string(a.dims[1]) + "x" +
                std::to_string(a.dims[2]) + ", the model needs " + std::to_string(rows) + "x" +
                std::to_string(cols));
  ImageSet s;
  s.path = path;
  s.count = a.dims[0];
  s.rows = rows;
  s.cols = cols;
  s.pixels = std::move(a.data);
  return s;
}

std::vector<uint8_t> loadIdxLabels(const std::string &path) {
  return parseIdx(readFile(path), path, 1).data;
}

} // namespace gnc::rt
