#include "needlework/api/api.hpp"

#include <fmt/format.h>

#include "needlework/core/build_info.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/render.hpp"
#include "needlework/io/scenario.hpp"

namespace nw::api {

std::vector<core::Diagnostic> check(const std::filesystem::path& file) {
  return io::check_scenario(file, io::bundled_rules());
}

Screening screen(const std::filesystem::path& file, core::Date today) {
  const auto& rules = io::bundled_rules();
  const auto scenario = io::load_scenario(file, rules);
  Screening s;
  s.result = clinical::screen(scenario.patient, rules, scenario.start.value_or(today));
  s.json = io::screening_json(s.result, rules);
  s.text = io::screening_text(s.result, rules, scenario.path);
  return s;
}

std::string default_scenario_toml() { return io::default_scenario(io::bundled_rules()); }

std::string scenario_schema_json() { return io::schema_json(*io::scenario_spec(io::bundled_rules())); }

std::string version_text() {
  const auto b = core::build_info();
  return fmt::format("needlework {} (git {})\nbuild: {}\n", b.version, b.git_revision, b.options);
}

std::string version_json() {
  const auto b = core::build_info();
  return fmt::format("{{\n  \"version\": \"{}\",\n  \"git_revision\": \"{}\",\n  \"build_options\": \"{}\"\n}}\n",
                     b.version, b.git_revision, b.options);
}

std::string diagnostics_json(const std::vector<core::Diagnostic>& diagnostics) {
  return io::diagnostics_json(diagnostics);
}

}  // namespace nw::api
