// FCG(1) with a K-cycle multigrid preconditioner: x-y aggregation, Galerkin coarse matrices,
// z-line Gauss-Seidel (see multigrid.hpp for the design and its references).

#include "needlework/numerics/multigrid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "needlework/core/error.hpp"
#include "stencil_columns.hpp"

namespace nw::numerics {
namespace {

using Index = std::int64_t;
using detail::Columns;
using detail::columns_of;
constexpr std::size_t kParallelMin = 1U << 14;

[[noreturn]] void fail(const char* stage, const std::string& reason) {
  core::raise(core::ErrorCode::num_failure, fmt::arg("stage", stage), fmt::arg("reason", reason));
}

// y = a x + b y, elementwise (a, b scalars).
void axpby(double a, std::span<const double> x, double b, std::span<double> y) {
  const auto n = static_cast<Index>(y.size());
#pragma omp parallel for schedule(static) if (y.size() >= kParallelMin)
  for (Index p = 0; p < n; ++p) {
    const auto q = static_cast<std::size_t>(p);
    y[q] = a * x[q] + b * y[q];
  }
}

void copy(std::span<const double> x, std::span<double> y) { std::copy(x.begin(), x.end(), y.begin()); }

// Sum of the x-y couplings of cell k of a column (the part of the diagonal the line solve
// treats as known).
double xy_coupling(const StencilMatrix& a, const Columns& c, std::size_t k) {
  double s = 0;
  if (c.xp != Columns::npos) s += a.cx[c.self + k];
  if (c.xm != Columns::npos) s += a.cx[c.xm + k];
  if (c.yp != Columns::npos) s += a.cy[c.self + k];
  if (c.ym != Columns::npos) s += a.cy[c.ym + k];
  return s;
}

}  // namespace

MultigridSolver::MultigridSolver(SolverOptions options) : options_(options) {}

const StencilMatrix& MultigridSolver::matrix() const {
  if (levels_.empty()) {
    core::raise(core::ErrorCode::internal, fmt::arg("reason", "MultigridSolver::matrix() before setup()"));
  }
  return levels_.front().a;
}

std::vector<std::pair<std::size_t, std::size_t>> MultigridSolver::level_shapes() const {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (const auto& l : levels_) out.emplace_back(l.a.nx, l.a.ny);
  return out;
}

void MultigridSolver::setup(StencilMatrix matrix) {
  matrix.check();
  if (options_.pre_sweeps < 0 || options_.post_sweeps < 0 || options_.pre_sweeps + options_.post_sweeps < 1 ||
      options_.max_iterations < 1 || !(options_.relative_tolerance >= 0) || !(options_.absolute_tolerance >= 0)) {
    core::raise(core::ErrorCode::internal, fmt::arg("reason", "multigrid: invalid solver options"));
  }
  levels_.clear();
  levels_.emplace_back();
  levels_.back().a = std::move(matrix);
  while (true) {
    Level& fine = levels_.back();
    build_level(fine);
    const StencilMatrix& a = fine.a;
    if (a.nx == 1 && a.ny == 1) break;
    fine.agg_x = a.ny == 1 ? 4 : (a.nx == 1 ? 1 : 2);
    fine.agg_y = a.nx == 1 ? 4 : (a.ny == 1 ? 1 : 2);
    const std::size_t ax = fine.agg_x, ay = fine.agg_y, nz = a.nz;
    const std::size_t nxc = (a.nx + ax - 1) / ax, nyc = (a.ny + ay - 1) / ay;
    StencilMatrix c = StencilMatrix::zeros(nxc, nyc, nz, a.periodic_x, a.periodic_y);
    const auto ncol = static_cast<Index>(nxc * nyc);
    // Galerkin P^T A P with piecewise-constant P: excess and z-couplings add up over an
    // aggregate; an x (y) coupling is kept, added to the aggregate's +x (+y) coupling, when it
    // leaves the aggregate, and vanishes (with its share of the diagonal) when it is internal.
#pragma omp parallel for schedule(static) if (a.size() >= kParallelMin)
    for (Index col = 0; col < ncol; ++col) {
      const std::size_t I = static_cast<std::size_t>(col) % nxc, J = static_cast<std::size_t>(col) / nxc;
      const std::size_t cb = (I + nxc * J) * nz;
      for (std::size_t j = J * ay; j < std::min(a.ny, (J + 1) * ay); ++j) {
        for (std::size_t i = I * ax; i < std::min(a.nx, (I + 1) * ax); ++i) {
          const std::size_t fb = (i + a.nx * j) * nz;
          for (std::size_t k = 0; k < nz; ++k) {
            c.excess[cb + k] += a.excess[fb + k];
            c.cz[cb + k] += a.cz[fb + k];
          }
          if (a.nx > 1 && (i + 1 < a.nx || a.periodic_x) && ((i + 1) % a.nx) / ax != I) {
            for (std::size_t k = 0; k < nz; ++k) c.cx[cb + k] += a.cx[fb + k];
          }
          if (a.ny > 1 && (j + 1 < a.ny || a.periodic_y) && ((j + 1) % a.ny) / ay != J) {
            for (std::size_t k = 0; k < nz; ++k) c.cy[cb + k] += a.cy[fb + k];
          }
        }
      }
    }
    levels_.emplace_back();
    levels_.back().a = std::move(c);
  }
  const bool k_cycle = options_.cycle == CycleKind::k_cycle;
  for (std::size_t l = 0; l < levels_.size(); ++l) {
    Level& lv = levels_[l];
    const std::size_t n = lv.a.size();
    lv.res.assign(n, 0.0);
    if (l > 0) {
      lv.rhs.assign(n, 0.0);
      lv.sol.assign(n, 0.0);
    }
    if (l > 0 && k_cycle && l + 1 < levels_.size()) {
      for (auto* v : {&lv.c, &lv.v, &lv.d, &lv.w, &lv.rt}) v->assign(n, 0.0);
    }
  }
  const std::size_t n = levels_.front().a.size();
  for (auto* v : {&r_, &z_, &p_, &q_}) v->assign(n, 0.0);
  excess_sum_ = sum(levels_.front().a.excess);
}

void MultigridSolver::build_level(Level& level) {
  const StencilMatrix& a = level.a;
  const std::size_t nx = a.nx, ny = a.ny, nz = a.nz;
  level.inv_pivot.assign(a.size(), 0.0);
  const auto ncol = static_cast<Index>(nx * ny);
  int singular = 0;
  // LDL^T of every z-line in the stable form d'_k = cz_k + e_k,
  // e_k = s_k + xy_k + cz_{k-1} e_{k-1} / d'_{k-1}: no cancellation even where s = 0.
#pragma omp parallel for schedule(static) reduction(max : singular) if (a.size() >= kParallelMin)
  for (Index col = 0; col < ncol; ++col) {
    const Columns c = columns_of(a, static_cast<std::size_t>(col) % nx, static_cast<std::size_t>(col) / nx);
    double e_prev = 0, d_prev = 1;
    for (std::size_t k = 0; k < nz; ++k) {
      const std::size_t p = c.self + k;
      double e = a.excess[p] + xy_coupling(a, c, k);
      if (k > 0) e += a.cz[p - 1] * e_prev / d_prev;
      const double d = a.cz[p] + e;
      if (!(d > 0 && std::isfinite(d) && e >= 0)) {
        singular = 1;
        level.inv_pivot[p] = 0;
      } else {
        level.inv_pivot[p] = 1.0 / d;
      }
      e_prev = e;
      d_prev = d > 0 ? d : 1.0;
    }
    // The last pivot of a column with no excess anywhere below it is e alone; zero means singular.
    if (!(e_prev > 0)) singular = 1;
  }
  // On the coarsest level (one column holding every cell of the grid) a zero last pivot means M e
  // = 0 somewhere: nothing anchors the solution. On a finer level it takes a column with no excess
  // and no x-y coupling at all (a cell layer cut off from the rest).
  if (singular) fail("multigrid setup", "a z-line of the system matrix is singular");

  const bool three_x = a.periodic_x && nx > 1 && nx % 2 == 1;
  const bool three_y = a.periodic_y && ny > 1 && ny % 2 == 1;
  const std::size_t ncolours = (three_x || three_y) ? 3 : 2;
  level.colours.assign(ncolours, {});
  for (std::size_t j = 0; j < ny; ++j) {
    const std::size_t cy = (three_y && j == ny - 1) ? 2 : j % 2;
    for (std::size_t i = 0; i < nx; ++i) {
      const std::size_t cx = (three_x && i == nx - 1) ? 2 : i % 2;
      level.colours[(cx + cy) % ncolours].push_back(i + nx * j);
    }
  }
}

void MultigridSolver::smooth(const Level& l, std::span<const double> b, std::span<double> x, bool zero_guess,
                             bool reverse) const {
  const StencilMatrix& a = l.a;
  const std::size_t nz = a.nz, ncolours = l.colours.size();
  // With two colours the first one reads no neighbour when the guess is zero; with three the
  // second colour reads the third, so the guess must really be zero.
  if (zero_guess && ncolours > 2) std::fill(x.begin(), x.end(), 0.0);
  for (std::size_t step = 0; step < ncolours; ++step) {
    const auto& list = l.colours[reverse ? ncolours - 1 - step : step];
    const bool skip_neighbours = zero_guess && step == 0;
    const auto ncol = static_cast<Index>(list.size());
#pragma omp parallel for schedule(static) if (list.size() * nz >= kParallelMin)
    for (Index t = 0; t < ncol; ++t) {
      const std::size_t col = list[static_cast<std::size_t>(t)];
      const Columns c = columns_of(a, col % a.nx, col / a.nx);
      double* xc = x.data() + c.self;
      const double* bc = b.data() + c.self;
      for (std::size_t k = 0; k < nz; ++k) xc[k] = bc[k];
      if (!skip_neighbours) {
        const auto add = [&](std::size_t nb, const double* coupling) {
          const double* xn = x.data() + nb;
          for (std::size_t k = 0; k < nz; ++k) xc[k] += coupling[k] * xn[k];
        };
        if (c.xp != Columns::npos) add(c.xp, a.cx.data() + c.self);
        if (c.xm != Columns::npos) add(c.xm, a.cx.data() + c.xm);
        if (c.yp != Columns::npos) add(c.yp, a.cy.data() + c.self);
        if (c.ym != Columns::npos) add(c.ym, a.cy.data() + c.ym);
      }
      // Tridiagonal solve along z with the stored pivots.
      const double* cz = a.cz.data() + c.self;
      const double* ip = l.inv_pivot.data() + c.self;
      for (std::size_t k = 1; k < nz; ++k) xc[k] += cz[k - 1] * ip[k - 1] * xc[k - 1];
      xc[nz - 1] *= ip[nz - 1];
      for (std::size_t k = nz - 1; k-- > 0;) xc[k] = (xc[k] + cz[k] * xc[k + 1]) * ip[k];
    }
  }
}

void MultigridSolver::precondition(std::size_t l, std::span<const double> b, std::span<double> x) {
  Level& lv = levels_[l];
  if (l + 1 == levels_.size()) {  // a single z-column: the line solve is exact
    smooth(lv, b, x, true, false);
    return;
  }
  for (int s = 0; s < options_.pre_sweeps; ++s) smooth(lv, b, x, s == 0, false);
  if (options_.pre_sweeps == 0) std::fill(x.begin(), x.end(), 0.0);
  residual(lv.a, b, x, lv.res);
  // Restriction: sum the residual over each aggregate.
  Level& cl = levels_[l + 1];
  const std::size_t nz = lv.a.nz, nxc = cl.a.nx, nyc = cl.a.ny, ax = lv.agg_x, ay = lv.agg_y;
  const auto ncol = static_cast<Index>(nxc * nyc);
#pragma omp parallel for schedule(static) if (cl.a.size() >= kParallelMin)
  for (Index col = 0; col < ncol; ++col) {
    const std::size_t I = static_cast<std::size_t>(col) % nxc, J = static_cast<std::size_t>(col) / nxc;
    double* rc = cl.rhs.data() + (I + nxc * J) * nz;
    std::fill(rc, rc + nz, 0.0);
    for (std::size_t j = J * ay; j < std::min(lv.a.ny, (J + 1) * ay); ++j) {
      for (std::size_t i = I * ax; i < std::min(lv.a.nx, (I + 1) * ax); ++i) {
        const double* rf = lv.res.data() + (i + lv.a.nx * j) * nz;
        for (std::size_t k = 0; k < nz; ++k) rc[k] += rf[k];
      }
    }
  }
  coarse_correction(l, x);
  for (int s = 0; s < options_.post_sweeps; ++s) smooth(lv, b, x, false, true);
}

void MultigridSolver::coarse_correction(std::size_t l, std::span<double> x) {
  Level& lv = levels_[l];
  Level& cl = levels_[l + 1];
  const bool exact = l + 2 == levels_.size();
  if (exact || options_.cycle == CycleKind::v_cycle) {
    precondition(l + 1, cl.rhs, cl.sol);
  } else {
    // K-cycle: two steps of FCG on the coarse system, preconditioned by the next level
    // (Notay & Vassilevski 2008, Algorithm 2.1 with t = 0.25).
    precondition(l + 1, cl.rhs, cl.c);
    apply(cl.a, cl.c, cl.v);
    const double rho1 = dot(cl.c, cl.v), alpha1 = dot(cl.c, cl.rhs);
    if (!(rho1 > 0)) {
      std::fill(cl.sol.begin(), cl.sol.end(), 0.0);
    } else {
      copy(cl.rhs, cl.rt);
      axpby(-alpha1 / rho1, cl.v, 1.0, cl.rt);
      const double rn = norm2(cl.rt), r0 = norm2(cl.rhs);
      copy(cl.c, cl.sol);
      if (rn <= 0.25 * r0) {
        axpby(0.0, cl.c, alpha1 / rho1, cl.sol);
      } else {
        precondition(l + 1, cl.rt, cl.d);
        apply(cl.a, cl.d, cl.w);
        const double gamma = dot(cl.d, cl.v), beta = dot(cl.d, cl.w), alpha2 = dot(cl.d, cl.rt);
        const double rho2 = beta - gamma * gamma / rho1;
        if (rho2 > 0) {
          axpby(alpha2 / rho2, cl.d, alpha1 / rho1 - gamma * alpha2 / (rho1 * rho2), cl.sol);
        } else {
          axpby(0.0, cl.c, alpha1 / rho1, cl.sol);
        }
      }
    }
  }
  // Prolongation: add the aggregate's correction to each of its columns.
  const std::size_t nz = lv.a.nz, nx = lv.a.nx, ny = lv.a.ny, ax = lv.agg_x, ay = lv.agg_y, nxc = cl.a.nx;
  const auto ncol = static_cast<Index>(nx * ny);
#pragma omp parallel for schedule(static) if (lv.a.size() >= kParallelMin)
  for (Index col = 0; col < ncol; ++col) {
    const std::size_t i = static_cast<std::size_t>(col) % nx, j = static_cast<std::size_t>(col) / nx;
    const double* e = cl.sol.data() + (i / ax + nxc * (j / ay)) * nz;
    double* xf = x.data() + (i + nx * j) * nz;
    for (std::size_t k = 0; k < nz; ++k) xf[k] += e[k];
  }
}

SolveReport MultigridSolver::solve(std::span<const double> b, std::span<double> x) {
  if (levels_.empty() || b.size() != levels_.front().a.size() || x.size() != b.size()) {
    core::raise(core::ErrorCode::internal, fmt::arg("reason", "multigrid solve: no setup or size mismatch"));
  }
  const StencilMatrix& a = levels_.front().a;
  SolveReport rep;
  rep.levels = levels_.size();
  rep.rhs_norm = norm2(b);
  if (!std::isfinite(rep.rhs_norm)) fail("linear solver", "the right-hand side is not finite");
  if (rep.rhs_norm == 0) {
    std::fill(x.begin(), x.end(), 0.0);
    return rep;
  }
  const double tol = std::max(options_.relative_tolerance * rep.rhs_norm, options_.absolute_tolerance);
  residual(a, b, x, r_);
  double rnorm = norm2(r_);
  rep.initial_residual = rnorm;
  bool restart = true;
  double pq_prev = 0;
  while (true) {
    if (!std::isfinite(rnorm))
      fail("linear solver", fmt::format("non-finite residual after {} iterations", rep.iterations));
    if (rnorm <= tol) {
      // Confirm with the true residual (the recursive one drifts); restart from it if needed.
      residual(a, b, x, r_);
      rnorm = norm2(r_);
      if (rnorm <= tol) break;
      restart = true;
    }
    if (rep.iterations >= options_.max_iterations) {
      fail("linear solver", fmt::format("multigrid FCG reached relative residual {:.3g} after {} iterations "
                                        "(tolerance {:.3g})",
                                        rnorm / rep.rhs_norm, rep.iterations, tol / rep.rhs_norm));
    }
    precondition(0, r_, z_);
    if (restart) {
      copy(z_, p_);
      restart = false;
    } else {
      const double beta = -dot(z_, q_) / pq_prev;
      axpby(1.0, z_, beta, p_);
    }
    apply(a, p_, q_);
    const double pq = dot(p_, q_);
    if (!(pq > 0) || !std::isfinite(pq)) {
      fail("linear solver", fmt::format("FCG breakdown (p.Ap = {}) after {} iterations", pq, rep.iterations));
    }
    const double alpha = dot(p_, r_) / pq;
    axpby(alpha, p_, 1.0, x);
    axpby(-alpha, q_, 1.0, r_);
    rnorm = norm2(r_);
    pq_prev = pq;
    ++rep.iterations;
  }
  if (options_.conserve_sum && excess_sum_ > 0) {
    const double sigma = residual(a, b, x, r_);
    const double delta = sigma / excess_sum_;
    const auto n = static_cast<Index>(x.size());
#pragma omp parallel for schedule(static) if (x.size() >= kParallelMin)
    for (Index p = 0; p < n; ++p) x[static_cast<std::size_t>(p)] += delta;
  }
  rep.residual_sum = residual(a, b, x, r_);
  rep.final_residual = norm2(r_);
  return rep;
}

}  // namespace nw::numerics
