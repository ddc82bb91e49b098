// Planner speed (issue 6, point 4): a plan for a patient with two treated areas
// (examples/scenarios/05_plan_two_areas.toml: cheek rolling acne scars 30 cm2 and forehead
// wrinkles 40 cm2) on 1 and 2 threads, through the real api::plan path (scenario loading,
// screening, search on the nominal person, finalists and standard protocols with the scenario's
// virtual patients, plan.json and plan.html written) with the real outcome evaluator (the course
// simulation). Counters: evaluator calls in all, and those with the virtual patients.

#include <benchmark/benchmark.h>
#include <omp.h>

#include <filesystem>

#include "needlework/api/api.hpp"

namespace {

using namespace nw;

void BM_PlanTwoAreas(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  omp_set_num_threads(threads);
  const auto file = std::filesystem::path(NW_SOURCE_DIR) / "examples/scenarios/05_plan_two_areas.toml";
  const auto out = std::filesystem::temp_directory_path() / "nw_bench_plan";
  core::NullSink log;
  planner::SearchOptions options;
  options.seed = 21;
  options.threads = threads;
  std::size_t evaluations = 0, cohort_evaluations = 0;
  for (auto _ : state) {
    // A fresh evaluator each time: its cache of channels and transport is part of the cost.
    const auto run = api::plan(file, out, core::Date::from_ymd(2027, 1, 1), log, api::outcome_evaluator(), &options);
    evaluations = run.plan.evaluations;
    cohort_evaluations = 0;
    for (const auto& a : run.plan.areas) cohort_evaluations += a.result.cohort_evaluations + a.compared.size();
    benchmark::DoNotOptimize(run.json.data());
  }
  state.counters["evaluations"] = static_cast<double>(evaluations);
  state.counters["with_cohort"] = static_cast<double>(cohort_evaluations);
}

BENCHMARK(BM_PlanTwoAreas)->Arg(1)->Arg(2)->Iterations(1)->Repetitions(2)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
