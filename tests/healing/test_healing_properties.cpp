// Property tests of the healing model (issue 5, point 6; docs/model/healing.md, section 6):
// deeper needles raise both effect and erythema; darker phototypes raise the pigment drive;
// too-short intervals give diminishing returns and more inflammation; within the recommended
// range more sessions never lower the collagen gain. Patients, depths and schedules are drawn
// by RapidCheck over the ranges the planner uses.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>

#include "healing_support.hpp"

namespace nw {
namespace {

using healing::change_at;
using healing::HealingInputs;
using healing::simulate_healing;
using test::healing_parameters;
using test::reference_injury;

// Comparison slack for quantities equal in exact arithmetic (CVODE relative tolerance 1e-4).
constexpr double kRel = 1e-3;

// A gain between 0.5 and 2 (log-uniform on a grid of 1/16 in ln).
double gen_gain() { return std::exp(*rc::gen::inRange(-11, 12) / 16.0); }

healing::PatientFactors gen_patient() {
  healing::PatientFactors p;
  p.age_yr = *rc::gen::inRange(20, 71);
  p.fitzpatrick = *rc::gen::inRange(1, 7);
  p.male = *rc::gen::arbitrary<bool>();
  p.response_gain = gen_gain();
  p.inflammation_gain = gen_gain();
  p.melanocyte_gain = gen_gain();
  p.turnover_gain = gen_gain();
  return p;
}

// Needle length in mm on a 0.05 mm grid within [lo, hi].
double gen_mm(double lo, double hi) {
  return *rc::gen::inRange(static_cast<int>(lo * 20), static_cast<int>(hi * 20) + 1) / 20.0;
}

HealingInputs schedule(const healing::PatientFactors& patient, int n, double interval_d, double mm,
                       double channels_per_cm2, double end_day) {
  HealingInputs in;
  in.patient = patient;
  for (int i = 0; i < n; ++i) in.sessions.push_back(reference_injury(i * interval_d, mm, channels_per_cm2));
  in.end_day = end_day;
  return in;
}

double collagen_gain_pct(const healing::HealingResult& r) {
  return change_at(r, r.treated.size() - 1).collagen_change_pct;
}

RC_GTEST_PROP(HealingProperties, DeeperNeedlesRaiseBothEffectAndErythema, ()) {
  const auto patient = gen_patient();
  const double shallow = gen_mm(0.25, 2.3);
  const double deep = gen_mm(shallow + 0.1, 2.5);
  const double channels = *rc::gen::inRange(2, 16) * 100.0;
  const int n = *rc::gen::inRange(1, 6);
  const double end = (n - 1) * 28.0 + 90;
  const auto a = simulate_healing(schedule(patient, n, 28, shallow, channels, end), healing_parameters());
  const auto b = simulate_healing(schedule(patient, n, 28, deep, channels, end), healing_parameters());
  RC_ASSERT(collagen_gain_pct(b) > collagen_gain_pct(a));
  // Equal within the integrator tolerance (relative 1e-6) is "not lower": the papillary peak is
  // the same once the needle crosses the papillary layer.
  RC_ASSERT(b.erythema_h >= a.erythema_h * (1 - kRel));
  RC_ASSERT(b.downtime_days >= a.downtime_days * (1 - kRel));
  RC_ASSERT(b.peak_inflammation >= a.peak_inflammation * (1 - kRel));
}

RC_GTEST_PROP(HealingProperties, DarkerPhototypesRaiseThePigmentDrive, ()) {
  auto patient = gen_patient();
  const int light = *rc::gen::inRange(1, 6);
  const int dark = *rc::gen::inRange(light + 1, 7);
  const double mm = gen_mm(0.5, 2.5);
  const int n = *rc::gen::inRange(1, 6);
  auto in = schedule(patient, n, 28, mm, 800, (n - 1) * 28.0 + 60);
  in.patient.fitzpatrick = light;
  const auto a = simulate_healing(in, healing_parameters());
  in.patient.fitzpatrick = dark;
  const auto b = simulate_healing(in, healing_parameters());
  double peak_a = 0, peak_b = 0;
  for (std::size_t i = 0; i < a.treated.size(); ++i) {
    peak_a = std::max(peak_a, a.treated[i].melanocyte_activation);
    peak_b = std::max(peak_b, b.treated[i].melanocyte_activation);
  }
  RC_ASSERT(peak_b > peak_a);
  RC_ASSERT(b.pih_drive >= a.pih_drive * (1 - kRel));
  RC_ASSERT(b.treated.back().pigment >= a.treated.back().pigment - 1e-9);
}

RC_GTEST_PROP(HealingProperties, TooShortIntervalsGiveDiminishingReturnsAndMoreInflammation, ()) {
  const auto patient = gen_patient();
  const double mm = gen_mm(0.5, 2.0);
  const int n = *rc::gen::inRange(3, 6);
  const double short_d = *rc::gen::inRange(1, 6);
  // Both courses followed 180 days past their last session.
  const auto fast =
      simulate_healing(schedule(patient, n, short_d, mm, 800, (n - 1) * short_d + 180), healing_parameters());
  const auto spaced = simulate_healing(schedule(patient, n, 28, mm, 800, (n - 1) * 28.0 + 180), healing_parameters());
  RC_ASSERT(fast.peak_inflammation > spaced.peak_inflammation);
  RC_ASSERT(collagen_gain_pct(fast) < collagen_gain_pct(spaced));
}

RC_GTEST_PROP(HealingProperties, MoreSessionsInTheRecommendedRangeNeverLowerTheCollagenGain, ()) {
  const auto patient = gen_patient();
  const double mm = gen_mm(0.5, 2.0);
  const double interval = *rc::gen::inRange(21, 43);
  const int n = *rc::gen::inRange(1, 6);
  const double end = n * interval + *rc::gen::inRange(30, 181);  // after the extra session
  const auto fewer = simulate_healing(schedule(patient, n, interval, mm, 800, end), healing_parameters());
  const auto more = simulate_healing(schedule(patient, n + 1, interval, mm, 800, end), healing_parameters());
  RC_ASSERT(collagen_gain_pct(more) >= collagen_gain_pct(fewer));
}

// The benefit of a course lasts (docs/model/healing.md, 2.5): new type I above rest matures into
// the stable, cross-linked pool (t_m = 90 d, half-life 15 yr; SRC-VER00) instead of returning to
// rest with the remodelling pool (half-life 0.5 yr). Tolerance: the treated-vs-untreated collagen
// gain 1 year after the last session is at least X of the gain 2 months after it.
// Why X: about 3/4 of new type I matures (1/t_m against ln2/t1, healing.md 2.5) and the stable pool
// loses 4 % in 10 months, so once maturation is under way at 2 months a year keeps ~0.8-0.95 of
// the gain (X = 0.75 for turnover gains >= 1). Slow healers (turnover gain 0.5, all times doubled)
// after a single session still carry much of their 2-month gain as type III and unmatured type I,
// and keep 0.42-0.46 of it: X = 0.4 over the whole range. Clinically, histology still shows more
// collagen 6-12 months after treatment (SRC-AUS08). With the single remodelling pool the collagen I
// gain of one 1.5 mm session fell from +0.201 at 3 months to +0.035 at 1 year (ratio 0.17).
constexpr double kPersistenceAll = 0.4;
constexpr double kPersistenceNominal = 0.75;

RC_GTEST_PROP(HealingProperties, CollagenGainPersistsAYearAfterTheLastSession, ()) {
  const auto patient = gen_patient();
  const double mm = gen_mm(0.5, 2.5);
  const int n = *rc::gen::inRange(1, 6);
  const double interval = *rc::gen::inRange(3, 7) * 7.0;
  const double last = (n - 1) * interval;
  const auto r = simulate_healing(schedule(patient, n, interval, mm, 800, last + 365), healing_parameters());
  const auto at = [&](double day) { return change_at(r, static_cast<std::size_t>(day)).collagen_change_pct; };
  const double two_months = at(last + 61), one_year = at(last + 365);
  RC_LOG() << "gain 2 months " << two_months << " %, 1 year " << one_year << " %" << std::endl;
  RC_ASSERT(two_months > 0.0);
  RC_ASSERT(one_year >= kPersistenceAll * two_months);
  if (patient.turnover_gain >= 1) RC_ASSERT(one_year >= kPersistenceNominal * two_months);
}

// An untreated run is the resting state times the ageing drift, exactly: the stable pool starts
// empty and nothing fills it without new matrix (stationary by construction, healing.md 2.5).
TEST(HealingProperties, UntreatedRunIsTheAgeingDriftOnly) {
  const auto& p = healing_parameters();
  HealingInputs in;
  in.patient.age_yr = 45;
  in.end_day = 3 * 365;
  const auto r = simulate_healing(in, p);
  ASSERT_EQ(r.treated.size(), r.untreated.size());
  for (std::size_t i = 0; i < r.untreated.size(); ++i) {
    const double years = r.untreated[i].day / 365.25;
    const double fc = std::exp(-p.collagen_loss_per_yr * years);
    const double fe = std::exp(-p.elastin_loss_per_yr * years);
    for (const auto* run : {&r.treated[i], &r.untreated[i]}) {
      for (int k = 1; k < 3; ++k) {
        EXPECT_NEAR(run->collagen_i[k], fc, 1e-12) << i;
        EXPECT_NEAR(run->collagen_iii[k], fc, 1e-12) << i;
        EXPECT_NEAR(run->elastin[k], fe, 1e-12) << i;
      }
    }
  }
}

}  // namespace
}  // namespace nw
