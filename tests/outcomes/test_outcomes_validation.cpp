// NOTE: the two melasma tests still marked DISABLED_ run on the healing tests' stand-in injury,
// not on a reference course through every stage; they are kept for their numbers (the model
// cannot reproduce them, see each test). PUB-HK-RESP and PUB-FAB-PIH are validation cases
// (data/validation/cases.toml) on reference courses.
// Validation of the outcome stage against published clinical results (data/outcomes/
// published.toml; docs/model/outcomes.md section 3). Each reference course runs through the
// healing model (tests/healing/healing_support.hpp reference injury; delivered amounts of actives
// are stated assumptions, the transport stage is not run here). The `fit` rows check that the
// stored coefficient reproduces its one published result (and print the refit); the other rows
// were not used for any parameter. Each test names its row id and states its tolerance. Numbers
// are printed on "[outcomes-validation]" lines.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "../healing/healing_support.hpp"
#include "needlework/core/log.hpp"
#include "needlework/core/random.hpp"
#include "needlework/course/coupling.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/scenario.hpp"
#include "outcomes_support.hpp"

namespace nw::outcomes {
namespace {

using test::model;

// Layer thicknesses of the healing reference injury (papillary 100-400 um, reticular 400-2000 um).
constexpr double kPapillary_m = 0.3e-3;
constexpr double kReticular_m = 1.6e-3;

// The nominal person's course of a bundled reference scenario (data/outcomes/courses/), run
// through every stage: channels, healing, outcomes. `fitzpatrick` > 0 overrides the file's.
course::AreaResult reference_course(const std::string& name, int fitzpatrick = 0) {
  const auto data = io::bundled_data();
  const auto s = io::load_scenario(std::string(NW_SOURCE_DIR) + "/data/outcomes/courses/" + name, data);
  auto in = io::course_inputs(s);
  if (fitzpatrick > 0) in.fitzpatrick = fitzpatrick;
  core::MemorySink log;
  return course::Simulation(in, data.course_libraries()).run(log).areas.front();
}

const PublishedResult& row(const std::string& id) {
  for (const auto& r : test::published()) {
    if (r.id == id) return r;
  }
  throw std::runtime_error("no published row " + id);
}

AreaContext area_for(const std::string& concern, const std::string& scar_type, const std::string& scale) {
  auto a = test::area(concern, scar_type, scale);
  a.papillary_thickness_m = kPapillary_m;
  a.reticular_thickness_m = kReticular_m;
  return a;
}

// TXA + MN for melasma (PUB-BUD-MN): sessions at weeks 0, 4, 8 with 1.5 mm needles (assumed);
// the session-day TXA reaches {10, 2, 0.5} ug/cm2 of epidermis, papillary, reticular dermis
// (assumption, the amounts the healing unit tests use); the control arm gets nothing.
healing::HealingInputs melasma_course(double end_day, int fitzpatrick = 4) {
  auto in = nw::test::course(3, 28, 1.5, end_day, fitzpatrick);
  for (int s = 0; s < 3; ++s) in.actives.push_back({28.0 * s, "tranexamic_acid", {10, 2, 0.5}, 0});
  return in;
}

// A virtual cohort of `n` people: healing gains varied (healing::vary_patient with seeded normals)
// and outcome parameters sampled (sample_person). Returns the score timelines.
std::vector<ScoreTimeline> cohort(const healing::HealingInputs& nominal, const AreaContext& area, int n,
                                  std::uint64_t seed) {
  const auto& p = nw::test::healing_parameters();
  const auto& concern = *model().concern(area.concern);
  const std::string lesion_concern = area.concern == "rejuvenation" ? "wrinkles" : area.concern;
  const auto* lesion = io::bundled_lesions().for_concern(lesion_concern, area.scar_type);
  std::vector<ScoreTimeline> out;
  for (int i = 0; i < n; ++i) {
    const core::RandomStream z(seed, core::StreamKey{0, core::Stage::healing, static_cast<std::uint64_t>(i), "gains"});
    auto in = nominal;
    in.patient = healing::vary_patient(nominal.patient, p, {z.normal(0), z.normal(1), z.normal(2), z.normal(3)});
    const auto person = sample_person(concern, lesion, seed, static_cast<std::uint64_t>(i));
    auto a = area;
    if (lesion) a.lesion = person.lesion;
    a.coefficient_factor = person.coefficient_factor;
    a.placebo_fraction = person.placebo_fraction;
    a.placebo_sampled = true;
    out.push_back(score_timeline(model(), a, healing::simulate_healing(in, p)));
  }
  return out;
}

// PUB-GAR-BOX (fit, S18): boxcar -47 % after 3 monthly sessions. Tolerance: the stored k_fill
// reproduces it within 0.02 (rounding of the stored value); the refit is printed.
TEST(OutcomesValidation, AcneBoxcarFit_PUB_GAR_BOX) {
  const auto& r = row("PUB-GAR-BOX");
  const auto course = reference_course("garg_boxcar.toml");
  ASSERT_NEAR(course.healing.treated.back().day, r.day, 0.5);
  const auto t = refit_target(r, course.healing, course::outcome_context(course));
  const double k = refit_coefficient(model(), t);
  const double p = predicted(model(), t);
  std::printf(
      "[outcomes-validation] PUB-GAR-BOX boxcar (real course): refit k_fill = %.4f (stored %.4f), predicted %.3f vs "
      "%.3f\n",
      k, model().concern("acne_scars")->coefficient.mean, p, r.value);
  EXPECT_NEAR(p, r.value, 0.02);
  EXPECT_NEAR(k / model().concern("acne_scars")->coefficient.mean, 1.0, 0.02);
}

// The S18 course (3 monthly 1.5 mm sessions) scored for one scar type with the stored k_fill.
double s18_prediction(const std::string& id, const std::string& scar_type) {
  const auto& r = row(id);
  static const auto course = reference_course("garg_boxcar.toml");
  auto area = course::outcome_context(course);
  area.scar_type = scar_type;
  area.lesion = mean_geometry(*io::bundled_lesions().for_concern("acne_scars", scar_type));
  return predicted(model(), refit_target(r, course.healing, area));
}

// PUB-GAR-ICE (validation, S18): icepick -6 % on the course of the boxcar fit. Tolerance: 0.06
// absolute, and icepick under a third of both rolling and boxcar (the mechanism).
TEST(OutcomesValidation, AcneIcepick_PUB_GAR_ICE) {
  const double p_ice = s18_prediction("PUB-GAR-ICE", "icepick");
  const double p_roll = s18_prediction("PUB-GAR-ROLL", "rolling");
  const double p_box = s18_prediction("PUB-GAR-BOX", "boxcar");
  std::printf(
      "[outcomes-validation] S18 relative change: icepick %.3f (published %.2f), rolling %.3f (published %.2f), "
      "boxcar %.3f (fit, %.2f)\n",
      p_ice, row("PUB-GAR-ICE").value, p_roll, row("PUB-GAR-ROLL").value, p_box, row("PUB-GAR-BOX").value);
  EXPECT_NEAR(p_ice, row("PUB-GAR-ICE").value, 0.06);
  EXPECT_LT(std::abs(p_ice), std::abs(p_roll) / 3);
  EXPECT_LT(std::abs(p_ice), std::abs(p_box) / 3);
}

// PUB-GAR-ROLL (validation, S18): rolling -37 %. Tolerance 0.15 absolute. KNOWN DISCREPANCY
// (docs/model/outcomes.md section 8), asserted as such: on the real reference course the model
// gives -0.556 - rolling responds more than boxcar, the study found the reverse; the tethering
// factor (0.5) is an unfitted assumption and fitting it here would be a second acne coefficient on
// the same study. The test fails if the gap closes (then make it a plain check) or widens past
// the documented band model / data in [1.2, 1.8].
TEST(OutcomesValidation, AcneRollingKnownDiscrepancy_PUB_GAR_ROLL) {
  const double p_roll = s18_prediction("PUB-GAR-ROLL", "rolling");
  const double data = row("PUB-GAR-ROLL").value;
  std::printf("[outcomes-validation] PUB-GAR-ROLL rolling %.3f (published %.2f, ratio %.2f)\n", p_roll, data,
              p_roll / data);
  EXPECT_GT(std::abs(p_roll - data), 0.15) << "the known discrepancy has closed";
  EXPECT_GE(p_roll / data, 1.2);
  EXPECT_LE(p_roll / data, 1.8);
}

// PUB-ALAM / PUB-ALAM-CTRL (validation, RCT): 3 roller sessions 2 weeks apart; 6 months: treated
// -3.4 points (95 % CI -6.5 to -0.2), control -0.4 (CI -3.5 to 2.3). Baselines not read: the
// default baseline (12) is used. Tolerance: the nominal treated change and the control change
// lie inside the published 95 % intervals.
TEST(OutcomesValidation, AcneSplitFaceRct_PUB_ALAM) {
  const auto& r = row("PUB-ALAM");
  const auto course = reference_course("alam_split_face.toml");
  const auto& t = course.nominal_scores;
  const std::size_t i = static_cast<std::size_t>(r.day);
  ASSERT_LT(i, t.treated.size());
  const double treated = t.treated[i] - t.baseline, control = t.untreated[i] - t.baseline;
  std::printf(
      "[outcomes-validation] PUB-ALAM 6 months, baseline %.0f: treated %.2f (published -3.4, CI -6.5..-0.2), "
      "control %.2f (published -0.4)\n",
      t.baseline, treated, control);
  EXPECT_GE(treated, -6.5);
  EXPECT_LE(treated, -0.2);
  EXPECT_GE(control, -3.5);
  EXPECT_LE(control, 2.3);
}

// PUB-BUD-MN (fit, S29): MASI -44.41 % with TXA + MN. Tolerance 0.02 (stored value rounding).
// KNOWN DISCREPANCY (outcomes.md section 8): the healing model's epidermal melanin is 1.0007 of
// baseline on the treated side at day 146 (untreated 1.0000): three monthly TXA applications
// leave no lasting pigment change, so no k_pig can reproduce the result (refit throws NUM-FAIL)
// and k_pig stays a prior.
TEST(OutcomesValidation, DISABLED_MelasmaFit_PUB_BUD_MN) {
  const auto& r = row("PUB-BUD-MN");
  const auto ref = healing::simulate_healing(melasma_course(r.day), nw::test::healing_parameters());
  const auto t = refit_target(r, ref, area_for("melasma", "", r.scale));
  std::printf("[outcomes-validation] PUB-BUD-MN reference pigment at day %.0f: treated %.4f, untreated %.4f\n", r.day,
              ref.treated[static_cast<std::size_t>(r.day)].pigment,
              ref.untreated[static_cast<std::size_t>(r.day)].pigment);
  const double k = refit_coefficient(model(), t);
  const double p = predicted(model(), t);
  std::printf(
      "[outcomes-validation] PUB-BUD-MN: refit k_pig = %.4f (stored %.4f), predicted %.3f vs %.3f; treated "
      "pigment %.3f, untreated %.3f\n",
      k, model().concern("melasma")->coefficient.mean, p, r.value, ref.treated[static_cast<std::size_t>(r.day)].pigment,
      ref.untreated[static_cast<std::size_t>(r.day)].pigment);
  EXPECT_NEAR(p, r.value, 0.02);
}

// PUB-BUD-RESP (validation): 41.4 % of the TXA + MN arm improved by more than 50 %. Tolerance:
// 0.25 absolute on 200 virtual patients (seed 12). KNOWN DISCREPANCY: as PUB-BUD-MN (0.000).
TEST(OutcomesValidation, DISABLED_MelasmaResponderFraction_PUB_BUD_RESP) {
  const auto& r = row("PUB-BUD-RESP");
  const auto patients = cohort(melasma_course(r.day), area_for("melasma", "", r.scale), 200, 12);
  const auto stats = cohort_statistics(*model().scale(r.scale), patients, static_cast<std::size_t>(r.day));
  std::printf(
      "[outcomes-validation] PUB-BUD-RESP > 50 %%: %.3f (published %.3f); MASI %.2f [%.2f, %.2f] from %.1f; "
      "control arm %.2f\n",
      stats.responder_fraction, r.value, stats.at_follow_up.median, stats.at_follow_up.p05, stats.at_follow_up.p95,
      stats.baseline, stats.untreated_at_follow_up.median);
  EXPECT_NEAR(stats.responder_fraction, r.value, 0.25);
}

// PUB-DHU-MN (fit, S34): +91.4 hairs/cm2 at 12 weeks. Tolerance 2 hairs/cm2 (stored rounding).
// PUB-DHU-MINOX (validation): the minoxidil-alone arm, run as the control arm of the same
// course, +22.2. Tolerance: 15 hairs/cm2, and the needling arm gains more than twice as much.
TEST(OutcomesValidation, AlopeciaFitAndControlArm_PUB_DHU) {
  const auto& fit = row("PUB-DHU-MN");
  const auto& ctrl = row("PUB-DHU-MINOX");
  const auto course = reference_course("dhurat_minoxidil.toml");
  const auto alone = reference_course("dhurat_minoxidil_alone.toml");
  const auto& ref = course.healing;
  const auto t = refit_target(fit, ref, course::outcome_context(course));
  const double k = refit_coefficient(model(), t);
  const auto& tl = course.nominal_scores;
  const std::size_t i = static_cast<std::size_t>(fit.day);
  ASSERT_LT(i, tl.treated.size());
  // The control arm is its own course (minoxidil alone, no needling), not the untreated skin.
  const double treated = tl.treated[i] - tl.baseline, control = alone.nominal_scores.treated[i] - tl.baseline;
  std::printf(
      "[outcomes-validation] PUB-DHU: refit k_hair = %.4f (stored %.4f); MN + minoxidil %+.1f (published "
      "%+.1f), minoxidil alone %+.1f (published %+.1f) hairs/cm2 from %.0f; follicle drive %.3f vs %.3f\n",
      k, model().concern("alopecia")->coefficient.mean, treated, fit.value, control, ctrl.value, tl.baseline,
      ref.treated[i].follicle_stimulation, ref.untreated[i].follicle_stimulation);
  EXPECT_NEAR(treated, fit.value, 2.0);
  EXPECT_NEAR(control, ctrl.value, 15.0);
  EXPECT_GT(treated, 2 * control);
}

}  // namespace
}  // namespace nw::outcomes

namespace nw::outcomes {
namespace {

// PUB-DOG-PIH (fit, S16): 5 of 30 phototype IV-V patients developed PIH after 5 monthly 1.5 mm
// roller sessions. The people are half type IV, half type V (assumption). Tolerance: the stored
// hazard reproduces 0.167 within 0.01; the refit is printed.
TEST(OutcomesValidation, PihFit_PUB_DOG_PIH) {
  const auto& r = row("PUB-DOG-PIH");
  const auto iv = reference_course("dogra_pih.toml", 4), v = reference_course("dogra_pih.toml", 5);
  ASSERT_NEAR(iv.healing.treated.back().day, r.day, 0.5);
  const std::vector<std::pair<int, double>> people{{4, iv.healing.pih_drive}, {5, v.healing.pih_drive}};
  const double beta = refit_pih_hazard(model().pih(), people, r.value);
  const double p = 0.5 * (iv.safety.pih_probability + v.safety.pih_probability);
  std::printf(
      "[outcomes-validation] PUB-DOG-PIH (real course): drive IV %.3f, V %.3f; refit hazard %.4f (stored %.4f); mean "
      "PIH %.3f vs %.3f\n",
      people[0].second, people[1].second, beta, model().pih().hazard_per_drive, p, r.value);
  EXPECT_NEAR(p, r.value, 0.01);
  EXPECT_NEAR(beta / model().pih().hazard_per_drive, 1.0, 0.03);
}

}  // namespace
}  // namespace nw::outcomes
