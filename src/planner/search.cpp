// The search of one area (equations and method in planner.hpp and docs/planning.md).

#include <fmt/format.h>
#include <nlopt.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <utility>

#include "needlework/core/random.hpp"
#include "needlework/planner/planner.hpp"

namespace nw::planner {

namespace {

constexpr double kPenalty = 1000.0;  // % of baseline per unit of relative violation

double violation_amount(const Evaluation& e, const Constraints& c) {
  double v = e.feasible ? 0.0 : 1.0;
  const auto excess = [](double value, double limit) {
    return limit > 0 ? std::max(0.0, value / limit - 1.0) : std::max(0.0, value);
  };
  v += excess(e.downtime_days, c.max_downtime_days);
  v += excess(e.pih_probability, c.max_pih_probability);
  v += excess(e.minutes_per_session, c.max_minutes);
  return v;
}

// Strict weak order "a is better than b": feasible first, then the smaller violation, the
// larger median, then the gentler protocol (fewer sessions, less downtime, fewer passes,
// shallower, longer interval) and the topical's name, so ties never depend on visiting order.
bool better(const Scored& a, const Scored& b, const Constraints& c) {
  if (a.feasible() != b.feasible()) return a.feasible();
  if (!a.feasible()) {
    const double va = violation_amount(a.evaluation, c), vb = violation_amount(b.evaluation, c);
    if (std::abs(va - vb) > 1e-12) return va < vb;
  }
  const double ma = a.evaluation.improvement_pct.median, mb = b.evaluation.improvement_pct.median;
  if (std::abs(ma - mb) > 1e-9) return ma > mb;
  const auto& x = a.candidate;
  const auto& y = b.candidate;
  if (x.sessions != y.sessions) return x.sessions < y.sessions;
  if (std::abs(a.evaluation.downtime_days - b.evaluation.downtime_days) > 1e-12)
    return a.evaluation.downtime_days < b.evaluation.downtime_days;
  if (x.passes != y.passes) return x.passes < y.passes;
  if (std::abs(x.needle_length_mm - y.needle_length_mm) > 1e-9) return x.needle_length_mm < y.needle_length_mm;
  if (std::abs(x.interval_weeks - y.interval_weeks) > 1e-9) return x.interval_weeks > y.interval_weeks;
  return x.topical.name < y.topical.name;
}

struct Choice {
  int passes = 0, sessions = 0;
  std::size_t topical = 0;
};

struct ChoiceResult {
  Scored best;
  std::size_t evaluations = 0;
  std::exception_ptr error;
};

// Grid of the rounded variables: depth on the device step, interval in whole weeks.
struct Grid {
  double d_lo, d_hi, step, w_lo, w_hi;
  double depth_floor(double d) const { return std::clamp(std::floor(d / step + 1e-9) * step, d_lo, d_hi); }
  double depth_ceil(double d) const { return std::clamp(std::ceil(d / step - 1e-9) * step, d_lo, d_hi); }
  double weeks_floor(double w) const { return std::clamp(std::floor(w + 1e-9), w_lo, w_hi); }
  double weeks_ceil(double w) const { return std::clamp(std::ceil(w - 1e-9), w_lo, w_hi); }
};

Grid make_grid(const SearchSpace& s) {
  Grid g{};
  g.step = s.depth_step_mm;
  g.d_lo = std::ceil(s.depth_min_mm / g.step - 1e-9) * g.step;
  g.d_hi = std::floor(s.depth_max_mm / g.step + 1e-9) * g.step;
  g.w_lo = std::ceil(s.interval_min_weeks - 1e-9);
  g.w_hi = std::floor(s.interval_max_weeks + 1e-9);
  return g;
}

class ChoiceSearch {
 public:
  ChoiceSearch(const AreaRequest& r, const SearchSpace& s, const Constraints& c, const Evaluator& e, const Grid& g,
               const Choice& ch)
      : request_(r), space_(s), constraints_(c), evaluator_(e), grid_(g), choice_(ch) {}

  ChoiceResult run(const SearchOptions& options, std::uint64_t choice_key) {
    ChoiceResult out;
    // Continuous relaxation from several starts: the centre, then seeded random points.
    const core::RandomStream random(options.seed, {choice_key, core::Stage::test, 0, "planner_start"});
    std::vector<std::array<double, 2>> optima;
    for (int s = 0; s < std::max(options.starts, 1); ++s) {
      std::array<double, 2> x = s == 0 ? std::array<double, 2>{0.5, 0.5}
                                       : std::array<double, 2>{random.uniform(2 * static_cast<std::uint64_t>(s)),
                                                               random.uniform(2 * static_cast<std::uint64_t>(s) + 1)};
      optimise(x, options.max_evals_per_start);
      if (error_) {
        out.error = error_;
        return out;
      }
      optima.push_back(x);
    }
    // Round every local optimum to the grid and keep the best neighbour.
    bool have = false;
    for (const auto& x : optima) {
      const double d = depth_of(x[0]), w = weeks_of(x[1]);
      for (const double dd : {grid_.depth_floor(d), grid_.depth_ceil(d)}) {
        for (const double ww : {grid_.weeks_floor(w), grid_.weeks_ceil(w)}) {
          const Scored sc = score(dd, ww);
          if (!have || better(sc, out.best, constraints_)) {
            out.best = sc;
            have = true;
          }
        }
      }
    }
    out.evaluations = evaluations_;
    return out;
  }

 private:
  double depth_of(double u) const { return space_.depth_min_mm + u * (space_.depth_max_mm - space_.depth_min_mm); }
  double weeks_of(double u) const {
    return space_.interval_min_weeks + u * (space_.interval_max_weeks - space_.interval_min_weeks);
  }

  Candidate candidate(double depth_mm, double weeks) const {
    Candidate c;
    c.needle_length_mm = depth_mm;
    c.passes = choice_.passes;
    c.sessions = choice_.sessions;
    c.interval_weeks = choice_.sessions > 1 ? weeks : grid_.w_lo;
    c.topical = space_.topicals[choice_.topical];
    return c;
  }

  Scored score(double depth_mm, double weeks) {
    const auto c = candidate(depth_mm, weeks);
    const auto key = std::make_pair(c.needle_length_mm, c.interval_weeks);
    if (const auto it = cache_.find(key); it != cache_.end()) return it->second;
    Scored s{c, evaluator_(request_, c, Cohort::nominal), {}};
    ++evaluations_;
    s.violations = violations(s.evaluation, constraints_);
    cache_.emplace(key, s);
    return s;
  }

  static double objective(unsigned n, const double* x, double* grad, void* data) {
    (void)n;
    (void)grad;
    auto* self = static_cast<ChoiceSearch*>(data);
    try {
      const auto s = self->score(self->depth_of(x[0]), self->weeks_of(x[1]));
      return s.evaluation.improvement_pct.median - kPenalty * violation_amount(s.evaluation, self->constraints_);
    } catch (...) {
      self->error_ = std::current_exception();
      nlopt_force_stop(self->opt_);
      return 0.0;
    }
  }

  void optimise(std::array<double, 2>& x, int max_evals) {
    opt_ = nlopt_create(NLOPT_LN_BOBYQA, 2);
    const double lower[2] = {0.0, 0.0}, upper[2] = {1.0, 1.0}, steps[2] = {0.25, 0.25};
    nlopt_set_lower_bounds(opt_, lower);
    nlopt_set_upper_bounds(opt_, upper);
    nlopt_set_initial_step(opt_, steps);
    nlopt_set_max_objective(opt_, &ChoiceSearch::objective, this);
    nlopt_set_xtol_abs1(opt_, 0.02);  // a tenth of the grid spacing in the unit box
    nlopt_set_maxeval(opt_, std::max(max_evals, 4));
    double best = 0;
    // Round-off and evaluation-limit stops keep the best point found; a forced stop carries an
    // exception from the evaluator, rethrown by the caller.
    (void)nlopt_optimize(opt_, x.data(), &best);
    nlopt_destroy(opt_);
    opt_ = nullptr;
  }

  const AreaRequest& request_;
  const SearchSpace& space_;
  const Constraints& constraints_;
  const Evaluator& evaluator_;
  const Grid& grid_;
  Choice choice_;
  nlopt_opt opt_ = nullptr;
  std::map<std::pair<double, double>, Scored> cache_;
  std::size_t evaluations_ = 0;
  std::exception_ptr error_;
};

}  // namespace

std::vector<std::string> violations(const Evaluation& e, const Constraints& c) {
  std::vector<std::string> out = e.feasible ? std::vector<std::string>{} : e.reasons;
  if (!e.feasible && out.empty()) out.push_back("the outcome model could not evaluate this protocol");
  if (e.downtime_days > c.max_downtime_days + 1e-12)
    out.push_back(fmt::format("downtime {:.1f} d exceeds the accepted {:.1f} d", e.downtime_days, c.max_downtime_days));
  if (e.pih_probability > c.max_pih_probability + 1e-12)
    out.push_back(fmt::format("PIH probability {:.1f} % exceeds the {:.1f} % limit for this phototype",
                              100 * e.pih_probability, 100 * c.max_pih_probability));
  if (e.minutes_per_session > c.max_minutes + 1e-12)
    out.push_back(
        fmt::format("{:.1f} min of needling exceeds {:.0f} min per area", e.minutes_per_session, c.max_minutes));
  return out;
}

SearchResult search(const AreaRequest& request, const SearchSpace& space, const Constraints& constraints,
                    const Evaluator& evaluator, const SearchOptions& options, core::LogSink& log,
                    const std::string& task) {
  if (space.topicals.empty() || space.passes_min > space.passes_max || space.sessions_min > space.sessions_max) {
    core::raise(core::ErrorCode::internal, fmt::arg("reason", "planner: empty search space"));
  }
  const Grid grid = make_grid(space);
  if (grid.d_lo > grid.d_hi + 1e-12 || grid.w_lo > grid.w_hi + 1e-12) {
    core::raise(core::ErrorCode::internal, fmt::arg("reason", "planner: no depth or interval on the device grid"));
  }
  std::vector<Choice> choices;
  for (int n = space.sessions_min; n <= space.sessions_max; ++n) {
    for (int p = space.passes_min; p <= space.passes_max; ++p) {
      for (std::size_t t = 0; t < space.topicals.size(); ++t) choices.push_back({p, n, t});
    }
  }
  std::vector<ChoiceResult> results(choices.size());
  const int total = static_cast<int>(choices.size());
  const int finalists = std::min(std::max(options.finalists, 1), total);
  // Progress counts every choice and every finalist; finalists cost tens of choices each.
  const double finalist_weight = 10.0;
  const double work = total + finalist_weight * finalists;
  int done = 0;
  log.progress(task, 0.0);
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic) num_threads(threads)
  for (int i = 0; i < total; ++i) {
    const auto& ch = choices[static_cast<std::size_t>(i)];
    // The key names the choice, not its position, so a wider space reproduces every choice.
    const std::uint64_t key = static_cast<std::uint64_t>(ch.sessions) * 1000003ULL +
                              static_cast<std::uint64_t>(ch.passes) * 1009ULL +
                              core::hash_name(space.topicals[ch.topical].name) % 1000ULL;
    try {
      ChoiceSearch cs(request, space, constraints, evaluator, grid, ch);
      results[static_cast<std::size_t>(i)] = cs.run(options, key);
    } catch (...) {
      results[static_cast<std::size_t>(i)].error = std::current_exception();
    }
#pragma omp critical(nw_planner_progress)
    {
      ++done;
      log.progress(task, done / work);
    }
  }
  SearchResult out;
  out.choices = choices.size();
  std::vector<Scored> ranked;
  for (const auto& r : results) {
    if (r.error) std::rethrow_exception(r.error);
    out.evaluations += r.evaluations;
    ranked.push_back(r.best);
  }
  // Finalists: the best candidate of the best choices on the nominal person, re-evaluated with
  // the virtual patients one after the other (the evaluator spreads its patients over threads).
  std::sort(ranked.begin(), ranked.end(), [&](const Scored& a, const Scored& b) { return better(a, b, constraints); });
  ranked.resize(static_cast<std::size_t>(finalists));
  bool have = false;
  for (std::size_t k = 0; k < ranked.size(); ++k) {
    Scored s{ranked[k].candidate, evaluator(request, ranked[k].candidate, Cohort::virtual_patients), {}};
    s.violations = violations(s.evaluation, constraints);
    ++out.evaluations;
    ++out.cohort_evaluations;
    if (!have || better(s, out.best, constraints)) {
      out.best = std::move(s);
      have = true;
    }
    log.progress(task, (total + finalist_weight * static_cast<double>(k + 1)) / work);
  }
  out.found_feasible = have && out.best.feasible();
  return out;
}

}  // namespace nw::planner
