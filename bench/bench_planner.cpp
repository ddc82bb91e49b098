// Planner speed (issue 6, point 4): a plan for a patient with two treated areas
// (examples/scenarios/05_plan_two_areas.toml: cheek acne scars 30 cm2 and forehead wrinkles
// 40 cm2) on 1 and 2 threads, through the real api::plan path (scenario loading, screening,
// search, standard protocols, plan.json written).
//
// The evaluator here is NOT the outcome model (not merged yet): it runs the channel stage's fast
// path for each candidate (mean channel in this patient's skin at the site, expected density and
// treatment time of the device) and turns it into a PLACEHOLDER score that only gives the search
// a smooth, constrained landscape of realistic cost. Its numbers are never a prediction and never
// leave this benchmark. The figure to read is the search's own cost and its number of evaluator
// calls; with the real evaluator, time ~ calls x (time per outcome evaluation) / threads.

#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "needlework/api/api.hpp"
#include "needlework/device/kinematics.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/mechanics/insertion.hpp"

namespace {

using namespace nw;

planner::Evaluation placeholder_score_not_a_prediction(const planner::AreaRequest& r, const planner::Candidate& c) {
  auto d = r.device;
  d.needle_length = c.needle_length_mm * core::units::mm;
  const auto skin = io::bundled_sites().skin_at(
      r.treatment.site, r.patient.sex == clinical::Sex::male ? skin::Sex::male : skin::Sex::female, r.patient.age);
  const auto ch = mechanics::mean_channel(skin, d);
  const double per_cm2 = device::expected_density_per_cm2_per_pass(d) * c.passes;
  const double minutes = device::expected_duration(d, r.treatment.area, c.passes).in(core::units::min);
  // Placeholder landscape: saturating in wound dose per session and in sessions, with a cost
  // for short intervals; downtime with bleeding and dose; PIH with depth.
  const double dose = ch.damaged_volume_nl * per_cm2 * 1e-3;  // uL per cm2 per session
  const double per_session = 1 - std::exp(-dose / 50.0);
  const double recovery = 1 - std::exp(-c.interval_weeks / 2.0);
  const double m = 60 * (1 - std::exp(-0.6 * c.sessions * per_session * recovery)) + (c.topical.active.empty() ? 0 : 2);
  planner::Evaluation e;
  e.improvement_pct = {m, 0.5 * m, 1.5 * m};
  e.scale = "placeholder";
  e.baseline = 1;
  e.at_follow_up = {1 - m / 100, 1 - 1.5 * m / 100, 1 - 0.5 * m / 100};
  e.downtime_days = 0.5 + 1.0 * ch.bleeding_probability + 0.01 * dose;
  e.pih_probability = 0.01 * r.patient.fitzpatrick * c.needle_length_mm;
  e.minutes_per_session = minutes;
  return e;
}

// The same with about 1 ms of arithmetic added to every evaluation, standing in for an outcome
// model that costs milliseconds per call: shows how the search's parallel choices scale when the
// evaluator dominates.
planner::Evaluation placeholder_with_1ms_of_work(const planner::AreaRequest& r, const planner::Candidate& c) {
  auto e = placeholder_score_not_a_prediction(r, c);
  const auto t0 = std::chrono::steady_clock::now();
  double x = c.needle_length_mm;
  while (std::chrono::steady_clock::now() - t0 < std::chrono::microseconds(1000)) {
    for (int i = 0; i < 1000; ++i) x = std::sqrt(x + 1.0);
  }
  benchmark::DoNotOptimize(x);
  return e;
}

void run_plan(benchmark::State& state, const planner::Evaluator& evaluator) {
  const int threads = static_cast<int>(state.range(0));
  omp_set_num_threads(threads);
  const auto file = std::filesystem::path(NW_SOURCE_DIR) / "examples/scenarios/05_plan_two_areas.toml";
  const auto out = std::filesystem::temp_directory_path() / "nw_bench_plan";
  core::NullSink log;
  planner::SearchOptions options;
  options.seed = 21;
  options.threads = threads;
  std::size_t evaluations = 0;
  for (auto _ : state) {
    const auto run = api::plan(file, out, core::Date::from_ymd(2027, 1, 1), log, evaluator, &options);
    evaluations = run.plan.evaluations;
    benchmark::DoNotOptimize(run.json.data());
  }
  state.counters["evaluations"] = static_cast<double>(evaluations);
  state.counters["s_per_evaluation"] =
      benchmark::Counter(static_cast<double>(evaluations) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_PlanTwoAreas(benchmark::State& state) { run_plan(state, placeholder_score_not_a_prediction); }
void BM_PlanTwoAreas_1msEvaluator(benchmark::State& state) { run_plan(state, placeholder_with_1ms_of_work); }

BENCHMARK(BM_PlanTwoAreas)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PlanTwoAreas_1msEvaluator)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
