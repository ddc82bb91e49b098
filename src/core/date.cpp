#include "needlework/core/date.hpp"

#include <fmt/format.h>
#include <charconv>
#include <cmath>

namespace nw::core {

Date Date::from_ymd(int year, unsigned month, unsigned day) {
  return Date(std::chrono::sys_days(std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}));
}

std::string Date::iso() const {
  const std::chrono::year_month_day ymd{days_};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

Date Date::plus(Time duration) const {
  const auto whole_days = static_cast<long>(std::ceil(duration.in(units::d)-1e-9));
  return Date(days_ + std::chrono::days{whole_days});
}

long Date::days_since(Date earlier) const { return static_cast<long>((days_ - earlier.days_).count()); }

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto number = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    int v = 0;
    const auto* b = text.data() + pos;
    const auto [ptr, ec] = std::from_chars(b, b + len, v);
    if (ec != std::errc{} || ptr != b + len) return std::nullopt;
    return v;
  };
  const auto y = number(0, 4), m = number(5, 2), d = number(8, 2);
  if (!y || !m || !d || *m < 1 || *d < 1) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*m)},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return Date(std::chrono::sys_days(ymd));
}

Date today_utc() { return Date(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())); }

}  // namespace nw::core
