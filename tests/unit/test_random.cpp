#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "needlework/core/random.hpp"

namespace nw::core {
namespace {

// Known-answer vectors for Philox4x32-10 published with Random123 (kat_vectors).
TEST(Random, Philox4x32x10MatchesPublishedKnownAnswers) {
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (std::array<std::uint32_t, 4>{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
            (std::array<std::uint32_t, 4>{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
            (std::array<std::uint32_t, 4>{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

std::vector<double> draws_for(std::uint64_t seed, std::uint64_t entity) {
  const RandomStream s(seed, {.session = 2, .stage = Stage::device, .entity = entity, .purpose = "needle_position"});
  std::vector<double> out;
  for (std::uint64_t i = 0; i < 8; ++i) out.push_back(s.uniform(i));
  return out;
}

TEST(Random, DrawsDoNotDependOnVisitOrderOrThreadCount) {
  constexpr std::uint64_t kEntities = 4000;
  std::vector<std::vector<double>> forward(kEntities), backward(kEntities), threaded(kEntities);
  for (std::uint64_t e = 0; e < kEntities; ++e) forward[e] = draws_for(7, e);
  for (std::uint64_t e = kEntities; e-- > 0;) backward[e] = draws_for(7, e);
  for (const unsigned threads : {2U, 3U, 8U}) {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (std::uint64_t e = t; e < kEntities; e += threads) threaded[e] = draws_for(7, e);
      });
    }
    for (auto& th : pool) th.join();
    EXPECT_EQ(forward, threaded) << threads << " threads";
  }
  EXPECT_EQ(forward, backward);
}

TEST(Random, EveryKeyComponentChangesTheStream) {
  const StreamKey base{.session = 1, .stage = Stage::device, .entity = 5, .purpose = "a"};
  const double x = RandomStream(1, base).uniform(0);
  auto other = base;
  EXPECT_NE(RandomStream(2, base).uniform(0), x);
  other.session = 2;
  EXPECT_NE(RandomStream(1, other).uniform(0), x);
  other = base;
  other.stage = Stage::healing;
  EXPECT_NE(RandomStream(1, other).uniform(0), x);
  other = base;
  other.entity = 6;
  EXPECT_NE(RandomStream(1, other).uniform(0), x);
  other = base;
  other.purpose = "b";
  EXPECT_NE(RandomStream(1, other).uniform(0), x);
  EXPECT_NE(RandomStream(1, base).uniform(1), x);
}

TEST(Random, UniformAndNormalHaveTheRightMoments) {
  const RandomStream s(11, {.stage = Stage::test, .purpose = "moments"});
  constexpr int n = 200000;
  double sum = 0, sum2 = 0, nsum = 0, nsum2 = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform(static_cast<std::uint64_t>(i));
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
    sum2 += u * u;
    const double z = s.normal(static_cast<std::uint64_t>(i));
    nsum += z;
    nsum2 += z * z;
  }
  EXPECT_GE(lo, 0.0);
  EXPECT_LT(hi, 1.0);
  // Standard errors: mean 1/sqrt(12 n) ~ 6.5e-4; normal mean 1/sqrt(n) ~ 2.2e-3. Allow 5 SE.
  EXPECT_NEAR(sum / n, 0.5, 5 * 6.5e-4);
  EXPECT_NEAR(sum2 / n - (sum / n) * (sum / n), 1.0 / 12.0, 2e-3);
  EXPECT_NEAR(nsum / n, 0.0, 5 * 2.3e-3);
  EXPECT_NEAR(nsum2 / n, 1.0, 0.02);
}

}  // namespace
}  // namespace nw::core
