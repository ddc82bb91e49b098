// Refits of the fitted parameters, each from nothing but its data row (the case's data and
// inputs): a bracketing root find of  model(p) - data = 0  on the real model, with p replaced in
// a copy of the bundled parameters. The bracket is a wide physical range, not the bundled value,
// so the refit is independent of what the data files say.
//
//   prestress               sigma_0 : d_max(forearm, hand-pressed patch)           = B-DON1      (insertion.md 8.1)
//   bleeding_factor         c_b     : P_bleed(pen 0.5 mm, female cheek)            = 50 %        (insertion.md 8.2)
//   barrier_half_life       t_b     : t_b log2(1 / f_rec)                          = C-KAL1 (mid) (transport.md F3)
//   closure_reference_time  t_close : closure time at the C-KAL3 channel radius    = C-KAL3      (transport.md F4)
//   closure_radius_exponent n       : closure time at the assumed C-KAL2 radius    = C-KAL2      (transport.md F4)
//
// Root finder: false position with the Illinois modification (on log p for positive
// parameters), stopping when the bracket or the step falls below 1e-12 relative; the tolerance
// of each fit is far larger, so the refit value is exact for the purpose.

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <functional>

#include "models.hpp"
#include "needlework/course/coupling.hpp"
#include "needlework/io/bundled.hpp"

namespace nw::validation {

namespace {

using Fn = std::function<double(double)>;

// Root of f in [lo, hi] (f(lo), f(hi) of opposite signs), in log space when `log_space`.
double find_root(const Fn& f, double lo, double hi, bool log_space, const std::string& what) {
  const auto to = [&](double x) { return log_space ? std::log(x) : x; };
  const auto from = [&](double u) { return log_space ? std::exp(u) : u; };
  double a = to(lo), b = to(hi);
  double fa = f(from(a)), fb = f(from(b));
  if (!std::isfinite(fa) || !std::isfinite(fb) || fa * fb > 0) {
    core::raise(core::ErrorCode::num_failure, fmt::arg("stage", "validation refit"),
                fmt::arg("reason", fmt::format("{}: no root in [{:.4g}, {:.4g}] (model - data = {:.4g} and {:.4g})",
                                               what, lo, hi, fa, fb)));
  }
  for (int it = 0; it < 200; ++it) {
    double c = (a * fb - b * fa) / (fb - fa);  // false position
    if (!(c > std::min(a, b) && c < std::max(a, b))) c = 0.5 * (a + b);
    const double fc = f(from(c));
    if (fc == 0) return from(c);
    const double step = std::abs(c - b);
    if (fc * fb < 0) {  // the root lies between b and c: b becomes the other end
      a = b;
      fa = fb;
    } else {  // Illinois: halve the kept end's value so that it moves next time
      fa *= 0.5;
    }
    b = c;
    fb = fc;
    if (std::abs(b - a) <= 1e-12 * std::max(1.0, std::abs(b)) || step <= 1e-13 * std::max(1.0, std::abs(b)))
      return from(b);
  }
  return from(b);
}

double unit_scale(const std::string& unit) { return unit.empty() ? 1.0 : core::parse_unit(unit).value->si; }

const Case& fit_case(const CaseSet& set, const FitSpec& fit) {
  const auto* c = set.find(fit.case_id);
  if (!c)
    core::raise(core::ErrorCode::internal,
                fmt::arg("reason", fmt::format("fit '{}': no case '{}'", fit.parameter, fit.case_id)));
  return *c;
}

struct Refit {
  std::string_view parameter;
  FitResult (*run)(const Case& c);
};

// Target of a fit: the case's data reference value in SI.
double target_si(const Case& c) { return c.data.reference() * unit_scale(c.unit); }

FitResult prestress(const Case& c) {
  const CaseInputs in(c);
  const auto skin = models::case_skin(in);
  const auto device = models::case_device(in);
  const double target = target_si(c);
  const auto f = [&](double sigma_pa) {
    auto s = skin;
    s.mechanics.prestress = core::Pressure::from_si(sigma_pa);
    return mechanics::mean_channel(s, device).depth_max.si() - target;
  };
  // Built in one initializer: assigning string literals one by one trips a GCC 12 -Wrestrict
  // false positive at -O3 (GCC bug 105329).
  FitResult r{.parameter = "dermal pre-stress sigma_0",
              .data_key = "data/skin/sites.toml [site.mechanics] prestress",
              .unit = "kPa",
              .method = "root of d_max(sigma_0) - data on [0.1 kPa, 10 MPa]"};
  r.bundled = skin.mechanics.prestress.si() / 1e3;
  r.refit = find_root(f, 1e2, 1e7, true, "prestress") / 1e3;
  return r;
}

FitResult bleeding_factor(const Case& c) {
  const CaseInputs in(c);
  const auto& bundled = io::bundled_sites();
  const double target = target_si(c);
  const auto f = [&](double factor) {
    auto model = bundled.model();
    model.bleeding_factor = factor;
    const skin::SiteLibrary library(bundled.sites(), model, bundled.reference_age());
    return models::channel(in, models::case_skin(in, library)).bleeding_probability - target;
  };
  FitResult r{.parameter = "bleeding-depth factor c_b",
              .data_key = "data/skin/sites.toml [model.bleeding_depth] c_bleed",
              .unit = "",
              .method = "root of P_bleed(c_b) - data on [0.05, 50]"};
  r.bundled = bundled.model().bleeding_factor;
  r.refit = find_root(f, 0.05, 50.0, true, "bleeding factor");
  return r;
}

FitResult barrier_half_life(const Case& c) {
  const CaseInputs in(c);
  const auto& bundled = io::bundled_tissue();
  const double target = target_si(c);
  const auto f = [&](double t_s) {
    auto rules = bundled;
    rules.barrier.half_life = core::Time::from_si(t_s);
    return models::barrier_recovery_time(in, rules).si() - target;
  };
  FitResult r{.parameter = "barrier half-life t_b (unoccluded)",
              .data_key = "data/transport/tissue.toml [barrier] half_life",
              .unit = "h",
              .method = "root of recovery time(t_b) - data (middle of the range) on [1 s, 1000 h]"};
  r.bundled = bundled.barrier.half_life.si() / 3600.0;
  r.refit = find_root(f, 1.0, 3.6e6, true, "barrier half-life") / 3600.0;
  return r;
}

FitResult closure_reference_time(const Case& c) {
  const CaseInputs in(c);
  const auto& bundled = io::bundled_tissue();
  const double target = target_si(c);
  const auto f = [&](double t_s) {
    auto rules = bundled;
    rules.closure.reference_closure_time = core::Time::from_si(t_s);
    return models::closure_recovery_time(in, rules).si() - target;
  };
  FitResult r{.parameter = "channel closure time at r_ref",
              .data_key = "data/transport/tissue.toml [closure] reference_closure_time",
              .unit = "h",
              .method = "root of closure time(t_close) - data on [1 s, 1000 h]"};
  r.bundled = bundled.closure.reference_closure_time.si() / 3600.0;
  r.refit = find_root(f, 1.0, 3.6e6, true, "closure reference time") / 3600.0;
  return r;
}

FitResult closure_radius_exponent(const Case& c) {
  const CaseInputs in(c);
  const auto& bundled = io::bundled_tissue();
  const double target = target_si(c);
  const auto f = [&](double n) {
    auto rules = bundled;
    rules.closure.radius_exponent = n;
    return models::closure_recovery_time(in, rules).si() - target;
  };
  FitResult r{.parameter = "closure size exponent n",
              .data_key = "data/transport/tissue.toml [closure] radius_exponent",
              .unit = "",
              .method = "root of closure time(n) - data on [-5, 5] (closure time at r_ref fixed)"};
  r.bundled = bundled.closure.radius_exponent;
  r.refit = find_root(f, -5.0, 5.0, false, "closure radius exponent");
  return r;
}

// Outcome coefficients: the reference course's healing does not depend on them, so the course
// runs once and the coefficient is found on its healing result (outcomes::refit_coefficient).
FitResult outcome_coefficient(const Case& c, const std::string& concern, const std::string& parameter) {
  const CaseInputs in(c);
  const auto& model = io::bundled_outcomes();
  const auto course = models::reference_course(in);
  const auto i = models::day_index(in, course);
  outcomes::RefitTarget t;
  t.concern = concern;
  t.reference = course.healing;
  t.area = course::outcome_context(course);
  t.day = course.healing.treated[i].day;
  t.quantity = in.text("quantity") == "absolute_change" ? outcomes::RefitTarget::Quantity::absolute_change
                                                        : outcomes::RefitTarget::Quantity::relative_change;
  t.value = c.data.reference();
  FitResult r{.parameter = parameter,
              .data_key = fmt::format("data/outcomes/outcomes.toml [[concern]] {} coefficient", concern),
              .unit = "",
              .method = "bisection of the outcome at the case's day on the coefficient (reference course run once)"};
  r.bundled = model.concern(concern)->coefficient.mean;
  r.refit = outcomes::refit_coefficient(model, t);
  return r;
}

FitResult fill_coefficient(const Case& c) { return outcome_coefficient(c, "acne_scars", "lesion fill k_fill"); }
FitResult hair_coefficient(const Case& c) { return outcome_coefficient(c, "alopecia", "hair response k_hair"); }
FitResult melasma_coefficient(const Case& c) { return outcome_coefficient(c, "melasma", "melasma coefficient k_pig"); }

FitResult pih_hazard(const Case& c) {
  const CaseInputs in(c);
  const auto& model = io::bundled_outcomes();
  std::vector<std::pair<int, double>> people;
  for (auto f = in.integer("phototype_min"); f <= in.integer("phototype_max"); ++f) {
    people.emplace_back(static_cast<int>(f), models::reference_course(in, static_cast<int>(f)).healing.pih_drive);
  }
  FitResult r{.parameter = "PIH hazard per unit drive beta",
              .data_key = "data/outcomes/outcomes.toml [pih] hazard_per_drive",
              .unit = "",
              .method = "root of the mean PIH probability over the phototypes (reference course per phototype)"};
  r.bundled = model.pih().hazard_per_drive;
  r.refit = outcomes::refit_pih_hazard(model.pih(), people, c.data.reference());
  return r;
}

// One line per fitted parameter: name used by [[fit]] parameter -> refit.
constexpr Refit kRefits[] = {
    {"prestress", prestress},
    {"bleeding_factor", bleeding_factor},
    {"barrier_half_life", barrier_half_life},
    {"closure_reference_time", closure_reference_time},
    {"closure_radius_exponent", closure_radius_exponent},
    {"fill_coefficient", fill_coefficient},
    {"hair_coefficient", hair_coefficient},
    {"melasma_coefficient", melasma_coefficient},
    {"pih_hazard", pih_hazard},
};

}  // namespace

std::vector<std::string> refit_names() {
  std::vector<std::string> out;
  for (const auto& r : kRefits) out.emplace_back(r.parameter);
  return out;
}

FitResult refit(const CaseSet& set, const FitSpec& fit) {
  const auto& c = fit_case(set, fit);
  for (const auto& entry : kRefits) {
    if (entry.parameter != fit.parameter) continue;
    const auto t0 = std::chrono::steady_clock::now();
    auto r = entry.run(c);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.case_id = c.id;
    r.tolerance = fit.tolerance;
    r.within = std::isfinite(r.refit) && r.bundled != 0 && std::abs(r.refit / r.bundled - 1.0) <= fit.tolerance;
    return r;
  }
  core::raise(core::ErrorCode::internal, fmt::arg("reason", fmt::format("no refit '{}'", fit.parameter)));
}

std::vector<FitResult> refit_all(const CaseSet& set, core::LogSink& log) {
  std::vector<FitResult> out;
  for (std::size_t i = 0; i < set.fits.size(); ++i) {
    log.progress("refits", static_cast<double>(i) / static_cast<double>(set.fits.size()));
    log.log(core::LogLevel::info,
            fmt::format("refit {}/{}: {} on {}", i + 1, set.fits.size(), set.fits[i].parameter, set.fits[i].case_id));
    out.push_back(refit(set, set.fits[i]));
  }
  log.progress("refits", 1.0);
  return out;
}

}  // namespace nw::validation
