#include <gtest/gtest.h>

#include "needlework/core/config.hpp"

namespace nw::core {
namespace {

namespace p = param;

std::shared_ptr<const TableSpec> device_like_spec() {
  auto inner = std::make_shared<TableSpec>(
      TableSpec{"dev",
                "a device",
                {
                    p::word("kind", {{"pen", ""}, {"roller", ""}}, "pen", "device type"),
                    p::quantity("needle_length", dim::length, "1.5 mm", "0.1 mm", "3 mm", "depth"),
                    p::integer("needles", 12, 1, 100, "count"),
                    optional_(p::date("start", "first session")),
                }});
  return std::make_shared<TableSpec>(TableSpec{"",
                                               "root",
                                               {
                                                   required(p::text("schema", std::nullopt, "format"), "\"x\""),
                                                   p::table("dev", inner, "the device"),
                                                   p::word_list("flags", {{"a", ""}, {"b", ""}}, "flags"),
                                               }});
}

ConfigTable raw_with(std::initializer_list<std::pair<const char*, ConfigValue>> device) {
  ConfigTable dev;
  for (const auto& [k, v] : device) dev.set(k, v, {"f.toml", 3, 1});
  ConfigTable root;
  root.set("schema", ConfigValue(std::string("x")));
  root.set("dev", ConfigValue(dev));
  return root;
}

TEST(Config, FillsDefaultsAndConvertsQuantitiesToSi) {
  std::vector<Diagnostic> d;
  const auto v = validate(raw_with({{"needle_length", ConfigValue(std::string("250 um"))}}), *device_like_spec(), d);
  ASSERT_TRUE(d.empty()) << d.front().message;
  const auto& dev = v.get_table("dev");
  EXPECT_DOUBLE_EQ(dev.get<dim::length>("needle_length").in(units::um), 250.0);
  EXPECT_EQ(dev.get_text("kind"), "pen");
  EXPECT_EQ(dev.get_int("needles"), 12);
  EXPECT_FALSE(dev.contains("start"));
  EXPECT_TRUE(v.get_words("flags").empty());
}

TEST(Config, ReportsEveryProblemAtOnceWithKeyPaths) {
  std::vector<Diagnostic> d;
  validate(raw_with({{"needle_lenght", ConfigValue(std::string("1 mm"))},
                     {"kind", ConfigValue(std::string("rollr"))},
                     {"needles", ConfigValue(std::int64_t{0}, SourceLoc{"f.toml", 3, 11})},
                     {"start", ConfigValue(std::string("2026-02-30"))}}),
           *device_like_spec(), d);
  ASSERT_EQ(d.size(), 4U);
  EXPECT_EQ(d[0].message, "unknown key 'dev.needle_lenght'; did you mean 'needle_length'?");
  EXPECT_EQ(d[1].message, "'dev.kind': unknown word \"rollr\"; did you mean 'roller'?; expected one of: pen, roller");
  EXPECT_EQ(d[2].message, "'dev.needles' must be between 1 and 100; got 0");
  EXPECT_EQ(d[3].message, "'dev.start' expects a date YYYY-MM-DD; got \"2026-02-30\"");
  EXPECT_EQ(d[2].where.line, 3);
  EXPECT_EQ(d[2].where.column, 11);
}

TEST(Config, RejectsBareNumbersWrongDimensionsAndRanges) {
  struct Case {
    ConfigValue value;
    ErrorCode code;
  };
  const Case cases[] = {
      {ConfigValue(1.5), ErrorCode::cfg_unit},
      {ConfigValue(std::int64_t{2}), ErrorCode::cfg_unit},
      {ConfigValue(std::string("1.5 s")), ErrorCode::cfg_dimension},
      {ConfigValue(std::string("1.5 furlongs")), ErrorCode::cfg_unit},
      {ConfigValue(std::string("5 mm")), ErrorCode::cfg_range},
      {ConfigValue(true), ErrorCode::cfg_type},
  };
  for (const auto& c : cases) {
    std::vector<Diagnostic> d;
    validate(raw_with({{"needle_length", c.value}}), *device_like_spec(), d);
    ASSERT_EQ(d.size(), 1U) << c.value.to_text();
    EXPECT_EQ(d[0].code, c.code) << c.value.to_text() << ": " << d[0].message;
    EXPECT_EQ(d[0].key, "dev.needle_length");
  }
}

TEST(Config, MissingRequiredKeyIsReported) {
  std::vector<Diagnostic> d;
  validate(ConfigTable{}, *device_like_spec(), d);
  ASSERT_EQ(d.size(), 1U);
  EXPECT_EQ(d[0].code, ErrorCode::cfg_required);
  EXPECT_EQ(d[0].message, "'schema' is required: format");
}

TEST(Config, EffectiveConfigWritesCanonicalUnits) {
  std::vector<Diagnostic> d;
  const auto spec = device_like_spec();
  const auto v = validate(raw_with({{"needle_length", ConfigValue(std::string("250 um"))}}), *spec, d);
  const auto text = render_effective(v, *spec);
  EXPECT_NE(text.find("needle_length = \"0.25 mm\""), std::string::npos) << text;
  EXPECT_NE(text.find("[dev]"), std::string::npos) << text;
  EXPECT_NE(text.find("kind = \"pen\""), std::string::npos) << text;
}

TEST(Config, DefaultsDocumentEveryKey) {
  const auto text = render_defaults(*device_like_spec(), "# header\n");
  for (const char* key : {"schema = \"x\"", "needle_length = \"1.5 mm\"", "[dev]", "# start = ", "flags = []"}) {
    EXPECT_NE(text.find(key), std::string::npos) << key << "\n" << text;
  }
}

}  // namespace
}  // namespace nw::core
