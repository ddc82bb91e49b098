// Unit tests of the healing model (docs/model/healing.md): the parameter file, the resting and
// untreated columns, limits, errors, determinism and speed. Measured numbers are printed on
// "[healing]" lines.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

#include "healing_support.hpp"
#include "needlework/core/error.hpp"

namespace nw {
namespace {

using healing::change_at;
using healing::HealingInputs;
using healing::simulate_healing;
using test::course;
using test::healing_parameters;

TEST(HealingParameters, EveryValueHasASourceAndTheRestingStateIsConsistent) {
  const auto& p = healing_parameters();
  EXPECT_GE(p.sources.size(), 60u);
  for (const auto& [key, ids] : p.sources) EXPECT_FALSE(ids.empty()) << key;
  EXPECT_NEAR(p.collagen_i_fraction, 0.80, 1e-12);
  EXPECT_NEAR(p.collagen_iii_fraction, 0.15, 1e-12);
  ASSERT_EQ(p.actives.size(), 3u);
  EXPECT_EQ(p.actives[0].name, "tranexamic_acid");
  EXPECT_NEAR(p.actives[0].ec50_ug_per_cm2, 5.0, 1e-9);  // "5 ug/cm2" converted from SI
  EXPECT_NEAR(p.epidermal_repair_half_life_d, 1.16, 1e-9);
  EXPECT_NEAR(p.barrier_recovery_h, 4.5, 1e-9);
}

// Every source id names a [[source]] of the file (SRC-*), a calibration row (C-*, E-* of
// shared/data/literature/calibration.csv) or a section of MODEL.md (MODEL-n).
TEST(HealingParameters, EverySourceIdIsDefined) {
  const auto raw = io::read_toml_text(*io::bundled_file("healing/parameters.toml"), "parameters.toml");
  std::vector<std::string> defined;
  for (const auto& item : raw.get_array("source")) {
    const auto* t = item.get_if<core::ConfigTable>();
    ASSERT_NE(t, nullptr);
    const auto* id = t->find("id");
    ASSERT_NE(id, nullptr);
    defined.push_back(*id->get_if<std::string>());
  }
  std::size_t srcs = 0;
  for (const auto& [key, ids] : healing_parameters().sources) {
    for (const auto& id : ids) {
      if (id.rfind("SRC-", 0) == 0) {
        ++srcs;
        EXPECT_NE(std::find(defined.begin(), defined.end(), id), defined.end()) << key << ": " << id;
      } else {
        const bool row = (id.rfind("C-", 0) == 0 || id.rfind("E-", 0) == 0) && id.size() > 3;
        const bool model = id.size() == 7 && id.rfind("MODEL-", 0) == 0 && id[6] >= '0' && id[6] <= '7';
        EXPECT_TRUE(row || model) << key << ": " << id;
      }
    }
  }
  EXPECT_GT(srcs, 10u);
}

TEST(HealingParameters, MaturationThatLeavesNoTypeISynthesisIsRejected) {
  auto text = std::string(*io::bundled_file("healing/parameters.toml"));
  const auto at = text.find("type_iii_maturation = { mean = \"0.1\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, std::string("type_iii_maturation = { mean = \"0.1\"").size(),
               "type_iii_maturation = { mean = \"0.99\"");
  std::vector<core::Diagnostic> d;
  const auto validated = core::validate(io::read_toml_text(text, "p.toml"), healing::Parameters::spec(), d);
  ASSERT_TRUE(d.empty());
  try {
    (void)healing::Parameters::from_config(validated);
    FAIL() << "accepted";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::cfg_consistency);
    EXPECT_NE(std::string(e.what()).find("type_iii_maturation"), std::string::npos) << e.what();
  }
}

TEST(Healing, UntreatedColumnStaysAtBaselineApartFromTheAgeingDrift) {
  const auto& p = healing_parameters();
  HealingInputs in;
  in.end_day = 365;
  in.patient.age_yr = 45;
  const auto r = simulate_healing(in, p);
  ASSERT_EQ(r.treated.size(), 366u);
  ASSERT_EQ(r.untreated.size(), 366u);
  for (const auto& s : r.untreated) {
    const double drift = std::exp(-p.collagen_loss_per_yr * s.day / 365.25);
    for (int k = 0; k < 3; ++k) {
      EXPECT_EQ(s.damage[k], 0.0);
      EXPECT_EQ(s.inflammation[k], 0.0);
      EXPECT_NEAR(s.fibroblasts[k], 1.0, 1e-9);
      EXPECT_NEAR(s.collagen_i[k], drift, 1e-9);
      EXPECT_NEAR(s.collagen_iii[k], drift, 1e-9);
      EXPECT_NEAR(s.mmp[k], 1.0, 1e-9);
    }
    EXPECT_NEAR(s.epidermal_thickness, 1.0, 1e-9);
    EXPECT_NEAR(s.pigment, 1.0, 1e-9);
    EXPECT_EQ(s.erythema, 0.0);
  }
  // About -1 %/yr (SRC-SHU75) after the onset age; none before it.
  EXPECT_NEAR(r.untreated.back().collagen_i[2], 0.990, 0.0005);
  in.patient.age_yr = 20;
  const auto young = simulate_healing(in, p);
  EXPECT_NEAR(young.untreated.back().collagen_i[2], 1.0, 1e-9);
  // Without sessions the treated column is the untreated one: no change.
  const auto c = change_at(r, 365);
  EXPECT_NEAR(c.collagen_change_pct, 0.0, 1e-9);
  EXPECT_NEAR(c.epidermal_thickness_change_pct, 0.0, 1e-9);
  EXPECT_EQ(r.erythema_h, 0.0);
  EXPECT_EQ(r.pih_drive, 0.0);
}

TEST(Healing, StatesStayWithinTheirLimitsAndTheTissueReturnsToRest) {
  const auto& p = healing_parameters();
  for (double mm : {0.25, 1.0, 2.5}) {
    auto in = course(6, 14, mm, 5 * 14 + 365, 6);
    in.patient.inflammation_gain = 3;
    in.patient.response_gain = 3;
    const auto r = simulate_healing(in, p);
    ASSERT_EQ(r.treated.size(), static_cast<std::size_t>(5 * 14 + 365 + 1));
    for (std::size_t i = 0; i < r.treated.size(); ++i) {
      const auto& s = r.treated[i];
      EXPECT_EQ(s.day, static_cast<double>(i));
      for (int k = 0; k < 3; ++k) {
        EXPECT_GE(s.damage[k], 0.0);
        EXPECT_LE(s.damage[k], 1.0);
        EXPECT_GE(s.inflammation[k], 0.0);
        EXPECT_GE(s.fibroblasts[k], 1.0 - 1e-4);  // integrator tolerance
        EXPECT_LE(s.fibroblasts[k], p.fibroblast_max);
        EXPECT_GT(s.collagen_i[k], 0.8);
        EXPECT_LT(s.collagen_i[k], 4.0);
        EXPECT_GT(s.collagen_iii[k], 0.1);  // strong type I feedback in this extreme case
        EXPECT_LT(s.collagen_iii[k], 8.0);
        EXPECT_GT(s.elastin[k], 0.5);
        EXPECT_LT(s.elastin[k], 2.0);
      }
      EXPECT_GE(s.erythema, 0.0);
      EXPECT_LT(s.erythema, 1.0);
      EXPECT_GT(s.barrier, 0.0);
      EXPECT_LE(s.barrier, 1.0);
      // Melanin leaves faster while the needled epidermis is thickened (healing.md 2.9): the lower
      // limit scales with the renewal factor of the thickening.
      const double renewal = 1 + p.pigment_thickness_gain * std::max(0.0, s.epidermal_thickness - 1);
      EXPECT_GT(s.pigment * renewal, 0.5);
      EXPECT_EQ(s.follicle_stimulation, 0.0);  // not scalp
    }
    const auto& last = r.treated.back();
    EXPECT_LT(last.inflammation[1], 1e-4) << mm;
    EXPECT_LT(std::abs(last.fibroblasts[1] - 1), 1e-3) << mm;
    // Signals at rest, melanin back in equilibrium with what remains of the thickening (the
    // lasting part of the needling effect on pigment, healing.md 2.9).
    const double renewal = 1 + p.pigment_thickness_gain * std::max(0.0, last.epidermal_thickness - 1);
    EXPECT_NEAR(last.pigment * renewal, 1.0, 0.05) << mm;
    EXPECT_LE(last.pigment, 1.0) << mm;
  }
}

TEST(Healing, IntegratorFailureIsANumericalFailureError) {
  auto p = healing_parameters();
  p.inflammation_time_d = std::numeric_limits<double>::quiet_NaN();
  try {
    (void)simulate_healing(course(1, 28, 1.5, 30), p);
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::num_failure);
    EXPECT_NE(std::string(e.what()).find("healing"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("CVode"), std::string::npos) << e.what();
  }
}

TEST(Healing, InputsOutsideTheContractAreRejected) {
  const auto& p = healing_parameters();
  auto in = course(2, 28, 1.0, 60);
  std::swap(in.sessions[0], in.sessions[1]);
  EXPECT_THROW((void)simulate_healing(in, p), core::Error);
  in = course(1, 28, 1.0, 60);
  in.sessions[0].damaged_fraction[1] = 1.5;
  EXPECT_THROW((void)simulate_healing(in, p), core::Error);
  in = course(1, 28, 1.0, 60, 7);
  EXPECT_THROW((void)simulate_healing(in, p), core::Error);
  const auto r = simulate_healing(course(1, 28, 1.0, 10), p);
  EXPECT_THROW((void)change_at(r, 11), core::Error);
}

TEST(Healing, SameInputsGiveBitwiseEqualResults) {
  const auto& p = healing_parameters();
  auto in = course(3, 21, 1.5, 200);
  in.actives.push_back({0.0, "vitamin_c", {20, 5, 1}, 0});
  const auto a = simulate_healing(in, p);
  const auto b = simulate_healing(in, p);
  ASSERT_EQ(a.treated.size(), b.treated.size());
  for (std::size_t i = 0; i < a.treated.size(); ++i) {
    EXPECT_EQ(a.treated[i].collagen_i[1], b.treated[i].collagen_i[1]);
    EXPECT_EQ(a.treated[i].pigment, b.treated[i].pigment);
  }
  EXPECT_EQ(a.erythema_h, b.erythema_h);
}

TEST(Healing, ActivesActWhereTheyAreDelivered) {
  const auto& p = healing_parameters();
  auto in = course(5, 28, 1.5, 4 * 28 + 90, 5);
  in.scalp = true;
  const auto plain = simulate_healing(in, p);
  auto with = in;
  for (int d = 0; d < 4 * 28 + 90; ++d) {
    with.actives.push_back({static_cast<double>(d), "tranexamic_acid", {10, 2, 0.5}, 0});
    with.actives.push_back({static_cast<double>(d), "vitamin_c", {10, 4, 2}, 0});
    with.actives.push_back({static_cast<double>(d), "minoxidil", {5, 5, 5}, 0});
  }
  with.control_actives = with.actives;
  const auto treated = simulate_healing(with, p);
  EXPECT_LT(treated.pih_drive, plain.pih_drive);                                    // TXA, vitamin C on melanocytes
  EXPECT_LT(treated.untreated.back().pigment, 1.0);                                 // control arm: lightening
  EXPECT_GT(treated.treated[100].collagen_i[1], plain.treated[100].collagen_i[1]);  // vitamin C
  EXPECT_GT(treated.treated[100].follicle_stimulation, plain.treated[100].follicle_stimulation);
  EXPECT_GT(plain.treated[10].follicle_stimulation, 0.0);  // wounding alone stimulates
  EXPECT_GT(treated.treated[10].follicle_stimulation, treated.untreated[10].follicle_stimulation);
  std::printf(
      "[healing] actives: pih %.3f -> %.3f, control pigment %.3f, pap collagen I d100 %.3f -> %.3f, "
      "follicle d100 %.3f -> %.3f (minoxidil alone %.3f)\n",
      plain.pih_drive, treated.pih_drive, treated.untreated.back().pigment, plain.treated[100].collagen_i[1],
      treated.treated[100].collagen_i[1], plain.treated[100].follicle_stimulation,
      treated.treated[100].follicle_stimulation, treated.untreated[100].follicle_stimulation);
}

}  // namespace
}  // namespace nw
