//===- RandomTest.cpp - Philox and the initializers' distributions --------===//

#include "support/Random.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace nn;

// The known-answer vectors of the Random123 distribution (kat_vectors) for
// philox4x32 with 10 rounds.
TEST(Philox, KnownAnswers) {
  EXPECT_EQ(philox4x32({0, 0, 0, 0}, {0, 0}),
            (std::array<uint32_t, 4>{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(philox4x32({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                       {0xffffffff, 0xffffffff}),
            (std::array<uint32_t, 4>{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(philox4x32({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                       {0xa4093822, 0x299f31d0}),
            (std::array<uint32_t, 4>{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(RandomStream, SameSeedSameNumbersOtherSeedOthers) {
  RandomStream a(7, streamId("w")), b(7, streamId("w")), c(8, streamId("w")),
      d(7, streamId("w0"));
  for (int i = 0; i < 10; ++i) {
    uint32_t x = a.nextU32();
    EXPECT_EQ(x, b.nextU32());
    EXPECT_NE(x, c.nextU32());
    EXPECT_NE(x, d.nextU32());
  }
}

TEST(RandomStream, MomentsOfUniformAndNormal) {
  RandomStream r(1, 2);
  const int n = 200000;
  double sumU = 0, sumN = 0, sumN2 = 0;
  for (int i = 0; i < n; ++i) {
    float u = r.uniform();
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
    sumU += u;
    float z = r.normal();
    sumN += z;
    sumN2 += z * z;
  }
  // Standard errors: 0.29/sqrt(n) = 0.00065 and 1/sqrt(n) = 0.0022.
  EXPECT_NEAR(sumU / n, 0.5, 0.004);
  EXPECT_NEAR(sumN / n, 0.0, 0.012);
  EXPECT_NEAR(sumN2 / n, 1.0, 0.015);
}
