// The planner: bundled planning data, the search on synthetic evaluators whose optimum is known
// (found, constraints respected, monotone in max_sessions, thread-count independent), plan
// assembly (refusal, deferral dates) and plan.json shape.

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "needlework/api/api.hpp"
#include "needlework/course/treatment.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/toml_reader.hpp"
#include "needlework/planner/planner.hpp"
#include "test_support.hpp"

namespace nw {
namespace {

using planner::Candidate;
using planner::Evaluation;

// A synthetic outcome with a known optimum: concave in depth (peak 1.25 mm) and interval
// (peak 3 wk), best at 6 passes, rising then falling with sessions (peak at 5), +3 points
// with the concern's first topical. Downtime grows with depth x passes, PIH with depth.
struct Synthetic {
  double depth_peak_mm = 1.25;
  double weeks_peak = 3;
  double downtime_per_mm_pass = 0.25;  // days
  double pih_per_mm = 0.04;
  double minutes_per_pass = 2.0;

  double median(const Candidate& c) const {
    const double n = c.sessions;
    return 30 - 20 * std::pow(c.needle_length_mm - depth_peak_mm, 2) -
           1.5 * std::pow(c.interval_weeks - weeks_peak, 2) + 8 * n - 0.8 * n * n - 0.5 * std::pow(c.passes - 6, 2) +
           (c.topical.active.empty() ? 0.0 : 3.0);
  }
  Evaluation operator()(const planner::AreaRequest&, const Candidate& c,
                        planner::Cohort = planner::Cohort::virtual_patients) const {
    Evaluation e;
    const double m = median(c);
    e.improvement_pct = {m, m - 10, m + 10};
    e.scale = "goodman_baron_quantitative";
    e.baseline = 12;
    e.at_follow_up = {12 * (1 - m / 100), 12 * (1 - (m + 10) / 100), 12 * (1 - (m - 10) / 100)};
    e.timeline = {{0, {12, 12, 12}}, {180, e.at_follow_up}};
    e.downtime_days = downtime_per_mm_pass * c.needle_length_mm * c.passes;
    e.pih_probability = pih_per_mm * c.needle_length_mm;
    e.minutes_per_session = minutes_per_pass * c.passes;
    return e;
  }
};

planner::SearchSpace box(int max_sessions) {
  planner::SearchSpace s;
  s.depth_min_mm = 0.5;
  s.depth_max_mm = 2.0;
  s.depth_step_mm = 0.25;
  s.passes_min = 4;
  s.passes_max = 8;
  s.sessions_min = 1;
  s.sessions_max = max_sessions;
  s.interval_min_weeks = 2;
  s.interval_max_weeks = 8;
  s.topicals = {planner::no_topical()};
  return s;
}

planner::AreaRequest request() {
  planner::AreaRequest r;
  r.treatment.site = "cheek";
  r.treatment.concern = "acne_scars";
  r.treatment.area = 30 * core::units::cm2;
  r.patient.fitzpatrick = 3;
  r.patient.age = 35 * core::units::yr;
  return r;
}

// The best feasible grid point by enumeration (the reference the optimiser must reach).
planner::Scored brute_force(const planner::SearchSpace& s, const planner::Constraints& c, const Synthetic& f) {
  planner::Scored best;
  bool have = false;
  for (int n = s.sessions_min; n <= s.sessions_max; ++n)
    for (int p = s.passes_min; p <= s.passes_max; ++p)
      for (double d = s.depth_min_mm; d <= s.depth_max_mm + 1e-9; d += s.depth_step_mm)
        for (double w = s.interval_min_weeks; w <= s.interval_max_weeks + 1e-9; w += 1)
          for (const auto& t : s.topicals) {
            Candidate cand{d, p, n, n > 1 ? w : s.interval_min_weeks, t};
            planner::Scored sc{cand, f(request(), cand), {}};
            sc.violations = planner::violations(sc.evaluation, c);
            if (!sc.feasible()) continue;
            if (!have || sc.evaluation.improvement_pct.median > best.evaluation.improvement_pct.median + 1e-9) {
              best = sc;
              have = true;
            }
          }
  return best;
}

TEST(PlanningData, BundledFileLoadsWithEveryConcernAndSources) {
  const auto& d = io::bundled_planning();
  const auto spec = course::treatment_spec(io::bundled_sites().site_names());
  const auto* concern = spec->find("concern");
  ASSERT_NE(concern, nullptr);
  for (const auto& w : concern->words) EXPECT_NE(d.concern(w.word), nullptr) << w.word;
  for (const char* c : {"acne_scars", "wrinkles", "melasma", "stretch_marks", "alopecia"}) {
    int n = 0;
    for (const auto& p : d.protocols) n += p.concern == c;
    EXPECT_GE(n, 2) << c;
  }
  for (int f = 1; f <= 6; ++f) EXPECT_GT(d.pih_limit(f), 0.0);
  EXPECT_FALSE(d.aftercare.empty());
  EXPECT_FALSE(d.alternatives.empty());
  for (const auto& p : d.protocols) EXPECT_FALSE(p.sources.empty()) << p.id;
}

TEST(PlanningData, UndeclaredSourceIsReportedWithItsLine) {
  const std::string text = R"(schema = "needlework-planning/1"
[constraints]
minutes_per_area_max = { value = "20 min", source = ["S99"] }
minutes_per_area_typical_min = { value = "10 min", source = ["assumption"] }
depth_fallback_min = { value = "0.25 mm", source = ["assumption"] }
depth_fallback_max = { value = "1.5 mm", source = ["assumption"] }
interval_fallback_min = { value = "2 wk", source = ["assumption"] }
interval_fallback_max = { value = "6 wk", source = ["assumption"] }
[[pih_limit]]
fitzpatrick_min = 1
fitzpatrick_max = 6
max_probability = "10 %"
source = ["assumption"]
)";
  const auto raw = io::read_toml_text(text, "planning.toml");
  std::vector<core::Diagnostic> diags;
  const auto validated = core::validate(raw, planner::PlanningData::spec(), diags);
  ASSERT_TRUE(diags.empty());
  try {
    planner::PlanningData::from_config(validated);
    FAIL() << "expected an error";
  } catch (const core::Error& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].where.line, 3);
    EXPECT_NE(e.diagnostics()[0].message.find("'S99'"), std::string::npos);
  }
}

TEST(PlannerSearch, FindsTheKnownOptimumWithoutConstraints) {
  const Synthetic f;
  const planner::Constraints loose{100, 1, 100};
  core::NullSink log;
  const auto r = planner::search(request(), box(6), loose, f, {}, log, "t");
  ASSERT_TRUE(r.found_feasible);
  const auto& c = r.best.candidate;
  EXPECT_DOUBLE_EQ(c.needle_length_mm, 1.25);
  EXPECT_DOUBLE_EQ(c.interval_weeks, 3);
  EXPECT_EQ(c.sessions, 5);
  EXPECT_EQ(c.passes, 6);
  EXPECT_EQ(r.choices, 6u * 5u);
  EXPECT_LT(r.evaluations, 6u * 5u * 7u * 7u);  // fewer calls than enumerating the grid
}

// The search ranks choices on the nominal person; the best `finalists` are re-evaluated with
// the virtual patients, and that evaluation decides. Here the cohort favours 5 passes by 2
// points while the nominal person peaks at 6 (5 passes is the second-best choice nominally).
TEST(PlannerSearch, FinalistsAreDecidedByTheVirtualPatients) {
  const Synthetic f;
  std::atomic<int> cohort_calls{0};
  const planner::Evaluator evaluator = [&](const planner::AreaRequest& r, const Candidate& c, planner::Cohort who) {
    auto e = f(r, c);
    if (who == planner::Cohort::virtual_patients) {
      ++cohort_calls;
      if (c.passes == 5) e.improvement_pct.median += 2;
    }
    return e;
  };
  core::NullSink log;
  planner::SearchOptions options;
  options.finalists = 1;
  const auto only_nominal = planner::search(request(), box(6), {100, 1, 100}, evaluator, options, log, "t");
  EXPECT_EQ(only_nominal.best.candidate.passes, 6);
  EXPECT_EQ(only_nominal.cohort_evaluations, 1u);
  EXPECT_EQ(cohort_calls.load(), 1);
  options.finalists = 4;
  const auto decided = planner::search(request(), box(6), {100, 1, 100}, evaluator, options, log, "t");
  EXPECT_EQ(decided.best.candidate.passes, 5);
  EXPECT_EQ(decided.best.candidate.sessions, 5);
  EXPECT_DOUBLE_EQ(decided.best.evaluation.improvement_pct.median, f.median(decided.best.candidate) + 2);
  EXPECT_EQ(decided.cohort_evaluations, 4u);
  EXPECT_EQ(cohort_calls.load(), 1 + 4);
}

TEST(PlannerSearch, ChoosesTheTopicalThatHelps) {
  const Synthetic f;
  auto s = box(3);
  planner::TopicalOption txa{"tranexamic_acid_daily", "tranexamic_acid", 5, 10, true, {"S29"}, ""};
  s.topicals.push_back(txa);
  core::NullSink log;
  const auto r = planner::search(request(), s, {100, 1, 100}, f, {}, log, "t");
  EXPECT_EQ(r.best.candidate.topical.name, "tranexamic_acid_daily");
}

TEST(PlannerSearch, RespectsConstraintsAndMatchesEnumeration) {
  const Synthetic f;
  // Downtime 0.25 d per mm and pass: 1.5 d allows depth x passes <= 6; PIH 4 % per mm: 5 %
  // allows <= 1.25 mm; 14 minutes allows 7 passes.
  for (const planner::Constraints c : {planner::Constraints{1.5, 0.05, 14}, planner::Constraints{1.0, 0.03, 10},
                                       planner::Constraints{2.0, 0.2, 100}}) {
    core::NullSink log;
    const auto s = box(6);
    const auto r = planner::search(request(), s, c, f, {}, log, "t");
    ASSERT_TRUE(r.found_feasible);
    const auto& e = r.best.evaluation;
    EXPECT_LE(e.downtime_days, c.max_downtime_days + 1e-12);
    EXPECT_LE(e.pih_probability, c.max_pih_probability + 1e-12);
    EXPECT_LE(e.minutes_per_session, c.max_minutes + 1e-12);
    const auto ref = brute_force(s, c, f);
    EXPECT_NEAR(e.improvement_pct.median, ref.evaluation.improvement_pct.median, 1e-9)
        << "optimiser " << r.best.candidate.needle_length_mm << " mm x " << r.best.candidate.passes
        << " passes, enumeration " << ref.candidate.needle_length_mm << " mm x " << ref.candidate.passes;
  }
}

TEST(PlannerSearch, ReportsTheLeastViolatingWhenNothingIsFeasible) {
  const Synthetic f;
  core::NullSink log;
  const auto r = planner::search(request(), box(3), {0.1, 0.001, 1}, f, {}, log, "t");
  EXPECT_FALSE(r.found_feasible);
  EXPECT_FALSE(r.best.violations.empty());
}

TEST(PlannerSearch, MoreSessionsAllowedNeverGivesAWorseOptimum) {
  Synthetic f;
  f.depth_peak_mm = 1.6;  // a peak between grid points
  const planner::Constraints c{1.5, 0.06, 14};
  double previous = -1e300;
  core::NullSink log;
  for (int max_sessions = 1; max_sessions <= 8; ++max_sessions) {
    const auto r = planner::search(request(), box(max_sessions), c, f, {}, log, "t");
    ASSERT_TRUE(r.found_feasible);
    EXPECT_GE(r.best.evaluation.improvement_pct.median, previous - 1e-12) << max_sessions;
    previous = r.best.evaluation.improvement_pct.median;
  }
}

TEST(PlannerSearch, SameResultOnOneAndTwoThreadsAndProgressReported) {
  const Synthetic f;
  struct Progress : core::LogSink {
    void log(core::LogLevel, std::string_view) override {}
    void progress(std::string_view, double fraction) override { fractions.push_back(fraction); }
    std::vector<double> fractions;
  };
  planner::SearchOptions one, two;
  one.threads = 1;
  two.threads = 2;
  Progress p1, p2;
  const auto a = planner::search(request(), box(6), {1.5, 0.05, 14}, f, one, p1, "t");
  const auto b = planner::search(request(), box(6), {1.5, 0.05, 14}, f, two, p2, "t");
  EXPECT_EQ(a.best.candidate.needle_length_mm, b.best.candidate.needle_length_mm);
  EXPECT_EQ(a.best.candidate.passes, b.best.candidate.passes);
  EXPECT_EQ(a.best.candidate.sessions, b.best.candidate.sessions);
  EXPECT_EQ(a.best.candidate.interval_weeks, b.best.candidate.interval_weeks);
  EXPECT_EQ(a.evaluations, b.evaluations);
  ASSERT_FALSE(p1.fractions.empty());
  EXPECT_DOUBLE_EQ(p1.fractions.back(), 1.0);
  EXPECT_EQ(p1.fractions.size(), p2.fractions.size());
}

TEST(PlannerSpace, SiteLimitsDeviceStepsAndPreferencesBoundTheBox) {
  const auto& data = io::bundled_planning();
  auto r = request();
  r.device =
      test::device_from_toml("kind = \"pen\"\nneedle_length = \"1.0 mm\"\nneedles = 12\nfrequency = \"110 Hz\"\n");
  const auto dev = planner::device_depth(r.device, io::bundled_devices());
  EXPECT_DOUBLE_EQ(dev.step_mm, 0.25);
  planner::Preferences prefs;
  prefs.max_sessions = 4;
  auto s = planner::search_space(r, data, dev, prefs);
  EXPECT_DOUBLE_EQ(s.depth_min_mm, 0.5);
  EXPECT_DOUBLE_EQ(s.depth_max_mm, 1.5);  // cheek, scar concern: the label ceiling
  EXPECT_EQ(s.sessions_max, 4);
  r.treatment.site = "forehead";
  r.treatment.concern = "wrinkles";
  s = planner::search_space(r, data, dev, prefs);
  EXPECT_DOUBLE_EQ(s.depth_min_mm, 0.5);
  EXPECT_DOUBLE_EQ(s.depth_max_mm, 0.5);  // forehead chart 0.25-0.5 within wrinkles 0.5-1.0
  r.treatment.site = "scalp";
  r.treatment.concern = "alopecia";
  s = planner::search_space(r, data, dev, prefs);
  ASSERT_EQ(s.topicals.size(), 2u);
  EXPECT_EQ(s.topicals[1].active, "minoxidil");
  EXPECT_EQ(s.sessions_min, 4);  // the sources start at 6; the patient accepts 4
  EXPECT_EQ(s.sessions_max, 4);
}

TEST(PlannerSpace, EverySiteAndConcernGivesABoxOnThePenGrid) {
  const auto& data = io::bundled_planning();
  auto r = request();
  r.device =
      test::device_from_toml("kind = \"pen\"\nneedle_length = \"1.0 mm\"\nneedles = 12\nfrequency = \"110 Hz\"\n");
  const auto dev = planner::device_depth(r.device, io::bundled_devices());
  const auto spec = course::treatment_spec(io::bundled_sites().site_names());
  for (const auto& site : spec->find("site")->words) {
    for (const auto& concern : spec->find("concern")->words) {
      r.treatment.site = site.word;
      r.treatment.concern = concern.word;
      const auto s = planner::search_space(r, data, dev, {});
      EXPECT_LE(s.depth_min_mm, s.depth_max_mm) << site.word << " " << concern.word;
      EXPECT_GE(std::floor(s.depth_max_mm / 0.25 + 1e-9), std::ceil(s.depth_min_mm / 0.25 - 1e-9))
          << site.word << " " << concern.word;
      EXPECT_LE(s.depth_max_mm, 2.5 + 1e-9) << site.word << " " << concern.word;
      EXPECT_LE(s.sessions_min, s.sessions_max);
      EXPECT_LE(s.interval_min_weeks, s.interval_max_weeks);
    }
  }
}

std::filesystem::path out_dir(const std::string& name) { return test::scratch_dir("plan_" + name); }

TEST(PlanApi, DeferralScheduleStartsOnTheEarliestDate) {
  core::NullSink log;
  const auto file = std::filesystem::path(NW_SOURCE_DIR) / "tests/unit/data/plan_deferral.toml";
  const auto run = api::plan(file, out_dir("deferral"), core::Date::from_ymd(2026, 11, 1), log, Synthetic{});
  ASSERT_FALSE(run.refused);
  ASSERT_FALSE(run.plan.schedule.empty());
  EXPECT_EQ(run.plan.schedule.front().date.iso(), "2027-03-02");
  const auto j = nlohmann::json::parse(run.json);
  EXPECT_EQ(j["screening"]["decision"], "defer");
  EXPECT_EQ(j["schedule"][0]["date"], "2027-03-02");
  EXPECT_EQ(j["start"], "2027-03-02");
  // Sessions follow at the chosen interval.
  const auto& b = run.plan.areas[0].result.best.candidate;
  ASSERT_EQ(run.plan.schedule.size(), static_cast<std::size_t>(b.sessions));
  if (b.sessions > 1) {
    EXPECT_EQ(run.plan.schedule[1].date.days_since(run.plan.schedule[0].date),
              static_cast<long>(std::lround(7 * b.interval_weeks)));
  }
}

TEST(PlanApi, RefusedPatientGetsReasonsAndNoSearch) {
  core::NullSink log;
  std::atomic<int> calls{0};
  const planner::Evaluator counting = [&](const planner::AreaRequest& r, const Candidate& c, planner::Cohort) {
    ++calls;
    return Synthetic{}(r, c);
  };
  const auto file = std::filesystem::path(NW_SOURCE_DIR) / "examples/patients/03_do_not_treat.toml";
  const auto run = api::plan(file, out_dir("refused"), core::Date::from_ymd(2026, 11, 1), log, counting);
  EXPECT_TRUE(run.refused);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_GE(run.plan.refusal_reasons.size(), 2u);
  const auto j = nlohmann::json::parse(run.json);
  EXPECT_EQ(j["refused"], true);
  EXPECT_TRUE(j["areas"].empty());
  EXPECT_TRUE(std::filesystem::exists(run.files.front()));
}

TEST(PlanApi, PlanJsonHasTheContractKeys) {
  core::NullSink log;
  const auto file = std::filesystem::path(NW_SOURCE_DIR) / "examples/scenarios/05_plan_two_areas.toml";
  const auto dir = out_dir("shape");
  const auto run = api::plan(file, dir, core::Date::from_ymd(2026, 11, 1), log, Synthetic{});
  const auto j = nlohmann::json::parse(run.json);
  for (const char* k : {"screening", "areas", "schedule", "aftercare", "alternatives", "disclaimer"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["screening"]["decision"], "treat");
  ASSERT_EQ(j["areas"].size(), 2u);
  for (const auto& a : j["areas"]) {
    for (const char* k : {"site", "concern", "device", "needle_length_mm", "passes", "sessions", "interval_weeks",
                          "topical", "expected", "risks", "compared"})
      EXPECT_TRUE(a.contains(k)) << k;
    for (const char* k : {"scale", "baseline", "at_follow_up"}) EXPECT_TRUE(a["expected"].contains(k)) << k;
    for (const char* k : {"median", "p05", "p95"}) EXPECT_TRUE(a["expected"]["at_follow_up"].contains(k)) << k;
    EXPECT_GE(a["compared"].size(), 2u);
    EXPECT_FALSE(a["risks"].empty());
  }
  EXPECT_EQ(j["areas"][0]["site"], "cheek");
  EXPECT_LE(j["areas"][0]["sessions"].get<int>(), 5);  // max_sessions
  ASSERT_FALSE(j["schedule"].empty());
  EXPECT_EQ(j["schedule"][0]["date"], "2027-02-01");
  for (const auto& s : j["aftercare"]) {
    for (const char* k : {"day_from", "day_to", "do", "avoid", "sources"}) EXPECT_TRUE(s.contains(k)) << k;
  }
  for (const auto& a : j["alternatives"]) {
    for (const char* k : {"treatment", "evidence", "compared"}) EXPECT_TRUE(a.contains(k)) << k;
  }
  EXPECT_NE(j["disclaimer"].get<std::string>().find("not a medical device"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "plan.json"));
}

// Boxcar acne scars on 30 cm2 of cheek, a 12-needle pen, 90 days of follow-up: the request the
// evaluator tests below run through the real course.
planner::AreaRequest boxcar_cheek(int virtual_patients) {
  planner::AreaRequest req;
  req.treatment.site = "cheek";
  req.treatment.concern = "acne_scars";
  req.treatment.scar_type = "boxcar";
  req.treatment.area = 30 * core::units::cm2;
  req.device = test::device_from_toml(R"(needle_length = "1.0 mm")");
  req.patient.age = 30 * core::units::yr;
  req.patient.fitzpatrick = 3;
  req.protocol.follow_up = 90 * core::units::d;
  req.settings.virtual_patients = virtual_patients;
  return req;
}

// The planner's evaluator is the course simulation: deeper needles (within the range) raise
// both the predicted improvement and the downtime; the needling time scales with the area.
TEST(PlanApi, OutcomeEvaluatorRunsTheCourse) {
  const auto evaluate = api::outcome_evaluator();
  const auto req = boxcar_cheek(8);
  planner::Candidate shallow, deep;
  shallow.needle_length_mm = 0.5;
  deep.needle_length_mm = 1.5;
  const auto a = evaluate(req, shallow, planner::Cohort::virtual_patients);
  const auto b = evaluate(req, deep, planner::Cohort::virtual_patients);
  ASSERT_TRUE(a.feasible);
  ASSERT_TRUE(b.feasible);
  EXPECT_EQ(a.scale, "goodman_baron_quantitative");
  EXPECT_GT(b.improvement_pct.median, a.improvement_pct.median);
  EXPECT_GT(a.improvement_pct.median, 0.0);
  EXPECT_GT(b.downtime_days, a.downtime_days);
  EXPECT_LE(b.improvement_pct.p05, b.improvement_pct.median);
  EXPECT_GE(b.improvement_pct.p95, b.improvement_pct.median);
  EXPECT_GT(a.minutes_per_session, 0.5);
  EXPECT_FALSE(a.timeline.empty());
  EXPECT_GE(a.responder_fraction, 0.0);
}

// The search's evaluation is the nominal person alone: one value (no interval), the same
// downtime, PIH and needling time as the cohort evaluation, and a median inside the cohort's
// 90 % interval.
TEST(PlanApi, NominalEvaluationIsThePersonWithoutTheCohort) {
  const auto evaluate = api::outcome_evaluator();
  const auto req = boxcar_cheek(40);
  planner::Candidate c;
  c.needle_length_mm = 1.25;
  const auto nominal = evaluate(req, c, planner::Cohort::nominal);
  const auto cohort = evaluate(req, c, planner::Cohort::virtual_patients);
  ASSERT_TRUE(nominal.feasible);
  EXPECT_GT(nominal.improvement_pct.median, 0.0);
  EXPECT_DOUBLE_EQ(nominal.improvement_pct.p05, nominal.improvement_pct.median);
  EXPECT_DOUBLE_EQ(nominal.improvement_pct.p95, nominal.improvement_pct.median);
  EXPECT_LT(nominal.responder_fraction, 0.0);
  EXPECT_DOUBLE_EQ(nominal.downtime_days, cohort.downtime_days);
  EXPECT_DOUBLE_EQ(nominal.pih_probability, cohort.pih_probability);
  EXPECT_DOUBLE_EQ(nominal.minutes_per_session, cohort.minutes_per_session);
  EXPECT_GE(nominal.improvement_pct.median, cohort.improvement_pct.p05);
  EXPECT_LE(nominal.improvement_pct.median, cohort.improvement_pct.p95);
  EXPECT_LT(cohort.improvement_pct.p05, cohort.improvement_pct.p95);
}

}  // namespace
}  // namespace nw
