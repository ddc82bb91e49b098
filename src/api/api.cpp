#include "needlework/api/api.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <map>
#include <memory>
#include <mutex>

#include "needlework/core/build_info.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/console_sink.hpp"
#include "needlework/io/plan_out.hpp"
#include "needlework/io/render.hpp"
#include "needlework/io/scenario.hpp"
#include "needlework/io/simulation_out.hpp"
#include "needlework/report/plan_report.hpp"
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
  // report.html is rebuilt from the files just written (never from the live result).
  run.files.push_back(report::write_simulation_report(out_dir));
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
  if (scenario.device->kind == device::Kind::none) {
    const auto& device_table = scenario.config.get_table("device");
    throw core::Error({core::make_diagnostic(
        core::ErrorCode::cfg_consistency, device_table.where_of("kind"), "device.kind",
        fmt::arg("message",
                 "'device.kind' is \"none\": `plan` chooses needling settings and needs a device "
                 "(pen, roller or stamp); use `simulate` for an untreated control arm"))});
  }
  std::vector<planner::AreaRequest> out;
  for (const auto& t : scenario.treatments) {
    out.push_back({t, *scenario.device, scenario.patient, scenario.protocol, scenario.settings, scenario.seed});
  }
  return out;
}

planner::Preferences preferences_of(const io::Scenario& scenario) {
  return scenario.config.contains("preferences") ? planner::preferences_from(scenario.config.get_table("preferences"))
                                                 : planner::Preferences{};
}

}  // namespace

namespace {

// Channel statistics do not depend on the patch size: the search simulates at most this much of
// an area and scales the needling time to the whole area.
constexpr double kPlannerPatch_cm2 = 4;

std::optional<course::Topical> planned_topical(const planner::TopicalOption& t, const io::DataBundle& data) {
  if (t.active.empty()) return std::nullopt;
  const auto* record = data.actives.find(t.active);
  if (!record) {
    core::raise(core::ErrorCode::internal,
                fmt::arg("reason", fmt::format("planning topical '{}' names an active the library lacks", t.name)));
  }
  // 1 % = 1 g per 100 mL = 10 kg/m^3; 1 uL/cm2 = 10 um of film.
  const auto dose = transport::Dose::finite(core::Length::from_si(t.dose_ul_per_cm2 * 1e-5),
                                            core::MassConcentration::from_si(t.concentration_pct * 10.0));
  return course::Topical{transport::active_from_record(*record, data.tissue), dose, false,
                         t.daily ? transport::Schedule::daily : transport::Schedule::session};
}

planner::Spread improvement_of(const outcomes::Spread& score, double baseline, bool higher_is_better) {
  const auto pct = [&](double s) {
    return baseline != 0 ? 100.0 * (higher_is_better ? s - baseline : baseline - s) / std::abs(baseline) : 0.0;
  };
  // The 5th percentile of improvement comes from the worse end of the scores.
  return higher_is_better ? planner::Spread{pct(score.median), pct(score.p05), pct(score.p95)}
                          : planner::Spread{pct(score.median), pct(score.p95), pct(score.p05)};
}

}  // namespace

planner::Evaluator outcome_evaluator() {
  // Channels and transport of a candidate depend on the needle length, passes and topical, not
  // on the calendar: they are computed once per combination and shared (thread-safe cache; a
  // thread that asks for a combination another thread is computing waits for it).
  using Prepared = std::shared_future<std::shared_ptr<const course::AreaResult>>;
  struct Cache {
    std::mutex mutex;
    std::map<std::string, Prepared> prepared;
  };
  auto cache = std::make_shared<Cache>();
  auto bundle = std::make_shared<const io::DataBundle>(io::bundled_data());
  return [cache, bundle](const planner::AreaRequest& req, const planner::Candidate& c,
                         planner::Cohort cohort) -> planner::Evaluation {
    const auto& data = *bundle;
    course::CourseInputs in;
    in.seed = req.seed;
    in.sex = req.patient.sex == clinical::Sex::male ? skin::Sex::male : skin::Sex::female;
    in.age = req.patient.age;
    in.fitzpatrick = req.patient.fitzpatrick;
    in.conditions = req.patient.conditions;
    for (const auto& m : req.patient.medications) {
      if (!m.stopped) in.medications.push_back(m.name);
    }
    in.device = req.device;
    in.device.needle_length = c.needle_length_mm * core::units::mm;
    auto area = req.treatment;
    area.passes = c.passes;
    const double area_cm2 = area.area.in(core::units::cm2);
    area.area = std::min(area_cm2, kPlannerPatch_cm2) * core::units::cm2;
    in.areas = {area};
    in.protocol = req.protocol;
    in.protocol.sessions = c.sessions;
    in.protocol.interval = c.interval_weeks * core::units::wk;
    in.settings = req.settings;
    in.settings.fidelity = course::Fidelity::fast;  // MODEL.md section 0: the planner runs the fast path
    // The search asks for the nominal person; finalists and compared protocols get the scenario's cohort.
    if (cohort == planner::Cohort::nominal) in.settings.virtual_patients = 0;
    in.topical = planned_topical(c.topical, data);
    const course::Simulation simulation(in, data.course_libraries());
    core::NullSink quiet;
    const auto key = fmt::format("{}|{}|{}|{:.4f}|{}|{}|{}|{}", req.seed, area.site, area.concern, c.needle_length_mm,
                                 c.passes, c.topical.name, in.age.si(), static_cast<int>(in.sex));
    Prepared prepared;
    std::promise<std::shared_ptr<const course::AreaResult>> mine;
    bool compute = false;
    {
      const std::lock_guard lock(cache->mutex);
      auto [it, inserted] = cache->prepared.try_emplace(key);
      if (inserted) it->second = mine.get_future().share();
      prepared = it->second;
      compute = inserted;
    }
    if (compute) {
      try {
        auto area_result = simulation.prepare(0, quiet);
        // The fast path reads the mean channel and the statistics, not the channel list: drop it
        // so that each evaluation's copy of the prepared area stays small.
        area_result.channels = {};
        mine.set_value(std::make_shared<const course::AreaResult>(std::move(area_result)));
      } catch (...) {
        mine.set_exception(std::current_exception());
      }
    }
    auto r = *prepared.get();  // rethrows a failure of the thread that computed it
    simulation.assess(r, 0, quiet);

    planner::Evaluation e;
    e.downtime_days = r.safety.downtime_days;
    e.pih_probability = r.safety.pih_probability;
    e.minutes_per_session = r.stats.treatment_minutes * area_cm2 / area.area.in(core::units::cm2);
    if (r.nominal_scores.treated.empty()) {
      e.feasible = false;
      e.reasons.push_back(fmt::format("no outcome model for concern '{}'", area.concern));
      return e;
    }
    if (cohort == planner::Cohort::nominal) {
      const auto& s = r.nominal_scores;
      const auto* scale = data.outcomes.scale(s.scale);
      const bool higher = scale && scale->better == outcomes::Better::higher;
      const double end = s.treated.back();
      e.scale = s.scale;
      e.baseline = s.baseline;
      e.at_follow_up = {end, end, end};
      e.improvement_pct = improvement_of({end, end, end}, s.baseline, higher);
      return e;  // no timeline: the search never shows one
    }
    const auto& last = r.cohort.back();
    const auto* scale = data.outcomes.scale(last.scale);
    const bool higher = scale && scale->better == outcomes::Better::higher;
    e.scale = last.scale;
    e.baseline = last.baseline;
    e.at_follow_up = {last.at_follow_up.median, last.at_follow_up.p05, last.at_follow_up.p95};
    e.improvement_pct = improvement_of(last.at_follow_up, last.baseline, higher);
    e.responder_fraction = last.responder_fraction;
    for (std::size_t i = 0; i < r.cohort.size(); i += 7) {
      const auto& s = r.cohort[i].at_follow_up;
      e.timeline.push_back({r.healing.treated[i].day, {s.median, s.p05, s.p95}});
    }
    return e;
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
  const io::Provenance provenance{"plan", scenario.path, scenario.sha256, search.seed, io::utc_timestamp()};
  run.files = io::write_plan(out_dir, run.json, provenance);
  io::write_run_record(out_dir, scenario.config, *scenario.spec, provenance);
  run.files.push_back(out_dir / "effective_config.toml");
  // plan.html is rebuilt from the files just written (never from the live plan).
  run.files.push_back(report::write_plan_report(out_dir));
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
