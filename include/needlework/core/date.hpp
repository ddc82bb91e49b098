#pragma once
// Calendar dates (proleptic Gregorian, no time zone) for screening deferrals and schedules.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "needlework/core/units.hpp"

namespace nw::core {

class Date {
 public:
  constexpr Date() = default;
  constexpr explicit Date(std::chrono::sys_days days) : days_(days) {}
  /// Precondition: a valid calendar date (use parse_date for text).
  static Date from_ymd(int year, unsigned month, unsigned day);

  std::chrono::sys_days days() const { return days_; }
  /// "YYYY-MM-DD".
  std::string iso() const;

  /// Shifts by a duration rounded up to whole days (a deferral never ends early).
  Date plus(Time duration) const;
  /// Whole days from `earlier` to this date (negative if this date is earlier).
  long days_since(Date earlier) const;

  auto operator<=>(const Date&) const = default;

 private:
  std::chrono::sys_days days_{};
};

/// Parses "YYYY-MM-DD"; nullopt if malformed or not a real date (2026-02-30).
std::optional<Date> parse_date(std::string_view text);

/// Today's date in UTC, from the system clock. Only the CLI calls this; library code takes
/// dates as arguments so results stay reproducible.
Date today_utc();

}  // namespace nw::core
