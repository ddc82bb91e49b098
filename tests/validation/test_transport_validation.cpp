// Validation tier, transport: the model against the C- and D- rows of calibration.csv and the
// sources named in docs/model/transport.md. Each test states its data, tolerance and whether the
// source was used for fitting (transport.md section 8: five fits, one source each).

#include <gtest/gtest.h>

#include "../unit/test_support.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/mechanics/insertion.hpp"
#include "needlework/transport/transport.hpp"

namespace nw {
namespace {

using core::units::h;
using core::units::yr;

const transport::TissueRules& rules() { return io::bundled_tissue(); }

transport::Active active(const std::string& word) {
  return transport::active_from_record(*io::bundled_actives().find(word), rules());
}

// FIT (reproduced): C-KAL1, TEWL recovery after a DermaRoller, hairless rat, unoccluded: 4-5 h.
TEST(TransportValidation, BarrierRecoveryReproducesItsFitSource) {
  const double hours = rules().recovery_time(rules().barrier_half_life(false)).in(h);
  EXPECT_GE(hours, 4.0);
  EXPECT_LE(hours, 5.0);
}

// CHECK: C-KAL2 / C-KAL3, pore closure by calcein (rat): 12 h for 370 um and 18 h for 770 um
// needles; the model's closure time (to the recovered fraction) must lie in 8-30 h for the
// channels of a 1.5 mm pen on human cheek (no direct human row; the range brackets both rows
// and allows the larger pen channel). Occlusion delays closure (C-KAL2 note, C-GUP1 note).
TEST(TransportValidation, ChannelClosureWithinTheReportedHours) {
  const auto skin = io::bundled_sites().skin_at("cheek", skin::Sex::female, 35 * yr);
  const auto m = mechanics::mean_channel(skin, test::device_from_toml(R"(needle_length = "1.5 mm")"));
  const double closure_h = rules().recovery_time(rules().closure_half_life(m.surface_radius, false)).in(h);
  EXPECT_GE(closure_h, 8.0);
  EXPECT_LE(closure_h, 30.0);
  EXPECT_GT(rules().closure_half_life(m.surface_radius, true), rules().closure_half_life(m.surface_radius, false));
  // Barrier (TEWL) recovers before the lumen closes (C-KAL3 note: model them separately).
  EXPECT_LT(rules().barrier_half_life(false), rules().closure_half_life(m.surface_radius, false));
}

// KNOWN DISCREPANCY kept visible: C-GUP1, human volunteers, impedance, unoccluded: barrier
// resealed within 2 h. The model follows the rat TEWL row (4.5 h, transport.md section 12): about
// 2x slower than this row. The test asserts the documented gap (1.5-3x).
TEST(TransportValidation, KnownDiscrepancyHumanImpedanceResealsFaster) {
  const double factor = rules().recovery_time(rules().barrier_half_life(false)).in(h) / 2.0;
  EXPECT_GT(factor, 1.5);
  EXPECT_LT(factor, 3.0);
}

// CHECK: intact-skin permeability of caffeine in vivo, 1.59e-4 cm/h (SRC-CAF93 in
// transport.md); Potts-Guy plus the polar path gives 1.18e-4 cm/h. Tolerance: a factor 2
// (the spread of Potts-Guy predictions around measured kp is about half a log unit).
TEST(TransportValidation, IntactCaffeinePermeabilityWithinAFactorTwo) {
  const double kp_cm_per_h = active("caffeine").kp_intact.si() * 100.0 * 3600.0;
  EXPECT_GT(kp_cm_per_h, 1.59e-4 / 2);
  EXPECT_LT(kp_cm_per_h, 1.59e-4 * 2);
}

// CHECK (MODEL.md section 4, D- rows): large enhancement for hydrophilic and large molecules,
// small for lipophilic ones. After 24 h (past the intact lag time): vitamin C >= 5x, the
// lipophilic reference <= 3x; high-molecular-weight hyaluronic acid has no intact route at all.
TEST(TransportValidation, EnhancementLargeForHydrophilicAndLargeSmallForLipophilic) {
  const auto skin = io::bundled_sites().skin_at("cheek", skin::Sex::female, 35 * yr);
  const auto d = test::device_from_toml(R"(needle_length = "1.5 mm")");
  const auto m = mechanics::mean_channel(skin, d);
  const auto enhancement_at_24h = [&](const std::string& word, double concentration_kg_per_m3) {
    transport::TransportInputs in;
    in.active = active(word);
    in.skin = skin;
    in.channel = transport::channel_geometry(m, d.needle, skin, 3800);
    in.dose = transport::Dose::finite(10 * core::units::uL / core::units::cm2,
                                      core::MassConcentration::from_si(concentration_kg_per_m3));
    in.duration = 24 * h;
    return transport::simulate_transport(in, rules(), transport::TransportOptions::fast()).samples.back();
  };
  const auto vitamin_c = enhancement_at_24h("vitamin_c", 150.0);
  const auto lipophilic = enhancement_at_24h("lipophilic_reference", 0.01);
  const auto hyaluronic = enhancement_at_24h("hyaluronic_acid", 10.0);
  ASSERT_TRUE(vitamin_c.enhancement && lipophilic.enhancement);
  EXPECT_GE(*vitamin_c.enhancement, 5.0);
  EXPECT_LE(*lipophilic.enhancement, 3.0);
  EXPECT_TRUE(hyaluronic.enhancement_unbounded);
  EXPECT_GT(*hyaluronic.fraction_of_dose, 0.1);
}

}  // namespace
}  // namespace nw
