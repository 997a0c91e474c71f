// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), and
// how the gn random ops use it. This header is the specification: the reference evaluator
// calls it, and every backend must produce the same bits.
//
//   element i of a random op with attribute `stream` s, under key (k0, k1):
//     (w0, w1, w2, w3) = philox4x32_10(counter = (i mod 2^32, i / 2^32, s, 0), key = (k0, k1))
//   uniform in [0, 1):  u(w) = (w >> 8) * 2^-24          (24 random bits: exact in f32)
//   gn.uniform:         low + (high - low) * u(w0)
//   gn.normal:          mean + std * sqrt(-2 ln(1 - u(w0))) * cos(2 pi u(w1))   (Box-Muller)
//   gn.randint:         low + ((uint64)w0 * (high - low)) >> 32                (Lemire)
//   gn.dropout_mask:    u(w0) < p ? 0 : 1 / (1 - p)
//   gn.rng_fold_in(key, d): (w0, w1) of philox4x32_10(counter = (d, 0, 0x9E3779B9, 1), key)
#ifndef GNC_DIALECTS_GN_PHILOX_H
#define GNC_DIALECTS_GN_PHILOX_H

#include <array>
#include <cmath>
#include <cstdint>

namespace gn::philox {

using Counter = std::array<uint32_t, 4>;
using Key = std::array<uint32_t, 2>;

inline Counter philox4x32_10(Counter c, Key k) {
  constexpr uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
  constexpr uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = (uint64_t)M0 * c[0], p1 = (uint64_t)M1 * c[2];
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += W0;
    k[1] += W1;
  }
  return c;
}

inline Counter elementBits(Key k, uint64_t index, uint32_t stream) {
  return philox4x32_10({(uint32_t)index, (uint32_t)(index >> 32), stream, 0u}, k);
}

inline float unit(uint32_t w) { return (float)(w >> 8) * (1.0f / 16777216.0f); }

inline float uniform(Key k, uint64_t i, uint32_t stream, float low, float high) {
  return low + (high - low) * unit(elementBits(k, i, stream)[0]);
}

inline float normal(Key k, uint64_t i, uint32_t stream, float mean, float stddev) {
  Counter w = elementBits(k, i, stream);
  float u1 = 1.0f - unit(w[0]); // in (0, 1]: the log is finite
  float u2 = unit(w[1]);
  return mean + stddev * std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853071795864f * u2);
}

inline int32_t randint(Key k, uint64_t i, uint32_t stream, int64_t low, int64_t high) {
  uint64_t range = (uint64_t)(high - low);
  return (int32_t)(low + (int64_t)(((uint64_t)elementBits(k, i, stream)[0] * range) >> 32));
}

inline float dropoutMask(Key k, uint64_t i, uint32_t stream, float p) {
  return unit(elementBits(k, i, stream)[0]) < p ? 0.0f : 1.0f / (1.0f - p);
}

inline Key foldIn(Key k, uint32_t data) {
  Counter w = philox4x32_10({data, 0u, 0x9E3779B9u, 1u}, k);
  return {w[0], w[1]};
}

} // namespace gn::philox

#endif
