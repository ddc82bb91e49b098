#include "needlework/api/api.hpp"

#include <fmt/format.h>

#include "needlework/core/build_info.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/console_sink.hpp"
#include "needlework/io/plan_out.hpp"
#include "needlework/io/render.hpp"
#include "needlework/io/scenario.hpp"
#include "needlework/io/simulation_out.hpp"

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

ValidationRun validate(const std::filesystem::path& out_dir, bool refit, const std::filesystem::path& cases_file,
                       core::LogSink& log) {
  const auto loaded = cases_file.empty() ? validation::CaseSet{} : validation::load_cases_file(cases_file);
  const auto& set = cases_file.empty() ? validation::bundled_cases() : loaded;
  ValidationRun run;
  run.cases = validation::run_cases(set.cases, log);
  if (refit) run.fits = validation::refit_all(set, log);
  run.ok = validation::all_ok(run.cases, run.fits);
  run.json = validation::results_json(run.cases, run.fits, set.file);
  run.text = validation::results_text(run.cases, run.fits);
  run.files = validation::write_results(out_dir, run.cases, run.fits, set.file);
  return run;
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
  auto inputs = io::course_inputs(scenario);
  if (scenario.topical) inputs.keep_transport_fields = true;  // written as DIR/fields/*.h5 + .xmf
  SimulationRun run;
  for (const auto& w : scenario.warnings) log.log(core::LogLevel::warning, core::format_diagnostic(w));
  run.result = course::Simulation(inputs, data.course_libraries()).run(log);
  run.json = io::summary_json(run.result, scenario);
  run.files = io::write_simulation(
      out_dir, run.result, scenario,
      io::Provenance{"simulate", scenario.path, scenario.sha256, scenario.seed, io::utc_timestamp()});
  run.text = io::simulation_text(run.result, scenario, out_dir);
  return run;
}

namespace {

// The device of a plan: the scenario's (kind, model, cartridge, needles); the needle length is
// what the planner chooses.
std::vector<planner::AreaRequest> plan_requests(const io::Scenario& scenario) {
  std::vector<core::Diagnostic> missing;
  const core::SourceLoc whole{scenario.path, 1, 1};
  if (!scenario.device) {
    missing.push_back(core::make_diagnostic(core::ErrorCode::cfg_required, whole, "device", fmt::arg("key", "device"),
                                            fmt::arg("doc", "`plan` needs a [device] table")));
  }
  if (scenario.treatments.empty()) {
    missing.push_back(core::make_diagnostic(core::ErrorCode::cfg_required, whole, "treatment",
                                            fmt::arg("key", "treatment"),
                                            fmt::arg("doc", "`plan` needs at least one [[treatment]] table")));
  }
  if (!missing.empty()) throw core::Error(std::move(missing));
  std::vector<planner::AreaRequest> out;
  for (const auto& t : scenario.treatments) {
    out.push_back({t, *scenario.device, scenario.patient, scenario.protocol, scenario.settings, scenario.seed});
  }
  return out;
}

planner::Preferences preferences_of(const io::Scenario& scenario) {
  planner::Preferences p;
  if (scenario.config.contains("preferences")) {
    const auto& t = scenario.config.get_table("preferences");
    p.max_downtime = t.get<core::dim::time>("max_downtime");
    p.max_sessions = static_cast<int>(t.get_int("max_sessions"));
  }
  return p;
}

}  // namespace

planner::Evaluator outcome_evaluator() {
  // Connection point of the outcome stage (course::Simulation with virtual patients).
  return [](const planner::AreaRequest&, const planner::Candidate&) -> planner::Evaluation {
    core::raise(core::ErrorCode::internal,
                fmt::arg("reason",
                         "the healing and outcome stages are not part of this build, so `plan` cannot predict "
                         "results yet (screening ran and did not refuse)"));
  };
}

PlanRun plan(const std::filesystem::path& file, const std::filesystem::path& out_dir, core::Date today,
             core::LogSink& log) {
  return plan(file, out_dir, today, log, outcome_evaluator());
}

PlanRun plan(const std::filesystem::path& file, const std::filesystem::path& out_dir, core::Date today,
             core::LogSink& log, const planner::Evaluator& evaluator, const planner::SearchOptions* options) {
  const auto data = io::bundled_data();
  const auto scenario = io::load_scenario(file, data);
  for (const auto& w : scenario.warnings) log.log(core::LogLevel::warning, core::format_diagnostic(w));
  planner::PlanInputs inputs;
  inputs.patient = scenario.patient;
  inputs.planned_start = scenario.protocol.start.value_or(today);
  inputs.preferences = preferences_of(scenario);
  // Screening refuses before anything else is asked of the file.
  const auto screening = clinical::screen(scenario.patient, data.rules, inputs.planned_start);
  if (!planner::refuses(screening)) inputs.areas = plan_requests(scenario);
  planner::SearchOptions search;
  search.seed = scenario.seed;
  if (options) search = *options;
  const auto& planning = io::bundled_planning();
  PlanRun run;
  run.plan = planner::make_plan(inputs, data.rules, planning, data.devices, evaluator, search, log);
  run.refused = run.plan.refused;
  run.json = io::plan_json(run.plan, data.rules, planning);
  run.files = io::write_plan(out_dir, run.json,
                             io::Provenance{"plan", scenario.path, scenario.sha256, search.seed, io::utc_timestamp()});
  run.text = io::plan_text(run.plan, data.rules, scenario.path, out_dir);
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
