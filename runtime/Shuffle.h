// The order in which training visits the images: one deterministic permutation per epoch,
// a function of (seed, epoch, number of images) only.
//
//   key  = seedKey(seed) = {(uint32)seed, (uint32)(seed >> 32)}
//   perm = [0, 1, ..., n-1]
//   for i = n-1 down to 1:                                  (Fisher-Yates)
//     w = philox4x32_10(counter = {i, epoch, 0x5EED, 0}, key)[0]
//     j = ((uint64)w * (i + 1)) >> 32                       (Lemire's multiply: j in [0, i])
//     swap(perm[i], perm[j])
//
// Epochs count from 0. Training step s (0-based, global) of an epoch of S = floor(n / B) steps
// uses images perm_{s / S}[(s % S) * B ... (s % S) * B + B - 1]; the last n - S*B images of
// each epoch's permutation are skipped. A resumed run therefore needs only (seed, step).
#ifndef GNC_RUNTIME_SHUFFLE_H
#define GNC_RUNTIME_SHUFFLE_H

#include "dialects/gn/Philox.h"

#include <cstdint>
#include <vector>

namespace gnc::rt {

using Key = gn::philox::Key;

inline Key seedKey(uint64_t seed) { return {(uint32_t)seed, (uint32_t)(seed >> 32)}; }

// Keys of the entry points (see GncAbi.h): init, train step s, and eval/sample/reconstruct
// (call i of a command that needs several batches uses foldIn(evalKey, i) for i > 0).
inline Key initKey(uint64_t seed) { return gn::philox::foldIn(seedKey(seed), 0xFFFFFFFFu); }
inline Key stepKey(uint64_t seed, uint64_t step) {
  return gn::philox::foldIn(seedKey(seed), (uint32_t)step);
}
inline Key evalKey(uint64_t seed, uint64_t call) {
  Key k = gn::philox::foldIn(seedKey(seed), 0xFFFFFFFEu);
  return call == 0 ? k : gn::philox::foldIn(k, (uint32_t)call);
}

// n < 2^32.
std::vector<uint32_t> epochPermutation(uint32_t n, uint32_t epoch, uint64_t seed);

} // namespace gnc::rt

#endif
