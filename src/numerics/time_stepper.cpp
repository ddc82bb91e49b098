// Backward Euler and variable-step BDF2 for d(V K U)/dt = -M0 U + g, with a predictor-corrector
// error estimate and an exact mass ledger (see time_stepper.hpp for the equations).

#include "needlework/numerics/time_stepper.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "needlework/core/error.hpp"

namespace nw::numerics {
namespace {

using Index = std::int64_t;
constexpr std::size_t kParallelMin = 1U << 14;

[[noreturn]] void precondition_failed(const char* what) {
  core::raise(core::ErrorCode::internal, fmt::arg("reason", fmt::format("time stepper: {}", what)));
}

}  // namespace

double MassLedger::inflow() const {
  double s = 0;
  for (double b : boundary_in) s += b;
  return s;
}

double MassLedger::defect() const { return stored - (initial + inflow() + produced - cleared); }

TimeStepper::TimeStepper(FvGrid grid, DiffusionCoefficients coefficients, std::vector<double> u0, double t0_s,
                         TimeStepperOptions options, CoefficientUpdate update)
    : options_(options),
      coefficients_(std::move(coefficients)),
      update_(std::move(update)),
      op_(std::move(grid)),
      solver_(options_.solver),
      t_(t0_s),
      u_(std::move(u0)) {
  const std::size_t n = op_.grid().cells();
  if (u_.size() != n) precondition_failed("u0 needs one value per cell");
  if (!std::isfinite(t0_s)) precondition_failed("t0 must be finite");
  if (!(options_.rtol > 0) || !(options_.atol >= 0) || !(options_.floor_fraction >= 0) ||
      !(options_.dt_initial_s >= 0) || !(options_.dt_min_s >= 0) || !(options_.dt_max_s >= 0)) {
    precondition_failed("invalid options (rtol > 0, atol, floor, steps >= 0)");
  }
  if (!options_.adaptive && !(options_.dt_initial_s > 0)) precondition_failed("fixed steps need dt_initial_s > 0");
  for (double v : u_) {
    if (!std::isfinite(v)) precondition_failed("u0 must be finite");
  }
  if (update_) update_(t_, coefficients_);
  op_.assemble(coefficients_);
  m_.resize(n);
  const auto cap = op_.capacity_m3();
  for (std::size_t p = 0; p < n; ++p) m_[p] = cap[p] * u_[p];
  for (auto* v : {&u_prev_, &u_prev2_, &m_prev_, &u_new_, &pred_, &rhs_, &est_}) v->assign(n, 0.0);
  ledger_.initial = sum(m_);
  ledger_.stored = ledger_.initial;
  dt_next_ = options_.dt_initial_s;
}

void TimeStepper::set_coefficients(DiffusionCoefficients coefficients) {
  op_.assemble(coefficients);
  coefficients_ = std::move(coefficients);
  dirty_ = true;
  // m^n is unchanged (the amount in each cell); the potential follows the new partition.
  const auto cap = op_.capacity_m3();
  for (std::size_t p = 0; p < u_.size(); ++p) u_[p] = m_[p] / cap[p];
}

void TimeStepper::restart() {
  history_ = 0;
  phi_prev_.fill(0.0);
  if (options_.adaptive) dt_next_ = options_.dt_initial_s;
}

double TimeStepper::wrms(std::span<const double> est, std::span<const double> u) const {
  double umax = 0;
  for (double v : u) umax = std::max(umax, std::abs(v));
  const double floor = options_.floor_fraction * umax;
  const auto n = static_cast<Index>(u.size());
  std::vector<double> sq(u.size());
#pragma omp parallel for schedule(static) if (u.size() >= kParallelMin)
  for (Index p = 0; p < n; ++p) {
    const auto q = static_cast<std::size_t>(p);
    const double w = options_.atol + options_.rtol * std::max(std::abs(u[q]), floor);
    const double e = w > 0 ? est[q] / w : 0.0;
    sq[q] = e * e;
  }
  return std::sqrt(sum(sq) / static_cast<double>(u.size()));
}

// One attempted step of size dt from t_. On return u_new_ holds U^{n+1}; err is the weighted
// error estimate (0 when not estimated) and order the order of the step taken.
bool TimeStepper::attempt(double dt, double& err, int& order) {
  const std::size_t n = u_.size();
  const double t1 = t_ + dt;
  if (update_ && update_(t1, coefficients_)) {
    op_.assemble(coefficients_);
    dirty_ = true;
  }
  const double h1 = t_ - t_prev_, h2 = t_prev_ - t_prev2_;
  // BDF2 is zero-stable for step ratios below 1 + sqrt(2); a longer step (a fixed step after one
  // shortened to land on an output time) is taken with backward Euler.
  const bool bdf2 = options_.scheme == TimeScheme::bdf2 && history_ >= (options_.adaptive ? 2 : 1) && dt <= 2.0 * h1;
  order = bdf2 ? 2 : 1;
  double a = 1, b = 1, c = 0;
  if (bdf2) {
    const double w = dt / h1;
    a = (1 + 2 * w) / (1 + w);
    b = 1 + w;
    c = w * w / (1 + w);
  }
  const double sigma = a / dt;
  if (dirty_ || sigma != sigma_setup_) {
    solver_.setup(op_.system_matrix(sigma));
    sigma_setup_ = sigma;
    dirty_ = false;
    ++stats_.setups;
  }
  // Predictor (initial guess and error estimate): quadratic for BDF2, linear for BE.
  const int points = std::min(history_, bdf2 ? 2 : 1);
  double l0 = 1, l1 = 0, l2 = 0;  // weights of U^n, U^{n-1}, U^{n-2}
  if (points == 1) {
    l0 = (t1 - t_prev_) / h1;
    l1 = -dt / h1;
  } else if (points == 2) {
    const double ta = t_, tb = t_prev_, tc = t_prev2_;
    l0 = (t1 - tb) * (t1 - tc) / ((ta - tb) * (ta - tc));
    l1 = (t1 - ta) * (t1 - tc) / ((tb - ta) * (tb - tc));
    l2 = (t1 - ta) * (t1 - tb) / ((tc - ta) * (tc - tb));
  }
  const auto load = op_.load();
  const double inv_dt = 1.0 / dt;
  const auto ni = static_cast<Index>(n);
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (Index pi = 0; pi < ni; ++pi) {
    const auto p = static_cast<std::size_t>(pi);
    rhs_[p] = (b * m_[p] - c * m_prev_[p]) * inv_dt + load[p];
    double pr = l0 * u_[p];
    if (points >= 1) pr += l1 * u_prev_[p];
    if (points >= 2) pr += l2 * u_prev2_[p];
    pred_[p] = pr;
    u_new_[p] = pr;
  }
  const SolveReport rep = solver_.solve(rhs_, u_new_);
  ++stats_.solves;
  stats_.linear_iterations += static_cast<std::size_t>(rep.iterations);
  stats_.max_linear_iterations = std::max(stats_.max_linear_iterations, rep.iterations);
  stats_.max_relative_residual = std::max(stats_.max_relative_residual, rep.relative_residual());

  err = 0;
  if (options_.adaptive && history_ >= 1) {
    double factor = 0;
    if (bdf2) {
      const double h = dt;
      const double e = h * h * (h + h1) * (h + h1) / (6 * (2 * h + h1));
      const double pp = h * (h + h1) * (h + h1 + h2) / 6;
      factor = e / (e + pp);
    } else {
      factor = dt / (2 * dt + h1);
    }
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (Index pi = 0; pi < ni; ++pi) {
      const auto p = static_cast<std::size_t>(pi);
      est_[p] = factor * (u_new_[p] - pred_[p]);
    }
    err = wrms(est_, u_new_);
  }
  if (err > 1) return false;

  // Accept: credit the fluxes, shift the history.
  const FluxRates rates = op_.fluxes(u_new_);
  std::array<double, kBoxFaces + 2> rate{};
  for (std::size_t f = 0; f < kBoxFaces; ++f) rate[f] = rates.boundary_in[f];
  rate[kBoxFaces] = rates.sink;
  rate[kBoxFaces + 1] = rates.source;
  std::array<double, kBoxFaces + 2> phi{};
  for (std::size_t j = 0; j < phi.size(); ++j) phi[j] = (dt * rate[j] + c * phi_prev_[j]) / a;
  for (std::size_t f = 0; f < kBoxFaces; ++f) ledger_.boundary_in[f] += phi[f];
  ledger_.cleared += phi[kBoxFaces];
  ledger_.produced += phi[kBoxFaces + 1];
  phi_prev_ = phi;

  std::swap(u_prev2_, u_prev_);
  std::swap(u_prev_, u_);
  std::swap(u_, u_new_);
  std::swap(m_prev_, m_);
  const auto cap = op_.capacity_m3();
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (Index pi = 0; pi < ni; ++pi) {
    const auto p = static_cast<std::size_t>(pi);
    m_[p] = cap[p] * u_[p];
  }
  ledger_.stored = sum(m_);
  t_prev2_ = t_prev_;
  t_prev_ = t_;
  t_ = t1;
  history_ = std::min(history_ + 1, 2);
  ++stats_.steps;
  stats_.last_dt_s = dt;
  stats_.min_dt_s = stats_.steps == 1 ? dt : std::min(stats_.min_dt_s, dt);
  stats_.max_dt_s = std::max(stats_.max_dt_s, dt);
  return true;
}

void TimeStepper::advance_to(double t_end_s) {
  if (!(std::isfinite(t_end_s) && t_end_s >= t_)) precondition_failed("advance_to needs t_end >= time_s()");
  const double interval = t_end_s - t_;
  if (interval == 0) return;
  if (!options_.adaptive) {
    const double dt = options_.dt_initial_s;
    while (t_ < t_end_s) {
      double step = std::min(dt, t_end_s - t_);
      if (t_end_s - t_ - step <= 1e-9 * dt) step = t_end_s - t_;
      double err = 0;
      int order = 0;
      attempt(step, err, order);
      if (t_end_s - t_ <= 1e-12 * dt) t_ = t_end_s;
    }
    return;
  }
  if (!(dt_next_ > 0)) dt_next_ = 1e-6 * interval;
  const double dt_min = options_.dt_min_s > 0 ? options_.dt_min_s : 1e-12 * interval;
  while (t_ < t_end_s) {
    double dt = dt_next_;
    if (options_.dt_max_s > 0) dt = std::min(dt, options_.dt_max_s);
    // BDF2 is zero-stable for step ratios below 1 + sqrt(2); keep them at most 2.
    if (history_ >= 1) dt = std::min(dt, 2.0 * (t_ - t_prev_));
    const double remaining = t_end_s - t_;
    if (remaining <= dt * (1 + 1e-9)) {
      dt = remaining;
    } else if (remaining < 2 * dt) {
      dt = 0.5 * remaining;  // two even steps rather than a full one and a sliver
    }
    while (true) {
      if (dt < dt_min) {
        core::raise(core::ErrorCode::num_failure, fmt::arg("stage", "time stepper"),
                    fmt::arg("reason", fmt::format("step size {:.3g} s fell below the minimum {:.3g} s at t = {:.6g} s",
                                                   dt, dt_min, t_)));
      }
      double err = 0;
      int order = 1;
      const bool landing = dt == remaining;
      if (attempt(dt, err, order)) {
        if (landing) t_ = t_end_s;  // exactly, whatever the rounding of t + dt
        const double grow = err > 0 ? 0.9 * std::pow(err, -1.0 / (order + 1)) : 2.0;
        // Propose from the step taken, unless it was shortened to land on t_end.
        const double base = landing ? std::max(dt, dt_next_) : dt;
        dt_next_ = base * std::clamp(grow, 0.2, 2.0);
        break;
      }
      ++stats_.rejected;
      dt *= std::clamp(0.9 * std::pow(err, -1.0 / (order + 1)), 0.2, 0.9);
    }
  }
}

SolveReport solve_steady(const DiffusionOperator& op, std::span<double> u, const SolverOptions& options) {
  MultigridSolver solver(options);
  solver.setup(op.system_matrix(0.0));
  return solver.solve(op.load(), u);
}

}  // namespace nw::numerics
