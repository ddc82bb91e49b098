#pragma once
// Implicit time integration of the finite-volume transport system (diffusion.hpp)
//
//   d m / dt = F(U, t) = -M0(t) U + g(t),      m = V K(t) U     (the mass per cell)
//
// in conservative form, so that a partition coefficient K that changes with time (a channel
// resealing) keeps the amount of solute, not the potential.
//
//   backward Euler:   m^{n+1} - m^n = h F^{n+1}
//   BDF2 (variable step, w = h_n / h_{n-1}):
//     a m^{n+1} - b m^n + c m^{n-1} = h F^{n+1},  a = (1 + 2w)/(1 + w), b = 1 + w, c = w^2/(1 + w)
//   each step solves (M0 + (a / h) diag(V K^{n+1})) U^{n+1} = (b m^n - c m^{n-1}) / h + g^{n+1}
//   with the multigrid solver (multigrid.hpp).
//
// Mass balance: the amount credited to each cause (each box face, sink, source) over a step is
// the same linear combination the scheme applies to the mass: phi_n = (h F^{n+1} + c phi_{n-1}) / a
// (phi_n = h F^{n+1} for backward Euler), so that sum(m^{n+1}) - sum(m^n) = sum of the phi_n to
// round-off (the solver makes the residuals sum to zero). The ledger then satisfies
// stored = initial + inflow + produced - cleared.
//
// Step control (adaptive mode): a predictor-corrector (Milne device) estimate of the local error,
// as in DASSL/CVODE, at the cost of no extra solve:
//   BDF2: quadratic extrapolation U_p through the last three solutions; local error
//         est = E / (E + P) (U^{n+1} - U_p), E = h^2 (h + h1)^2 / (6 (2h + h1)),
//         P = h (h + h1)(h + h1 + h2) / 6     (h1, h2: the two previous steps; 2/11 for h1 = h2 = h)
//   BE:   linear extrapolation, est = h / (2h + h1) (U^{n+1} - U_p)
// in the weighted RMS norm  || est_p / (atol + rtol max(|U_p|, floor max_q |U_q|)) ||_rms <= 1.
// A step is rejected above 1, and the next step is h (0.9 / err^(1/(q+1))) within [0.2 h, 2 h]
// (q the order). The first step after a start or restart() is backward Euler with
// dt_initial_s and no error test (there is no history to estimate it from); with BDF2 the
// second step is backward Euler with its error test, BDF2 from the third. In fixed-step mode
// BDF2 starts at the second step. Steps land exactly on every t_end of advance_to(); BDF2 steps
// grow by at most a factor 2 (zero stability needs < 1 + sqrt(2)), and a fixed step more than
// twice the previous one (after a step shortened to land on t_end) is taken with backward Euler.
//
// Sources: variable-step BDF2 and its local error, Hairer E., Norsett S.P., Wanner G. (1993)
// Solving Ordinary Differential Equations I, sec. III.5; predictor-corrector error estimate as in
// DASSL, Brenan K.E., Campbell S.L., Petzold L.R. (1996) Numerical Solution of Initial-Value
// Problems in DAEs, ch. 5.
//
// Coefficients that change with time come from a callback update(t, coefficients): it must set
// them as a function of t alone (the stepper may call it for a step it then rejects, and call it
// again at an earlier time); it returns true when it changed anything (the operator is then
// reassembled). It is called once at t0 by the constructor and at the new time of every step.

#include <array>
#include <functional>
#include <span>
#include <vector>

#include "needlework/numerics/diffusion.hpp"
#include "needlework/numerics/multigrid.hpp"

namespace nw::numerics {

enum class TimeScheme { backward_euler, bdf2 };

struct TimeStepperOptions {
  TimeScheme scheme = TimeScheme::bdf2;
  bool adaptive = true;
  /// Fixed mode: the step [s] (> 0 required). Adaptive mode: the first step [s]; 0 means 1e-6
  /// of the first interval passed to advance_to().
  double dt_initial_s = 0;
  double dt_min_s = 0;           // adaptive: Error num_failure below this step [s]; 0 means 1e-12 of the interval
  double dt_max_s = 0;           // adaptive: largest step [s]; 0 means none
  double rtol = 1e-3;            // relative local error per step (adaptive)
  double atol = 0;               // absolute local error in U [amount/m^3] (adaptive)
  double floor_fraction = 1e-3;  // errors of U_p below floor * max|U| are weighed as at that floor
  SolverOptions solver;
};

/// Cumulative amounts since the start [amount].
struct MassLedger {
  double initial = 0;                           // sum V K U at t0
  std::array<double, kBoxFaces> boundary_in{};  // that entered through each face (negative: left)
  double cleared = 0;                           // removed by the sink term
  double produced = 0;                          // added by the source term
  double stored = 0;                            // sum V K U now
  double inflow() const;                        // sum of boundary_in
  /// stored - (initial + inflow + produced - cleared): zero up to round-off.
  double defect() const;
};

struct StepperStats {
  std::size_t steps = 0;  // accepted
  std::size_t rejected = 0;
  std::size_t solves = 0;
  std::size_t setups = 0;  // multigrid hierarchies built
  std::size_t linear_iterations = 0;
  int max_linear_iterations = 0;
  double max_relative_residual = 0;
  double last_dt_s = 0, min_dt_s = 0, max_dt_s = 0;
};

using CoefficientUpdate = std::function<bool(double t_s, DiffusionCoefficients& coefficients)>;

class TimeStepper {
 public:
  /// Starts at t0_s with potential u0 (U = C / K per cell, size grid.cells()).
  /// Preconditions (else Error internal): sizes match, options valid (rtol > 0, steps >= 0,
  /// dt_initial_s > 0 in fixed mode).
  TimeStepper(FvGrid grid, DiffusionCoefficients coefficients, std::vector<double> u0, double t0_s,
              TimeStepperOptions options = {}, CoefficientUpdate update = {});

  /// Integrates to t_end_s (>= time_s()), landing on it exactly. Throws Error num_failure if
  /// the step would fall below dt_min or a linear solve fails.
  void advance_to(double t_end_s);
  /// Replaces the coefficients from now on (between advance_to() calls: a new session, a donor
  /// refilled or depleted by the caller's own bookkeeping). The mass m = V K U is kept, so a
  /// change of K moves U. Preconditions as DiffusionOperator::assemble(). A later callback call
  /// overrides what is set here. Call restart() too if the change is a discontinuity.
  void set_coefficients(DiffusionCoefficients coefficients);
  /// Forgets the history: the next step starts again with backward Euler (after a
  /// discontinuity in the coefficients, e.g. a new treatment session).
  void restart();

  double time_s() const { return t_; }
  std::span<const double> potential() const { return u_; }
  std::vector<double> concentration() const { return op_.concentration(u_); }
  const MassLedger& ledger() const { return ledger_; }
  const StepperStats& stats() const { return stats_; }
  const DiffusionOperator& op() const { return op_; }
  const DiffusionCoefficients& coefficients() const { return coefficients_; }

 private:
  bool attempt(double dt, double& err, int& order);
  double wrms(std::span<const double> est, std::span<const double> u) const;

  TimeStepperOptions options_;
  DiffusionCoefficients coefficients_;
  CoefficientUpdate update_;
  DiffusionOperator op_;
  MultigridSolver solver_;
  double t_ = 0;
  std::vector<double> u_, u_prev_, u_prev2_;  // U^n, U^{n-1}, U^{n-2}
  std::vector<double> m_, m_prev_;            // m^n, m^{n-1}
  std::vector<double> u_new_, pred_, rhs_, est_;
  double t_prev_ = 0, t_prev2_ = 0;
  int history_ = 0;                               // how many past solutions (before U^n) are valid: 0, 1 or 2
  std::array<double, kBoxFaces + 2> phi_prev_{};  // faces, sink, source credited by the last step
  double dt_next_ = 0;
  double sigma_setup_ = -1;  // a / h of the current hierarchy (-1: none)
  bool dirty_ = true;        // coefficients changed since the hierarchy was built
  MassLedger ledger_;
  StepperStats stats_;
};

/// Solves the stationary problem 0 = F(U) = -M0 U + g of an assembled operator; u holds the
/// initial guess on entry. Throws Error num_failure if the system is singular (no Dirichlet,
/// Robin or sink term) or the solver does not converge.
SolveReport solve_steady(const DiffusionOperator& op, std::span<double> u, const SolverOptions& options = {});

}  // namespace nw::numerics
