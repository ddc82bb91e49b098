// Healing and remodelling of one treated area (docs/model/healing.md; equations in model.hpp).
//
// Integration: CVODE (BDF, dense direct solver, difference-quotient Jacobian) from SUNDIALS 6.4
// (Hindmarsh AC et al (2005) ACM TOMS 31:363-396). Sessions are discontinuities of the state:
// the integrator stops at each session day, the injury is added (damage D <- D + d (1 - D),
// bleeding adds inflammatory and growth-factor boluses, the barrier drops) and CVODE is
// re-initialised. Delivered actives enter as Bateman curves (first-order uptake and local
// clearance) summed over applications and act through Emax terms. Natural ageing multiplies
// collagen and elastin by exp(-loss x years above the onset age), identically in the treated and
// untreated runs (docs/model/healing.md, section 2.6).

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include <algorithm>
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
// Erythema is resolved on an hourly grid for this many days after each session.
constexpr double kErythemaWindowDays = 14.0;
// Numerical settings (not model parameters): CVODE tolerances on states of order 1.
constexpr double kRelTol = 1e-6;
constexpr double kAbsTol = 1e-9;
constexpr long kMaxSteps = 20000;
// A dose no longer contributes after this many of its time constants (e^-30 ~ 1e-13).
constexpr double kDoseWindowTimeConstants = 30.0;

// State layout.
constexpr int kD = 0;    // damage, 3
constexpr int kI = 3;    // inflammation, 3
constexpr int kG = 6;    // growth factor, 3
constexpr int kF = 9;    // fibroblasts, papillary and reticular
constexpr int kC3 = 11;  // collagen III / c3_0
constexpr int kC1 = 13;  // collagen I / c1_0
constexpr int kE = 15;   // elastin
constexpr int kM = 17;   // MMP
constexpr int kT = 19;   // epidermal thickness
constexpr int kB = 20;   // barrier
constexpr int kA = 21;   // melanocyte activation
constexpr int kP = 22;   // pigment
constexpr int kH = 23;   // follicle drive
constexpr int kQ = 24;   // integral of (A - A_th)+
constexpr int kR = 25;   // fibroblast responsiveness, papillary and reticular
constexpr int kN = 27;

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
  double barrier_rate = 0;               // 1/day, of the last session
  double dermal_half_life_d = 0;         // channel closure of the last session
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
      if (act.collagen_emax != 0) {
        e.collagen[0] += act.collagen_emax * occupancy(1);
        e.collagen[1] += act.collagen_emax * occupancy(2);
      }
      if (act.follicle_emax != 0) e.follicle += act.follicle_emax * occupancy(2);
    }
    // Suppressions are fractions: at most 95 % of the drive is removed.
    e.melanocyte = std::min(e.melanocyte, 0.95);
    e.pigment = std::min(e.pigment, 0.95);
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
      dy[kR + j] = (1 - y[kR + j]) / p.responsiveness_recovery_time_d -
                   std::max(0.0, f - 1) * responsive / p.responsiveness_depletion_time_d;
      const double feedback = std::pow(1.0 / x1, p.matrix_feedback_exponent);
      const double synthesis = (1 + p.collagen_synthesis_gain * (f - 1)) * v;
      dy[kC3 + j] = (synthesis * (1 + p.collagen_iii_growth_factor_gain * g) * feedback - x3 * m) / tau3;
      dy[kC1 + j] = p.collagen_iii_maturation * c3_over_c1 * x3 * m / tau3 + s1 * synthesis - k1 * x1 * m;
      dy[kE + j] = (1 + p.elastin_synthesis_gain * (f - 1) - m * y[kE + j]) / (p.elastin_time_d / tg);
      dy[kM + j] = (1 + p.mmp_inflammation_gain * inf + p.mmp_growth_factor_gain * g - m) / p.mmp_time_d;
    }
    // Epidermis, barrier.
    const double papillary_collagen = (y[kC1] + c3_over_c1 * y[kC3]) / (1 + c3_over_c1);
    const double t_target =
        1 + p.epidermis_growth_factor_gain * std::max(0.0, y[kG]) + p.epidermis_matrix_gain * (papillary_collagen - 1);
    dy[kT] = (t_target - y[kT]) / (p.epidermis_time_d / tg);
    dy[kB] = (1 - y[kB]) * barrier_rate;
    // Pigment.
    const double inflamed =
        std::max(0.0, y[kI]) + std::max(0.0, y[kI + 1]) + p.reticular_pigment_weight * std::max(0.0, y[kI + 2]);
    const double activation = patient.melanocyte_gain * phototype * p.melanocyte_gain * inflamed * (1 - fx.melanocyte);
    dy[kA] = (activation - y[kA]) / p.melanocyte_time_d;
    dy[kP] = tg / p.pigment_time_d *
             ((1 + p.pigment_activation_gain * std::max(0.0, y[kA])) * (1 - fx.pigment) -
              y[kP] * (1 + p.pigment_renewal_gain * std::max(0.0, y[kG])));
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
  void reinit(double t0) { check(CVodeReInit(mem_, t0, y_), "CVodeReInit"); }
  void stop_at(double t) { check(CVodeSetStopTime(mem_, t), "CVodeSetStopTime"); }
  void advance(double tout) {
    double t = 0;
    const int flag = CVode(mem_, tout, y_, &t, CV_NORMAL);
    if (flag < 0) fail("CVode", flag);
  }
  long steps() const {
    long n = 0;
    CVodeGetNumSteps(mem_, &n);
    return n;
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
  std::string message_;
};

std::vector<double> resting_state() {
  std::vector<double> y(kN, 0.0);
  for (int j = 0; j < 2; ++j) y[kF + j] = y[kC3 + j] = y[kC1 + j] = y[kE + j] = y[kM + j] = y[kR + j] = 1;
  y[kT] = y[kB] = y[kP] = 1;
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
    s.collagen_i[1 + j] = y[kC1 + j] * fc;
    s.elastin[1 + j] = y[kE + j] * fe;
    s.mmp[1 + j] = y[kM + j];
  }
  s.epidermal_thickness = y[kT];
  s.barrier = std::clamp(y[kB], 0.0, 1.0);
  s.erythema = erythema_of(y, p);
  s.melanocyte_activation = std::max(0.0, y[kA]);
  s.pigment = y[kP];
  s.follicle_stimulation = pr.scalp ? std::max(0.0, y[kH]) : 0.0;
  return s;
}

struct RunOut {
  std::vector<TissueSample> daily;
  double erythema_h = 0, downtime_days = 0, peak_inflammation = 0, pih_drive = 0;
};

// Time (days after `start`) of the last hourly sample above `threshold`, interpolated to the
// crossing; 0 if none.
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
  Problem pr{p, in.patient, in.scalp, {}, 0, 0, phototype_factor(in.patient.fitzpatrick, p)};
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

  // Output points: every day, each session, and hourly within the erythema window of each
  // session (until the next session, the end, or kErythemaWindowDays).
  struct Point {
    double t;
    int session = -1;  // a session is applied here
    bool day = false;  // a daily sample is recorded here
    int window = -1;   // an erythema sample of this session's window
  };
  std::vector<Point> points;
  for (int d = 0; d <= days; ++d) points.push_back({static_cast<double>(d), -1, true, -1});
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const double start = sessions[i].day;
    const double end =
        std::min({start + kErythemaWindowDays, in.end_day, i + 1 < sessions.size() ? sessions[i + 1].day : in.end_day});
    points.push_back({start, static_cast<int>(i), false, -1});
    for (int h = 1; start + h / kHoursPerDay < end - 1e-9; ++h) {
      points.push_back({start + h / kHoursPerDay, -1, false, static_cast<int>(i)});
    }
    if (end > start) points.push_back({end, -1, false, static_cast<int>(i)});
  }
  // Time order; at equal times the session comes first, so samples there see the injury.
  std::stable_sort(points.begin(), points.end(), [](const Point& a, const Point& b) {
    if (std::abs(a.t - b.t) > 1e-9) return a.t < b.t;
    return a.session > b.session;
  });

  Cvode cv(pr, resting_state(), 0.0);
  double* y = cv.state();
  std::vector<std::vector<std::pair<double, double>>> series(sessions.size());
  const auto erythema_now = [&]() { return erythema_of(y, p); };
  double t = 0;
  double stop = -1;
  std::size_t applied = 0;
  for (const auto& pt : points) {
    if (pt.t > t + 1e-12) {
      const double next_stop = applied < sessions.size() ? sessions[applied].day : in.end_day;
      if (next_stop != stop) {
        cv.stop_at(next_stop);
        stop = next_stop;
      }
      cv.advance(pt.t);
      t = pt.t;
    }
    if (pt.session >= 0) {
      const auto& s = sessions[static_cast<std::size_t>(pt.session)];
      for (int k = 0; k < kCompartments; ++k) y[kD + k] += s.damaged_fraction[k] * (1 - y[kD + k]);
      const double ig = in.patient.inflammation_gain;
      y[kI + 1] += ig * p.bleeding_inflammation * s.bleeding_fraction;
      y[kI + 2] += ig * p.bruising_inflammation * s.bruising_fraction;
      y[kG + 1] += p.bleeding_growth_factor * s.bleeding_fraction;
      const double de = s.damaged_fraction[0];
      y[kB] *= 1 - de / (de + p.damage_half_saturation);
      const double recovery_h = s.barrier_recovery_h > 0 ? s.barrier_recovery_h : p.barrier_recovery_h;
      pr.barrier_rate = std::log(20.0) / (recovery_h / kHoursPerDay);
      pr.dermal_half_life_d =
          s.closure_half_life_h > 0 ? s.closure_half_life_h / kHoursPerDay : p.dermal_repair_half_life_d;
      cv.reinit(t);
      stop = -1;
      applied = static_cast<std::size_t>(pt.session) + 1;
      series[static_cast<std::size_t>(pt.session)].emplace_back(t, erythema_now());
    }
    out.peak_inflammation = std::max(out.peak_inflammation, std::max(0.0, y[kI + 1]));
    if (pt.window >= 0) series[static_cast<std::size_t>(pt.window)].emplace_back(t, erythema_now());
    if (pt.day) out.daily.push_back(sample_of(t, y, pr));
  }
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const double start = sessions[i].day;
    out.erythema_h = std::max(out.erythema_h, kHoursPerDay * last_above(series[i], start, p.erythema_visible));
    out.downtime_days = std::max(out.downtime_days, last_above(series[i], start, p.erythema_acceptable));
  }
  out.pih_drive = y[kQ];
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
  return r;
}

}  // namespace nw::healing
