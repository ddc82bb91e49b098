// Healing and remodelling of one treated area (docs/model/healing.md; equations in model.hpp).
//
// Integration: CVODE (BDF, dense direct solver, difference-quotient Jacobian) from SUNDIALS 6.4
// (Hindmarsh AC et al (2005) ACM TOMS 31:363-396). Sessions are discontinuities of the state:
// the integrator stops at each session day, the injury is added (damage D <- D + d (1 - D),
// bleeding adds inflammatory and growth-factor boluses, the barrier drops - it is evaluated in
// closed form, see healing.md 2.7) and CVODE is
// re-initialised. Delivered actives enter as Bateman curves (first-order uptake and local
// clearance) summed over applications and act through Emax terms. Natural ageing multiplies
// collagen and elastin by exp(-loss x years above the onset age), identically in the treated and
// untreated runs (docs/model/healing.md, section 2.6). Collagen I is two pools (healing.md 2.5):
// the remodelling pool R (MMP turnover, half-life t1) and the stable pool S of new type I that has
// matured (cross-linked) over t_m and turns over with the half-life t_s of mature dermal collagen
// (Verzijl N et al (2000) J Biol Chem 275:39027); S is 0 at rest.

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "needlework/core/error.hpp"
#include "needlework/healing/model.hpp"

namespace nw::healing {

namespace {

using core::ErrorCode;

constexpr double kLn2 = 0.69314718055994530942;
constexpr double kDaysPerYear = 365.25;
constexpr double kHoursPerDay = 24.0;
// Numerical settings (not model parameters): CVODE tolerances on states of order 1.
constexpr double kRelTol = 1e-4;
constexpr double kAbsTol = 1e-7;
constexpr long kMaxSteps = 20000;
// Erythema is followed for this many days after each session.
constexpr double kErythemaWindowDays = 14.0;
// A dose no longer contributes after this many of its time constants (e^-30 ~ 1e-13).
constexpr double kDoseWindowTimeConstants = 30.0;

// State layout.
constexpr int kD = 0;    // damage, 3
constexpr int kI = 3;    // inflammation, 3
constexpr int kG = 6;    // growth factor, 3
constexpr int kF = 9;    // fibroblasts, papillary and reticular
constexpr int kC3 = 11;  // collagen III / c3_0
constexpr int kC1 = 13;  // remodelling pool of collagen I / c1_0 (R)
constexpr int kE = 15;   // elastin
constexpr int kM = 17;   // MMP
constexpr int kT = 19;   // epidermal thickness
constexpr int kA = 20;   // melanocyte activation
constexpr int kP = 21;   // pigment
constexpr int kH = 22;   // follicle drive
constexpr int kQ = 23;   // integral of (A - A_th)+
constexpr int kR = 24;   // fibroblast responsiveness, papillary and reticular
constexpr int kS = 26;   // stable (cross-linked) collagen I above rest / c1_0, papillary and reticular
constexpr int kY = 28;   // melanogenic set-point of the melanocytes (1 = the person's resting activity)
constexpr int kN = 29;

struct Dose {
  double day;
  PerCompartment amount;
};

// Precomputed dose lists per action, and the model evaluation.
struct Problem {
  const Parameters& p;
  PatientFactors patient;
  bool scalp = false;
  std::vector<std::vector<Dose>> doses;  // per p.actives entry
  // Barrier (not integrated: it drives nothing): B(t) = 1 - (1 - B_s) exp(-rate (t - t_s)).
  double barrier_rate = 0;           // 1/day, of the last session
  double barrier_session_day = 0;    // t_s
  double barrier_after_session = 1;  // B_s

  double barrier(double t) const {
    return 1 - (1 - barrier_after_session) * std::exp(-barrier_rate * (t - barrier_session_day));
  }
  double dermal_half_life_d = 0;  // channel closure of the last session
  double phototype = 1;

  // Level of action a in compartment k at time t (ug/cm^2 equivalents).
  double level(std::size_t a, int k, double t) const {
    const auto& act = p.actives[a];
    const auto& list = doses[a];
    const double tr = act.residence_time_d, ta = act.absorption_time_d;
    const double window = kDoseWindowTimeConstants * std::max(tr, ta);
    auto it = std::upper_bound(list.begin(), list.end(), t, [](double x, const Dose& d) { return x < d.day; });
    double sum = 0;
    while (it != list.begin()) {
      --it;
      const double s = t - it->day;
      if (s > window) break;
      sum += it->amount[k] * tr / (tr - ta) * (std::exp(-s / tr) - std::exp(-s / ta));
    }
    return std::max(0.0, sum);
  }

  struct Effects {
    double melanocyte = 0, pigment = 0, follicle = 0;
    double setpoint = 0;  // melanocyte suppression at the papillary level (dermal melanogenic drive)
    double collagen[2] = {0, 0};
  };
  Effects effects(double t) const {
    Effects e;
    for (std::size_t a = 0; a < p.actives.size(); ++a) {
      if (doses[a].empty()) continue;
      const auto& act = p.actives[a];
      const auto occupancy = [&](int k) {
        const double l = level(a, k, t);
        return l / (l + act.ec50_ug_per_cm2);
      };
      if (act.melanocyte_emax != 0 || act.pigment_emax != 0) {
        const double o = occupancy(0);
        e.melanocyte += act.melanocyte_emax * o;
        e.pigment += act.pigment_emax * o;
      }
      if (act.melanocyte_emax != 0) e.setpoint += act.melanocyte_emax * occupancy(1);
      if (act.collagen_emax != 0) {
        e.collagen[0] += act.collagen_emax * occupancy(1);
        e.collagen[1] += act.collagen_emax * occupancy(2);
      }
      if (act.follicle_emax != 0) e.follicle += act.follicle_emax * occupancy(2);
    }
    // Suppressions are fractions: at most 95 % of the drive is removed.
    e.melanocyte = std::min(e.melanocyte, 0.95);
    e.pigment = std::min(e.pigment, 0.95);
    e.setpoint = std::min(e.setpoint, 0.95);
    return e;
  }

  void rhs(double t, const double* y, double* dy) const {
    const double tg = patient.turnover_gain;
    const double ig = patient.inflammation_gain;
    const auto fx = effects(t);
    // Damage, inflammation, growth factor: all compartments.
    for (int k = 0; k < kCompartments; ++k) {
      const double half_life = k == 0 ? p.epidermal_repair_half_life_d : dermal_half_life_d;
      const double d = std::max(0.0, y[kD + k]);
      const double inf = std::max(0.0, y[kI + k]);
      dy[kD + k] = -kLn2 / half_life * tg * y[kD + k];
      const double drive = ig * d / (d + p.damage_half_saturation);
      dy[kI + k] = (drive - y[kI + k] / (1 + p.inflammation_prolongation * inf)) / p.inflammation_time_d;
      dy[kG + k] = (y[kI + k] - y[kG + k]) / p.growth_factor_time_d;
    }
    // Dermal matrix: papillary (j = 0) and reticular (j = 1).
    const double c3_over_c1 = p.collagen_iii_fraction / p.collagen_i_fraction;
    const double tau3 = p.collagen_iii_turnover_time_d / tg;
    const double k1 = kLn2 / p.collagen_i_half_life_d * tg;
    const double s1 = k1 - p.collagen_iii_maturation * c3_over_c1 / tau3;  // per c1_0
    const double k_mature = tg / p.collagen_i_maturation_time_d;
    const double k_stable = kLn2 / p.collagen_i_stable_half_life_d * tg;
    for (int j = 0; j < 2; ++j) {
      const double g = std::max(0.0, y[kG + 1 + j]);
      const double inf = std::max(0.0, y[kI + 1 + j]);
      const double f = y[kF + j];
      const double m = y[kM + j];
      const double x3 = y[kC3 + j];
      const double x1 = std::max(1e-3, y[kC1 + j]);
      const double v = 1 + fx.collagen[j];
      const double responsive = std::max(0.0, y[kR + j]);
      const double recruit =
          p.fibroblast_recruitment * patient.response_gain * responsive * g / (g + p.fibroblast_half_activation);
      dy[kF + j] = (recruit * (p.fibroblast_max - f) - (f - 1)) / p.fibroblast_time_d;
      const double wound = std::max(0.0, y[kD + 1 + j]);
      dy[kR + j] = (1 - y[kR + j]) / p.responsiveness_recovery_time_d -
                   wound / (wound + p.damage_half_saturation) * responsive / p.responsiveness_depletion_time_d;
      // New type I above rest matures into the stable pool (cross-linking). Only the remodelling
      // pool feeds back on type III synthesis: matured, cross-linked matrix does not hold type III
      // below rest for years (the resting I:III share returns, E rows).
      const double maturing = k_mature * std::max(0.0, y[kC1 + j] - 1);
      const double feedback = std::pow(1.0 / x1, p.matrix_feedback_exponent);
      const double synthesis = (1 + p.collagen_synthesis_gain * (f - 1)) * v;
      dy[kC3 + j] = (synthesis * (1 + p.collagen_iii_growth_factor_gain * g) * feedback - x3 * m) / tau3;
      dy[kC1 + j] = p.collagen_iii_maturation * c3_over_c1 * x3 * m / tau3 + s1 * synthesis - k1 * x1 * m - maturing;
      dy[kS + j] = maturing - k_stable * y[kS + j];
      dy[kE + j] = (1 + p.elastin_synthesis_gain * (f - 1) - m * y[kE + j]) / (p.elastin_time_d / tg);
      dy[kM + j] = (1 + p.mmp_inflammation_gain * inf + p.mmp_growth_factor_gain * g - m) / p.mmp_time_d;
    }
    // Epidermis, barrier.
    const double papillary_collagen = (y[kC1] + y[kS] + c3_over_c1 * y[kC3]) / (1 + c3_over_c1);
    const double t_target =
        1 + p.epidermis_growth_factor_gain * std::max(0.0, y[kG]) + p.epidermis_matrix_gain * (papillary_collagen - 1);
    dy[kT] = (t_target - y[kT]) / (p.epidermis_time_d / tg);
    // Pigment.
    const double inflamed =
        std::max(0.0, y[kI]) + std::max(0.0, y[kI + 1]) + p.reticular_pigment_weight * std::max(0.0, y[kI + 2]);
    const double activation = patient.melanocyte_gain * phototype * p.melanocyte_gain * inflamed * (1 - fx.melanocyte);
    dy[kA] = (activation - y[kA]) / p.melanocyte_time_d;
    // Melanogenic set-point (healing.md 2.9): lowered while an active suppresses the dermal drive
    // of the melanocytes (tranexamic acid: plasmin, vessels, mast cells), at the rate at which
    // melanocyte activity follows its drive (tau_A); it relaxes back over tau_Y (weeks).
    const double setpoint = std::max(0.0, y[kY]);
    dy[kY] = (1 - y[kY]) / p.setpoint_recovery_time_d - fx.setpoint * setpoint / p.melanocyte_time_d;
    // Melanin leaves with the renewing epidermis: faster while growth factors drive proliferation
    // (a_R G_e) and for as long as the needled epidermis stays thickened (a_N (T - 1)+).
    const double renewal =
        1 + p.pigment_renewal_gain * std::max(0.0, y[kG]) + p.pigment_thickness_gain * std::max(0.0, y[kT] - 1);
    dy[kP] = tg / p.pigment_time_d *
             ((1 + p.pigment_activation_gain * std::max(0.0, y[kA])) * (1 - fx.pigment) * setpoint - y[kP] * renewal);
    // Follicles (scalp only).
    if (scalp) {
      const double wound = p.follicle_wound_gain * (std::max(0.0, y[kG + 1]) + std::max(0.0, y[kG + 2]));
      dy[kH] = (wound + fx.follicle - y[kH]) / p.follicle_time_d;
    } else {
      dy[kH] = 0;
    }
    dy[kQ] = std::max(0.0, y[kA] - p.melanocyte_threshold);
  }
};

int rhs_callback(sunrealtype t, N_Vector y, N_Vector ydot, void* user) {
  static_cast<const Problem*>(user)->rhs(t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
  return 0;
}

// Stores CVODE's message instead of printing it.
void error_callback(int, const char*, const char* function, char* message, void* user) {
  *static_cast<std::string*>(user) = fmt::format("{}: {}", function, message);
}

// Owns the SUNDIALS objects of one integration.
class Cvode {
 public:
  Cvode(Problem& problem, const std::vector<double>& y0, double t0) {
    check(SUNContext_Create(nullptr, &ctx_), "SUNContext_Create");
    y_ = N_VNew_Serial(kN, ctx_);
    if (!y_) fail("N_VNew_Serial", -1);
    std::copy(y0.begin(), y0.end(), N_VGetArrayPointer(y_));
    mem_ = CVodeCreate(CV_BDF, ctx_);
    if (!mem_) fail("CVodeCreate", -1);
    check(CVodeSetErrHandlerFn(mem_, error_callback, &message_), "CVodeSetErrHandlerFn");
    check(CVodeInit(mem_, rhs_callback, t0, y_), "CVodeInit");
    check(CVodeSStolerances(mem_, kRelTol, kAbsTol), "CVodeSStolerances");
    check(CVodeSetUserData(mem_, &problem), "CVodeSetUserData");
    check(CVodeSetMaxNumSteps(mem_, kMaxSteps), "CVodeSetMaxNumSteps");
    a_ = SUNDenseMatrix(kN, kN, ctx_);
    ls_ = SUNLinSol_Dense(y_, a_, ctx_);
    if (!a_ || !ls_) fail("SUNLinSol_Dense", -1);
    check(CVodeSetLinearSolver(mem_, ls_, a_), "CVodeSetLinearSolver");
  }
  ~Cvode() {
    if (mem_) CVodeFree(&mem_);
    if (ls_) SUNLinSolFree(ls_);
    if (a_) SUNMatDestroy(a_);
    if (y_) N_VDestroy(y_);
    if (ctx_) SUNContext_Free(&ctx_);
  }
  Cvode(const Cvode&) = delete;
  Cvode& operator=(const Cvode&) = delete;

  double* state() { return N_VGetArrayPointer(y_); }
  void reinit(double t0) {
    steps_before_ += steps_since_init();
    check(CVodeReInit(mem_, t0, y_), "CVodeReInit");
  }
  // Steps since creation (CVodeReInit resets CVODE's own counter).
  long steps() const { return steps_before_ + steps_since_init(); }
  void stop_at(double t) { check(CVodeSetStopTime(mem_, t), "CVodeSetStopTime"); }
  void advance(double tout) {
    double t = 0;
    const int flag = CVode(mem_, tout, y_, &t, CV_NORMAL);
    if (flag < 0) fail("CVode", flag);
  }

 private:
  void check(int flag, const char* what) const {
    if (flag < 0) fail(what, flag);
  }
  [[noreturn]] void fail(const char* what, int flag) const {
    core::raise(
        ErrorCode::num_failure, fmt::arg("stage", "healing"),
        fmt::arg("reason", fmt::format("{} returned {}{}{}", what, flag, message_.empty() ? "" : ": ", message_)));
  }
  SUNContext ctx_ = nullptr;
  N_Vector y_ = nullptr;
  void* mem_ = nullptr;
  SUNMatrix a_ = nullptr;
  SUNLinearSolver ls_ = nullptr;
  long steps_since_init() const {
    long n = 0;
    CVodeGetNumSteps(mem_, &n);
    return n;
  }
  std::string message_;
  long steps_before_ = 0;
};

std::vector<double> resting_state() {
  std::vector<double> y(kN, 0.0);
  for (int j = 0; j < 2; ++j) y[kF + j] = y[kC3 + j] = y[kC1 + j] = y[kE + j] = y[kM + j] = y[kR + j] = 1;
  y[kT] = y[kP] = y[kY] = 1;
  return y;
}

void check_inputs(const HealingInputs& in) {
  const auto bad = [](const std::string& what) {
    core::raise(ErrorCode::internal, fmt::arg("reason", fmt::format("healing inputs: {}", what)));
  };
  if (!(in.end_day >= 0)) bad("end_day must be >= 0");
  double last = 0;
  for (const auto& s : in.sessions) {
    if (!(s.day >= last) || s.day > in.end_day) bad("sessions must be in time order within 0..end_day");
    last = s.day;
    for (double d : s.damaged_fraction) {
      if (!(d >= 0 && d <= 1)) bad("damaged_fraction must lie in 0..1");
    }
    if (!(s.bleeding_fraction >= 0 && s.bleeding_fraction <= 1) ||
        !(s.bruising_fraction >= 0 && s.bruising_fraction <= 1)) {
      bad("bleeding and bruising fractions must lie in 0..1");
    }
  }
  if (in.patient.fitzpatrick < 1 || in.patient.fitzpatrick > 6) bad("fitzpatrick must be 1..6");
  for (double g :
       {in.patient.response_gain, in.patient.inflammation_gain, in.patient.melanocyte_gain, in.patient.turnover_gain}) {
    if (!(g > 0)) bad("patient gains must be positive");
  }
}

double ageing_factor(double day, const PatientFactors& patient, double onset_yr, double loss_per_yr) {
  const double start = std::max(patient.age_yr, onset_yr);
  const double years = std::max(0.0, patient.age_yr + day / kDaysPerYear - start);
  return std::exp(-loss_per_yr * years);
}

// Visible redness from the dermal inflammation (papillary and reticular plexus).
double erythema_of(const double* y, const Parameters& p) {
  const double i = std::max(0.0, y[kI + 1]) + std::max(0.0, y[kI + 2]);
  return i / (i + p.erythema_half_signal);
}

TissueSample sample_of(double day, const double* y, const Problem& pr) {
  const auto& p = pr.p;
  TissueSample s;
  s.day = day;
  const double fc = ageing_factor(day, pr.patient, p.ageing_onset_yr, p.collagen_loss_per_yr);
  const double fe = ageing_factor(day, pr.patient, p.ageing_onset_yr, p.elastin_loss_per_yr);
  for (int k = 0; k < kCompartments; ++k) {
    s.damage[k] = std::clamp(y[kD + k], 0.0, 1.0);
    s.inflammation[k] = std::max(0.0, y[kI + k]);
    s.growth_factor[k] = std::max(0.0, y[kG + k]);
  }
  // The epidermal compartment carries no dermal matrix: its entries stay at the resting values.
  s.fibroblasts[0] = s.mmp[0] = 1;
  s.collagen_iii[0] = fc;
  s.collagen_i[0] = fc;
  s.elastin[0] = fe;
  for (int j = 0; j < 2; ++j) {
    s.fibroblasts[1 + j] = y[kF + j];
    s.collagen_iii[1 + j] = y[kC3 + j] * fc;
    s.collagen_i[1 + j] = (y[kC1 + j] + y[kS + j]) * fc;
    s.elastin[1 + j] = y[kE + j] * fe;
    s.mmp[1 + j] = y[kM + j];
  }
  s.epidermal_thickness = y[kT];
  s.barrier = std::clamp(pr.barrier(day), 0.0, 1.0);
  s.erythema = erythema_of(y, p);
  s.melanocyte_activation = std::max(0.0, y[kA]);
  s.pigment = y[kP];
  s.follicle_stimulation = pr.scalp ? std::max(0.0, y[kH]) : 0.0;
  return s;
}

struct RunOut {
  std::vector<TissueSample> daily;
  long steps = 0;
  double erythema_h = 0, downtime_days = 0, peak_inflammation = 0, pih_drive = 0;
};

// Time (days after `start`) at which the sampled erythema last falls below `threshold`
// (linear interpolation between samples); 0 if never above.
double last_above(const std::vector<std::pair<double, double>>& series, double start, double threshold) {
  double out = 0;
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (series[i].second < threshold) continue;
    if (i + 1 < series.size() && series[i + 1].second < threshold) {
      const auto& [t0, e0] = series[i];
      const auto& [t1, e1] = series[i + 1];
      out = t0 + (t1 - t0) * (e0 - threshold) / (e0 - e1) - start;
    } else {
      out = series[i].first - start;
    }
  }
  return std::max(0.0, out);
}

RunOut run(const HealingInputs& in, const Parameters& p, const std::vector<SessionInjury>& sessions,
           const std::vector<ActiveDose>& actives) {
  Problem pr{p};
  pr.patient = in.patient;
  pr.scalp = in.scalp;
  pr.phototype = phototype_factor(in.patient.fitzpatrick, p);
  pr.doses.resize(p.actives.size());
  for (const auto& d : actives) {
    for (std::size_t a = 0; a < p.actives.size(); ++a) {
      if (p.actives[a].name == d.active) pr.doses[a].push_back({d.day, d.delivered_ug_per_cm2});
    }
  }
  for (auto& list : pr.doses) {
    std::stable_sort(list.begin(), list.end(), [](const Dose& a, const Dose& b) { return a.day < b.day; });
  }
  pr.barrier_rate = std::log(20.0) / (p.barrier_recovery_h / kHoursPerDay);
  pr.dermal_half_life_d = p.dermal_repair_half_life_d;

  RunOut out;
  const int days = static_cast<int>(std::floor(in.end_day + 1e-9));
  out.daily.reserve(static_cast<std::size_t>(days) + 1);

  // Output times besides the days: after each session, hourly for 3 days, then every 3 hours
  // until 14 days or the next session (erythema and peak inflammation).
  std::vector<double> fine;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const double start = sessions[i].day;
    const double end =
        std::min({start + kErythemaWindowDays, in.end_day, i + 1 < sessions.size() ? sessions[i + 1].day : in.end_day});
    for (double h = 1; start + h / kHoursPerDay < end - 1e-9; h += h < 72 ? 1 : 3) {
      fine.push_back(start + h / kHoursPerDay);
    }
    if (end > start) fine.push_back(end);
  }
  std::sort(fine.begin(), fine.end());

  Cvode cv(pr, resting_state(), 0.0);
  double* y = cv.state();
  // Erythema samples (time, e) of the current session's window.
  std::vector<std::pair<double, double>> series;
  const auto close_window = [&]() {
    if (series.empty()) return;
    const double start = series.front().first;
    out.erythema_h = std::max(out.erythema_h, kHoursPerDay * last_above(series, start, p.erythema_visible));
    out.downtime_days = std::max(out.downtime_days, last_above(series, start, p.erythema_acceptable));
    series.clear();
  };
  const auto observe = [&](double t_obs) {
    out.peak_inflammation = std::max(out.peak_inflammation, std::max(0.0, y[kI + 1]));
    if (!series.empty()) series.emplace_back(t_obs, erythema_of(y, p));
  };

  double t = 0;
  double stop_time = -1;
  std::size_t next = 0;  // next session
  std::size_t next_fine = 0;
  int day = 0;
  while (true) {
    // Sessions due now (before the sample of this time).
    while (next < sessions.size() && sessions[next].day <= t + 1e-12) {
      close_window();
      const auto& s = sessions[next];
      for (int k = 0; k < kCompartments; ++k) y[kD + k] += s.damaged_fraction[k] * (1 - y[kD + k]);
      const double ig = in.patient.inflammation_gain;
      y[kI + 1] += ig * p.bleeding_inflammation * s.bleeding_fraction;
      y[kI + 2] += ig * p.bruising_inflammation * s.bruising_fraction;
      y[kG + 1] += p.bleeding_growth_factor * s.bleeding_fraction;
      const double de = s.damaged_fraction[0];
      const double recovery_h = s.barrier_recovery_h > 0 ? s.barrier_recovery_h : p.barrier_recovery_h;
      pr.barrier_after_session = pr.barrier(t) * (1 - de / (de + p.damage_half_saturation));
      pr.barrier_session_day = t;
      pr.barrier_rate = std::log(20.0) / (recovery_h / kHoursPerDay);
      pr.dermal_half_life_d =
          s.closure_half_life_h > 0 ? s.closure_half_life_h / kHoursPerDay : p.dermal_repair_half_life_d;
      cv.reinit(t);
      stop_time = -1;
      ++next;
      series.emplace_back(t, erythema_of(y, p));
      observe(t);
    }
    if (day <= days && std::abs(t - day) < 1e-9) {
      out.daily.push_back(sample_of(t, y, pr));
      ++day;
    }
    observe(t);
    while (next_fine < fine.size() && fine[next_fine] <= t + 1e-9) ++next_fine;
    if (day > days) break;
    // Advance to the next output (day, fine sample or session); never step across a session.
    const double stop = next < sessions.size() ? sessions[next].day : in.end_day;
    if (stop != stop_time) {
      cv.stop_at(stop);
      stop_time = stop;
    }
    double target = std::min(static_cast<double>(day), stop);
    if (next_fine < fine.size()) target = std::min(target, fine[next_fine]);
    cv.advance(target);
    t = target;
  }
  close_window();
  out.pih_drive = y[kQ];
  out.steps = cv.steps();
  return out;
}

}  // namespace

HealingResult simulate_healing(const HealingInputs& in, const Parameters& p) {
  check_inputs(in);
  HealingResult r;
  auto treated = run(in, p, in.sessions, in.actives);
  auto untreated = run(in, p, {}, in.control_actives);
  r.treated = std::move(treated.daily);
  r.untreated = std::move(untreated.daily);
  r.erythema_h = treated.erythema_h;
  r.downtime_days = treated.downtime_days;
  r.peak_inflammation = treated.peak_inflammation;
  r.pih_drive = treated.pih_drive;
  r.papillary_weight = p.papillary_weight;
  r.solver_steps = treated.steps + untreated.steps;
  return r;
}

}  // namespace nw::healing
