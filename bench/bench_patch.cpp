// Transport geometry D benchmark (issue 4 point 7): one hour of vitamin C uptake after a 1.5 mm
// pen session (4 passes, seed 7, session 1) on a 1 cm2 patch of cheek (female, 35 yr) with its
// real channels (TransportOptions::patch(): 100 x 100 cells of 100 um), the default dose (15 %
// w/v, 10 uL/cm2); target under 30 s on 2 threads. Also the fast axisymmetric cell B on the same
// problem (target under 10 ms) and the rasterisation of the channels alone. Counters: delivered
// amounts [ug/cm2], their relative difference, cells, steps, linear iterations.
//
//   build/release/bench/nw_bench_patch                                  # everything (about 1-2 min idle)
//   build/release/bench/nw_bench_patch --benchmark_filter='Patch/threads:2'
//
// Times are wall clock (UseRealTime); "CPU" is the CPU time of the whole process (all threads);
// "threads" is the OpenMP thread count.

#include <benchmark/benchmark.h>
#include <omp.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "needlework/device/kinematics.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/scenario.hpp"
#include "needlework/io/toml_reader.hpp"
#include "needlework/mechanics/insertion.hpp"
#include "needlework/transport/transport.hpp"

namespace {

using namespace nw;

constexpr std::uint64_t kSeed = 7;
constexpr std::uint64_t kSession = 1;
constexpr int kPasses = 4;

device::Device pen() {
  const auto& catalogue = io::bundled_devices();
  core::ConfigTable raw;
  raw.set("kind", core::ConfigValue(std::string("pen")));
  raw.set("needle_length", core::ConfigValue(std::string("1.5 mm")));
  std::vector<core::Diagnostic> diags;
  const auto validated = core::validate(raw, *device::device_spec(catalogue), diags, "device");
  auto d = device::device_from(validated, catalogue, diags);
  for (const auto& x : diags) {
    if (x.severity == core::Severity::error) throw std::runtime_error(core::format_diagnostic(x));
  }
  return d;
}

transport::Dose default_dose() {
  const auto spec = io::scenario_spec(io::bundled_data());
  const auto raw = io::read_toml_text("active = \"vitamin_c\"\n", "topical.toml");
  std::vector<core::Diagnostic> d;
  const auto v = core::validate(raw, *spec->find("topical")->table, d, "topical");
  if (core::has_errors(d)) throw core::Error(d);
  return transport::dose_from_topical(v);
}

struct Problem {
  transport::TransportInputs in;
  Problem() {
    const auto skin = io::bundled_sites().skin_at("cheek", skin::Sex::female, 35.0 * core::units::yr);
    const auto dev = pen();
    const auto field = device::generate_punctures(dev, 1.0 * core::units::cm2, kPasses, kSeed, kSession);
    const auto channels = mechanics::insert(field, skin, dev, kSeed, kSession);
    auto patch = transport::channel_patch(channels, dev.needle, skin);
    const double rho = patch.density_per_cm2();
    in.active = transport::active_from_record(*io::bundled_actives().find("vitamin_c"), io::bundled_tissue());
    in.skin = skin;
    in.channel = transport::channel_geometry(mechanics::mean_channel(skin, dev), dev.needle, skin, rho);
    in.patch = std::move(patch);
    in.dose = default_dose();
    in.duration = 1.0 * core::units::h;
  }
};

const Problem& problem() {
  static const Problem p;
  return p;
}

class Threads {
 public:
  explicit Threads(int n) : before_(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~Threads() { omp_set_num_threads(before_); }
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;

 private:
  int before_;
};

double delivered_ug_per_cm2(const transport::TransportResult& r) {
  return r.samples.back().amounts.delivered().in(core::units::ug_per_cm2);
}

transport::TransportOptions without_reference(transport::TransportOptions o) {
  o.reference_intact = false;
  return o;
}

// The patch: 1 hour of vitamin C on 1 cm2 with the real channels, against the fast cell.
void BM_Patch(benchmark::State& state) {
  const auto& p = problem();
  const Threads threads(static_cast<int>(state.range(0)));
  const auto fast =
      transport::simulate_transport(p.in, io::bundled_tissue(), without_reference(transport::TransportOptions::fast()));
  transport::TransportResult r;
  for (auto _ : state) {
    r = transport::simulate_transport(p.in, io::bundled_tissue(),
                                      without_reference(transport::TransportOptions::patch()));
    benchmark::DoNotOptimize(r);
  }
  state.counters["channels"] = static_cast<double>(p.in.patch->size());
  state.counters["cells"] = static_cast<double>(r.stats.cells);
  state.counters["steps"] = static_cast<double>(r.stats.steps);
  state.counters["iterations"] = static_cast<double>(r.stats.linear_iterations);
  state.counters["delivered_patch"] = delivered_ug_per_cm2(r);
  state.counters["delivered_fast"] = delivered_ug_per_cm2(fast);
  state.counters["patch_vs_fast"] = delivered_ug_per_cm2(r) / delivered_ug_per_cm2(fast) - 1;
  state.counters["residual"] = r.mass_balance_residual;
}

// The fast axisymmetric cell on the same problem (the channel density of the patch).
void BM_FastCell(benchmark::State& state) {
  const auto& p = problem();
  transport::TransportResult r;
  for (auto _ : state) {
    r = transport::simulate_transport(p.in, io::bundled_tissue(),
                                      without_reference(transport::TransportOptions::fast()));
    benchmark::DoNotOptimize(r);
  }
  state.counters["cells"] = static_cast<double>(r.stats.cells);
  state.counters["steps"] = static_cast<double>(r.stats.steps);
  state.counters["delivered_fast"] = delivered_ug_per_cm2(r);
}

// The rasterisation alone: mouth area and lumen volume of the 1 cm2 patch on 100 x 100 columns,
// 40 lumen layers over the open depth.
void BM_Rasterise(benchmark::State& state) {
  const auto& p = problem();
  const Threads threads(static_cast<int>(state.range(0)));
  std::vector<double> faces;
  for (int k = 0; k <= 40; ++k) faces.push_back(1.4e-3 * k / 40.0);
  transport::PatchCoverage c;
  for (auto _ : state) {
    c = transport::patch_coverage(*p.in.patch, 100, faces, io::bundled_tissue().channel.damage_rim);
    benchmark::DoNotOptimize(c);
  }
  state.counters["mouth_fraction"] = c.mouth_area.si() / (p.in.patch->side.si() * p.in.patch->side.si());
  state.counters["lumen_um_per_area"] = c.lumen_volume.si() / (p.in.patch->side.si() * p.in.patch->side.si()) * 1e6;
}

}  // namespace

BENCHMARK(BM_Patch)->Arg(1)->Arg(2)->ArgName("threads")->Iterations(1)->MeasureProcessCPUTime()->UseRealTime()->Unit(
    benchmark::kSecond);
BENCHMARK(BM_FastCell)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Rasterise)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
