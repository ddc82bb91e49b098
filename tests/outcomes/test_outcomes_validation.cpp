// PUB-HK-RESP, PUB-FAB-PIH and the melasma rows PUB-BUD-MN / PUB-BUD-RESP are validation cases
// (data/validation/cases.toml) on reference courses through every stage, not tests here.
// Validation of the outcome stage against published clinical results (data/outcomes/
// published.toml; docs/model/outcomes.md section 3). Each reference course (data/outcomes/
// courses/) runs through every stage, transport of its topical included. The `fit` rows check that the
// stored coefficient reproduces its one published result (and print the refit); the other rows
// were not used for any parameter. Each test names its row id and states its tolerance. Numbers
// are printed on "[outcomes-validation]" lines.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "needlework/core/log.hpp"
#include "needlework/course/coupling.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/scenario.hpp"
#include "outcomes_support.hpp"

namespace nw::outcomes {
namespace {

using test::model;

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
// gives -0.528 - rolling responds more than boxcar, the study found the reverse; the tethering
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
