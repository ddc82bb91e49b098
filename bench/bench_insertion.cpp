// Insertion stage benchmarks (issue 3): puncture generation plus insertion for a full face
// (400 cm2, 5 passes of the default pen on a 35 yr female cheek), target under 1 s on 2 cores.
// Every figure is a counter measured in the same run; docs/performance.md records them.
//
//   build/bench/bench/nw_bench_insertion --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//
// Times and rates are wall clock (UseRealTime): the stages run OpenMP parallel regions. The CPU
// column is the whole process's (MeasureProcessCPUTime), so CPU / wall shows how busy the second
// core was. Args named "threads" are OpenMP thread counts.

#include <benchmark/benchmark.h>
#include <omp.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "needlework/core/config.hpp"
#include "needlework/core/log.hpp"
#include "needlework/course/simulation.hpp"
#include "needlework/device/device.hpp"
#include "needlework/device/kinematics.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/scenario.hpp"
#include "needlework/io/simulation_out.hpp"
#include "needlework/mechanics/insertion.hpp"
#include "needlework/skin/channels.hpp"
#include "needlework/skin/skin.hpp"

namespace {

using namespace nw;

constexpr std::uint64_t kSeed = 7;     // as examples/patients/01_clear_candidate.toml
constexpr std::uint64_t kSession = 1;  // course::Simulation's session of area 0, session 1
const core::Area kFullFace = 400.0 * core::units::cm2;
constexpr int kPenPasses = 5;
constexpr int kRollerPasses = 15;

// A device exactly as a scenario's [device] table would give it: the raw table is validated
// against the catalogue's schema (defaults filled) and resolved by device_from, as io does.
device::Device device_of(const std::vector<std::pair<std::string, std::string>>& keys) {
  const auto& catalogue = io::bundled_devices();
  core::ConfigTable raw;
  for (const auto& [k, v] : keys) raw.set(k, core::ConfigValue(v));
  std::vector<core::Diagnostic> diags;
  const auto validated = core::validate(raw, *device::device_spec(catalogue), diags, "device");
  auto d = device::device_from(validated, catalogue, diags);
  for (const auto& x : diags) {
    if (x.severity == core::Severity::error) throw std::runtime_error(core::format_diagnostic(x));
  }
  return d;
}

struct Inputs {
  device::Device pen = device_of({{"kind", "pen"}});  // generic pen, its default cartridge, 1.5 mm
  device::Device roller = device_of({{"kind", "roller"}, {"model", "192"}, {"needle_length", "1.5 mm"}});
  skin::Skin cheek = io::bundled_sites().skin_at("cheek", skin::Sex::female, 35.0 * core::units::yr);
};

const Inputs& inputs() {
  static const Inputs in;
  return in;
}

// Restores the thread count the process started with, so one benchmark's setting cannot leak
// into the next.
class Threads {
 public:
  explicit Threads(int n) : before_(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~Threads() { omp_set_num_threads(before_); }
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;

 private:
  int before_;
};

template <typename T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

bool same_bits(const skin::ChannelSet& a, const skin::ChannelSet& b) {
  return same_bits(a.x_mm, b.x_mm) && same_bits(a.y_mm, b.y_mm) && same_bits(a.pass, b.pass) &&
         same_bits(a.depth_max_um, b.depth_max_um) && same_bits(a.depth_um, b.depth_um) &&
         same_bits(a.surface_radius_um, b.surface_radius_um) && same_bits(a.tilt_deg, b.tilt_deg) &&
         same_bits(a.slit_um, b.slit_um) && same_bits(a.damaged_volume_nl, b.damaged_volume_nl) &&
         same_bits(a.bled, b.bled);
}

// Punctures (per iteration), punctures per second, and time per puncture (wall clock).
void count_punctures(benchmark::State& state, std::size_t n, const device::Device& d, int passes) {
  const auto per_iteration = static_cast<double>(n);
  state.counters["punctures"] = per_iteration;
  state.counters["punct_per_s"] = benchmark::Counter(per_iteration, benchmark::Counter::kIsIterationInvariantRate);
  // Inverted rate: seconds per puncture, which the console prints with an SI prefix ("84.1ns").
  state.counters["time_per_punct"] =
      benchmark::Counter(per_iteration, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  // Generated over expected (closed form): shows the field is the one the model describes.
  const double expected = device::expected_density_per_cm2_per_pass(d) * passes * kFullFace.in(core::units::cm2);
  state.counters["n_over_expected"] = per_iteration / expected;
  state.counters["threads"] = omp_get_max_threads();
}

void full_face(benchmark::State& state, const device::Device& d, int passes) {
  const Threads threads(static_cast<int>(state.range(0)));
  const auto& skin = inputs().cheek;
  std::size_t n = 0;
  for (auto _ : state) {
    const auto field = device::generate_punctures(d, kFullFace, passes, kSeed, kSession);
    auto channels = mechanics::insert(field, skin, d, kSeed, kSession);
    n = channels.size();
    benchmark::DoNotOptimize(channels.depth_um.data());
    benchmark::ClobberMemory();
  }
  count_punctures(state, n, d, passes);
}

// 1. The headline: generation plus insertion of a full face with the default pen.
void BM_FullFace(benchmark::State& state) { full_face(state, inputs().pen, kPenPasses); }

// 2. The two halves separately.
void BM_FullFace_Generate(benchmark::State& state) {
  const Threads threads(static_cast<int>(state.range(0)));
  const auto& d = inputs().pen;
  std::size_t n = 0;
  for (auto _ : state) {
    auto field = device::generate_punctures(d, kFullFace, kPenPasses, kSeed, kSession);
    n = field.size();
    benchmark::DoNotOptimize(field.x_mm.data());
    benchmark::ClobberMemory();
  }
  count_punctures(state, n, d, kPenPasses);
}

void BM_FullFace_Insert(benchmark::State& state) {
  const Threads threads(static_cast<int>(state.range(0)));
  const auto& d = inputs().pen;
  const auto field = device::generate_punctures(d, kFullFace, kPenPasses, kSeed, kSession);
  for (auto _ : state) {
    auto channels = mechanics::insert(field, inputs().cheek, d, kSeed, kSession);
    benchmark::DoNotOptimize(channels.depth_um.data());
    benchmark::ClobberMemory();
  }
  count_punctures(state, field.size(), d, kPenPasses);
}

// 3. Thread scaling: each iteration runs the full face on 1 thread, then on 2, timing both with
// the same clock; the speed-up is the ratio of the summed times. The 2-thread channels must be
// bitwise those of 1 thread (random draws are keyed by address, not by visiting order).
void BM_FullFace_ThreadScaling(benchmark::State& state) {
  const auto& d = inputs().pen;
  const auto& skin = inputs().cheek;
  const auto run = [&](int n_threads, double& seconds) {
    const Threads threads(n_threads);
    const auto t0 = std::chrono::steady_clock::now();
    const auto field = device::generate_punctures(d, kFullFace, kPenPasses, kSeed, kSession);
    auto channels = mechanics::insert(field, skin, d, kSeed, kSession);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return channels;
  };
  double t1 = 0, t2 = 0;
  std::size_t n = 0;
  for (auto _ : state) {
    const double before = t1 + t2;
    const auto one = run(1, t1);
    const auto two = run(2, t2);
    state.SetIterationTime(t1 + t2 - before);  // the comparison below is not part of the time
    if (!same_bits(one, two)) {
      state.SkipWithError("channels on 2 threads differ from those on 1 thread");
      return;
    }
    n = one.size();
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["punctures"] = static_cast<double>(n);
  state.counters["s_1thread"] = t1 / iterations;
  state.counters["s_2threads"] = t2 / iterations;
  state.counters["speedup"] = t1 / t2;
  state.counters["bitwise_equal"] = 1;  // reached only when every iteration compared equal
}

// 4. Nearest-neighbour spacing of the full-face field (part of simulate's channel statistics).
void BM_FullFace_NearestNeighbourSpacing(benchmark::State& state) {
  const Threads threads(static_cast<int>(state.range(0)));
  const auto& d = inputs().pen;
  const auto field = device::generate_punctures(d, kFullFace, kPenPasses, kSeed, kSession);
  device::SpacingStats s;
  for (auto _ : state) {
    s = device::nearest_neighbour_spacing(field);
    benchmark::DoNotOptimize(s);
  }
  count_punctures(state, field.size(), d, kPenPasses);
  state.counters["nn_median_um"] = s.median_um;
}

// 5. For comparison: a 192-needle 1.5 mm roller, 15 passes over the same area.
void BM_FullFace_Roller(benchmark::State& state) { full_face(state, inputs().roller, kRollerPasses); }

// 6. Context for the end-to-end `needlework simulate` time: everything the course computes for
// the full face (generation, insertion, channel statistics with nearest-neighbour spacing and
// coverage), then the channels.csv text it writes, on the default thread count.
course::CourseInputs full_face_course() {
  course::CourseInputs in;
  in.seed = kSeed;
  in.sex = skin::Sex::female;
  in.age = 35.0 * core::units::yr;
  in.device = inputs().pen;
  course::TreatmentArea area;
  area.site = "cheek";
  area.concern = "acne_scars";  // as the CLI scenario of docs/performance.md
  area.scar_type = "rolling";
  area.area = kFullFace;
  area.passes = kPenPasses;
  in.areas = {area};
  return in;
}

void BM_FullFace_Simulate(benchmark::State& state) {
  const auto data = io::bundled_data();
  const course::Simulation simulation(full_face_course(), data.sites, data.lesions, data.tissue);
  core::NullSink log;
  std::size_t n = 0;
  for (auto _ : state) {
    auto result = simulation.run(log);
    n = result.pooled.channels;
    benchmark::DoNotOptimize(result.pooled.spacing.median_um);
  }
  count_punctures(state, n, inputs().pen, kPenPasses);
}

void BM_FullFace_ChannelsCsv(benchmark::State& state) {
  const auto data = io::bundled_data();
  core::NullSink log;
  const auto result = course::Simulation(full_face_course(), data.sites, data.lesions, data.tissue).run(log);
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto csv = io::channels_csv(result);
    bytes = csv.size();
    benchmark::DoNotOptimize(csv.data());
  }
  count_punctures(state, result.pooled.channels, inputs().pen, kPenPasses);
  state.counters["csv_bytes"] = static_cast<double>(bytes);
}

BENCHMARK(BM_FullFace)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FullFace_Generate)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FullFace_Insert)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FullFace_ThreadScaling)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FullFace_NearestNeighbourSpacing)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FullFace_Roller)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK(BM_FullFace_Simulate)->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FullFace_ChannelsCsv)->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
