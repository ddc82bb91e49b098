// The [topical] table: declared by the transport stage (transport::topical_spec), assembled into
// the scenario schema by io, and resolved with its schedule.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "needlework/io/bundled.hpp"
#include "needlework/io/scenario.hpp"
#include "needlework/io/toml_reader.hpp"
#include "needlework/transport/actives.hpp"

namespace nw {
namespace {

namespace fs = std::filesystem;

TEST(TopicalSchema, DeclaredByTransportWithScheduleSessionOrDaily) {
  const auto spec = transport::topical_spec(io::bundled_actives());
  EXPECT_EQ(spec->name, "topical");
  const auto* schedule = spec->find("schedule");
  ASSERT_NE(schedule, nullptr);
  EXPECT_EQ(schedule->default_text, "\"session\"");
  ASSERT_EQ(schedule->words.size(), 2u);
  EXPECT_EQ(schedule->words[0].word, "session");
  EXPECT_EQ(schedule->words[1].word, "daily");
  // The scenario's [topical] is exactly this declaration (io adds nothing of its own).
  const auto scenario = io::scenario_spec(io::bundled_data());
  const auto& in_scenario = *scenario->find("topical")->table;
  ASSERT_EQ(in_scenario.params.size(), spec->params.size());
  for (std::size_t i = 0; i < spec->params.size(); ++i) EXPECT_EQ(in_scenario.params[i].key, spec->params[i].key);
  // Every library word and alias, then custom.
  const auto* active = spec->find("active");
  ASSERT_NE(active, nullptr);
  EXPECT_EQ(active->words.size(), io::bundled_actives().words().size() + 1);
  EXPECT_EQ(active->words.back().word, "custom");
}

core::ConfigTable validated_topical(const std::string& toml, std::vector<core::Diagnostic>& d) {
  const auto spec = transport::topical_spec(io::bundled_actives());
  return core::validate(io::read_toml_text(toml, "topical.toml"), *spec, d, "topical");
}

TEST(TopicalSchema, ScheduleResolves) {
  std::vector<core::Diagnostic> d;
  EXPECT_EQ(transport::schedule_from_topical(validated_topical("active = \"minoxidil\"\n", d)),
            transport::Schedule::session);
  EXPECT_EQ(transport::schedule_from_topical(validated_topical("active = \"minoxidil\"\nschedule = \"daily\"\n", d)),
            transport::Schedule::daily);
  EXPECT_TRUE(d.empty());
  validated_topical("active = \"minoxidil\"\nschedule = \"weekly\"\n", d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, core::ErrorCode::cfg_word);
  EXPECT_EQ(transport::to_string(transport::Schedule::daily), "daily");
  EXPECT_EQ(transport::to_string(transport::Schedule::session), "session");
}

TEST(TopicalSchema, CustomActiveWithoutItsInputsIsInconsistent) {
  std::vector<core::Diagnostic> d;
  const auto t = validated_topical("active = \"custom\"\nlog_p = 1.0\n", d);
  ASSERT_TRUE(d.empty());
  transport::check_topical(t, d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, core::ErrorCode::cfg_consistency);
  EXPECT_EQ(d[0].key, "topical.active");
  d.clear();
  transport::check_topical(validated_topical("active = \"custom\"\nlog_p = 1.0\nmolecular_weight = \"300 g/mol\"\n", d),
                           d);
  EXPECT_TRUE(d.empty());
}

TEST(TopicalSchema, ScenarioCarriesTheSchedule) {
  const auto dir = fs::temp_directory_path() / ("nw_topical_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string head =
      "schema = \"needlework/1\"\n[patient]\nage = \"40 yr\"\nsex = \"female\"\nfitzpatrick = 2\n[topical]\n"
      "active = \"tranexamic_acid\"\nconcentration = \"5 %\"\n";
  for (const auto& [line, expected] : {std::pair{std::string(""), transport::Schedule::session},
                                       std::pair{std::string("schedule = \"daily\"\n"), transport::Schedule::daily}}) {
    const auto path = dir / "s.toml";
    std::ofstream(path) << head << line;
    const auto s = io::load_scenario(path, io::bundled_data());
    ASSERT_TRUE(s.topical.has_value());
    EXPECT_EQ(s.topical->schedule, expected) << line;
    EXPECT_EQ(s.config.get_table("topical").get_text("schedule"), transport::to_string(expected));
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nw
