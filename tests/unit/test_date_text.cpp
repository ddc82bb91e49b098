#include <gtest/gtest.h>

#include "needlework/core/date.hpp"
#include "needlework/core/log.hpp"
#include "needlework/core/text.hpp"

namespace nw::core {
namespace {

TEST(Date, ParsesIsoDatesAndRejectsImpossibleOnes) {
  EXPECT_EQ(parse_date("2026-12-01")->iso(), "2026-12-01");
  EXPECT_EQ(parse_date("2028-02-29")->iso(), "2028-02-29");  // leap year
  for (const char* bad :
       {"2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-12-01", "2026/12/01", "2026-12-01x", ""}) {
    EXPECT_FALSE(parse_date(bad).has_value()) << bad;
  }
}

TEST(Date, AddsDurationsRoundingUpToWholeDays) {
  const auto d = *parse_date("2026-05-01");
  EXPECT_EQ(d.plus(26 * units::wk).iso(), "2026-10-30");
  EXPECT_EQ(d.plus(1 * units::h).iso(), "2026-05-02");   // a deferral never ends early
  EXPECT_EQ(d.plus(6 * units::mo).iso(), "2026-10-31");  // 182.6 d -> 183 d
  EXPECT_EQ(parse_date("2026-12-31")->plus(1 * units::d).iso(), "2027-01-01");
  EXPECT_EQ(parse_date("2027-01-01")->days_since(d), 245);
}

TEST(Text, EditDistanceCountsTranspositionsAsOne) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
  EXPECT_EQ(edit_distance("needle_lenght", "needle_length"), 1U);
  EXPECT_EQ(edit_distance("", "abc"), 3U);
}

TEST(Text, DidYouMeanSuggestsOnlyPlausibleTypos) {
  const std::vector<std::string> keys{"needle_length", "needles", "frequency", "kind"};
  EXPECT_EQ(did_you_mean("needle_lenght", keys), "needle_length");
  EXPECT_EQ(did_you_mean("Frequency", keys), "frequency");
  EXPECT_FALSE(did_you_mean("colour", keys).has_value());
}

TEST(Text, WrapKeepsLinesWithinTheWidth) {
  const auto text = wrap("one two three four five six seven eight nine ten", "  ", 16);
  EXPECT_EQ(text, "  one two three\n  four five six\n  seven eight\n  nine ten\n");
}

TEST(Log, MemorySinkKeepsMessagesInOrder) {
  MemorySink sink;
  LogSink& s = sink;
  s.log(LogLevel::info, "a");
  s.log(LogLevel::warning, "b");
  s.progress("task", 0.5);
  ASSERT_EQ(sink.entries().size(), 2U);
  EXPECT_EQ(sink.entries()[1].message, "b");
  EXPECT_EQ(sink.entries()[1].level, LogLevel::warning);
}

}  // namespace
}  // namespace nw::core
