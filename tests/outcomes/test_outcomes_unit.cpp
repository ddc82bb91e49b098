// Unit tests of the outcome stage (docs/model/outcomes.md): data files, scale clamping,
// responder rules, cohort statistics on known samples, icepick << rolling / boxcar, the control
// arm's own course, safety flags and the refit functions. Measured numbers are printed on
// "[outcomes]" lines.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <set>

#include "outcomes_support.hpp"

namespace nw::outcomes {
namespace {

using test::area;
using test::constructed;
using test::Course;
using test::model;

TEST(OutcomeData, EveryProductScaleAndConcernIsDeclaredWithSourcesAndEvidence) {
  for (const char* s : {"goodman_baron_quantitative", "goodman_baron_qualitative", "masi", "mmasi", "lemperle_wrinkle",
                        "hair_count_per_cm2", "striae_grade", "pore_count", "melanin_index", "laxity_grade"}) {
    const auto* scale = model().scale(s);
    ASSERT_NE(scale, nullptr) << s;
    EXPECT_FALSE(scale->default_baseline.sources.empty()) << s;
    EXPECT_GE(scale->default_baseline.mean, scale->min) << s;
    EXPECT_LE(scale->default_baseline.mean, scale->max) << s;
    EXPECT_FALSE(scale->responder_note.empty()) << s;
  }
  for (const char* c : {"acne_scars", "wrinkles", "enlarged_pores", "hyperpigmentation", "melasma", "uneven_tone",
                        "laxity", "stretch_marks", "alopecia", "rejuvenation"}) {
    const auto* concern = model().concern(c);
    ASSERT_NE(concern, nullptr) << c;
    EXPECT_FALSE(concern->evidence_sources.empty()) << c;
    EXPECT_FALSE(concern->coefficient.sources.empty()) << c;
  }
  const double w =
      model().matrix_weight_collagen_i() + model().matrix_weight_collagen_iii() + model().matrix_weight_elastin();
  EXPECT_NEAR(w, 1.0, 1e-12);
}

TEST(OutcomeData, OneFitRowPerFittedConcernAndItIsTheOneNamed) {
  std::set<std::string> fitted;
  for (const auto& c : model().concerns()) {
    if (c.coefficient_basis == "fitted") fitted.insert(c.name);
  }
  EXPECT_EQ(fitted, (std::set<std::string>{"acne_scars", "alopecia", "melasma"}));
  for (const auto& name : fitted) {
    int fits = 0;
    std::string fit_id;
    for (const auto& r : test::published()) {
      if (r.concern == name && r.role == "fit") {
        ++fits;
        fit_id = r.id;
      }
    }
    EXPECT_EQ(fits, 1) << name;
    EXPECT_EQ(model().concern(name)->coefficient.sources.front(), fit_id) << name;
  }
}

TEST(OutcomeData, SchemaRejectsAConcernWithAnUnknownScale) {
  auto text = std::string(*io::bundled_file("outcomes/outcomes.toml"));
  const auto at = text.find("scales = [\"lemperle_wrinkle\"]");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 29, "scales = [\"wrinkle_depth_mm\"]");
  const auto raw = io::read_toml_text(text, "broken.toml");
  std::vector<core::Diagnostic> diagnostics;
  const auto validated = core::validate(raw, OutcomeModel::spec(), diagnostics);
  ASSERT_TRUE(diagnostics.empty());
  try {
    (void)OutcomeModel::from_config(validated);
    FAIL() << "an unknown scale was accepted";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::cfg_consistency);
    EXPECT_NE(std::string(e.diagnostics().front().message).find("wrinkle_depth_mm"), std::string::npos);
  }
}

TEST(Scales, ScoresClampToTheScaleRange) {
  // A huge matrix gain cannot push an acne score below 0; a huge pigment rise cannot pass 48.
  auto a = area("acne_scars", "boxcar");
  a.baseline = 20;
  Course big;
  big.matrix_gain = 50;
  const auto t = score_timeline(model(), a, constructed(big));
  EXPECT_GE(t.treated.back(), 0.0);
  EXPECT_LT(t.treated.back(), 20.0);
  auto m = area("melasma");
  m.baseline = 40;
  Course dark;
  dark.pigment = 10;
  const auto tm = score_timeline(model(), m, constructed(dark));
  EXPECT_DOUBLE_EQ(tm.treated.back(), 48.0);
  // A baseline outside the range is clamped too.
  m.baseline = 99;
  EXPECT_DOUBLE_EQ(resolve_baseline(model(), m), 48.0);
  // Hair counts cannot go negative.
  auto h = area("alopecia");
  Course loss;
  loss.follicle = -100;
  EXPECT_DOUBLE_EQ(score_timeline(model(), h, constructed(loss)).treated.back(), 0.0);
}

TEST(Scales, ResponderDefinitions) {
  const auto& gbq = *model().scale("goodman_baron_quantitative");  // >= 50 % lower: 0 or 1
  EXPECT_EQ(gbq.responder_probability(12, 6), 1.0);
  EXPECT_EQ(gbq.responder_probability(12, 6.1), 0.0);
  const auto& hair = *model().scale("hair_count_per_cm2");  // higher is better, >= 10 %
  EXPECT_EQ(hair.responder_probability(100, 110), 1.0);
  EXPECT_EQ(hair.responder_probability(100, 109), 0.0);
  EXPECT_EQ(hair.responder_probability(100, 90), 0.0);
}

TEST(Scales, WholeGradeRespondersRoundAContinuousSeverity) {
  // Graded 3: severity uniform on [2.5, 3.5); a relative change r moves it to s r, recorded one
  // grade better when s r < 2.5, i.e. with probability (2.5 / r - 2.5) / 1.
  const auto& grade = *model().scale("goodman_baron_qualitative");  // >= 1 grade lower
  EXPECT_DOUBLE_EQ(grade.responder_probability(3, 3), 0.0);
  EXPECT_DOUBLE_EQ(grade.responder_probability(3, 2.5), 0.5);  // half a grade: every other patient
  EXPECT_NEAR(grade.responder_probability(3, 2.8), 2.5 / (2.8 / 3) - 2.5, 1e-12);
  EXPECT_DOUBLE_EQ(grade.responder_probability(3, 2), 1.0);    // a whole grade: every patient
  EXPECT_DOUBLE_EQ(grade.responder_probability(3, 3.2), 0.0);  // worse
  // Grade 4 is the top of the scale (0-4): severity in [3.5, 4], so half a grade is a sure drop.
  EXPECT_DOUBLE_EQ(grade.responder_probability(4, 3.5), 1.0);
  EXPECT_NEAR(grade.responder_probability(4, 3.8), (3.5 / 0.95 - 3.5) / 0.5, 1e-12);
  // Nothing to improve at grade 0.
  EXPECT_DOUBLE_EQ(grade.responder_probability(0, 0), 0.0);
  // The probability rises with the improvement.
  double last = -1;
  for (double s = 3.0; s >= 2.0; s -= 0.05) {
    const double p = grade.responder_probability(3, s);
    EXPECT_GE(p, last);
    last = p;
  }
}

TEST(Scales, UnknownScaleForAConcernIsAnInputError) {
  auto a = area("melasma", "", "hair_count_per_cm2");
  EXPECT_THROW((void)resolve_scale(model(), a), core::Error);
  auto b = area("drug_delivery");
  EXPECT_THROW((void)resolve_scale(model(), b), core::Error);
  auto c = area("acne_scars", "boxcar");
  c.lesion.reset();
  EXPECT_THROW((void)score_at(model(), c, test::sample(0, 0.1, 1, 0)), core::Error);
}

TEST(Statistics, QuantilesOfKnownSamples) {
  // 0..100: type-7 quantiles are exact.
  std::vector<double> v;
  for (int i = 100; i >= 0; --i) v.push_back(i);  // reverse order: must not matter
  const auto s = spread_of(v);
  EXPECT_DOUBLE_EQ(s.median, 50.0);
  EXPECT_DOUBLE_EQ(s.p05, 5.0);
  EXPECT_DOUBLE_EQ(s.p95, 95.0);
  EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile({7}, 0.95), 7.0);
  EXPECT_DOUBLE_EQ(spread_of({}).median, 0.0);
}

TEST(Statistics, CohortStatisticsAndResponderFraction) {
  // Ten patients with baseline 10 and follow-up scores 1..10 (lower is better, responder when
  // <= 5): responder fraction 5/10; untreated stays at 10.
  const auto& scale = *model().scale("goodman_baron_quantitative");
  std::vector<ScoreTimeline> cohort;
  for (int i = 1; i <= 10; ++i) {
    ScoreTimeline t;
    t.scale = scale.name;
    t.baseline = 10;
    t.day = {0, 1};
    t.treated = {10, static_cast<double>(i)};
    t.untreated = {10, 10};
    cohort.push_back(t);
  }
  const auto out = cohort_statistics(scale, cohort, 1);
  EXPECT_DOUBLE_EQ(out.responder_fraction, 0.5);
  EXPECT_DOUBLE_EQ(out.at_follow_up.median, 5.5);
  EXPECT_DOUBLE_EQ(out.at_follow_up.p05, 1.45);
  EXPECT_DOUBLE_EQ(out.at_follow_up.p95, 9.55);
  EXPECT_DOUBLE_EQ(out.change.median, -4.5);
  EXPECT_DOUBLE_EQ(out.net_effect.median, -4.5);
  EXPECT_DOUBLE_EQ(out.untreated_responder_fraction, 0.0);
  // Order of patients does not matter; an index past the end takes the last sample.
  std::reverse(cohort.begin(), cohort.end());
  const auto again = cohort_statistics(scale, cohort, 99);
  EXPECT_DOUBLE_EQ(again.at_follow_up.median, out.at_follow_up.median);
  EXPECT_DOUBLE_EQ(again.responder_fraction, out.responder_fraction);
}

TEST(Transfer, IcepickRespondsFarLessThanRollingAndBoxcar) {
  Course c;
  c.matrix_gain = 0.02;  // a few per cent, as the healing model gives after 3 sessions
  const auto r = constructed(c);
  double change[3];
  const char* types[3] = {"icepick", "rolling", "boxcar"};
  for (int i = 0; i < 3; ++i) {
    auto a = area("acne_scars", types[i]);
    a.baseline = 12;
    const auto t = score_timeline(model(), a, r);
    change[i] = (t.treated.back() - t.baseline) / t.baseline;
  }
  std::printf("[outcomes] relative GB change at +2 %% dermal matrix: icepick %.3f rolling %.3f boxcar %.3f\n",
              change[0], change[1], change[2]);
  EXPECT_LT(change[1], 0.0);
  EXPECT_LT(change[2], 0.0);
  // "Far less": under a third of the smaller of rolling and boxcar.
  EXPECT_LT(std::abs(change[0]), std::abs(std::min(std::abs(change[1]), std::abs(change[2]))) / 3.0);
}

// Eq. 2: the floor rises in proportion to the deficit that remains, so the filled fraction is
// about linear in the matrix gain for a small course and saturates for a large one: a scar never
// fills past its deficit however many sessions, and a loss of matrix deepens it, also bounded.
TEST(Transfer, LesionFillIsLinearForSmallGainsAndSaturates) {
  auto a = area("acne_scars", "boxcar");
  a.baseline = 12;
  const auto fill = [&](double gain) {
    Course c;
    c.matrix_gain = gain;
    const auto t = score_timeline(model(), a, constructed(c));
    return (t.baseline - t.treated.back()) / t.baseline;
  };
  const double tiny = fill(1e-4);
  EXPECT_NEAR(fill(2e-4) / tiny, 2.0, 0.002);
  double last = 0;
  for (const double gain : {0.02, 0.04, 0.08, 0.16, 0.32, 0.64}) {
    const double f = fill(gain);
    std::printf("[outcomes] boxcar filled fraction at %+.2f dermal matrix: %.4f\n", gain, f);
    EXPECT_GT(f, last);
    EXPECT_LT(f, 2.0 * fill(gain / 2.0) - 1e-6) << "doubling the gain must less than double the fill";
    EXPECT_LT(f, 1.0);
    last = f;
  }
  EXPECT_GT(fill(0.64), 0.95) << "a large enough gain fills almost all of the deficit";
  const double deeper = fill(-0.64);
  EXPECT_LT(deeper, 0.0);
  EXPECT_GT(deeper, -1.0);
  EXPECT_NEAR(deeper, -fill(0.64), 1e-12);
}

TEST(Transfer, ControlArmDriftsOnItsOwn) {
  // Melasma: the untreated arm with a topical that lowers pigment (healing's untreated samples)
  // and the sunscreen / placebo course improves without needling; the treated arm more.
  Course c;
  c.pigment = 0.6;
  c.untreated_pigment = 0.85;
  auto a = area("melasma");
  a.baseline = 13;
  const auto t = score_timeline(model(), a, constructed(c));
  std::printf("[outcomes] melasma MASI baseline 13: untreated %.2f treated %.2f at day %.0f\n", t.untreated.back(),
              t.treated.back(), t.day.back());
  EXPECT_LT(t.untreated.back(), 13.0);
  EXPECT_LT(t.treated.back(), t.untreated.back());
  // Without any topical the untreated melasma still follows the photoprotection course (-15 %).
  Course none;
  none.pigment = 1.0;
  const auto n = score_timeline(model(), a, constructed(none));
  EXPECT_NEAR(n.untreated.back(), 13.0 * (1 + model().concern("melasma")->placebo.mean), 0.05);
  // Alopecia without treatment loses hair (ageing drift); with minoxidil alone it gains.
  auto h = area("alopecia");
  Course bare;
  bare.days = 365;
  const auto hb = score_timeline(model(), h, constructed(bare));
  EXPECT_LT(hb.untreated.back(), hb.baseline);
  Course minox;
  minox.untreated_follicle = 0.2;
  minox.follicle = 0.6;
  const auto hm = score_timeline(model(), h, constructed(minox));
  EXPECT_GT(hm.untreated.back(), hm.baseline);
  EXPECT_GT(hm.treated.back(), hm.untreated.back());
}

TEST(Transfer, EveryConcernWithAScaleRespondsToItsTissueSignal) {
  Course c;
  c.pigment = 0.7;
  c.follicle = 0.5;
  const auto r = constructed(c);
  for (const auto& concern : model().concerns()) {
    for (const auto& scale : concern.scales) {
      const auto a = area(concern.name, concern.name == "acne_scars" ? "rolling" : "", scale);
      const auto t = score_timeline(model(), a, r);
      const auto& info = *model().scale(scale);
      EXPECT_GT(info.improvement(t.untreated.back(), t.treated.back()), 0.0) << concern.name << " " << scale;
    }
  }
}

TEST(VirtualPatients, SamplingIsDeterministicAndVaries) {
  const auto& concern = *model().concern("acne_scars");
  const auto* lesion = io::bundled_lesions().for_concern("acne_scars", "boxcar");
  const auto a = sample_person(concern, lesion, 7, 3);
  const auto b = sample_person(concern, lesion, 7, 3);
  const auto c = sample_person(concern, lesion, 7, 4);
  EXPECT_EQ(a.lesion.depth_m, b.lesion.depth_m);
  EXPECT_EQ(a.coefficient_factor, b.coefficient_factor);
  EXPECT_NE(a.lesion.depth_m, c.lesion.depth_m);
  for (int i = 0; i < 200; ++i) {
    const auto p = sample_person(concern, lesion, 1, i);
    EXPECT_GE(p.lesion.depth_m, *lesion->depth.min);
    EXPECT_LE(p.lesion.depth_m, *lesion->depth.max);
    EXPECT_GE(p.coefficient_factor, 0.0);
    EXPECT_LE(p.lesion.dermis_factor, 1.0);
    EXPECT_GE(p.lesion.dermis_factor, 0.0);
  }
}

SafetyInputs base_inputs() {
  SafetyInputs in;
  in.fitzpatrick = 3;
  in.site = "cheek";
  in.device_kind = "pen";
  in.needle_length_m = 1.0e-3;
  in.open_depth_m = 0.9e-3;
  in.dermis_bottom_m = 1.9e-3;
  in.bleeding_fraction = 0.3;
  return in;
}

bool has_flag(const SafetyReport& r, const std::string& code) {
  for (const auto& f : r.flags) {
    if (f.code == code) return true;
  }
  return false;
}

TEST(Safety, NominalPenOnCheekRaisesNoFlag) {
  const auto r = assess_safety(model(), base_inputs());
  EXPECT_TRUE(r.flags.empty());
  EXPECT_EQ(r.bleeding, "pinpoint");
  EXPECT_GT(r.pih_probability, 0.0);
  EXPECT_LT(r.pih_probability, model().pih().high_threshold);
}

TEST(Safety, FlagsFollowThePatientAndTheCourse) {
  auto in = base_inputs();
  in.site = "forehead";
  in.device_kind = "roller";
  in.needle_length_m = 1.5e-3;
  EXPECT_TRUE(has_flag(assess_safety(model(), in), "S-TRAM-TRACK"));
  in.device_kind = "pen";
  in.open_depth_m = 1.2e-3;
  in.dermis_bottom_m = 1.25e-3;
  EXPECT_TRUE(has_flag(assess_safety(model(), in), "S-TRAM-TRACK"));
  in.open_depth_m = 0.4e-3;
  EXPECT_FALSE(has_flag(assess_safety(model(), in), "S-TRAM-TRACK"));

  in = base_inputs();
  in.active = "vitamin_c";
  EXPECT_TRUE(has_flag(assess_safety(model(), in), "S-GRANULOMA"));
  in.active = "tranexamic_acid";
  EXPECT_FALSE(has_flag(assess_safety(model(), in), "S-GRANULOMA"));
  in.active = "custom";
  EXPECT_TRUE(has_flag(assess_safety(model(), in), "S-GRANULOMA"));

  in = base_inputs();
  in.home_device = true;
  EXPECT_TRUE(has_flag(assess_safety(model(), in), "S-INFECTION"));
  in = base_inputs();
  in.conditions = {"keloid_tendency", "metal_allergy"};
  const auto k = assess_safety(model(), in);
  EXPECT_TRUE(has_flag(k, "S-KELOID"));
  EXPECT_TRUE(has_flag(k, "S-METAL"));
  in = base_inputs();
  in.medications = {"anticoagulant"};
  EXPECT_TRUE(has_flag(assess_safety(model(), in), "S-BLEEDING"));
  in = base_inputs();
  in.fitzpatrick = 6;
  in.open_depth_m = 1.2e-3;
  in.pih_drive =
      25;  // between the reference course drives at phototypes V (18.2) and VI (data/outcomes/courses/dogra_pih.toml)
  const auto dark = assess_safety(model(), in);
  std::printf("[outcomes] PIH probability phototype VI, drive 25: %.3f\n", dark.pih_probability);
  EXPECT_TRUE(has_flag(dark, "S-PIH-HIGH"));
  in = base_inputs();
  in.downtime_days = 9;
  EXPECT_TRUE(has_flag(assess_safety(model(), in), "S-DOWNTIME"));
}

TEST(Safety, ControlArmHasNoNeedlingRisks) {
  auto in = base_inputs();
  in.device_kind = "none";
  in.active = "vitamin_c";
  in.home_device = true;
  in.site = "forehead";
  const auto r = assess_safety(model(), in);
  EXPECT_TRUE(r.flags.empty());
  EXPECT_EQ(r.bleeding, "none");
  EXPECT_DOUBLE_EQ(r.pih_probability, 0.0);
}

TEST(Calibration, RefitRecoversAKnownCoefficient) {
  // Predict with k = 1.7, then refit to that prediction: the refit must return 1.7.
  Course c;
  RefitTarget target;
  target.concern = "acne_scars";
  target.reference = constructed(c);
  target.area = area("acne_scars", "boxcar");
  target.day = 146;
  const auto truth = model().with_coefficient("acne_scars", 1.7);
  target.value = predicted(truth, target);
  EXPECT_NEAR(refit_coefficient(model(), target), 1.7, 1e-6);
  // Hair: absolute change in hairs/cm2.
  Course h;
  h.follicle = 0.4;
  RefitTarget hair;
  hair.concern = "alopecia";
  hair.reference = constructed(h);
  hair.area = area("alopecia");
  hair.day = 84;
  hair.quantity = RefitTarget::Quantity::absolute_change;
  hair.value = predicted(model().with_coefficient("alopecia", 0.8), hair);
  EXPECT_NEAR(refit_coefficient(model(), hair), 0.8, 1e-6);
  // A target the coefficient range cannot reach is a numerical failure, not a wrong value.
  hair.value = -1000;
  EXPECT_THROW((void)refit_coefficient(model(), hair), core::Error);
}

}  // namespace
}  // namespace nw::outcomes
