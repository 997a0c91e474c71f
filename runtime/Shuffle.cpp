#include "runtime/Shuffle.h"

#include <numeric>
#include <utility>

namespace gnc::rt {

std::vector<uint32_t> epochPermutation(uint32_t n, uint32_t epoch, uint64_t seed) {
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  Key key = seedKey(seed);
  for (uint32_t i = n ? n - 1 : 0; i >= 1; --i) {
    uint32_t w = gn::philox::philox4x32_10({i, epoch, 0x5EEDu, 0u}, key)[0];
    uint32_t j = (uint32_t)(((uint64_t)w * ((uint64_t)i + 1)) >> 32);
    std::swap(perm[i], perm[j]);
  }
  return perm;
}

} // namespace gnc::rt
