// Property tier, planner: on random smooth landscapes and random limits, the search result lies
// on the device grid inside its box, respects every limit when it reports a feasible plan, and
// never gets worse when the patient accepts more sessions.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cmath>

#include "needlework/planner/planner.hpp"

namespace nw {
namespace {

struct Landscape {
  double depth_peak_mm, weeks_peak, session_gain, downtime_per_mm_pass, pih_per_mm;

  planner::Evaluation operator()(const planner::AreaRequest&, const planner::Candidate& c, planner::Cohort) const {
    planner::Evaluation e;
    const double n = c.sessions;
    const double m = 40 - 15 * std::pow(c.needle_length_mm - depth_peak_mm, 2) -
                     std::pow(c.interval_weeks - weeks_peak, 2) + session_gain * n - 0.7 * n * n -
                     0.4 * std::pow(c.passes - 5, 2);
    e.improvement_pct = {m, m - 8, m + 8};
    e.downtime_days = downtime_per_mm_pass * c.needle_length_mm * c.passes;
    e.pih_probability = pih_per_mm * c.needle_length_mm;
    e.minutes_per_session = 1.5 * c.passes;
    return e;
  }
};

rc::Gen<Landscape> landscapes() {
  return rc::gen::map(rc::gen::tuple(rc::gen::inRange(50, 200), rc::gen::inRange(2, 8), rc::gen::inRange(2, 12),
                                     rc::gen::inRange(5, 40), rc::gen::inRange(1, 10)),
                      [](const std::tuple<int, int, int, int, int>& t) {
                        return Landscape{std::get<0>(t) / 100.0, static_cast<double>(std::get<1>(t)),
                                         static_cast<double>(std::get<2>(t)), std::get<3>(t) / 100.0,
                                         std::get<4>(t) / 100.0};
                      });
}

planner::SearchSpace box(int max_sessions) {
  planner::SearchSpace s;
  s.depth_min_mm = 0.5;
  s.depth_max_mm = 2.0;
  s.depth_step_mm = 0.25;
  s.passes_min = 3;
  s.passes_max = 7;
  s.sessions_min = 1;
  s.sessions_max = max_sessions;
  s.interval_min_weeks = 2;
  s.interval_max_weeks = 8;
  s.topicals = {planner::no_topical()};
  return s;
}

RC_GTEST_PROP(PlannerProperties, ResultOnTheGridWithinLimitsAndMonotoneInSessions, ()) {
  const auto f = *landscapes();
  const planner::Constraints c{*rc::gen::inRange(5, 40) / 10.0, *rc::gen::inRange(2, 20) / 100.0,
                               static_cast<double>(*rc::gen::inRange(5, 12))};
  const int a = *rc::gen::inRange(1, 6);
  const int b = a + *rc::gen::inRange(1, 4);
  core::NullSink log;
  const planner::AreaRequest request;
  const auto ra = planner::search(request, box(a), c, f, {}, log, "a");
  const auto rb = planner::search(request, box(b), c, f, {}, log, "b");
  for (const auto* r : {&ra, &rb}) {
    const auto& x = r->best.candidate;
    RC_ASSERT(std::abs(x.needle_length_mm / 0.25 - std::round(x.needle_length_mm / 0.25)) < 1e-9);
    RC_ASSERT(x.needle_length_mm >= 0.5 - 1e-9 && x.needle_length_mm <= 2.0 + 1e-9);
    RC_ASSERT(std::abs(x.interval_weeks - std::round(x.interval_weeks)) < 1e-9);
    RC_ASSERT(x.interval_weeks >= 2 && x.interval_weeks <= 8);
    if (r->found_feasible) {
      RC_ASSERT(r->best.evaluation.downtime_days <= c.max_downtime_days + 1e-12);
      RC_ASSERT(r->best.evaluation.pih_probability <= c.max_pih_probability + 1e-12);
      RC_ASSERT(r->best.evaluation.minutes_per_session <= c.max_minutes + 1e-12);
    }
  }
  RC_ASSERT(ra.best.candidate.sessions <= a);
  if (ra.found_feasible) {
    RC_ASSERT(rb.found_feasible);
    RC_ASSERT(rb.best.evaluation.improvement_pct.median >= ra.best.evaluation.improvement_pct.median - 1e-12);
  }
}

}  // namespace
}  // namespace nw
