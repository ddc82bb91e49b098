// Transport numerics benchmarks (issue 4): the finite-volume operator and the z-line smoother
// against a STREAM-like triad, multigrid iterations from 64^3 to 256^3 at a 1e4 contrast, time to
// the same accuracy as FEniCS and SciPy on one layered problem, and 1 versus 2 threads. Every ratio
// is printed by the benchmark that measures both of its sides, in the same run;
// docs/performance.md records them.
//
//   tools/bench.sh                          # build, 3 full runs (about 6 min each), summary of the ratios
//   build/bench/bench/nw_bench_transport                                   # everything, one run
//   build/bench/bench/nw_bench_transport --benchmark_filter='Triad|Apply|Residual|Smoother'
//
// Times are wall clock (UseRealTime); args named "threads" are OpenMP thread counts. Bandwidths
// count the bytes a kernel must move at least (every array it reads or writes once per call,
// 8 bytes per double, no write-allocate traffic), as STREAM counts its triad (24 bytes per
// element).
//
// The reference comparison (BM_VersusReference) runs the scripts in bench/reference/ with
// Debian's interpreter: /usr/bin/python3 (NW_BENCH_PYTHON overrides it), the scripts from the
// source tree next to this file (NW_BENCH_REFERENCE_DIR overrides the folder); FEniCS on 2
// processes through `mpirun --allow-run-as-root -n 2` (NW_BENCH_MPIRUN replaces the part before
// "-n"). It needs python3-dolfin and python3-scipy (bench/reference/README.md) and reports an
// error otherwise. The scripts' output is echoed to stderr, prefixed "[reference]".

#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "needlework/numerics/diffusion.hpp"
#include "needlework/numerics/fv_grid.hpp"
#include "needlework/numerics/multigrid.hpp"
#include "needlework/numerics/stencil.hpp"

namespace nw::numerics {

// The smoother is a private member of MultigridSolver. The benchmark reaches it, and the finest
// level it runs on, through explicit template instantiation (which the language exempts from
// access checking), so it times the library's own smoother on the library's own hierarchy; no
// library code is changed for it.
struct SmootherTag {};
struct LevelsTag {};
auto steal(SmootherTag);
auto steal(LevelsTag);
template <class Tag, auto Member>
struct Thief {
  friend auto steal(Tag) { return Member; }
};
template struct Thief<SmootherTag, &MultigridSolver::smooth>;
template struct Thief<LevelsTag, &MultigridSolver::levels_>;

namespace {

constexpr double kPi = 3.141592653589793;
constexpr double kGB = 1e9;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Restores the thread count the process started with.
class Threads {
 public:
  explicit Threads(int n) : before_(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~Threads() { omp_set_num_threads(before_); }
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;

 private:
  int before_;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// ---------------------------------------------------------------------------------------------
// STREAM-like triad a = b + s c over three arrays of 2^24 doubles (128 MiB each, far beyond the
// 32 MiB L3), with the static OpenMP schedule the library's loops use. 24 bytes per element.
// Its loop is aligned to 64 bytes: see bench/CMakeLists.txt.

constexpr std::size_t kTriadN = std::size_t{1} << 24;

struct TriadArrays {
  std::vector<double> a = std::vector<double>(kTriadN, 0.0);
  std::vector<double> b = std::vector<double>(kTriadN, 1.0);
  std::vector<double> c = std::vector<double>(kTriadN, 2.0);
};

TriadArrays& triad_arrays() {
  static TriadArrays arrays;
  return arrays;
}

void triad_once(TriadArrays& t, double s) {
  const auto n = static_cast<std::int64_t>(kTriadN);
  double* a = t.a.data();
  const double* b = t.b.data();
  const double* c = t.c.data();
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
}

// Triad bandwidth [GB/s] on `threads` threads now: 2 warm-up calls, then the median rate of 15.
// The kernels measure it right before and right after their own loop: on this virtual machine
// the 2-thread triad moves between about 30 and 57 GB/s from one run to the next (the host's
// other load), while it is stable within seconds.
double triad_gbs(int threads) {
  const Threads t(threads);
  auto& arrays = triad_arrays();
  for (int r = 0; r < 2; ++r) triad_once(arrays, 3.0);
  std::vector<double> rates;
  for (int r = 0; r < 15; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    triad_once(arrays, 3.0);
    rates.push_back(24.0 * kTriadN / seconds_since(t0) / kGB);
  }
  benchmark::DoNotOptimize(arrays.a.data());
  return median(rates);
}

// ---------------------------------------------------------------------------------------------
// The skin-like periodic unit cell of tests/verification/test_diffusion_verification.cpp:
// stratum corneum, viable epidermis, dermis (200 um side, 1 mm deep, graded z), an open channel
// of radius 40 um to 300 um depth, D K contrast 1e4 between the stratum corneum and the rest,
// Dirichlet donor on top, Robin exchange at the bottom, a sink below 300 um. n x n x nz cells
// with nz about n (33, 59, 109, 210 for n = 32, 64, 128, 256).

struct UnitCell {
  std::size_t n;
  double contrast = 1e4;
  double side = 200e-6;
  FvGrid grid;
  std::vector<char> channel;

  explicit UnitCell(std::size_t n_xy, double contrast_ = 1e4)
      : n(n_xy),
        contrast(contrast_),
        grid(FvGrid::cartesian(
            n_xy, n_xy, side / static_cast<double>(n_xy), side / static_cast<double>(n_xy),
            graded_spacing(std::vector<LayerSpacing>{
                               {15e-6, 3.75e-6 * scale()}, {85e-6, 12.5e-6 * scale()}, {900e-6, 62.5e-6 * scale()}})
                .dz_m)) {
    channel.assign(grid.cells(), 0);
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t i = 0; i < n; ++i) {
        const double x = grid.x_center_m(i) - side / 2, y = grid.y_center_m(j) - side / 2;
        for (std::size_t k = 0; k < grid.nz(); ++k) {
          channel[grid.index(i, j, k)] = (x * x + y * y < 40e-6 * 40e-6 && grid.z_center_m(k) < 300e-6) ? 1 : 0;
        }
      }
    }
  }
  double scale() const { return 32.0 / static_cast<double>(n); }

  DiffusionCoefficients coefficients() const {
    auto c = DiffusionCoefficients::uniform(grid, 1e-10, 1.0);
    c.sink_per_s.assign(grid.cells(), 0.0);
    for (std::size_t p = 0; p < grid.cells(); ++p) {
      const double z = grid.z_center_m(p % grid.nz());
      if (z < 15e-6) {
        c.partition[p] = 10.0;
        c.diffusivity_m2_per_s[p] = 1e-10 / (10.0 * contrast);
      }
      if (z > 300e-6) c.sink_per_s[p] = 1e-4;
      if (channel[p]) {
        c.partition[p] = 1.0;
        c.diffusivity_m2_per_s[p] = 5e-10;
      }
    }
    for (BoxFace f : {BoxFace::x_min, BoxFace::x_max, BoxFace::y_min, BoxFace::y_max}) {
      c.boundary[static_cast<std::size_t>(f)].kind = BoundaryKind::periodic;
    }
    c.boundary[static_cast<std::size_t>(BoxFace::z_min)] = {BoundaryKind::dirichlet, 1.0, 0, {}, {}};
    c.boundary[static_cast<std::size_t>(BoxFace::z_max)] = {BoundaryKind::robin, 0.0, 1e-7, {}, {}};
    return c;
  }

  // The assembled operator, and its stationary (sigma = 0) or backward-Euler (sigma = 1 / dt)
  // system matrix.
  DiffusionOperator op() const {
    DiffusionOperator o(grid);
    o.assemble(coefficients());
    return o;
  }
};

// ---------------------------------------------------------------------------------------------
// The layered problem of the reference comparison (the same as bench/reference/scipy_layered.py,
// which documents it): -div(D K grad U) + k K U = 0 in 0.5 x 0.5 x 1 mm, three layers with a D K
// contrast of 1e4, U = 1 + 0.5 cos(pi x / L) cos(pi y / L) on top, U = 0 at the bottom, zero flux
// on the sides; exact solution U = f0(z) + 0.5 cos cos f1(z).

struct Layer {
  double thickness, d, k, sink;
};
constexpr double kSideXY = 0.5e-3;
constexpr std::array<Layer, 3> kLayers{
    {{15e-6, 1e-15, 10.0, 0.0}, {85e-6, 1e-10, 1.0, 0.0}, {900e-6, 2e-10, 0.5, 1e-3}}};
constexpr double kViableFrom = 15e-6;

std::size_t layer_of(double z) {
  double top = 0;
  for (std::size_t l = 0; l < kLayers.size(); ++l) {
    top += kLayers[l].thickness;
    if (z < top) return l;
  }
  return kLayers.size() - 1;
}

// f with f(0) = 1, f(H) = 0, f'' = mu^2 f per layer, f and D K f' continuous: (f, f', mu) at the
// top of every layer.
struct Profile {
  std::array<std::array<double, 3>, 3> top{};

  explicit Profile(double k_lateral2) {
    const auto shoot = [&](double f, double g, bool store) {
      for (std::size_t l = 0; l < kLayers.size(); ++l) {
        const auto& ly = kLayers[l];
        const double mu = std::sqrt(k_lateral2 + ly.sink / ly.d), dk = ly.d * ly.k;
        double fp = g / dk;
        if (store) top[l] = {f, fp, mu};
        const double c = std::cosh(mu * ly.thickness);
        const double s_over_mu = mu > 0 ? std::sinh(mu * ly.thickness) / mu : ly.thickness;
        const double mu_s = mu * std::sinh(mu * ly.thickness);
        std::tie(f, fp) = std::make_tuple(f * c + fp * s_over_mu, f * mu_s + fp * c);
        g = dk * fp;
      }
      return f;
    };
    const double fa = shoot(1.0, 0.0, false), fb = shoot(0.0, 1.0, false);
    shoot(1.0, -fa / fb, true);
  }

  double operator()(double z) const {
    const std::size_t l = layer_of(z);
    double z_top = 0;
    for (std::size_t m = 0; m < l; ++m) z_top += kLayers[m].thickness;
    const auto [f, fp, mu] = top[l];
    const double dz = z - z_top;
    return mu > 0 ? f * std::cosh(mu * dz) + fp * std::sinh(mu * dz) / mu : f + fp * dz;
  }
};

double exact_layered(double x, double y, double z) {
  static const Profile f0(0.0), f1(2.0 * (kPi / kSideXY) * (kPi / kSideXY));
  return f0(z) + 0.5 * std::cos(kPi * x / kSideXY) * std::cos(kPi * y / kSideXY) * f1(z);
}

// n x n x n cells: n/16, n/4 and the rest of the z cells in the three layers, uniform in each.
FvGrid layered_grid(std::size_t n) {
  const std::array<std::size_t, 3> cells{n / 16, n / 4, n - n / 16 - n / 4};
  std::vector<double> faces{0.0};
  double top = 0;
  for (std::size_t l = 0; l < 3; ++l) {
    for (std::size_t c = 1; c <= cells[l]; ++c) {
      faces.push_back(top + kLayers[l].thickness * static_cast<double>(c) / static_cast<double>(cells[l]));
    }
    top += kLayers[l].thickness;
  }
  std::vector<double> dz;
  for (std::size_t k = 0; k + 1 < faces.size(); ++k) dz.push_back(faces[k + 1] - faces[k]);
  const double h = kSideXY / static_cast<double>(n);
  return FvGrid::cartesian(n, n, h, h, dz);
}

DiffusionCoefficients layered_coefficients(const FvGrid& g) {
  auto c = DiffusionCoefficients::uniform(g, 1.0, 1.0);
  c.sink_per_s.assign(g.cells(), 0.0);
  for (std::size_t p = 0; p < g.cells(); ++p) {
    const auto& ly = kLayers[layer_of(g.z_center_m(p % g.nz()))];
    c.diffusivity_m2_per_s[p] = ly.d;
    c.partition[p] = ly.k;
    c.sink_per_s[p] = ly.sink;
  }
  auto& top = c.boundary[static_cast<std::size_t>(BoxFace::z_min)];
  top.kind = BoundaryKind::dirichlet_potential;
  top.values.resize(g.face_cells(BoxFace::z_min));
  for (std::size_t e = 0; e < top.values.size(); ++e) {  // z faces: e = i + nx j
    const double x = g.x_center_m(e % g.nx()), y = g.y_center_m(e / g.nx());
    top.values[e] = 1.0 + 0.5 * std::cos(kPi * x / kSideXY) * std::cos(kPi * y / kSideXY);
  }
  c.boundary[static_cast<std::size_t>(BoxFace::z_max)] = {BoundaryKind::dirichlet_potential, 0.0, 0, {}, {}};
  return c;
}

// Relative L2 error of U below the stratum corneum (cell centres, volume weights).
double layered_error(const FvGrid& g, std::span<const double> u) {
  double num = 0, den = 0;
  for (std::size_t j = 0; j < g.ny(); ++j) {
    for (std::size_t i = 0; i < g.nx(); ++i) {
      for (std::size_t k = 0; k < g.nz(); ++k) {
        const double z = g.z_center_m(k);
        if (z <= kViableFrom) continue;
        const double ex = exact_layered(g.x_center_m(i), g.y_center_m(j), z), v = g.volume_m3(i, k);
        const double e = u[g.index(i, j, k)] - ex;
        num += v * e * e;
        den += v * ex * ex;
      }
    }
  }
  return std::sqrt(num / den);
}

struct LayeredRun {
  double t_assemble = 0, t_setup = 0, t_solve = 0, error = 0, relative_residual = 0;
  int iterations = 0;
  std::vector<double> u;
  double total() const { return t_assemble + t_setup + t_solve; }
};

// The solver's default options; NW_BENCH_NATURAL_ORDER=1 in the environment stores every level
// in natural column order (SolverOptions::colour_split off), to compare the two in one build.
SolverOptions solver_options() {
  SolverOptions o;
  const char* natural = std::getenv("NW_BENCH_NATURAL_ORDER");
  o.colour_split = natural == nullptr || std::string(natural) != "1";
  return o;
}

// What a user of the library does for this problem: coefficients in, assemble, set up, solve.
LayeredRun solve_layered(const FvGrid& grid, const DiffusionCoefficients& coefficients) {
  LayeredRun r;
  auto t0 = std::chrono::steady_clock::now();
  DiffusionOperator op(grid);
  op.assemble(coefficients);
  StencilMatrix m = op.system_matrix(0.0);
  r.t_assemble = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  MultigridSolver solver(solver_options());
  solver.setup(std::move(m));
  r.t_setup = seconds_since(t0);
  r.u.assign(grid.cells(), 0.0);
  t0 = std::chrono::steady_clock::now();
  const auto rep = solver.solve(op.load(), r.u);
  r.t_solve = seconds_since(t0);
  r.iterations = rep.iterations;
  r.relative_residual = rep.relative_residual();
  return r;
}

// ---------------------------------------------------------------------------------------------
// Reference scripts.

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

std::string reference_dir() {
  return env_or("NW_BENCH_REFERENCE_DIR", (std::filesystem::path(__FILE__).parent_path() / "reference").string());
}

using Fields = std::map<std::string, std::string>;

// Runs a command, echoes its output to stderr (prefixed), and returns the key=value pairs of its
// last "RESULT " line (empty when there is none). Results are kept per command for the run.
Fields run_reference(const std::string& command) {
  static std::map<std::string, Fields> done;
  if (auto it = done.find(command); it != done.end()) return it->second;
  std::fprintf(stderr, "[reference] %s\n", command.c_str());
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command + " 2>&1").c_str(), "r"), pclose);
  Fields fields;
  if (!pipe) return fields;
  std::array<char, 4096> buf{};
  std::string line;
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe.get()) != nullptr) {
    line += buf.data();
    if (line.empty() || line.back() != '\n') continue;
    if (line.rfind("RESULT ", 0) == 0) {
      fields.clear();
      std::istringstream in(line.substr(7));
      std::string kv;
      while (in >> kv) {
        const auto eq = kv.find('=');
        if (eq != std::string::npos) fields[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
    } else if (line.find("JIT") == std::string::npos) {
      std::fprintf(stderr, "[reference]   %s", line.c_str());
    }
    line.clear();
  }
  done[command] = fields;
  return fields;
}

double field(const Fields& f, const std::string& key) {
  const auto it = f.find(key);
  return it == f.end() ? std::nan("") : std::stod(it->second);
}

// ---------------------------------------------------------------------------------------------
// (a) Bandwidth: triad, operator, residual, smoother.

void BM_Triad(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const Threads t(threads);
  auto& arrays = triad_arrays();
  for (auto _ : state) {
    triad_once(arrays, 3.0);
    benchmark::ClobberMemory();
  }
  state.counters["GB/s"] = benchmark::Counter(24.0 * kTriadN / kGB, benchmark::Counter::kIsIterationInvariantRate);
}

// Achieved GB/s from the bytes per call and the time of the timing loop, the triad's GB/s on the
// same thread count measured just before and just after that loop, and the fraction of the larger
// of the two.
void bandwidth_counters(benchmark::State& state, double bytes_per_call, std::size_t cells, double seconds,
                        double triad_before, int threads) {
  const double gbs = bytes_per_call * static_cast<double>(state.iterations()) / seconds / kGB;
  const double triad_after = triad_gbs(threads);
  state.counters["cells"] = static_cast<double>(cells);
  state.counters["B/cell"] = bytes_per_call / static_cast<double>(cells);
  state.counters["GB/s"] = gbs;
  state.counters["triad_before"] = triad_before;
  state.counters["triad_after"] = triad_after;
  state.counters["of_triad"] = gbs / std::max(triad_before, triad_after);
  state.counters["threads"] = threads;
}

const UnitCell& unit_cell(std::size_t n) {
  static std::map<std::size_t, std::unique_ptr<UnitCell>> cells;
  auto& p = cells[n];
  if (!p) p = std::make_unique<UnitCell>(n);
  return *p;
}

// out = M u: reads s, cx, cy, cz, u and writes out: 6 doubles per cell.
void BM_Apply(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const auto op = unit_cell(n).op();
  const StencilMatrix m = op.system_matrix(0.0);
  std::vector<double> u(m.size(), 1.0), out(m.size(), 0.0);
  for (std::size_t p = 0; p < u.size(); ++p) u[p] = 1.0 + 1e-3 * static_cast<double>(p % 97);
  const Threads t(threads);
  apply(m, u, out);
  const double triad_before = triad_gbs(threads);
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    apply(m, u, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  const double seconds = seconds_since(t0);
  const double bytes = 6.0 * 8.0 * static_cast<double>(m.size());
  bandwidth_counters(state, bytes, m.size(), seconds, triad_before, threads);
}

// r = b - M u (and the sum of r): reads s, cx, cy, cz, u, b and writes r: 7 doubles per cell.
void BM_Residual(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const auto op = unit_cell(n).op();
  const StencilMatrix m = op.system_matrix(0.0);
  std::vector<double> u(m.size(), 1.0), r(m.size(), 0.0);
  const std::vector<double> b(op.load().begin(), op.load().end());
  const Threads t(threads);
  residual(m, b, u, r);
  const double triad_before = triad_gbs(threads);
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    benchmark::DoNotOptimize(residual(m, b, u, r));
    benchmark::ClobberMemory();
  }
  const double seconds = seconds_since(t0);
  const double bytes = 7.0 * 8.0 * static_cast<double>(m.size());
  bandwidth_counters(state, bytes, m.size(), seconds, triad_before, threads);
}

// One sweep of the z-line Gauss-Seidel smoother on the finest level, both colours, from a
// non-zero guess: reads b, cx, cy, the line factors (cz and 1 / pivot, stored interleaved by
// groups of 8 lines), reads and writes x: 7 doubles per cell. This is the work of every sweep
// beyond the first pre- and post-sweep of a cycle; those two the solver fuses with the
// restriction and the prolongation (the pre-sweep starts from zero and skips the neighbours of
// its first colour). docs/performance.md gives their figures too.
void BM_Smoother(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const auto op = unit_cell(n).op();
  MultigridSolver solver(solver_options());
  solver.setup(op.system_matrix(0.0));
  const auto& finest = (solver.*steal(LevelsTag{})).front();
  const auto smooth = steal(SmootherTag{});
  const std::vector<double> b(op.load().begin(), op.load().end());
  std::vector<double> x(b.size(), 0.0);
  const Threads t(threads);
  (solver.*smooth)(finest, b, x, false, false);
  const double triad_before = triad_gbs(threads);
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    (solver.*smooth)(finest, b, x, false, false);
    benchmark::DoNotOptimize(x.data());
    benchmark::ClobberMemory();
  }
  const double seconds = seconds_since(t0);
  const double bytes = 7.0 * 8.0 * static_cast<double>(b.size());
  bandwidth_counters(state, bytes, b.size(), seconds, triad_before, threads);
}

// ---------------------------------------------------------------------------------------------
// (b) Iterations to a 1e-8 relative residual at 64^3, 128^3, 256^3 (unit cell, contrast 1e4),
// stationary (no capacity: the hardest case) and one backward-Euler step of 60 s; all in one
// benchmark so that the growth ratio is measured in one run.

void BM_IterationGrowth(benchmark::State& state) {
  const std::array<std::size_t, 3> sizes{64, 128, 256};
  for (auto _ : state) {
    for (std::size_t s = 0; s < sizes.size(); ++s) {
      const std::size_t n = sizes[s];
      const UnitCell cell(n);
      const auto op = cell.op();
      for (const double dt : {0.0, 60.0}) {
        const std::string tag = std::to_string(n) + (dt > 0 ? "_be" : "_st");
        auto t0 = std::chrono::steady_clock::now();
        MultigridSolver solver(solver_options());
        solver.setup(op.system_matrix(dt > 0 ? 1.0 / dt : 0.0));
        const double t_setup = seconds_since(t0);
        std::vector<double> u(cell.grid.cells(), 0.0);
        t0 = std::chrono::steady_clock::now();
        const auto rep = solver.solve(op.load(), u);
        const double t_solve = seconds_since(t0);
        state.counters["it" + tag] = rep.iterations;
        state.counters["s_solve" + tag] = t_solve;
        if (dt == 0) {
          state.counters["s_setup" + tag] = t_setup;
          state.counters["nz" + std::to_string(n)] = static_cast<double>(cell.grid.nz());
          state.counters["levels" + std::to_string(n)] = static_cast<double>(rep.levels);
          state.counters["relres" + tag] = rep.relative_residual();
        }
      }
    }
  }
  state.counters["growth_st"] = state.counters["it256_st"].value / state.counters["it64_st"].value;
  state.counters["growth_be"] = state.counters["it256_be"].value / state.counters["it64_be"].value;
  state.counters["threads"] = omp_get_max_threads();
}

// ---------------------------------------------------------------------------------------------
// (c) The layered problem: ours alone (errors and times per grid), then side by side with the
// reference scripts at grids of about the same error.

void BM_Layered(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const auto grid = layered_grid(n);
  const auto coefficients = layered_coefficients(grid);
  const Threads t(threads);
  LayeredRun run;
  std::vector<double> total, assemble, setup, solve;
  for (auto _ : state) {
    run = solve_layered(grid, coefficients);
    state.SetIterationTime(run.total());
    total.push_back(run.total());
    assemble.push_back(run.t_assemble);
    setup.push_back(run.t_setup);
    solve.push_back(run.t_solve);
  }
  state.counters["cells"] = static_cast<double>(grid.cells());
  state.counters["error"] = layered_error(grid, run.u);
  state.counters["iterations"] = run.iterations;
  state.counters["relres"] = run.relative_residual;
  state.counters["s_assemble"] = median(assemble);
  state.counters["s_setup"] = median(setup);
  state.counters["s_solve"] = median(solve);
  state.counters["s_total"] = median(total);
  state.counters["threads"] = threads;
}

// Args: our grid n, FEniCS grid n (chosen for about the same error: P1 nodal values are about
// 1.7 times as accurate as the finite-volume cell values at the same n), threads (FEniCS runs
// on as many MPI processes; SciPy is single-threaded and runs on our grid). FEniCS uses CG with
// BoomerAMG (the script's default settings), SciPy CG with Jacobi, its fastest option here (an
// ILU needs BiCGSTAB and costs more to build than CG-Jacobi takes to converge; SuperLU's fill is
// 140x at 32^3; Debian 12 has no pyamg). Times are medians: ours over the iterations, theirs over
// 3 runs in the script.
void BM_VersusReference(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto n_fenics = static_cast<std::size_t>(state.range(1));
  const int threads = static_cast<int>(state.range(2));
  const auto grid = layered_grid(n);
  const auto coefficients = layered_coefficients(grid);
  const std::string python = env_or("NW_BENCH_PYTHON", "/usr/bin/python3");
  const std::string dir = reference_dir();
  const std::string launcher =
      threads > 1 ? env_or("NW_BENCH_MPIRUN", "mpirun --allow-run-as-root") + " -n " + std::to_string(threads) + " "
                  : std::string();
  const auto fenics =
      run_reference(launcher + python + " " + dir + "/fenics_layered.py --repeat 3 --n " + std::to_string(n_fenics));
  const auto scipy =
      run_reference(python + " " + dir + "/scipy_layered.py --method cg-jacobi --repeat 3 --n " + std::to_string(n));
  if (fenics.empty() || scipy.empty()) {
    state.SkipWithError("a reference script gave no RESULT line (see its output above; bench/reference/README.md)");
    return;
  }
  const Threads t(threads);
  std::vector<double> total, solver_only;
  LayeredRun run;
  for (auto _ : state) {
    run = solve_layered(grid, coefficients);
    state.SetIterationTime(run.total());
    total.push_back(run.total());
    solver_only.push_back(run.t_setup + run.t_solve);
  }
  const double ours = median(total), ours_solver = median(solver_only);
  const double fenics_solver = field(fenics, "t_setup") + field(fenics, "t_solve");
  const double scipy_solver = field(scipy, "t_setup") + field(scipy, "t_solve");
  state.counters["err_ours"] = layered_error(grid, run.u);
  state.counters["err_fenics"] = field(fenics, "error");
  state.counters["err_scipy"] = field(scipy, "error");
  state.counters["s_ours"] = ours;
  state.counters["s_fenics"] = field(fenics, "t_total");
  state.counters["s_scipy"] = field(scipy, "t_total");
  state.counters["x_fenics"] = field(fenics, "t_total") / ours;
  state.counters["x_scipy"] = field(scipy, "t_total") / ours;
  // Setup and solve only (no assembly).
  state.counters["s_ours_solver"] = ours_solver;
  state.counters["s_fenics_solver"] = fenics_solver;
  state.counters["s_scipy_solver"] = scipy_solver;
  state.counters["x_fenics_solver"] = fenics_solver / ours_solver;
  state.counters["x_scipy_solver"] = scipy_solver / ours_solver;
  state.counters["it_ours"] = run.iterations;
  state.counters["it_fenics"] = field(fenics, "iterations");
  state.counters["it_scipy"] = field(scipy, "iterations");
  state.counters["threads"] = threads;
}

// ---------------------------------------------------------------------------------------------
// (d) 1 versus 2 threads: setup and solve (1e-8) on 1 thread, then on 2, timed with the same
// clock in every iteration (medians over the iterations); the solutions must be bitwise equal.
// Problem 0: the unit cell at n^2 x nz; problem 1: the layered problem at n^3.
// Right before each pair of solves the triad is measured on 1 and on 2 threads: on this
// virtual machine the second core's share of the memory bandwidth changes from second to second
// (the 2-thread triad 1.0-1.9 times the 1-thread one), and the speed-up of the memory-bound
// passes with it. Counters: the median triad ratio of the pairs, and the median speed-up over
// the pairs whose triad ratio was at least kFullBandwidth (the host gave the second core its
// bandwidth), with their number; the plain median over all pairs stays the verdict.
// kFullBandwidth is FULL_BANDWIDTH of bench/summarise_transport.py (keep them equal).
constexpr double kFullBandwidth = 1.6;

void BM_ThreadScaling(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const bool layered = state.range(1) == 1;
  const FvGrid grid = layered ? layered_grid(n) : unit_cell(n).grid;
  DiffusionOperator op(grid);
  op.assemble(layered ? layered_coefficients(grid) : unit_cell(n).coefficients());
  struct Times {
    std::vector<double> setup, solve, total;
  };
  const auto run = [&](int threads, Times& times, int& iterations) {
    const Threads t(threads);
    const auto t0 = std::chrono::steady_clock::now();
    MultigridSolver solver(solver_options());
    solver.setup(op.system_matrix(0.0));
    const double setup = seconds_since(t0);
    std::vector<double> u(grid.cells(), 0.0);
    const auto t1 = std::chrono::steady_clock::now();
    iterations = solver.solve(op.load(), u).iterations;
    const double solve = seconds_since(t1);
    times.setup.push_back(setup);
    times.solve.push_back(solve);
    times.total.push_back(setup + solve);
    return u;
  };
  Times one_thread, two_threads;
  std::vector<double> triad_ratio, speedup_full;
  int it1 = 0, it2 = 0;
  for (auto _ : state) {
    triad_ratio.push_back(triad_gbs(2) / triad_gbs(1));  // outside the manual time of the pair
    const auto one = run(1, one_thread, it1);
    const auto two = run(2, two_threads, it2);
    state.SetIterationTime(one_thread.total.back() + two_threads.total.back());
    if (triad_ratio.back() >= kFullBandwidth)
      speedup_full.push_back(one_thread.total.back() / two_threads.total.back());
    if (one.size() != two.size() || std::memcmp(one.data(), two.data(), one.size() * sizeof(double)) != 0 ||
        it1 != it2) {
      state.SkipWithError("the solution on 2 threads differs from the one on 1 thread");
      return;
    }
  }
  state.counters["cells"] = static_cast<double>(grid.cells());
  state.counters["iterations"] = it1;
  state.counters["s_setup_1t"] = median(one_thread.setup);
  state.counters["s_setup_2t"] = median(two_threads.setup);
  state.counters["s_solve_1t"] = median(one_thread.solve);
  state.counters["s_solve_2t"] = median(two_threads.solve);
  state.counters["s_1thread"] = median(one_thread.total);
  state.counters["s_2threads"] = median(two_threads.total);
  state.counters["speedup"] = median(one_thread.total) / median(two_threads.total);
  state.counters["speedup_solve"] = median(one_thread.solve) / median(two_threads.solve);
  state.counters["triad_ratio"] = median(triad_ratio);
  state.counters["full_bw_pairs"] = static_cast<double>(speedup_full.size());
  if (!speedup_full.empty()) state.counters["speedup_full_bw"] = median(speedup_full);
  state.counters["bitwise_equal"] = 1;  // reached only when every iteration compared equal
}

BENCHMARK(BM_Triad)->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Apply)
    ->ArgsProduct({{64, 128}, {1, 2}})
    ->ArgNames({"n", "threads"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Residual)
    ->ArgsProduct({{64, 128}, {1, 2}})
    ->ArgNames({"n", "threads"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Smoother)
    ->ArgsProduct({{64, 128}, {1, 2}})
    ->ArgNames({"n", "threads"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IterationGrowth)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_Layered)
    ->ArgsProduct({{32, 64, 128}, {1, 2}})
    ->ArgNames({"n", "threads"})
    ->Iterations(5)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Layered)
    ->ArgsProduct({{256}, {1, 2}})
    ->ArgNames({"n", "threads"})
    ->Iterations(3)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_VersusReference)
    ->Args({64, 48, 1})
    ->Args({64, 48, 2})
    ->Args({128, 96, 1})
    ->Args({128, 96, 2})
    ->ArgNames({"n", "n_fenics", "threads"})
    ->Iterations(5)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ThreadScaling)
    ->Args({128, 0})
    ->Args({128, 1})
    ->ArgNames({"n", "layered"})
    ->Iterations(9)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace nw::numerics

BENCHMARK_MAIN();
