// Property tests of the outcome stage (RapidCheck): more tissue gain never worsens a score;
// darker phototype and deeper channels raise the PIH probability; cohort statistics do not
// depend on the order of the patients.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>

#include "../healing/healing_support.hpp"
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

RC_GTEST_PROP(OutcomeProperties, DarkerPhototypeAndMoreDriveRaisePih, ()) {
  const int fitz = *rc::gen::inRange(1, 6);
  const double drive = gen_unit(*rc::gen::inRange(0, 8000));
  const double more = drive + gen_unit(*rc::gen::inRange(1, 3000));
  const auto& pih = model().pih();
  const double p = pih_probability(pih, fitz, drive);
  RC_ASSERT(p > 0.0);
  RC_ASSERT(p < 1.0);
  RC_ASSERT(pih_probability(pih, fitz + 1, drive) > p);
  RC_ASSERT(pih_probability(pih, fitz, more) > p);
}

// Through the healing model: a darker phototype or deeper needles never lower the PIH
// probability of the same course, and deeper needles raise it wherever the shallower course
// already drives melanocytes above threshold (the drive is zero below it).
RC_GTEST_PROP(OutcomeProperties, DarkerOrDeeperCourseRaisesPih, ()) {
  const int fitz = *rc::gen::inRange(1, 6);
  const int sessions = *rc::gen::inRange(1, 5);
  const double mm = *rc::gen::inRange(25, 250) / 100.0;
  const double deeper = mm + *rc::gen::inRange(10, 100) / 100.0;
  const auto& hp = nw::test::healing_parameters();
  const auto& pih = model().pih();
  const auto base = healing::simulate_healing(nw::test::course(sessions, 28, mm, 150, fitz), hp);
  const auto darker = healing::simulate_healing(nw::test::course(sessions, 28, mm, 150, fitz + 1), hp);
  const auto deep = healing::simulate_healing(nw::test::course(sessions, 28, deeper, 150, fitz), hp);
  const double p = pih_probability(pih, fitz, base.pih_drive);
  RC_ASSERT(pih_probability(pih, fitz + 1, darker.pih_drive) > p);
  const double p_deep = pih_probability(pih, fitz, deep.pih_drive);
  RC_ASSERT(p_deep >= p);
  if (base.pih_drive > 0) RC_ASSERT(p_deep > p);
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
