// Validation of the healing model against published observations (docs/model/healing.md,
// section 6). Each test names its calibration row or source id and states its tolerance; the
// ones marked "fitted" check the fit, the others were not used for any parameter. Numbers are
// printed on "[healing-validation]" lines.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "healing_support.hpp"

namespace nw {
namespace {

using healing::change_at;
using healing::simulate_healing;
using healing::TissueSample;
using test::course;
using test::healing_parameters;

double total_collagen(const TissueSample& s, int k, const healing::Parameters& p) {
  return (p.collagen_i_fraction * s.collagen_i[k] + p.collagen_iii_fraction * s.collagen_iii[k]) /
         (p.collagen_i_fraction + p.collagen_iii_fraction);
}

std::size_t argmax(const std::vector<TissueSample>& v, double (*f)(const TissueSample&)) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (f(v[i]) > f(v[best])) best = i;
  }
  return best;
}

// C-SCH1: epidermal recovery almost complete at 5 days (in vitro 3D skin). Tolerance: at day 5
// at most 10 % of the epidermal damage remains, at day 2 at least 20 % does (not instantaneous).
TEST(HealingValidation, EpidermisRecoversInAboutFiveDays_C_SCH1) {
  const auto& p = healing_parameters();
  const auto r = simulate_healing(course(1, 28, 1.5, 30), p);
  const double d0 = r.treated[0].damage[0];
  ASSERT_GT(d0, 0.0);
  std::printf("[healing-validation] C-SCH1 epidermal damage remaining: day 2 %.3f, day 5 %.3f of initial\n",
              r.treated[2].damage[0] / d0, r.treated[5].damage[0] / d0);
  EXPECT_LE(r.treated[5].damage[0] / d0, 0.10);
  EXPECT_GE(r.treated[2].damage[0] / d0, 0.20);
}

// E-PH1 / E-PH2: inflammation immediate to a few days (E-PH2: classical 7-14 d, shorter after
// needling); proliferation a few days to a few weeks; remodelling a few weeks to 2 years.
// Tolerances: inflammation peaks within 3 days and falls below 10 % of its peak by day 14;
// fibroblasts peak between day 3 and day 21; collagen I peaks after 4 weeks, keeps more than
// half of its peak gain 3 months after a single session and is still raised after a year.
TEST(HealingValidation, PhaseDurations_E_PH1_E_PH2) {
  const auto& p = healing_parameters();
  const auto r = simulate_healing(course(1, 28, 1.5, 400), p);
  const auto& t = r.treated;
  const auto i_peak = argmax(t, [](const TissueSample& s) { return s.inflammation[1]; });
  std::size_t i_end = i_peak;
  while (i_end < t.size() && t[i_end].inflammation[1] > 0.1 * t[i_peak].inflammation[1]) ++i_end;
  const auto f_peak = argmax(t, [](const TissueSample& s) { return s.fibroblasts[1]; });
  const auto c1_peak = argmax(t, [](const TissueSample& s) { return s.collagen_i[1]; });
  const auto c3_peak = argmax(t, [](const TissueSample& s) { return s.collagen_iii[1]; });
  const double c1_gain_peak = t[c1_peak].collagen_i[1] - r.untreated[c1_peak].collagen_i[1];
  const double c1_gain_3mo = t[90].collagen_i[1] - r.untreated[90].collagen_i[1];
  const double c1_gain_1yr = t[365].collagen_i[1] - r.untreated[365].collagen_i[1];
  std::printf(
      "[healing-validation] E-PH1/2 inflammation peak day %zu, below 10 %% by day %zu; fibroblast peak day %zu; "
      "collagen III peak day %zu, collagen I peak day %zu (gain %.3f), collagen I gain at 3 months %.3f, at 1 year "
      "%.3f\n",
      i_peak, i_end, f_peak, c3_peak, c1_peak, c1_gain_peak, c1_gain_3mo, c1_gain_1yr);
  EXPECT_LE(i_peak, 3u);
  EXPECT_LE(i_end, 14u);
  EXPECT_GE(f_peak, 3u);
  EXPECT_LE(f_peak, 21u);
  EXPECT_LT(c3_peak, c1_peak);
  EXPECT_GE(c1_peak, 28u);
  EXPECT_GT(c1_gain_3mo, 0.5 * c1_gain_peak);
  EXPECT_GT(c1_gain_1yr, 0.0);
}

// C-ERY4: transient erythema and oedema resolve within 7 days at clinical settings
// (0.5-2.0 mm). Tolerance: visible erythema and downtime both at most 7 days for every session.
TEST(HealingValidation, ErythemaResolvesWithinSevenDays_C_ERY4) {
  const auto& p = healing_parameters();
  for (double mm : {0.5, 1.0, 1.5, 2.0}) {
    const auto r = simulate_healing(course(3, 28, mm, 90), p);
    std::printf("[healing-validation] C-ERY4 %.1f mm: visible erythema %.1f h, downtime %.2f d\n", mm, r.erythema_h,
                r.downtime_days);
    EXPECT_LE(r.erythema_h, 7 * 24.0) << mm;
    EXPECT_LE(r.downtime_days, 7.0) << mm;
    EXPECT_GT(r.erythema_h, 0.0) << mm;
  }
}

// E rows / MODEL.md section 5: resting dermal collagen ~80 % type I, ~15 % type III. The share of
// type III rises while new matrix is laid down and returns towards 15 % during remodelling.
// Tolerance: resting 15 % exactly (input); peak share above 16 %; back within 15 +/- 3 % a year
// after a single session.
TEST(HealingValidation, CollagenTypeShares_E_rows) {
  const auto& p = healing_parameters();
  const auto r = simulate_healing(course(1, 28, 1.5, 365), p);
  const auto share = [&](const TissueSample& s) {
    return p.collagen_iii_fraction * s.collagen_iii[1] /
           (p.collagen_i_fraction * s.collagen_i[1] + p.collagen_iii_fraction * s.collagen_iii[1]);
  };
  double peak = 0;
  for (const auto& s : r.treated) peak = std::max(peak, share(s));
  std::printf("[healing-validation] E rows type III share of I+III: rest %.3f, peak %.3f, at 1 year %.3f\n",
              share(r.untreated[0]), peak, share(r.treated.back()));
  EXPECT_NEAR(share(r.untreated[0]), 0.15 / 0.95, 1e-9);
  EXPECT_GT(peak, 0.16 / 0.95);
  EXPECT_NEAR(share(r.treated.back()), 0.15 / 0.95, 0.03);
}

// E-ZEI1 (rat, qualitative): 10 weeks after repetitive needling (4x, 1 mm) collagen I is
// up-regulated and collagen III down-regulated. Schedule not given on the page read: 4 sessions
// 2 weeks apart assumed. matrix_feedback_exponent was chosen for this direction (consistency
// check, not independent validation).
TEST(HealingValidation, CollagenIUpAndIIIDownAtTenWeeks_E_ZEI1) {
  const auto& p = healing_parameters();
  const auto r = simulate_healing(course(4, 7, 1.0, 70), p);
  const auto& s = r.treated[70];
  const auto& u = r.untreated[70];
  std::printf("[healing-validation] E-ZEI1 day 70 papillary: collagen I %.3f, collagen III %.3f (untreated %.3f)\n",
              s.collagen_i[1], s.collagen_iii[1], u.collagen_i[1]);
  EXPECT_GT(s.collagen_i[1], u.collagen_i[1]);
  EXPECT_LT(s.collagen_iii[1], u.collagen_iii[1]);
}

// SRC-LOT13 (fitted: collagen.synthesis_gain): 5 monthly 1.5 mm sessions, papillary collagen
// +53.2 % 8 weeks after the last session vs baseline. Tolerance +/- 10 points (fit check).
// Not fitted: epidermal thickness +50 % in the same biopsies. Tolerance: factor 2 (+25..+100 %).
TEST(HealingValidation, CollagenAndEpidermisAfterFiveMonthlySessions_SRC_LOT13) {
  const auto& p = healing_parameters();
  const int day = 4 * 30 + 56;
  const auto r = simulate_healing(course(5, 30, 1.5, day), p);
  const double collagen = 100 * (total_collagen(r.treated[day], 1, p) / total_collagen(r.treated[0], 1, p) - 1);
  const double epidermis = 100 * (r.treated[day].epidermal_thickness - 1);
  std::printf(
      "[healing-validation] SRC-LOT13 papillary collagen %+.1f %% (data +53.2 %%, fitted), epidermal "
      "thickness %+.1f %% (data +50 %%, not fitted)\n",
      collagen, epidermis);
  EXPECT_NEAR(collagen, 53.2, 10.0);
  EXPECT_GE(epidermis, 25.0);
  EXPECT_LE(epidermis, 100.0);
}

// SRC-ELD15 (not fitted): 6 sessions 2 weeks apart (1.5 mm assumed), biopsies 1 and 3 months
// from the start: collagen I and III increased, epidermis thicker, total elastin decreased.
// Tolerance: signs only (the abstracts give no magnitudes).
TEST(HealingValidation, HumanHistologyAfterSixSessions_SRC_ELD15) {
  const auto& p = healing_parameters();
  const auto r = simulate_healing(course(6, 14, 1.5, 90), p);
  for (int day : {30, 90}) {
    const auto& s = r.treated[static_cast<std::size_t>(day)];
    std::printf(
        "[healing-validation] SRC-ELD15 day %d papillary: collagen I %.3f, III %.3f, elastin %.3f, epidermis "
        "%.3f\n",
        day, s.collagen_i[1], s.collagen_iii[1], s.elastin[1], s.epidermal_thickness);
  }
  const auto& s = r.treated[90];
  EXPECT_GT(s.collagen_i[1], 1.0);
  EXPECT_GT(s.collagen_iii[1], 1.0);
  EXPECT_GT(s.epidermal_thickness, 1.0);
}

// SRC-LOT13 refit of collagen.synthesis_gain from nothing but its data: the root of
// papillary collagen change(sigma) - 53.2 % on [1, 200] (bisection in ln sigma, the change rises
// with sigma) with the other parameters bundled. Tolerance: the bundled value within 2 % of the
// refit (the bundled value is the refit rounded to three figures). NW_HEALING_TOML refits another file.
TEST(HealingValidation, SynthesisGainRefit_SRC_LOT13) {
  const auto& bundled = healing_parameters();
  const int day = 4 * 30 + 56;
  const auto change = [&](double sigma) {
    auto p = bundled;
    p.collagen_synthesis_gain = sigma;
    const auto r = simulate_healing(course(5, 30, 1.5, day), p);
    return 100 * (total_collagen(r.treated[day], 1, p) / total_collagen(r.treated[0], 1, p) - 1);
  };
  double lo = std::log(1.0), hi = std::log(200.0);
  ASSERT_LT(change(std::exp(lo)), 53.2);
  ASSERT_GT(change(std::exp(hi)), 53.2);
  for (int it = 0; it < 40; ++it) {
    const double mid = 0.5 * (lo + hi);
    (change(std::exp(mid)) < 53.2 ? lo : hi) = mid;
  }
  const double refit = std::exp(0.5 * (lo + hi));
  std::printf("[healing-validation] SRC-LOT13 refit collagen.synthesis_gain %.4f (bundled %.4g, %+.2f %%)\n", refit,
              bundled.collagen_synthesis_gain, 100 * (bundled.collagen_synthesis_gain / refit - 1));
  EXPECT_NEAR(bundled.collagen_synthesis_gain / refit, 1.0, 0.02);
}

}  // namespace
}  // namespace nw
