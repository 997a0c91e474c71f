// Philox-4x32-10 against Random123's published known-answer vectors, and the distributions
// built on it (docs in dialects/gn/Philox.h).
#include "dialects/gn/Philox.h"

#include <gtest/gtest.h>

using namespace gn::philox;

TEST(Philox, Random123KnownAnswers) {
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (Counter{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                          {0xffffffffu, 0xffffffffu}),
            (Counter{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  EXPECT_EQ(philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                          {0xa4093822u, 0x299f31d0u}),
            (Counter{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(Philox, NormalMomentsAndStreamsDiffer) {
  Key k{1234, 5678};
  double sum = 0, sq = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    double z = normal(k, i, 7, 0.0f, 1.0f);
    sum += z;
    sq += z * z;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sq / n, 1.0, 0.02);
  EXPECT_NE(normal(k, 0, 7, 0, 1), normal(k, 0, 8, 0, 1));
  EXPECT_NE(foldIn(k, 1), foldIn(k, 2));
}

TEST(Philox, UniformRandintDropoutRanges) {
  Key k{42, 0};
  int zeros = 0;
  for (int i = 0; i < 100000; ++i) {
    float u = uniform(k, i, 1, -2.0f, 3.0f);
    ASSERT_GE(u, -2.0f);
    ASSERT_LT(u, 3.0f);
    int32_t r = randint(k, i, 2, 5, 9);
    ASSERT_GE(r, 5);
    ASSERT_LT(r, 9);
    float m = dropoutMask(k, i, 3, 0.25f);
    ASSERT_TRUE(m == 0.0f || m == 1.0f / 0.75f);
    zeros += m == 0.0f;
  }
  EXPECT_NEAR(zeros / 100000.0, 0.25, 0.01);
}
