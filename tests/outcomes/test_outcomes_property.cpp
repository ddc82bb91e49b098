// Property tests of the outcome stage (RapidCheck): more tissue gain never worsens a score;
// darker phototype and deeper channels raise the PIH probability; cohort statistics do not
// depend on the order of the patients.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>

#include "outcomes_support.hpp"

namespace nw::outcomes {
namespace {

using test::area;
using test::model;
using test::sample;

double gen_unit(int permille) { return permille / 1000.0; }

RC_GTEST_PROP(OutcomeProperties, MoreMatrixGainNeverWorsensALesionScore, ()) {
  const auto types = std::vector<std::string>{"icepick", "boxcar", "rolling", "mixed"};
  const auto type = *rc::gen::elementOf(types);
  const double g1 = gen_unit(*rc::gen::inRange(-300, 1500));
  const double g2 = g1 + gen_unit(*rc::gen::inRange(0, 1500));
  const double day = *rc::gen::inRange(0, 400);
  auto a = area("acne_scars", type);
  a.baseline = *rc::gen::inRange(1, 84);
  const auto& scale = resolve_scale(model(), a);
  const double s1 = score_at(model(), a, sample(day, g1, 1, 0));
  const double s2 = score_at(model(), a, sample(day, g2, 1, 0));
  RC_ASSERT(scale.improvement(s1, s2) >= -1e-12);
  for (const char* concern : {"wrinkles", "stretch_marks", "enlarged_pores", "laxity"}) {
    const auto b = area(concern);
    const auto& sc = resolve_scale(model(), b);
    RC_ASSERT(sc.improvement(score_at(model(), b, sample(day, g1, 1, 0)),
                             score_at(model(), b, sample(day, g2, 1, 0))) >= -1e-12);
  }
}

RC_GTEST_PROP(OutcomeProperties, LessPigmentAndMoreFollicleStimulationNeverWorsen, ()) {
  const double p1 = gen_unit(*rc::gen::inRange(200, 3000));
  const double p2 = p1 - gen_unit(*rc::gen::inRange(0, 200));
  const double f1 = gen_unit(*rc::gen::inRange(-500, 2000));
  const double f2 = f1 + gen_unit(*rc::gen::inRange(0, 2000));
  const double day = *rc::gen::inRange(0, 400);
  for (const char* scale : {"masi", "mmasi", "melanin_index"}) {
    const auto a = area("melasma", "", scale);
    const auto& sc = resolve_scale(model(), a);
    RC_ASSERT(sc.improvement(score_at(model(), a, sample(day, 0, p1, 0)),
                             score_at(model(), a, sample(day, 0, p2, 0))) >= -1e-12);
  }
  const auto h = area("alopecia");
  const auto& hs = resolve_scale(model(), h);
  RC_ASSERT(hs.improvement(score_at(model(), h, sample(day, 0, 1, f1)), score_at(model(), h, sample(day, 0, 1, f2))) >=
            -1e-12);
}

RC_GTEST_PROP(OutcomeProperties, DarkerPhototypeAndDeeperChannelsRaisePih, ()) {
  const int fitz = *rc::gen::inRange(1, 6);
  const double depth_m = *rc::gen::inRange(50, 3000) * 1e-6;
  const double deeper_m = depth_m + *rc::gen::inRange(1, 1000) * 1e-6;
  const double drive = gen_unit(*rc::gen::inRange(0, 3000));
  const auto& pih = model().pih();
  const double p = pih_probability(pih, fitz, depth_m, drive);
  RC_ASSERT(p > 0.0);
  RC_ASSERT(p < 1.0);
  RC_ASSERT(pih_probability(pih, fitz + 1, depth_m, drive) > p);
  RC_ASSERT(pih_probability(pih, fitz, deeper_m, drive) > p);
  RC_ASSERT(pih_probability(pih, fitz, depth_m, drive + 0.5) > p);
}

RC_GTEST_PROP(OutcomeProperties, CohortStatisticsIgnorePatientOrder, ()) {
  const auto scores = *rc::gen::nonEmpty(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 84)));
  const auto& scale = *model().scale("goodman_baron_quantitative");
  std::vector<ScoreTimeline> cohort;
  for (const int s : scores) {
    ScoreTimeline t;
    t.baseline = 40;
    t.day = {0};
    t.treated = {static_cast<double>(s)};
    t.untreated = {40};
    cohort.push_back(t);
  }
  const auto a = cohort_statistics(scale, cohort, 0);
  std::reverse(cohort.begin(), cohort.end());
  const auto b = cohort_statistics(scale, cohort, 0);
  RC_ASSERT(a.at_follow_up.median == b.at_follow_up.median);
  RC_ASSERT(a.at_follow_up.p05 == b.at_follow_up.p05);
  RC_ASSERT(a.at_follow_up.p95 == b.at_follow_up.p95);
  RC_ASSERT(a.responder_fraction == b.responder_fraction);
  RC_ASSERT(a.at_follow_up.p05 <= a.at_follow_up.median);
  RC_ASSERT(a.at_follow_up.median <= a.at_follow_up.p95);
}

}  // namespace
}  // namespace nw::outcomes
