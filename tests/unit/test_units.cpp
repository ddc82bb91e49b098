#include <gtest/gtest.h>

#include "needlework/core/units.hpp"

namespace nw::core {
namespace {

template <typename A, typename B>
concept Addable = requires(A a, B b) {
  a + b;
};

DynQuantity parse_ok(std::string_view text) {
  const auto r = parse_quantity(text);
  EXPECT_TRUE(r.value.has_value()) << text << ": " << r.error;
  return r.value.value_or(DynQuantity{});
}

TEST(Units, ParsesEveryUnitTheScenarioFormatUses) {
  struct Case {
    const char* text;
    double si;
    Dimension dimension;
  };
  const Case cases[] = {
      {"1.5 mm", 1.5e-3, dim::length},
      {"250 um", 250e-6, dim::length},
      {"250 \xC2\xB5m", 250e-6, dim::length},
      {"110 Hz", 110.0, dim::frequency},
      {"4 wk", 4 * 7 * 86400.0, dim::time},
      {"6 mo", 0.5 * 365.25 * 86400.0, dim::time},
      {"34 yr", 34 * 365.25 * 86400.0, dim::time},
      {"30 cm2", 30e-4, dim::area},
      {"30 cm^2", 30e-4, dim::area},
      {"10 uL/cm2", 10e-9 / 1e-4, dim::length},  // a volume per area is a film thickness
      {"15 %", 0.15, dim::none},
      {"236 g/mol", 0.236, dim::molar_mass},
      {"2 d", 2 * 86400.0, dim::time},
      {"30 min", 1800.0, dim::time},
      {"12 h", 43200.0, dim::time},
      {"0.03 N", 0.03, dim::force},
      {"35 kPa", 35e3, dim::pressure},
      {"6e-6 cm2/s", 6e-10, dim::diffusivity},
      {"5 mm/s", 5e-3, dim::velocity},
      {"150 mg/mL", 150.0, dim::mass_concentration},
      {"20 kDa", 20.0, dim::molar_mass},
      {"+2.5e1 mol", 25.0, dim::amount},
  };
  for (const auto& c : cases) {
    const auto q = parse_ok(c.text);
    EXPECT_NEAR(q.si, c.si, 1e-12 * std::abs(c.si)) << c.text;
    EXPECT_EQ(q.dimension, c.dimension) << c.text;
  }
}

TEST(Units, MinuteMoleAndMonthAreNotMilliPrefixed) {
  EXPECT_EQ(parse_ok("1 min").dimension, dim::time);
  EXPECT_EQ(parse_ok("1 mol").dimension, dim::amount);
  EXPECT_EQ(parse_ok("1 mo").dimension, dim::time);
  EXPECT_DOUBLE_EQ(parse_ok("1 ms").si, 1e-3);
}

TEST(Units, RejectsWhatIsNotAQuantity) {
  for (const char* bad : {"", "mm", "1.5", "1.5 parsecs", "1.5 mm/s/s", "abc mm", "1.5 cm^9", "inf mm", "1.5 m%m"}) {
    const auto r = parse_quantity(bad);
    EXPECT_FALSE(r.value.has_value()) << bad;
    EXPECT_FALSE(r.error.empty()) << bad;
  }
  EXPECT_TRUE(parse_quantity("1.5", /*allow_bare=*/true).value.has_value());
}

TEST(Units, StrongTypesCarryDimensionsThroughArithmetic) {
  constexpr Length depth = 1.5 * units::mm;
  constexpr Time dt = 2 * units::h;
  static_assert(std::is_same_v<decltype(depth / dt), const Velocity> || std::is_same_v<decltype(depth / dt), Velocity>);
  static_assert(Addable<Length, Length>);
  static_assert(!Addable<Length, Time>, "adding a length to a time must not compile");
  static_assert(!std::is_constructible_v<Time, Length>, "a length is not a time");
  static_assert(!std::is_constructible_v<Length, double>, "a raw double is not a length");
  EXPECT_DOUBLE_EQ(depth.in(units::um), 1500.0);
  EXPECT_DOUBLE_EQ((depth * depth).in(units::mm2), 2.25);
  EXPECT_DOUBLE_EQ(depth / (0.5 * units::mm), 3.0);  // same dimension: a plain number
  EXPECT_DOUBLE_EQ((4 * units::wk).in(units::d), 28.0);
  EXPECT_LT(1 * units::mm, 1 * units::cm);
}

TEST(Units, DescribesDimensionsInWords) {
  EXPECT_EQ(describe(dim::length), "a length");
  EXPECT_EQ(describe(dim::time), "a time");
  EXPECT_EQ(si_expression(dim::diffusivity), "m^2 s^-1");
  EXPECT_EQ(si_expression(dim::none), "1");
}

}  // namespace
}  // namespace nw::core
