// Verification of the transport numerics (grids, finite-volume operator, multigrid, time
// stepping): analytic solutions, manufactured solutions with observed orders of accuracy, exact
// mass balance, thread independence and multigrid iteration counts.
//
// Each test prints its measured numbers (errors, orders, iterations) on one line starting with
// "[verify]" so a reader of the log sees what was checked, not only that it passed.

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "needlework/core/error.hpp"
#include "needlework/numerics/diffusion.hpp"
#include "needlework/numerics/fv_grid.hpp"
#include "needlework/numerics/multigrid.hpp"
#include "needlework/numerics/time_stepper.hpp"

namespace nw::numerics {
namespace {

constexpr double kPi = 3.141592653589793;

std::size_t face(BoxFace f) { return static_cast<std::size_t>(f); }

void set_periodic_xy(DiffusionCoefficients& c) {
  for (BoxFace f : {BoxFace::x_min, BoxFace::x_max, BoxFace::y_min, BoxFace::y_max}) {
    c.boundary[face(f)].kind = BoundaryKind::periodic;
  }
}

BoundaryCondition dirichlet(double c_b) { return {BoundaryKind::dirichlet, c_b, 0, {}, {}}; }
BoundaryCondition robin(double u_out, double h) { return {BoundaryKind::robin, u_out, h, {}, {}}; }

// Splits every cell into `parts` equal cells (nested refinement of a graded spacing).
std::vector<double> split_cells(const std::vector<double>& dz, int parts) {
  std::vector<double> out;
  for (double d : dz) {
    for (int p = 0; p < parts; ++p) out.push_back(d / parts);
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// ---------------------------------------------------------------------------------------------
// Forward-mode dual numbers for exact derivatives of the manufactured solutions:
// Dual<Dual<double>> evaluated at x + e1 + e2 carries f, f' and f''.

template <class T>
struct Dual {
  T v{};
  T d{};
};
template <class T>
Dual<T> operator+(const Dual<T>& a, const Dual<T>& b) {
  return {a.v + b.v, a.d + b.d};
}
template <class T>
Dual<T> operator-(const Dual<T>& a, const Dual<T>& b) {
  return {a.v - b.v, a.d - b.d};
}
template <class T>
Dual<T> operator*(const Dual<T>& a, const Dual<T>& b) {
  return {a.v * b.v, a.d * b.v + a.v * b.d};
}
template <class T>
Dual<T> operator+(double s, const Dual<T>& a) {
  return {s + a.v, a.d};
}
template <class T>
Dual<T> operator+(const Dual<T>& a, double s) {
  return {a.v + s, a.d};
}
template <class T>
Dual<T> operator*(double s, const Dual<T>& a) {
  return {s * a.v, s * a.d};
}
template <class T>
Dual<T> sin(const Dual<T>& a) {
  using std::cos;
  using std::sin;
  return {sin(a.v), cos(a.v) * a.d};
}
template <class T>
Dual<T> cos(const Dual<T>& a) {
  using std::cos;
  using std::sin;
  return {cos(a.v), -1.0 * (sin(a.v) * a.d)};
}

using D1 = Dual<double>;
using D2 = Dual<D1>;

// A manufactured problem in 3D: U, D, K smooth; x periodic; K has zero z-derivative on the z
// faces (so the documented Dirichlet conversion U_b = C_b / K_cell is second-order there).
struct Mms3 {
  double lx = 100e-6, ly = 100e-6, lz = 100e-6;
  double d0 = 1e-10, k_sink0 = 2e-3;

  template <class T>
  T u(const T& x, const T& y, const T& z) const {
    using std::cos;
    using std::sin;
    return 1.0 + 0.5 * (sin((2 * kPi / lx) * x + 0.4) * cos((0.5 * kPi / ly) * y) * cos((1.3 * kPi / lz) * z)) +
           (0.3 / lz) * z;
  }
  template <class T>
  T diffusivity(const T& x, const T& y, const T& z) const {
    using std::cos;
    using std::sin;
    return d0 * (1.0 + 0.5 * (sin((kPi / lz) * z + 0.3) * cos((2 * kPi / lx) * x))) * (1.0 + (0.4 / ly) * y);
  }
  template <class T>
  T partition(const T& x, const T& y, const T& z) const {
    using std::cos;
    using std::sin;
    return 2.0 * (1.0 + 0.4 * (cos((kPi / lz) * z) * (1.0 + 0.5 * sin((2 * kPi / lx) * x)))) * (1.0 + (0.3 / ly) * y);
  }
  double sink(double x, double, double) const { return k_sink0 * (1.0 + 0.3 * std::cos(2 * kPi * x / lx)); }

  // div(D K grad U) at a point, exactly.
  double div_flux(double x, double y, double z) const {
    const double p[3] = {x, y, z};
    double total = 0;
    for (int i = 0; i < 3; ++i) {
      D2 c2[3];
      D1 c1[3];
      for (int j = 0; j < 3; ++j) {
        const double e = i == j ? 1.0 : 0.0;
        c2[j] = D2{D1{p[j], e}, D1{e, 0}};
        c1[j] = D1{p[j], e};
      }
      const D1 du = u(c2[0], c2[1], c2[2]).d;  // (dU/dx_i, d2U/dx_i^2)
      const D1 dk = diffusivity(c1[0], c1[1], c1[2]) * partition(c1[0], c1[1], c1[2]);
      total += (dk * du).d;
    }
    return total;
  }
  // D K dU/dx_i at a point.
  double flux_component(double x, double y, double z, int i) const {
    const D1 c[3] = {D1{x, i == 0 ? 1.0 : 0.0}, D1{y, i == 1 ? 1.0 : 0.0}, D1{z, i == 2 ? 1.0 : 0.0}};
    return diffusivity(x, y, z) * partition(x, y, z) * u(c[0], c[1], c[2]).d;
  }
};

// A manufactured problem on the axisymmetric (r, z) grid with the axis included: every
// function depends on r through r^2 (smooth at the axis).
struct MmsAxi {
  double rmax = 100e-6, lz = 100e-6;
  double d0 = 1e-10, k_sink0 = 1e-3;

  template <class T>
  T u(const T& r, const T& z) const {
    using std::cos;
    return 1.0 + 0.5 * (cos((0.8 * kPi / (rmax * rmax)) * (r * r)) * cos((1.2 * kPi / lz) * z)) + (0.2 / lz) * z;
  }
  template <class T>
  T diffusivity(const T& r, const T& z) const {
    using std::sin;
    return d0 * (1.0 + (0.5 / (rmax * rmax)) * (r * r)) * (1.0 + 0.3 * sin((kPi / lz) * z));
  }
  template <class T>
  T partition(const T& r, const T& z) const {
    using std::cos;
    return 3.0 * (1.0 + 0.4 * (cos((kPi / lz) * z) * (1.0 + (0.5 / (rmax * rmax)) * (r * r))));
  }
  double sink(double r, double) const { return k_sink0 * (1.0 + r / rmax); }

  // (1/r) d/dr (r D K dU/dr) + d/dz (D K dU/dz), exactly.
  double div_flux(double r, double z) const {
    const D2 r2{D1{r, 1}, D1{1, 0}}, z2{D1{z, 0}, D1{0, 0}};
    const D2 r2z{D1{r, 0}, D1{0, 0}}, z2z{D1{z, 1}, D1{1, 0}};
    const D1 dur = u(r2, z2).d, duz = u(r2z, z2z).d;
    const D1 dkr = diffusivity(D1{r, 1}, D1{z, 0}) * partition(D1{r, 1}, D1{z, 0});
    const D1 dkz = diffusivity(D1{r, 0}, D1{z, 1}) * partition(D1{r, 0}, D1{z, 1});
    return (dkr * dur).d + dkr.v * dur.v / r + (dkz * duz).d;
  }
  double flux_r(double r, double z) const { return diffusivity(r, z) * partition(r, z) * u(D1{r, 1}, D1{z, 0}).d; }
};

// ---------------------------------------------------------------------------------------------

TEST(GradedSpacing, MeetsLayerInterfacesMaxCellsAndGrowthRatio) {
  const std::vector<LayerSpacing> layers{{15e-6, 0.5e-6}, {60e-6, 5e-6}, {2e-3, 50e-6}, {3e-6, 1e-6}};
  const auto g = graded_spacing(layers, 1.2);
  ASSERT_EQ(g.first_cell.size(), layers.size() + 1);
  double z = 0, worst_ratio = 1;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    for (std::size_t c = g.first_cell[l]; c < g.first_cell[l + 1]; ++c) {
      EXPECT_EQ(g.layer[c], l);
      EXPECT_LE(g.dz_m[c], layers[l].max_cell_m * (1 + 1e-3));
      z += g.dz_m[c];
    }
    double top = 0;
    for (std::size_t m = 0; m <= l; ++m) top += layers[m].thickness_m;
    EXPECT_NEAR(z, top, 1e-12 * top);  // every interface is a face
  }
  for (std::size_t c = 0; c + 1 < g.dz_m.size(); ++c) {
    worst_ratio = std::max({worst_ratio, g.dz_m[c + 1] / g.dz_m[c], g.dz_m[c] / g.dz_m[c + 1]});
  }
  EXPECT_LE(worst_ratio, 1.2 + 1e-12);
  std::printf("[verify] graded spacing: %zu cells, smallest %.3g um, largest %.3g um, worst ratio %.4f\n",
              g.dz_m.size(), 1e6 * *std::min_element(g.dz_m.begin(), g.dz_m.end()),
              1e6 * *std::max_element(g.dz_m.begin(), g.dz_m.end()), worst_ratio);
  EXPECT_THROW(graded_spacing(std::vector<LayerSpacing>{}), core::Error);
}

// (1) Semi-infinite medium, C = C0 on the surface from t = 0: C = C0 erfc(z / (2 sqrt(D t))), and
// the amount that entered is 2 C0 sqrt(D t / pi) per area. K != 1 checks the Dirichlet
// conversion U_b = C_b / K.
TEST(DiffusionVerification, SemiInfiniteErfcProfile) {
  const double d = 1e-10, k = 3.0, c0 = 2.0, t_end = 1000.0;  // sqrt(D t) = 316 um
  const std::vector<LayerSpacing> layers{{200e-6, 2e-6}, {3.0e-3, 20e-6}};
  const auto gs = graded_spacing(layers);
  const auto grid = FvGrid::cartesian(1, 1, 10e-6, 10e-6, gs.dz_m);
  auto c = DiffusionCoefficients::uniform(grid, d, k);
  set_periodic_xy(c);
  c.boundary[face(BoxFace::z_min)] = dirichlet(c0);
  const double area = 10e-6 * 10e-6;
  const double exact_in = 2 * c0 * std::sqrt(d * t_end / kPi) * area;
  for (const bool adaptive : {false, true}) {
    TimeStepperOptions opt;
    opt.scheme = TimeScheme::bdf2;
    opt.adaptive = adaptive;
    opt.dt_initial_s = adaptive ? 1e-3 : 0.5;
    opt.rtol = 1e-4;
    TimeStepper stepper(grid, c, std::vector<double>(grid.cells(), 0.0), 0.0, opt);
    stepper.advance_to(t_end);
    const auto conc = stepper.concentration();
    double max_err = 0;
    for (std::size_t kk = 0; kk < grid.nz(); ++kk) {
      const double exact = c0 * std::erfc(grid.z_center_m(kk) / (2 * std::sqrt(d * t_end)));
      max_err = std::max(max_err, std::abs(conc[grid.index(0, 0, kk)] - exact));
    }
    const double in_err = std::abs(stepper.ledger().inflow() - exact_in) / exact_in;
    std::printf("[verify] erfc (%s BDF2, %zu steps, nz %zu): max |C - C_exact| / C0 = %.3g, inflow rel. error %.3g\n",
                adaptive ? "adaptive" : "fixed", stepper.stats().steps, grid.nz(), max_err / c0, in_err);
    EXPECT_LT(max_err / c0, 2e-3);
    EXPECT_LT(in_err, 2e-3);
    if (adaptive) continue;
    // The same surface condition given in the potential (U_b = C0 / K) is the same problem.
    auto cp = c;
    cp.boundary[face(BoxFace::z_min)] = {BoundaryKind::dirichlet_potential, c0 / k, 0, {}, {}};
    TimeStepper same(grid, cp, std::vector<double>(grid.cells(), 0.0), 0.0, opt);
    same.advance_to(t_end);
    for (std::size_t p = 0; p < grid.cells(); ++p) EXPECT_NEAR(same.potential()[p], stepper.potential()[p], 1e-15);
  }
}

// (2) Steady flux through three layers in series with contrasts of 1e4 in K and in D equals the
// series-resistance flux J = (U_top - U_bottom) / sum L_i / (D_i K_i).
TEST(DiffusionVerification, SteadyFluxThroughLayersInSeries) {
  const std::vector<double> thick{20e-6, 100e-6, 500e-6}, dif{1e-14, 1e-10, 3e-10}, part{50.0, 1.0, 5e-3};
  const double c_top = 1.0, c_bottom = 1e-5;
  const std::vector<LayerSpacing> layers{{thick[0], 1e-6}, {thick[1], 5e-6}, {thick[2], 25e-6}};
  const auto gs = graded_spacing(layers);
  const std::size_t n = 8;
  const double h = 10e-6;
  const auto grid = FvGrid::cartesian(n, n, h, h, gs.dz_m);
  DiffusionCoefficients c = DiffusionCoefficients::uniform(grid, 1, 1);
  for (std::size_t p = 0; p < grid.cells(); ++p) {
    const std::size_t l = gs.layer[p % grid.nz()];
    c.diffusivity_m2_per_s[p] = dif[l];
    c.partition[p] = part[l];
  }
  set_periodic_xy(c);
  c.boundary[face(BoxFace::z_min)] = dirichlet(c_top);
  c.boundary[face(BoxFace::z_max)] = dirichlet(c_bottom);
  DiffusionOperator op(grid);
  op.assemble(c);
  SolverOptions so;
  so.relative_tolerance = 1e-13;
  std::vector<double> u(grid.cells(), 0.0);
  const auto rep = solve_steady(op, u, so);
  double resistance = 0;
  for (int l = 0; l < 3; ++l) resistance += thick[l] / (dif[l] * part[l]);
  const double j_exact = (c_top / part[0] - c_bottom / part[2]) / resistance;
  const auto rates = op.fluxes(u);
  const double area = n * h * n * h;
  const double err_top = std::abs(rates.boundary_in[face(BoxFace::z_min)] / area - j_exact) / j_exact;
  const double err_bottom = std::abs(-rates.boundary_in[face(BoxFace::z_max)] / area - j_exact) / j_exact;
  std::printf(
      "[verify] layers in series (8 x 8 x %zu, D and K contrasts 1e4): flux rel. error top %.3g bottom %.3g "
      "(%d iterations, rel. residual %.2g)\n",
      grid.nz(), err_top, err_bottom, rep.iterations, rep.relative_residual());
  EXPECT_LT(err_top, 1e-10);
  EXPECT_LT(err_bottom, 1e-10);
}

// (3) Steady state around a cylinder: Dirichlet on the inner radius, Dirichlet or Robin on the
// outer one, zero flux on the z faces: U = U0 + B ln(r / r0). Second order in dr.
TEST(DiffusionVerification, AxisymmetricSteadyStateAroundACylinder) {
  const double r0 = 40e-6, r1 = 200e-6, d = 1e-10, k = 2.0, c_in = 1.0;
  const double lz = 30e-6, u0 = c_in / k, dk = d * k;
  struct Case {
    const char* name;
    bool robin;
  };
  for (const Case cs : {Case{"Dirichlet/Dirichlet", false}, Case{"Dirichlet/Robin", true}}) {
    const double c_out = 0.1, u_out = 0.05, h = 2e-6;
    // B from the outer condition: U(r1) = c_out / k, or D K B / r1 = h (u_out - U(r1)).
    const double b =
        cs.robin ? h * (u_out - u0) / (dk / r1 + h * std::log(r1 / r0)) : (c_out / k - u0) / std::log(r1 / r0);
    const double q_exact = -2 * kPi * lz * dk * b;  // inflow through the inner cylinder
    std::vector<double> errors, flux_errors;
    for (std::size_t nr : {32U, 64U, 128U, 256U}) {
      const auto grid = FvGrid::axisymmetric(nr, r0, r1, std::vector<double>(3, lz / 3));
      auto c = DiffusionCoefficients::uniform(grid, d, k);
      c.boundary[face(BoxFace::x_min)] = dirichlet(c_in);
      c.boundary[face(BoxFace::x_max)] = cs.robin ? robin(u_out, h) : dirichlet(c_out);
      DiffusionOperator op(grid);
      op.assemble(c);
      std::vector<double> u(grid.cells(), 0.0);
      SolverOptions so;
      so.relative_tolerance = 1e-13;
      solve_steady(op, u, so);
      double e = 0;
      for (std::size_t i = 0; i < nr; ++i) {
        const double exact = u0 + b * std::log(grid.x_center_m(i) / r0);
        e = std::max(e, std::abs(u[grid.index(i, 0, 1)] - exact));
      }
      errors.push_back(e / u0);
      flux_errors.push_back(std::abs(op.fluxes(u).boundary_in[face(BoxFace::x_min)] - q_exact) / std::abs(q_exact));
    }
    std::printf("[verify] cylinder %s: max rel. error %.3g %.3g %.3g %.3g, orders", cs.name, errors[0], errors[1],
                errors[2], errors[3]);
    for (std::size_t m = 0; m + 1 < errors.size(); ++m) {
      const double order = std::log2(errors[m] / errors[m + 1]);
      std::printf(" %.3f", order);
      EXPECT_GE(order, 1.9);
    }
    std::printf("; inner flux rel. error at nr=256: %.3g\n", flux_errors.back());
    EXPECT_LT(errors.back(), 1e-4);
    EXPECT_LT(flux_errors.back(), 1e-3);
  }
}

// (4a) Manufactured steady solution in 3D with smooth variable D, K and sink: x periodic, Robin on
// the y faces, Dirichlet on the z faces (per-face-cell values), graded z refined by splitting.
TEST(DiffusionVerification, ManufacturedSolution3DSecondOrderInSpace) {
  const Mms3 m;
  const auto base = graded_spacing(std::vector<LayerSpacing>{{30e-6, 4e-6}, {70e-6, 15e-6}}).dz_m;
  std::vector<double> errors;
  for (int level = 0; level < 4; ++level) {
    const int s = 1 << level;
    const std::size_t n = 6 * static_cast<std::size_t>(s);
    const auto grid =
        FvGrid::cartesian(n, n, m.lx / static_cast<double>(n), m.ly / static_cast<double>(n), split_cells(base, s));
    DiffusionCoefficients c = DiffusionCoefficients::uniform(grid, 1, 1);
    c.sink_per_s.resize(grid.cells());
    c.source.resize(grid.cells());
    for (std::size_t j = 0; j < grid.ny(); ++j) {
      for (std::size_t i = 0; i < grid.nx(); ++i) {
        for (std::size_t k = 0; k < grid.nz(); ++k) {
          const double x = grid.x_center_m(i), y = grid.y_center_m(j), z = grid.z_center_m(k);
          const std::size_t p = grid.index(i, j, k);
          c.diffusivity_m2_per_s[p] = m.diffusivity(x, y, z);
          c.partition[p] = m.partition(x, y, z);
          c.sink_per_s[p] = m.sink(x, y, z);
          c.source[p] = -m.div_flux(x, y, z) + c.sink_per_s[p] * c.partition[p] * m.u(x, y, z);
        }
      }
    }
    c.boundary[face(BoxFace::x_min)].kind = c.boundary[face(BoxFace::x_max)].kind = BoundaryKind::periodic;
    for (BoxFace f : {BoxFace::y_min, BoxFace::y_max, BoxFace::z_min, BoxFace::z_max}) {
      auto& bc = c.boundary[face(f)];
      const bool zf = f == BoxFace::z_min || f == BoxFace::z_max;
      const double h_robin = 5e-6;
      bc = zf ? dirichlet(0) : robin(0, h_robin);
      bc.values.resize(grid.face_cells(f));
      for (std::size_t e = 0; e < bc.values.size(); ++e) {
        const std::size_t p = grid.face_cell(f, e);
        const std::size_t k = p % grid.nz(), i = (p / grid.nz()) % grid.nx();
        double x = grid.x_center_m(i), y = grid.y_center_m(p / (grid.nz() * grid.nx())), z = grid.z_center_m(k);
        if (zf) {
          z = f == BoxFace::z_min ? 0.0 : m.lz;
          bc.values[e] = m.partition(x, y, z) * m.u(x, y, z);  // C on the face
        } else {
          y = f == BoxFace::y_min ? 0.0 : m.ly;
          const double inflow = (f == BoxFace::y_min ? -1.0 : 1.0) * m.flux_component(x, y, z, 1);
          bc.values[e] = m.u(x, y, z) + inflow / h_robin;  // U_out with h (U_out - U_face) = inflow
        }
      }
    }
    DiffusionOperator op(grid);
    op.assemble(c);
    std::vector<double> u(grid.cells(), 1.0);
    SolverOptions so;
    so.relative_tolerance = 1e-12;
    solve_steady(op, u, so);
    double e2 = 0, vol = 0;
    for (std::size_t j = 0; j < grid.ny(); ++j) {
      for (std::size_t i = 0; i < grid.nx(); ++i) {
        for (std::size_t k = 0; k < grid.nz(); ++k) {
          const double v = grid.volume_m3(i, k);
          const double err = u[grid.index(i, j, k)] - m.u(grid.x_center_m(i), grid.y_center_m(j), grid.z_center_m(k));
          e2 += v * err * err;
          vol += v;
        }
      }
    }
    errors.push_back(std::sqrt(e2 / vol));
  }
  std::printf("[verify] MMS 3D (6^2 x %zu to 48^2 x %zu, graded z): L2 errors %.3g %.3g %.3g %.3g, orders", base.size(),
              8 * base.size(), errors[0], errors[1], errors[2], errors[3]);
  for (std::size_t l = 0; l + 1 < errors.size(); ++l) {
    const double order = std::log2(errors[l] / errors[l + 1]);
    std::printf(" %.3f", order);
    EXPECT_GE(order, 1.9);
  }
  std::printf("\n");
}

// (4b) Manufactured steady solution on the axisymmetric grid (axis included): Dirichlet on the z
// faces, Robin on the outer radius.
TEST(DiffusionVerification, ManufacturedSolutionAxisymmetricSecondOrderInSpace) {
  const MmsAxi m;
  const auto base = graded_spacing(std::vector<LayerSpacing>{{25e-6, 3e-6}, {75e-6, 12e-6}}).dz_m;
  std::vector<double> errors;
  for (int level = 0; level < 4; ++level) {
    const int s = 1 << level;
    const std::size_t nr = 8 * static_cast<std::size_t>(s);
    const auto grid = FvGrid::axisymmetric(nr, 0.0, m.rmax, split_cells(base, s));
    DiffusionCoefficients c = DiffusionCoefficients::uniform(grid, 1, 1);
    c.sink_per_s.resize(grid.cells());
    c.source.resize(grid.cells());
    for (std::size_t i = 0; i < grid.nx(); ++i) {
      for (std::size_t k = 0; k < grid.nz(); ++k) {
        const double r = grid.x_center_m(i), z = grid.z_center_m(k);
        const std::size_t p = grid.index(i, 0, k);
        c.diffusivity_m2_per_s[p] = m.diffusivity(r, z);
        c.partition[p] = m.partition(r, z);
        c.sink_per_s[p] = m.sink(r, z);
        c.source[p] = -m.div_flux(r, z) + c.sink_per_s[p] * c.partition[p] * m.u(r, z);
      }
    }
    const double h_robin = 3e-6;
    for (BoxFace f : {BoxFace::z_min, BoxFace::z_max, BoxFace::x_max}) {
      auto& bc = c.boundary[face(f)];
      bc = f == BoxFace::x_max ? robin(0, h_robin) : dirichlet(0);
      bc.values.resize(grid.face_cells(f));
      for (std::size_t e = 0; e < bc.values.size(); ++e) {
        const std::size_t p = grid.face_cell(f, e);
        double r = grid.x_center_m(p / grid.nz()), z = grid.z_center_m(p % grid.nz());
        if (f == BoxFace::x_max) {
          r = m.rmax;
          bc.values[e] = m.u(r, z) + m.flux_r(r, z) / h_robin;
        } else {
          z = f == BoxFace::z_min ? 0.0 : m.lz;
          bc.values[e] = m.partition(r, z) * m.u(r, z);
        }
      }
    }
    DiffusionOperator op(grid);
    op.assemble(c);
    std::vector<double> u(grid.cells(), 1.0);
    SolverOptions so;
    so.relative_tolerance = 1e-12;
    solve_steady(op, u, so);
    double e2 = 0, vol = 0;
    for (std::size_t i = 0; i < grid.nx(); ++i) {
      for (std::size_t k = 0; k < grid.nz(); ++k) {
        const double v = grid.volume_m3(i, k);
        const double err = u[grid.index(i, 0, k)] - m.u(grid.x_center_m(i), grid.z_center_m(k));
        e2 += v * err * err;
        vol += v;
      }
    }
    errors.push_back(std::sqrt(e2 / vol));
  }
  std::printf("[verify] MMS axisymmetric (8 x %zu to 64 x %zu): L2 errors %.3g %.3g %.3g %.3g, orders", base.size(),
              8 * base.size(), errors[0], errors[1], errors[2], errors[3]);
  for (std::size_t l = 0; l + 1 < errors.size(); ++l) {
    const double order = std::log2(errors[l] / errors[l + 1]);
    std::printf(" %.3f", order);
    EXPECT_GE(order, 1.9);
  }
  std::printf("\n");
}

// A small layered 3D problem whose coefficients and boundary values change smoothly with time
// (partition and diffusivity of the top layer oscillate, the surface concentration too).
struct TimeDependentProblem {
  FvGrid grid = FvGrid::cartesian(6, 6, 10e-6, 10e-6,
                                  graded_spacing(std::vector<LayerSpacing>{{20e-6, 4e-6}, {80e-6, 16e-6}}).dz_m);
  double period = 100.0;

  bool update(double t, DiffusionCoefficients& c) const {
    const double w = 2 * kPi * t / period;
    c = DiffusionCoefficients::uniform(grid, 1e-10, 1.0);
    for (std::size_t j = 0; j < grid.ny(); ++j) {
      for (std::size_t i = 0; i < grid.nx(); ++i) {
        for (std::size_t k = 0; k < grid.nz(); ++k) {
          const std::size_t p = grid.index(i, j, k);
          const double sx = std::sin(2 * kPi * grid.x_center_m(i) / 60e-6);
          if (grid.z_center_m(k) < 20e-6) {
            c.partition[p] = 5.0 * (1 + 0.3 * std::sin(w)) * (1 + 0.2 * sx);
            c.diffusivity_m2_per_s[p] = 2e-11 * (1 + 0.5 * std::cos(w));
          } else {
            c.diffusivity_m2_per_s[p] = 1e-10 * (1 + 0.3 * sx);
          }
        }
      }
    }
    set_periodic_xy(c);
    c.boundary[face(BoxFace::z_min)] = dirichlet(1 + 0.5 * std::sin(w));
    c.boundary[face(BoxFace::z_max)] = robin(0.0, 1e-6);
    return true;
  }

  std::vector<double> run(TimeScheme scheme, double dt) const {
    DiffusionCoefficients c;
    update(0, c);
    DiffusionOperator op(grid);
    op.assemble(c);
    std::vector<double> u(grid.cells(), 0.0);
    SolverOptions so;
    so.relative_tolerance = 1e-13;
    solve_steady(op, u, so);  // a start in equilibrium: the solution is smooth in time
    TimeStepperOptions opt;
    opt.scheme = scheme;
    opt.adaptive = false;
    opt.dt_initial_s = dt;
    opt.solver.relative_tolerance = 1e-13;
    TimeStepper stepper(grid, c, u, 0.0, opt, [this](double t, DiffusionCoefficients& cc) { return update(t, cc); });
    stepper.advance_to(period);
    return stepper.concentration();
  }
};

double rms_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t p = 0; p < a.size(); ++p) s += (a[p] - b[p]) * (a[p] - b[p]);
  return std::sqrt(s / static_cast<double>(a.size()));
}

// (4c) Temporal order with time-dependent coefficients and boundary values: backward Euler ~1,
// BDF2 ~2, on three step sizes against a reference with a 128 times smaller step. (The stiff
// fine cells make BDF2 approach its order from below: 1.61, 1.83, 1.93, 1.97 from 16 to 256 steps
// per period; the test uses 64 to 256.)
TEST(DiffusionVerification, TemporalOrderBackwardEulerAndBdf2) {
  const TimeDependentProblem prob;
  const double dt0 = prob.period / 64;
  const auto reference = prob.run(TimeScheme::bdf2, dt0 / 128);
  for (const TimeScheme scheme : {TimeScheme::backward_euler, TimeScheme::bdf2}) {
    std::vector<double> errors;
    for (double dt : {dt0, dt0 / 2, dt0 / 4}) errors.push_back(rms_difference(prob.run(scheme, dt), reference));
    const double p1 = std::log2(errors[0] / errors[1]), p2 = std::log2(errors[1] / errors[2]);
    std::printf("[verify] temporal order %s: errors %.3g %.3g %.3g, orders %.3f %.3f\n",
                scheme == TimeScheme::bdf2 ? "BDF2" : "BE", errors[0], errors[1], errors[2], p1, p2);
    const double target = scheme == TimeScheme::bdf2 ? 2.0 : 1.0;
    EXPECT_NEAR(p1, target, 0.2);
    EXPECT_NEAR(p2, target, 0.2);
  }
}

// A skin-like periodic unit cell: stratum corneum, viable epidermis, dermis, with an open
// channel of radius 40 um to 300 um depth; D K contrast `contrast` between the stratum corneum and
// the rest. Donor (Robin or Dirichlet) on top, capillary-like Robin exchange at the bottom.
struct UnitCell {
  std::size_t n;
  double contrast = 1e4;
  double side = 200e-6;
  FvGrid grid;
  std::vector<char> channel;  // per cell

  UnitCell(std::size_t n_xy, double scale_z, double contrast_)
      : n(n_xy),
        contrast(contrast_),
        grid(FvGrid::cartesian(
            n_xy, n_xy, side / static_cast<double>(n_xy), side / static_cast<double>(n_xy),
            graded_spacing(std::vector<LayerSpacing>{
                               {15e-6, 3.75e-6 * scale_z}, {85e-6, 12.5e-6 * scale_z}, {900e-6, 62.5e-6 * scale_z}})
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

  // Coefficients at time t; `closing` makes the channel reseal (D falls, K rises towards the
  // stratum corneum's) with a time constant of 1 h.
  DiffusionCoefficients coefficients(double t, bool closing, bool dirichlet_top) const {
    auto c = DiffusionCoefficients::uniform(grid, 1e-10, 1.0);
    c.sink_per_s.assign(grid.cells(), 0.0);
    c.source.assign(grid.cells(), 0.0);
    const double open = closing ? std::exp(-t / 3600.0) : 1.0;
    for (std::size_t p = 0; p < grid.cells(); ++p) {
      const double z = grid.z_center_m(p % grid.nz());
      if (z < 15e-6) {
        c.partition[p] = 10.0;
        c.diffusivity_m2_per_s[p] = 1e-10 / (10.0 * contrast);
      }
      if (z > 300e-6) c.sink_per_s[p] = 1e-4;
      if (channel[p]) {
        c.partition[p] = 1.0 + (z < 15e-6 ? 9.0 * (1 - open) : 0.0);
        c.diffusivity_m2_per_s[p] = 5e-10 * open + 1e-10 / (10.0 * contrast) * (1 - open);
      }
    }
    c.source[grid.index(0, 0, grid.nz() / 2)] = 1e-3 * (1 + std::sin(t / 1000.0));  // a small depot
    set_periodic_xy(c);
    c.boundary[face(BoxFace::z_min)] =
        dirichlet_top ? dirichlet(1.0) : robin(std::exp(-t / 7200.0), 1e-6);  // donor depleting over 2 h
    c.boundary[face(BoxFace::z_max)] = robin(0.0, 1e-7);
    return c;
  }
};

// (5) Mass balance: stored = initial + inflow + produced - cleared to 1e-10 relative, with a
// coefficient jump of 1e4, with coefficients that change in time, for BDF2 and BE.
TEST(DiffusionVerification, ExactMassBalance) {
  const UnitCell cell(12, 1.0, 1e4);
  struct Case {
    const char* name;
    TimeScheme scheme;
    bool closing, dirichlet_top;
  };
  for (const Case cs : {Case{"BDF2, channel closing, Robin donor", TimeScheme::bdf2, true, false},
                        Case{"BE, channel closing, Robin donor", TimeScheme::backward_euler, true, false},
                        Case{"BDF2, fixed coefficients, Dirichlet donor", TimeScheme::bdf2, false, true}}) {
    TimeStepperOptions opt;
    opt.scheme = cs.scheme;
    opt.rtol = 1e-3;
    opt.dt_initial_s = 1.0;
    std::vector<double> u0(cell.grid.cells(), 0.0);
    for (std::size_t p = 0; p < u0.size(); p += 7) u0[p] = 0.01;  // something to clear from the start
    TimeStepper stepper(cell.grid, cell.coefficients(0, cs.closing, cs.dirichlet_top), u0, 0.0, opt,
                        [&](double t, DiffusionCoefficients& c) {
                          c = cell.coefficients(t, cs.closing, cs.dirichlet_top);
                          return true;
                        });
    double worst = 0;
    for (int out = 1; out <= 8; ++out) {
      stepper.advance_to(out * 1800.0);
      const auto& l = stepper.ledger();
      double scale = std::abs(l.initial) + std::abs(l.produced) + std::abs(l.cleared) + std::abs(l.stored);
      for (double b : l.boundary_in) scale += std::abs(b);
      worst = std::max(worst, std::abs(l.defect()) / scale);
      // The ledger must agree with the operator's own mass.
      EXPECT_NEAR(l.stored, stepper.op().mass(stepper.potential()), 1e-14 * scale);
    }
    const auto& l = stepper.ledger();
    std::printf(
        "[verify] mass balance (%s): %zu steps (%zu rejected), inflow %.4g, cleared %.4g, produced %.4g, "
        "stored %.4g, worst |defect| / scale %.3g\n",
        cs.name, stepper.stats().steps, stepper.stats().rejected, l.inflow(), l.cleared, l.produced, l.stored, worst);
    EXPECT_LT(worst, 1e-10);
    EXPECT_GT(l.inflow(), 0);
    EXPECT_GT(l.cleared, 0);
  }
}

// Coefficients replaced between advance_to() calls keep the amount in every cell (a change of K
// moves U, not C V) and the ledger stays exact.
TEST(DiffusionVerification, SetCoefficientsKeepsTheMass) {
  const UnitCell cell(8, 2.0, 1e4);
  TimeStepperOptions opt;
  opt.dt_initial_s = 1.0;
  TimeStepper stepper(cell.grid, cell.coefficients(0, false, false), std::vector<double>(cell.grid.cells(), 0.0), 0.0,
                      opt);
  stepper.advance_to(1800.0);
  const double before = stepper.ledger().stored;
  auto c = cell.coefficients(1800.0, false, false);
  for (double& k : c.partition) k *= 3.0;
  stepper.set_coefficients(c);
  stepper.restart();
  EXPECT_NEAR(stepper.op().mass(stepper.potential()), before, 1e-14 * before);
  stepper.advance_to(3600.0);
  const auto& l = stepper.ledger();
  const double scale = std::abs(l.initial) + std::abs(l.inflow()) + std::abs(l.cleared) + std::abs(l.produced);
  std::printf("[verify] set_coefficients: stored %.4g, |defect| / scale %.3g\n", l.stored,
              std::abs(l.defect()) / scale);
  EXPECT_LT(std::abs(l.defect()), 1e-10 * scale);
}

// (6) 1 and 2 OpenMP threads give bitwise the same solution, step sequence and ledger.
TEST(DiffusionVerification, OneAndTwoThreadsBitwiseEqual) {
  const UnitCell cell(32, 1.0, 1e4);  // > 16384 cells, so the loops really run in parallel
  const auto run = [&](int threads) {
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    TimeStepperOptions opt;
    opt.dt_initial_s = 1.0;
    TimeStepper stepper(cell.grid, cell.coefficients(0, true, false), std::vector<double>(cell.grid.cells(), 0.0), 0.0,
                        opt, [&](double t, DiffusionCoefficients& c) {
                          c = cell.coefficients(t, true, false);
                          return true;
                        });
    stepper.advance_to(600.0);
    omp_set_num_threads(saved);
    return std::make_tuple(std::vector<double>(stepper.potential().begin(), stepper.potential().end()), stepper.stats(),
                           stepper.ledger());
  };
  const auto [u1, s1, l1] = run(1);
  const auto [u2, s2, l2] = run(2);
  ASSERT_EQ(u1.size(), u2.size());
  EXPECT_EQ(0, std::memcmp(u1.data(), u2.data(), u1.size() * sizeof(double)));
  EXPECT_EQ(s1.steps, s2.steps);
  EXPECT_EQ(s1.linear_iterations, s2.linear_iterations);
  EXPECT_EQ(l1.stored, l2.stored);
  EXPECT_EQ(l1.inflow(), l2.inflow());
  std::printf("[verify] threads: %zu cells, %zu steps, %zu linear iterations, 1 vs 2 threads bitwise equal: %s\n",
              u1.size(), s1.steps, s1.linear_iterations,
              std::memcmp(u1.data(), u2.data(), u1.size() * sizeof(double)) == 0 ? "yes" : "no");
}

// (7) Multigrid iterations to a 1e-8 relative residual stay flat from 32^3 to 128^3 with a D K
// contrast of 1e4 (stratum corneum against an open channel and the dermis) and thin graded cells,
// for the stationary problem (hardest: no capacity term) and for a backward Euler step.
TEST(DiffusionVerification, MultigridIterationsFlatInGridSize) {
  std::vector<int> iterations;
  for (std::size_t n : {32U, 64U, 128U}) {
    const UnitCell cell(n, 32.0 / static_cast<double>(n), 1e4);
    DiffusionOperator op(cell.grid);
    op.assemble(cell.coefficients(0, false, true));
    for (const double dt : {0.0, 60.0}) {
      MultigridSolver solver;
      const auto t0 = std::chrono::steady_clock::now();
      solver.setup(op.system_matrix(dt > 0 ? 1 / dt : 0));
      std::vector<double> u(cell.grid.cells(), 0.0);
      const auto rep = solver.solve(op.load(), u);
      std::printf(
          "[verify] multigrid %zu^2 x %zu (%zu cells, %zu levels), %s: %d iterations, rel. residual %.2g, "
          "%.2f s\n",
          n, cell.grid.nz(), cell.grid.cells(), rep.levels, dt > 0 ? "BE step 60 s" : "stationary", rep.iterations,
          rep.relative_residual(), seconds_since(t0));
      EXPECT_LE(rep.relative_residual(), 1e-8);
      EXPECT_LE(rep.iterations, 20);
      if (dt == 0) iterations.push_back(rep.iterations);
    }
  }
  EXPECT_LE(iterations.back(), 1.5 * iterations.front());
}

// (8) The multigrid solver stores its large levels in colour-split column order (each colour of
// a row contiguous for the line sweeps). The operator gives every cell the same operations in
// either order (bitwise), and the solver in either order gives the same solution up to the
// round-off of its sums, with the same iterations, the caller's vectors always in natural order
// (also after a failed solve). Random matrices with a 1e4 coefficient contrast, periodic and not,
// an odd ny (periodic: three colours, so natural order) and nx = 2 and 4.
StencilMatrix random_matrix(std::size_t nx, std::size_t ny, std::size_t nz, bool px, bool py, std::mt19937& rng) {
  StencilMatrix m = StencilMatrix::zeros(nx, ny, nz, px, py);
  std::uniform_real_distribution<double> decade(0.0, 4.0);
  const auto value = [&] { return std::pow(10.0, decade(rng)); };
  for (std::size_t j = 0; j < ny; ++j) {
    for (std::size_t i = 0; i < nx; ++i) {
      for (std::size_t k = 0; k < nz; ++k) {
        const std::size_t p = m.index(i, j, k);
        m.excess[p] = 1e-3 * value();
        if (i + 1 < nx || px) m.cx[p] = value();
        if (j + 1 < ny || py) m.cy[p] = value();
        if (k + 1 < nz) m.cz[p] = value();
      }
    }
  }
  return m;
}

TEST(DiffusionVerification, MultigridColumnOrdersAgree) {
  struct Shape {
    std::size_t nx, ny, nz;
    bool px, py, split;
  };
  const Shape shapes[] = {{32, 16, 40, false, false, true}, {32, 16, 40, true, true, true},
                          {34, 9, 60, false, false, true},  {32, 9, 60, true, true, false},
                          {2, 64, 128, true, false, true},  {4, 48, 96, true, true, true},
                          {33, 16, 40, false, false, false}};
  std::mt19937 rng(20261122);
  double worst = 0;
  for (const Shape& sh : shapes) {
    const StencilMatrix m = random_matrix(sh.nx, sh.ny, sh.nz, sh.px, sh.py, rng);
    std::vector<double> b(m.size()), u(m.size());
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    for (std::size_t p = 0; p < b.size(); ++p) b[p] = unit(rng), u[p] = unit(rng);
    if (sh.nx % 2 == 0) {
      // The operator in colour-split order, read back in natural order: the same bits.
      std::vector<double> natural(m.size()), split(m.size()), us(u);
      apply(m, u, natural);
      StencilMatrix ms = m;
      ms.reorder(ColumnOrder::colour_split);
      reorder_columns(m.nx, m.ny, m.nz, ColumnOrder::natural, ColumnOrder::colour_split, us);
      apply(ms, us, split);
      reorder_columns(m.nx, m.ny, m.nz, ColumnOrder::colour_split, ColumnOrder::natural, split);
      EXPECT_EQ(0, std::memcmp(natural.data(), split.data(), natural.size() * sizeof(double)));
      for (std::size_t j = 0; j < m.ny; ++j) {
        for (std::size_t i = 0; i < m.nx; ++i) {
          const auto [ii, jj] = ms.column_ij(ms.column(i, j));
          ASSERT_TRUE(ii == i && jj == j);
        }
      }
    }
    const auto solve = [&](bool colour_split, int max_iterations, std::vector<double>& x) {
      SolverOptions so;
      so.colour_split = colour_split;
      so.max_iterations = max_iterations;
      MultigridSolver solver(so);
      solver.setup(m);
      EXPECT_EQ(solver.matrix().order == ColumnOrder::colour_split, colour_split && sh.split);
      x.assign(m.size(), 0.0);
      for (std::size_t p = 0; p < x.size(); p += 7) x[p] = 1.0;  // a non-zero guess, in natural order
      return solver.solve(b, x).iterations;
    };
    std::vector<double> xs, xn;
    const int its = solve(true, 200, xs), itn = solve(false, 200, xn);
    EXPECT_LE(std::abs(its - itn), 1);
    const auto relative_difference = [&] {
      double diff = 0, norm = 0;
      for (std::size_t p = 0; p < xs.size(); ++p) diff = std::max(diff, std::abs(xs[p] - xn[p]));
      for (double v : xn) norm = std::max(norm, std::abs(v));
      return diff / norm;
    };
    const double converged = relative_difference();
    EXPECT_LE(converged, 1e-9);
    // A failed solve (too few iterations) leaves x in the caller's order in both.
    for (bool split : {true, false}) {
      try {
        solve(split, 2, split ? xs : xn);
        ADD_FAILURE() << "expected a num_failure";
      } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::ErrorCode::num_failure);
      }
    }
    const double failed = relative_difference();
    EXPECT_LE(failed, 1e-9);
    worst = std::max({worst, converged, failed});
    std::printf(
        "[verify] column orders %zu x %zu x %zu (periodic %d %d, split %d): iterations %d / %d, "
        "solutions differ by %.2g relative (after 2 iterations %.2g)\n",
        sh.nx, sh.ny, sh.nz, sh.px, sh.py, sh.split, its, itn, converged, failed);
  }
  std::printf("[verify] column orders: largest relative difference of converged solutions %.2g\n", worst);
}

// The solver does not depend on the units of the matrix: every coefficient times 1e-60 or 1e+60
// (the right-hand side with it, so the solution is the same) converges in the same iterations to
// the same solution (no absolute threshold anywhere, no factor stored in a narrower range).
TEST(DiffusionVerification, MultigridCopesWithAnyUnitScale) {
  std::mt19937 rng(11);
  const StencilMatrix m = random_matrix(24, 16, 30, true, false, rng);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  std::vector<double> b(m.size());
  for (auto& v : b) v = uni(rng);
  const auto solve = [&](double f) {
    StencilMatrix mf = m;
    for (auto* v : {&mf.excess, &mf.cx, &mf.cy, &mf.cz}) {
      for (auto& e : *v) e *= f;
    }
    std::vector<double> bf(b), x(b.size(), 0.0);
    for (auto& v : bf) v *= f;
    MultigridSolver solver;
    solver.setup(std::move(mf));
    const int iterations = solver.solve(bf, x).iterations;
    return std::pair{iterations, x};
  };
  const auto [it_ref, x_ref] = solve(1.0);
  for (const double f : {1e-60, 1e60}) {
    const auto [it, x] = solve(f);
    EXPECT_NEAR(it, it_ref, 1) << "scale " << f;
    double diff = 0, norm = 0;
    for (std::size_t p = 0; p < x.size(); ++p) {
      diff = std::max(diff, std::abs(x[p] - x_ref[p]));
      norm = std::max(norm, std::abs(x_ref[p]));
    }
    EXPECT_LE(diff, 1e-6 * norm) << "scale " << f;
    std::printf("[verify] unit scale %.0e: %d iterations (%d at 1), solutions differ by %.2g relative\n", f, it, it_ref,
                diff / norm);
  }
}

// A malformed matrix is refused by setup() (StencilMatrix::check) with an internal error that
// says what is wrong: a bad entry anywhere (NaN, infinity, negative; checked in parallel
// blocks, so one at the very end too), a coupling out of the grid on a non-periodic last x or y
// cell or on the last z cell (in either column order). The same couplings on a periodic
// direction are part of the matrix.
TEST(DiffusionVerification, MalformedMatricesAreRefused) {
  std::mt19937 rng(7);
  const auto refused = [](const StencilMatrix& m, const std::string& what) {
    MultigridSolver solver;
    try {
      solver.setup(m);
      ADD_FAILURE() << "expected an internal error: " << what;
    } catch (const core::Error& e) {
      EXPECT_EQ(e.code(), core::ErrorCode::internal);
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  for (const auto order : {ColumnOrder::natural, ColumnOrder::colour_split}) {
    const StencilMatrix good = [&] {
      StencilMatrix m = random_matrix(32, 24, 40, false, false, rng);  // 30,720 cells: several blocks
      m.reorder(order);
      return m;
    }();
    EXPECT_NO_THROW(MultigridSolver().setup(good));
    const std::size_t last = good.size() - 1;
    for (const double v : {std::nan(""), std::numeric_limits<double>::infinity(), -1e-300}) {
      for (auto member : {&StencilMatrix::excess, &StencilMatrix::cx, &StencilMatrix::cy, &StencilMatrix::cz}) {
        for (const std::size_t p : {std::size_t{0}, last / 2, last}) {
          StencilMatrix m = good;
          (m.*member)[p] = v;
          refused(m, "entries must be finite and >= 0");
        }
      }
    }
    StencilMatrix m = good;
    m.cx[m.index(31, 5, 7)] = 1;
    refused(m, "cx must be 0 on the last x cell");
    m = good;
    m.cy[m.index(3, 23, 39)] = 1;
    refused(m, "cy must be 0 on the last y cell");
    m = good;
    m.cz[m.index(17, 11, 39)] = 1;
    refused(m, "cz must be 0 on the last z cell");
    m = good;
    m.periodic_x = m.periodic_y = true;
    m.cx[m.index(31, 5, 7)] = 1;
    m.cy[m.index(3, 23, 39)] = 1;
    EXPECT_NO_THROW(MultigridSolver().setup(m));
  }
}

TEST(DiffusionVerification, SolverFailuresAreReported) {
  const UnitCell cell(8, 2.0, 1e4);
  DiffusionOperator op(cell.grid);
  op.assemble(cell.coefficients(0, false, true));
  SolverOptions so;
  so.max_iterations = 1;
  so.relative_tolerance = 1e-14;
  MultigridSolver solver(so);
  solver.setup(op.system_matrix(0));
  std::vector<double> u(cell.grid.cells(), 0.0);
  try {
    solver.solve(op.load(), u);
    ADD_FAILURE() << "expected a num_failure";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::num_failure);
  }
  // A closed box with no capacity, sink or exchange is singular.
  auto c = DiffusionCoefficients::uniform(cell.grid, 1e-10, 1.0);
  set_periodic_xy(c);
  op.assemble(c);
  try {
    solver.setup(op.system_matrix(0));
    ADD_FAILURE() << "expected a num_failure";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::num_failure);
  }
  // Preconditions are internal errors.
  c.partition[3] = -1;
  try {
    op.assemble(c);
    ADD_FAILURE() << "expected an internal error";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::internal);
  }
}

}  // namespace
}  // namespace nw::numerics
