// Content digests of checkpoint data (Checkpoint.h): XXH64 with seed 0, written as "xxh64:"
// and 16 lowercase hex digits. safetensors has no checksum of its own, so without these a bit
// flip in a tensor would load without a word.
#ifndef GNC_RUNTIME_DIGEST_H
#define GNC_RUNTIME_DIGEST_H

#include <cstddef>
#include <map>
#include <string>

namespace gnc::rt {

std::string digestOf(const void *data, size_t size);

// The digest of string entries: each key and each value preceded by its length (8 bytes,
// little-endian), in key order, so that no two different maps give the same byte stream.
std::string digestOfEntries(const std::map<std::string, std::string> &entries);

} // namespace gnc::rt

#endif
