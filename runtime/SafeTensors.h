// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON header, then the data region.
//   header = {"NAME": {"dtype": "F32", "shape": [d0, ...], "data_offsets": [BEGIN, END]}, ...,
//             "__metadata__": {"KEY": "VALUE", ...}}      (offsets relative to the data region)
// The parser trusts nothing: it checks the header length against the file size, the JSON
// (valid, an object, no duplicate keys, only the known fields), every tensor's dtype, shape and
// offsets (END - BEGIN = bytes of dtype x shape, inside the data region, no overlap), and, like
// the reference implementation, that the tensors cover the data region exactly (no holes, no
// trailing bytes). Every problem is a one-line Error "WHAT: problem".
#ifndef GNC_RUNTIME_SAFETENSORS_H
#define GNC_RUNTIME_SAFETENSORS_H

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gnc::rt {

// Bytes per element of a safetensors dtype name; 0 for a name the format does not define.
size_t safeTensorsDTypeSize(const std::string &dtype);

struct SafeTensorInfo {
  std::string name;
  std::string dtype;
  std::vector<uint64_t> shape;
  uint64_t begin = 0, end = 0; // in the data region
};

struct SafeTensorsView {
  std::map<std::string, std::string> metadata;
  bool hasMetadata = false;
  std::vector<SafeTensorInfo> tensors; // sorted by data offset
  const uint8_t *data = nullptr;       // the data region, inside the caller's buffer
  uint64_t dataSize = 0;

  const SafeTensorInfo *find(const std::string &name) const;
  const uint8_t *bytesOf(const SafeTensorInfo &t) const { return data + t.begin; }
};

// Headers above this many bytes are rejected (the reference implementation's limit).
constexpr uint64_t kMaxSafeTensorsHeader = 100'000'000;

// `bytes` must outlive the view. `what` (a file name) prefixes every error message.
SafeTensorsView parseSafeTensors(const uint8_t *bytes, size_t size, const std::string &what);

struct SafeTensorOut {
  std::string name;
  std::string dtype; // a known dtype
  std::vector<uint64_t> shape;
  const void *data;  // bytes of dtype x shape
};

// The whole file: header (padded with spaces to a multiple of 8 bytes, so the data is 8-byte
// aligned) then the tensors' bytes in the given order. Metadata comes first in the header.
std::string encodeSafeTensors(const std::map<std::string, std::string> &metadata,
                              const std::vector<SafeTensorOut> &tensors);

std::string shapeString(const std::vector<uint64_t> &shape);

} // namespace gnc::rt

#endif
