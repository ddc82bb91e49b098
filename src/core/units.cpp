#include "needlework/core/units.hpp"

#include <fmt/format.h>
#include <array>
#include <charconv>
#include <cmath>

namespace nw::core {
namespace {

struct Symbol {
  std::string_view name;
  double scale;  // SI value of one of this unit
  Dimension dimension;
  bool prefixable;
};

constexpr double kDay = 86400.0;
constexpr double kYear = 365.25 * kDay;
constexpr double kPi = 3.14159265358979323846;

// Base symbols. Mass is built on the gram so that prefixes read naturally (mg, ug, kg).
constexpr std::array<Symbol, 20> kSymbols{{
    {"m", 1.0, dim::length, true},
    {"g", 1e-3, dim::mass, true},
    {"s", 1.0, dim::time, true},
    {"min", 60.0, dim::time, false},
    {"h", 3600.0, dim::time, false},
    {"d", kDay, dim::time, false},
    {"wk", 7 * kDay, dim::time, false},
    {"mo", kYear / 12.0, dim::time, false},
    {"yr", kYear, dim::time, false},
    {"Hz", 1.0, dim::frequency, true},
    {"L", 1e-3, dim::volume, true},
    {"mol", 1.0, dim::amount, true},
    {"Da", 1e-3, dim::molar_mass, true},
    {"N", 1.0, dim::force, true},
    {"Pa", 1.0, dim::pressure, true},
    {"%", 0.01, dim::none, false},
    {"deg", kPi / 180.0, dim::none, false},
    {"rad", 1.0, dim::none, false},
    {"J", 1.0, dim::force* dim::length, true},
    {"W", 1.0, dim::force* dim::velocity, true},
}};

struct Prefix {
  std::string_view name;
  double scale;
};
constexpr std::array<Prefix, 8> kPrefixes{{
    {"p", 1e-12},
    {"n", 1e-9},
    {"u", 1e-6},
    {"\xC2\xB5", 1e-6},
    {"m", 1e-3},
    {"c", 1e-2},
    {"k", 1e3},
    {"M", 1e6},
}};

Dimension power(Dimension d, int p) {
  return {static_cast<std::int8_t>(d.length * p), static_cast<std::int8_t>(d.mass * p),
          static_cast<std::int8_t>(d.time * p), static_cast<std::int8_t>(d.amount * p)};
}

// Finds a symbol: an exact base symbol first (so "min", "mol", "mo" are not read as milli-),
// then a prefix followed by a prefixable base symbol.
std::optional<std::pair<double, Dimension>> lookup_symbol(std::string_view name) {
  for (const auto& s : kSymbols) {
    if (s.name == name) return std::pair{s.scale, s.dimension};
  }
  for (const auto& p : kPrefixes) {
    if (!name.starts_with(p.name)) continue;
    const auto rest = name.substr(p.name.size());
    for (const auto& s : kSymbols) {
      if (s.prefixable && s.name == rest) return std::pair{p.scale * s.scale, s.dimension};
    }
  }
  return std::nullopt;
}

// The symbol to write for a unit people often spell out ("weeks" -> "wk").
std::string_view spelled_out_hint(std::string_view name) {
  constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kHints{{
      {"second", "s"}, {"seconds", "s"}, {"sec", "s"},  {"mins", "min"},  {"minute", "min"}, {"minutes", "min"},
      {"hr", "h"},     {"hrs", "h"},     {"hour", "h"}, {"hours", "h"},   {"day", "d"},      {"days", "d"},
      {"week", "wk"},  {"weeks", "wk"},  {"w", "wk"},   {"month", "mo"},  {"months", "mo"},  {"year", "yr"},
      {"years", "yr"}, {"y", "yr"},      {"hz", "Hz"},  {"micron", "um"},
  }};
  for (const auto& [spelled, symbol] : kHints) {
    if (spelled == name) return symbol;
  }
  return {};
}

bool is_symbol_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '%' || u >= 0x80;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses one term "cm2" / "cm^2" / "s" into scale^power and dimension^power.
QuantityParse parse_term(std::string_view term) {
  term = trim(term);
  std::size_t i = 0;
  while (i < term.size() && is_symbol_char(term[i])) ++i;
  const auto name = term.substr(0, i);
  auto rest = term.substr(i);
  if (name.empty()) return {std::nullopt, fmt::format("expected a unit symbol, found \"{}\"", term)};
  int exponent = 1;
  if (!rest.empty()) {
    if (rest.front() == '^') rest.remove_prefix(1);
    const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), exponent);
    if (ec != std::errc{} || ptr != rest.data() + rest.size() || exponent < 1 || exponent > 4) {
      return {std::nullopt, fmt::format("bad power in unit term \"{}\"", term)};
    }
  }
  const auto sym = lookup_symbol(name);
  if (!sym) {
    const auto hint = spelled_out_hint(name);
    return {std::nullopt, hint.empty() ? fmt::format("unknown unit \"{}\"", name)
                                       : fmt::format("unknown unit \"{}\" (write \"{}\")", name, hint)};
  }
  return {DynQuantity{std::pow(sym->first, exponent), power(sym->second, exponent)}, {}};
}

// Parses "a*b" (a product of terms) into one scale and dimension.
QuantityParse parse_product(std::string_view text) {
  DynQuantity acc{1.0, dim::none};
  while (true) {
    const auto cut = text.find_first_of("*.");
    auto term = parse_term(text.substr(0, cut));
    if (!term.value) return term;
    acc.si *= term.value->si;
    acc.dimension = acc.dimension * term.value->dimension;
    if (cut == std::string_view::npos) break;
    text.remove_prefix(cut + 1);
  }
  return {acc, {}};
}

}  // namespace

QuantityParse parse_unit(std::string_view unit) {
  unit = trim(unit);
  if (unit.empty()) return {std::nullopt, "missing unit"};
  const auto slash = unit.find('/');
  auto num = parse_product(unit.substr(0, slash));
  if (!num.value) return num;
  if (slash == std::string_view::npos) return num;
  const auto denominator_text = unit.substr(slash + 1);
  if (denominator_text.find('/') != std::string_view::npos) return {std::nullopt, "more than one '/' in unit"};
  auto den = parse_product(denominator_text);
  if (!den.value) return den;
  return {DynQuantity{num.value->si / den.value->si, num.value->dimension / den.value->dimension}, {}};
}

QuantityParse parse_quantity(std::string_view text, bool allow_bare) {
  const auto s = trim(text);
  if (s.empty()) return {std::nullopt, "empty value"};
  double number = 0.0;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (*begin == '+') ++begin;  // from_chars rejects a leading '+'
  const auto [ptr, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc{} || ptr == begin) return {std::nullopt, fmt::format("\"{}\" does not start with a number", s)};
  if (!std::isfinite(number)) return {std::nullopt, "the number is not finite"};
  const auto unit_text = trim(std::string_view(ptr, static_cast<std::size_t>(end - ptr)));
  if (unit_text.empty()) {
    if (allow_bare) return {DynQuantity{number, dim::none}, {}};
    return {std::nullopt, "missing unit"};
  }
  auto unit = parse_unit(unit_text);
  if (!unit.value) return unit;
  return {DynQuantity{number * unit.value->si, unit.value->dimension}, {}};
}

std::string si_expression(Dimension d) {
  std::string out;
  const auto add = [&out](std::string_view sym, int e) {
    if (e == 0) return;
    if (!out.empty()) out += ' ';
    out += sym;
    if (e != 1) out += fmt::format("^{}", e);
  };
  add("m", d.length);
  add("kg", d.mass);
  add("s", d.time);
  add("mol", d.amount);
  return out.empty() ? "1" : out;
}

namespace {
struct Named {
  Dimension dimension;
  std::string_view description;
  std::string_view unit;
};
constexpr std::array<Named, 15> kNamed{{
    {dim::none, "a dimensionless number", "%"},
    {dim::length, "a length", "mm"},
    {dim::area, "an area", "cm2"},
    {dim::volume, "a volume", "uL"},
    {dim::mass, "a mass", "mg"},
    {dim::time, "a time", "wk"},
    {dim::frequency, "a frequency", "Hz"},
    {dim::velocity, "a speed", "mm/s"},
    {dim::molar_mass, "a molar mass", "g/mol"},
    {dim::force, "a force", "N"},
    {dim::pressure, "a pressure or stiffness", "kPa"},
    {dim::diffusivity, "a diffusivity", "cm2/s"},
    {dim::mass_concentration, "a mass concentration", "mg/mL"},
    {dim::areal_mass, "a mass per area", "ug/cm2"},
    {dim::amount, "an amount of substance", "mol"},
}};
}  // namespace

std::string describe(Dimension d) {
  for (const auto& n : kNamed) {
    if (n.dimension == d) return std::string(n.description);
  }
  return fmt::format("a quantity in {}", si_expression(d));
}

std::string_view example_unit(Dimension d) {
  for (const auto& n : kNamed) {
    if (n.dimension == d) return n.unit;
  }
  return "";
}

}  // namespace nw::core
