// The per-epoch permutation and the keys: deterministic, seed- and epoch-dependent, pinned.
#include "runtime/Shuffle.h"

#include "TestUtil.h"

#include <algorithm>
#include <numeric>

using namespace gnc::rt;

TEST(Shuffle, IsAPermutation) {
  std::vector<uint32_t> p = epochPermutation(1000, 3, 42);
  std::vector<uint32_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint32_t> iota(1000);
  std::iota(iota.begin(), iota.end(), 0u);
  EXPECT_EQ(sorted, iota);
  EXPECT_NE(p, iota);
}

TEST(Shuffle, Deterministic) {
  EXPECT_EQ(epochPermutation(600, 0, 1), epochPermutation(600, 0, 1));
  EXPECT_NE(epochPermutation(600, 0, 1), epochPermutation(600, 1, 1));
  EXPECT_NE(epochPermutation(600, 0, 1), epochPermutation(600, 0, 2));
  EXPECT_NE(epochPermutation(600, 0, 1), epochPermutation(600, 0, 1ULL << 32)); // high seed bits
  EXPECT_TRUE(epochPermutation(0, 0, 1).empty());
  EXPECT_EQ(epochPermutation(1, 5, 1), std::vector<uint32_t>{0});
}

TEST(Shuffle, PinnedValues) {
  // The documented algorithm (Shuffle.h), recomputed here step by step.
  const uint32_t n = 10;
  std::vector<uint32_t> want(n);
  std::iota(want.begin(), want.end(), 0u);
  Key key = seedKey(7);
  for (uint32_t i = n - 1; i >= 1; --i) {
    uint32_t w = gn::philox::philox4x32_10({i, 2u, 0x5EEDu, 0u}, key)[0];
    std::swap(want[i], want[(uint32_t)(((uint64_t)w * (i + 1)) >> 32)]);
  }
  EXPECT_EQ(epochPermutation(n, 2, 7), want);
}

TEST(Shuffle, RoughlyUniform) {
  // Where element 0 lands over 3000 epochs of a 3-permutation: about 1000 times each place.
  int count[3] = {0, 0, 0};
  for (uint32_t e = 0; e < 3000; ++e) {
    std::vector<uint32_t> p = epochPermutation(3, e, 9);
    count[std::find(p.begin(), p.end(), 0u) - p.begin()]++;
  }
  for (int c : count)
    EXPECT_NEAR(c, 1000, 120);
}

TEST(Shuffle, Keys) {
  EXPECT_EQ(seedKey(0x0000000500000003ull), (Key{3u, 5u}));
  EXPECT_EQ(initKey(1), gn::philox::foldIn(seedKey(1), 0xFFFFFFFFu));
  EXPECT_EQ(stepKey(1, 17), gn::philox::foldIn(seedKey(1), 17u));
  EXPECT_EQ(evalKey(1, 0), gn::philox::foldIn(seedKey(1), 0xFFFFFFFEu));
  EXPECT_EQ(evalKey(1, 2), gn::philox::foldIn(gn::philox::foldIn(seedKey(1), 0xFFFFFFFEu), 2u));
}
