#include <gtest/gtest.h>

#include "needlework/clinical/screening.hpp"
#include "needlework/io/bundled.hpp"

namespace nw::clinical {
namespace {

const core::Date kStart = *core::parse_date("2026-12-01");

Patient adult() {
  Patient p;
  p.age = 34 * core::units::yr;
  p.fitzpatrick = 3;
  return p;
}

ScreeningResult run(const Patient& p) { return screen(p, io::bundled_rules(), kStart); }

bool has_reason(const ScreeningResult& r, std::string_view rule) {
  return std::any_of(r.reasons.begin(), r.reasons.end(), [&](const Reason& x) { return x.rule == rule; });
}

TEST(Screening, HealthyAdultIsTreated) {
  const auto r = run(adult());
  EXPECT_EQ(r.decision, Action::treat);
  EXPECT_TRUE(r.reasons.empty());
  EXPECT_FALSE(r.earliest_date.has_value());
}

TEST(Screening, RecentProcedureDefersFromItsDate) {
  auto p = adult();
  p.recent_procedures.push_back({"chemical_peel", *core::parse_date("2026-11-20")});
  const auto r = run(p);
  EXPECT_EQ(r.decision, Action::defer);
  ASSERT_TRUE(r.earliest_date.has_value());
  EXPECT_EQ(r.earliest_date->iso(), "2026-12-18");  // 4 wk after the peel
}

TEST(Screening, EarliestDateIsTheLatestOfTheDatedDeferrals) {
  auto p = adult();
  p.recent_procedures.push_back({"chemical_peel", *core::parse_date("2026-11-20")});
  p.recent_procedures.push_back({"filler", *core::parse_date("2026-10-01")});  // 26 wk
  p.conditions.push_back("sunburn");                                           // 2 wk from start
  const auto r = run(p);
  EXPECT_EQ(r.decision, Action::defer);
  EXPECT_EQ(r.earliest_date->iso(), "2027-04-01");
  EXPECT_EQ(r.reasons.size(), 3U);
}

TEST(Screening, ElapsedDeferralDoesNotFire) {
  auto p = adult();
  p.medications.push_back({"isotretinoin", *core::parse_date("2026-01-10")});  // 26 wk ended 2026-07-11
  EXPECT_EQ(run(p).decision, Action::treat);
  p.medications.back().stopped = *core::parse_date("2026-09-01");
  const auto r = run(p);
  EXPECT_EQ(r.decision, Action::defer);
  EXPECT_EQ(r.earliest_date->iso(), "2027-03-02");
  EXPECT_TRUE(has_reason(r, "isotretinoin_recent"));
}

TEST(Screening, OngoingIsotretinoinIsDoNotTreat) {
  auto p = adult();
  p.medications.push_back({"isotretinoin", std::nullopt});
  const auto r = run(p);
  EXPECT_EQ(r.decision, Action::do_not_treat);
  EXPECT_TRUE(has_reason(r, "isotretinoin_current"));
  EXPECT_FALSE(has_reason(r, "isotretinoin_recent"));
}

TEST(Screening, MostRestrictiveActionWinsAndComesFirst) {
  auto p = adult();
  p.conditions = {"herpes_history", "sunburn", "suspicious_lesion"};
  auto r = run(p);
  EXPECT_EQ(r.decision, Action::refer);
  EXPECT_EQ(r.reasons.front().action, Action::refer);
  EXPECT_FALSE(r.earliest_date.has_value());  // only a defer decision carries a date
  p.conditions.push_back("bleeding_disorder");
  r = run(p);
  EXPECT_EQ(r.decision, Action::do_not_treat);
  EXPECT_EQ(r.reasons.front().rule, "bleeding_disorder");
}

TEST(Screening, OpenEndedDeferralHasNoDate) {
  auto p = adult();
  p.conditions = {"active_herpes"};
  const auto r = run(p);
  EXPECT_EQ(r.decision, Action::defer);
  EXPECT_FALSE(r.earliest_date.has_value());
}

TEST(Screening, PrecautionsAndAgeRules) {
  auto p = adult();
  p.conditions = {"herpes_history"};
  auto r = run(p);
  EXPECT_EQ(r.decision, Action::treat_with_precautions);
  EXPECT_FALSE(r.reasons.front().precautions.empty());
  p = adult();
  p.age = 20 * core::units::yr;
  EXPECT_EQ(run(p).decision, Action::treat_with_precautions);
  p.age = 16 * core::units::yr;
  EXPECT_EQ(run(p).decision, Action::refer);
}

TEST(Screening, ConflictsBetweenSourcesAreCarriedToTheReason) {
  auto p = adult();
  p.medications.push_back({"anticoagulant", std::nullopt});
  const auto r = run(p);
  EXPECT_EQ(r.decision, Action::do_not_treat);
  EXPECT_FALSE(r.reasons.front().conflict.empty());
  EXPECT_FALSE(r.reasons.front().sources.empty());
}

}  // namespace
}  // namespace nw::clinical
