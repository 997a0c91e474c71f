#include "runtime/Digest.h"

#include <cstdint>
#include <cstdio>

// Debian's libxxhash-dev, header-only: generated programs link nothing more.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace gnc::rt {

namespace {

std::string format(XXH64_hash_t h) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "xxh64:%016llx", (unsigned long long)h);
  return buf;
}

} // namespace

std::string digestOf(const void *data, size_t size) { return format(XXH64(data, size, 0)); }

std::string digestOfEntries(const std::map<std::string, std::string> &entries) {
  std::string bytes;
  auto put = [&](const std::string &s) {
    uint64_t n = s.size();
    for (int i = 0; i < 8; ++i)
      bytes.push_back((char)(n >> (8 * i) & 0xFF));
    bytes += s;
  };
  for (const auto &[key, value] : entries) {
    put(key);
    put(value);
  }
  return digestOf(bytes.data(), bytes.size());
}

} // namespace gnc::rt
