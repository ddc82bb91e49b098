#include "needlework/api/api.hpp"

#include <fmt/format.h>

#include "needlework/core/build_info.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/console_sink.hpp"
#include "needlework/io/render.hpp"
#include "needlework/io/scenario.hpp"
#include "needlework/io/simulation_out.hpp"
#include "needlework/report/simulation_report.hpp"

namespace nw::api {

std::vector<core::Diagnostic> check(const std::filesystem::path& file) {
  return io::check_scenario(file, io::bundled_data());
}

Screening screen(const std::filesystem::path& file, core::Date today) {
  const auto data = io::bundled_data();
  const auto& rules = data.rules;
  const auto scenario = io::load_scenario(file, data);
  Screening s;
  s.result = clinical::screen(scenario.patient, rules, scenario.protocol.start.value_or(today));
  s.json = io::screening_json(s.result, rules);
  s.text = io::screening_text(s.result, rules, scenario.path);
  return s;
}

SimulationRun simulate(const std::filesystem::path& file, const std::filesystem::path& out_dir, core::LogSink& log) {
  const auto data = io::bundled_data();
  const auto scenario = io::load_scenario(file, data);
  std::vector<core::Diagnostic> missing;
  const core::SourceLoc whole{scenario.path, 1, 1};
  if (!scenario.device) {
    missing.push_back(core::make_diagnostic(core::ErrorCode::cfg_required, whole, "device", fmt::arg("key", "device"),
                                            fmt::arg("doc", "`simulate` needs a [device] table")));
  }
  if (scenario.treatments.empty()) {
    missing.push_back(core::make_diagnostic(core::ErrorCode::cfg_required, whole, "treatment",
                                            fmt::arg("key", "treatment"),
                                            fmt::arg("doc", "`simulate` needs at least one [[treatment]] table")));
  }
  if (!missing.empty()) throw core::Error(std::move(missing));
  course::CourseInputs inputs;
  inputs.seed = scenario.seed;
  inputs.sex = scenario.patient.sex == clinical::Sex::male ? skin::Sex::male : skin::Sex::female;
  inputs.age = scenario.patient.age;
  inputs.device = *scenario.device;
  inputs.areas = scenario.treatments;
  inputs.protocol = scenario.protocol;
  inputs.settings = scenario.settings;
  inputs.fitzpatrick = scenario.patient.fitzpatrick;
  inputs.conditions = scenario.patient.conditions;
  for (const auto& m : scenario.patient.medications) {
    if (!m.stopped) inputs.medications.push_back(m.name);
  }
  if (scenario.topical) {
    inputs.topical = course::Topical{scenario.topical->active, scenario.topical->dose, scenario.topical->occluded,
                                     scenario.topical->daily};
  }
  SimulationRun run;
  for (const auto& w : scenario.warnings) log.log(core::LogLevel::warning, core::format_diagnostic(w));
  run.result = course::Simulation(inputs, data.course_libraries()).run(log);
  run.json = io::summary_json(run.result, scenario);
  run.files = io::write_simulation(
      out_dir, run.result, scenario,
      io::Provenance{"simulate", scenario.path, scenario.sha256, scenario.seed, io::utc_timestamp()});
  // report.html is rebuilt from the files just written (never from the live result).
  run.files.push_back(report::write_simulation_report(out_dir));
  run.text = io::simulation_text(run.result, scenario, out_dir);
  return run;
}

std::unique_ptr<core::LogSink> console_log(bool verbose) { return io::make_console_sink(verbose); }

std::string default_scenario_toml() { return io::default_scenario(io::bundled_data()); }

std::string scenario_schema_json() { return io::schema_json(*io::scenario_spec(io::bundled_data())); }

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
