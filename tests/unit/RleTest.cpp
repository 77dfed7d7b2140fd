// COCO RLE string encoding against values worked out by hand from pycocotools' algorithm, and
// encode -> independent decode round trips.
#include <gtest/gtest.h>

#include <random>

#include "exporters/Rle.h"
#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

TEST(Rle, SmallCountsAreOneCharacterEach) {
  // 3 -> '3', 2 -> '2', 1 -> '1' (no difference coding before the 4th count).
  EXPECT_EQ(rle_counts_to_string({3, 2, 1}), "321");
}

TEST(Rle, LargeCountsUseContinuationAndDifferences) {
  // 40 = 8 + 1*32 -> (8|0x20)+48 = 'X', then 1+48 = '1'; 10 -> ':'; 4th count 45 is coded as 45-40 = 5.
  EXPECT_EQ(rle_counts_to_string({0, 40, 10, 45}), "0X1:5");
}

TEST(Rle, NegativeDifferencesAreSignExtended) {
  // 4th count 3 is coded as 3-10 = -7: low bits 25 (0x19, sign bit 0x10 set), no continuation -> 'I'.
  EXPECT_EQ(rle_counts_to_string({5, 10, 5, 3}), "5:5I");
}

TEST(Rle, RoundTripThroughIndependentDecoder) {
  std::mt19937 gen(7);
  std::uniform_int_distribution<std::uint32_t> len(0, 5000);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<std::uint32_t> counts;
    const int n = 1 + trial % 40;
    for (int i = 0; i < n; ++i) counts.push_back(i == 0 ? len(gen) : 1 + len(gen));
    EXPECT_EQ(test::decode_rle_string(rle_counts_to_string(counts)), counts);
  }
}

}  // namespace
}  // namespace synthlabel
