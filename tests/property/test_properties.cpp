// Property tier: statements that must hold for every input RapidCheck can generate.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>

#include "needlework/clinical/screening.hpp"
#include "needlework/core/random.hpp"
#include "needlework/core/units.hpp"
#include "needlework/io/bundled.hpp"

namespace nw {
namespace {

using clinical::Action;

const core::Date kStart = *core::parse_date("2026-12-01");

std::vector<std::string> words_of(const std::vector<core::WordSpec>& w) {
  std::vector<std::string> out;
  for (const auto& x : w) out.push_back(x.word);
  return out;
}

core::Date date_near_start(int offset_days) { return core::Date(kStart.days() + std::chrono::days{offset_days}); }

// A random patient over the whole screening vocabulary, with dates from two years before to
// one month after the planned start.
rc::Gen<clinical::Patient> gen_patient() {
  const auto& rules = io::bundled_rules();
  const auto conditions = words_of(rules.conditions);
  const auto medications = words_of(rules.medications);
  const auto procedures = words_of(rules.procedures);
  return rc::gen::exec([=] {
    clinical::Patient p;
    p.age = *rc::gen::inRange(12, 95) * core::units::yr;
    p.sex = *rc::gen::element(clinical::Sex::female, clinical::Sex::male);
    p.fitzpatrick = *rc::gen::inRange(1, 7);
    p.pregnant = p.sex == clinical::Sex::female && *rc::gen::inRange(0, 10) == 0;
    p.breastfeeding = p.sex == clinical::Sex::female && *rc::gen::inRange(0, 10) == 0;
    p.conditions =
        *rc::gen::container<std::vector<std::string>>(*rc::gen::inRange(0, 4), rc::gen::elementOf(conditions));
    const int n_med = *rc::gen::inRange(0, 3);
    for (int i = 0; i < n_med; ++i) {
      clinical::Medication m{*rc::gen::elementOf(medications), std::nullopt};
      if (*rc::gen::arbitrary<bool>()) m.stopped = date_near_start(*rc::gen::inRange(-730, 30));
      p.medications.push_back(m);
    }
    const int n_proc = *rc::gen::inRange(0, 3);
    for (int i = 0; i < n_proc; ++i) {
      p.recent_procedures.push_back({*rc::gen::elementOf(procedures), date_near_start(*rc::gen::inRange(-730, 30))});
    }
    return p;
  });
}

RC_GTEST_PROP(ScreeningProperties, AbsoluteContraindicationIsNeverTreated, ()) {
  const auto p = *gen_patient();
  const auto& rules = io::bundled_rules();
  const auto result = clinical::screen(p, rules, kStart);
  const bool absolute = std::any_of(rules.rules.begin(), rules.rules.end(), [&](const clinical::Rule& r) {
    return r.severity == clinical::RuleSeverity::absolute && clinical::apply_rule(r, p, kStart).has_value();
  });
  if (absolute) {
    RC_ASSERT(result.decision != Action::treat);
    RC_ASSERT(result.decision != Action::treat_with_precautions);
  }
  RC_ASSERT((result.decision == Action::treat) == result.reasons.empty());
}

RC_GTEST_PROP(ScreeningProperties, AddingAConditionNeverRelaxesTheDecision, ()) {
  auto p = *gen_patient();
  const auto& rules = io::bundled_rules();
  const auto before = clinical::screen(p, rules, kStart);
  p.conditions.push_back(*rc::gen::elementOf(words_of(rules.conditions)));
  const auto after = clinical::screen(p, rules, kStart);
  RC_ASSERT(clinical::restrictiveness(after.decision) >= clinical::restrictiveness(before.decision));
  if (before.decision == Action::defer && after.decision == Action::defer && before.earliest_date) {
    RC_ASSERT(after.earliest_date.has_value());
    RC_ASSERT(*after.earliest_date >= *before.earliest_date);
  }
}

RC_GTEST_PROP(ScreeningProperties, DeferralDatesLieAfterThePlannedStart, ()) {
  const auto p = *gen_patient();
  const auto result = clinical::screen(p, io::bundled_rules(), kStart);
  if (result.earliest_date) {
    RC_ASSERT(result.decision == Action::defer);
    RC_ASSERT(*result.earliest_date > kStart);
  }
  for (const auto& r : result.reasons) {
    if (r.until) {
      RC_ASSERT(*r.until > kStart);
    }
  }
}

RC_GTEST_PROP(UnitProperties, ParsingAValueWithItsUnitRoundTrips, ()) {
  const double value = *rc::gen::map(rc::gen::inRange(1, 1000000), [](int v) { return v / 1000.0; });
  struct U {
    const char* unit;
    double si;
  };
  const U unit = *rc::gen::element(U{"mm", 1e-3}, U{"um", 1e-6}, U{"wk", 604800.0}, U{"cm2", 1e-4}, U{"uL/cm2", 1e-5},
                                   U{"g/mol", 1e-3}, U{"%", 0.01}, U{"Hz", 1.0}, U{"kPa", 1e3});
  const auto parsed = core::parse_quantity(std::to_string(value) + " " + unit.unit);
  RC_ASSERT(parsed.value.has_value());
  RC_ASSERT(std::abs(parsed.value->si - value * unit.si) <= 1e-12 * value * unit.si);
}

RC_GTEST_PROP(RandomProperties, UniformDrawsLieInTheHalfOpenUnitInterval, (std::uint64_t seed, std::uint64_t index)) {
  const core::RandomStream s(seed, {.stage = core::Stage::test, .entity = index / 7, .purpose = "p"});
  const double u = s.uniform(index);
  RC_ASSERT(u >= 0.0);
  RC_ASSERT(u < 1.0);
  RC_ASSERT(s.uniform(index) == u);
}

}  // namespace
}  // namespace nw

// ---------------------------------------------------------------------------------------------
// Insertion properties
// ---------------------------------------------------------------------------------------------

#include <omp.h>

#include "../unit/test_support.hpp"
#include "needlework/device/kinematics.hpp"
#include "needlework/mechanics/insertion.hpp"

namespace nw {
namespace {

const char* const kSites[] = {"forehead", "cheek", "neck", "scalp", "abdomen", "back", "hands"};

RC_GTEST_PROP(InsertionProperties, DeeperSettingNeverGivesAShallowerChannel, ()) {
  const std::string site = *rc::gen::elementOf(std::vector<std::string>(std::begin(kSites), std::end(kSites)));
  const auto sex = *rc::gen::element(skin::Sex::female, skin::Sex::male);
  const int age = *rc::gen::inRange(18, 90);
  const int l1 = *rc::gen::inRange(25, 300);  // hundredths of a mm
  const int l2 = *rc::gen::inRange(l1 + 1, 301);
  const auto kind = *rc::gen::element(std::string("pen"), std::string("roller"), std::string("stamp"));
  const auto skin = io::bundled_sites().skin_at(site, sex, age * core::units::yr);
  const auto at = [&](int l) {
    return mechanics::mean_channel(
        skin, test::device_from_toml(fmt::format("kind = \"{}\"\nneedle_length = \"{} mm\"", kind, l / 100.0)));
  };
  const auto a = at(l1), b = at(l2);
  RC_ASSERT(b.depth_open > a.depth_open);
  RC_ASSERT(b.bleeding_probability >= a.bleeding_probability);
}

RC_GTEST_PROP(InsertionProperties, DensityGrowsLinearlyWithPasses, ()) {
  const auto kind = *rc::gen::element(std::string("pen"), std::string("roller"), std::string("stamp"));
  const int passes = *rc::gen::inRange(1, 9);
  const auto seed = *rc::gen::inRange<std::uint64_t>(0, 1000000);
  const auto d = test::device_from_toml(fmt::format("kind = \"{}\"", kind));
  const auto area = 40 * core::units::cm2;
  const auto one = device::generate_punctures(d, area, 1, seed, 1);
  const auto many = device::generate_punctures(d, area, passes, seed, 1);
  const double ratio = static_cast<double>(many.size()) / static_cast<double>(one.size());
  RC_ASSERT(std::abs(ratio / passes - 1.0) < 0.03);
  for (int p = 0; p < passes; ++p) {
    const auto in_pass = std::count(many.pass.begin(), many.pass.end(), static_cast<std::uint8_t>(p));
    RC_ASSERT(std::abs(static_cast<double>(in_pass) / static_cast<double>(one.size()) - 1.0) < 0.03);
  }
}

RC_GTEST_PROP(InsertionProperties, SameSeedSameChannelsOnAnyThreadCount, ()) {
  const auto seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 30);
  const auto kind = *rc::gen::element(std::string("pen"), std::string("roller"));
  const auto d = test::device_from_toml(fmt::format("kind = \"{}\"", kind));
  const auto skin = io::bundled_sites().skin_at("cheek", skin::Sex::female, 40 * core::units::yr);
  const auto run = [&](int threads, std::uint64_t s) {
    omp_set_num_threads(threads);
    const auto f = device::generate_punctures(d, 5 * core::units::cm2, 3, s, 1);
    return mechanics::insert(f, skin, d, s, 1);
  };
  const auto a = run(1, seed), b = run(2, seed), c = run(2, seed + 1);
  omp_set_num_threads(2);
  RC_ASSERT(a.x_mm == b.x_mm);
  RC_ASSERT(a.y_mm == b.y_mm);
  RC_ASSERT(a.depth_um == b.depth_um);
  RC_ASSERT(a.bled == b.bled);
  RC_ASSERT(a.x_mm != c.x_mm);
}

}  // namespace
}  // namespace nw
