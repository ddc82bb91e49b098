// Validation tier: the insertion model against published measurements (calibration.csv rows
// and the sources named in docs/model/insertion.md). Each test states its data, its tolerance
// and whether the row was used for fitting. Two parameters were fitted, each on one source:
// the dermal pre-stress on B-DON1 and the bleeding-depth factor on the clinical end point.

#include <gtest/gtest.h>

#include "../unit/test_support.hpp"
#include "needlework/device/kinematics.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/mechanics/insertion.hpp"

namespace nw {
namespace {

using core::units::mm;
using core::units::um;
using core::units::yr;

skin::Skin cheek() { return io::bundled_sites().skin_at("cheek", skin::Sex::female, 35 * yr); }

// FIT (reproduced): B-DON1, 600 um polymer microneedles pressed by hand into human forearm skin
// in vivo, OCT with the patch in place: about 460 um. Hand pressing is quasi-static; 0.03 N per
// needle (B-DON1 note, B-OLA1); needle pitch 0.6 mm (assumption, see insertion.md 8.1).
TEST(InsertionValidation, FitSourceBDon1IsReproduced) {
  auto d = test::device_from_toml(R"(kind = "stamp"
needle_length = "0.6 mm"
hand_speed = "1 cm/s")");
  d.needle.puncture_force = 0.03 * core::units::N;
  d.needle_offsets_mm = device::needle_layout(device::Layout::grid, 25, 3.0 * mm);  // 0.6 mm pitch
  const auto forearm = io::bundled_sites().skin_at("forearm", skin::Sex::female, 35 * yr);
  const auto m = mechanics::mean_channel(forearm, d);
  EXPECT_NEAR(m.depth_max.in(um), 460.0, 0.05 * 460.0) << "tolerance 5 %: the fit itself";
}

// CHECK: Sasaki 2019 (SRC-SAS19; calibration note of B-KAL1 calls it B-SAS1), pen at 0.5 and
// 1.5 mm on facial (preauricular) skin, histology: channel depths "closely approximated" the
// setting. Tolerance: open depth / setting in [0.85, 1.05].
TEST(InsertionValidation, FastPenOnFacialSkinReachesCloseToTheSetting) {
  for (const double setting : {0.5, 1.5}) {
    const auto d = test::device_from_toml(fmt::format("needle_length = \"{} mm\"", setting));
    const auto m = mechanics::mean_channel(cheek(), d);
    const double ratio = m.depth_open.in(mm) / setting;
    EXPECT_GE(ratio, 0.85) << setting;
    EXPECT_LE(ratio, 1.05) << setting;
  }
}

// CHECK: pinpoint bleeding on the face appears from settings of about 0.5 mm (MODEL.md section 1;
// S05: uniform pinpoint bleeding is the end point at collagen-induction depths; C-whitelotus:
// correctly used 0.2-0.3 mm home devices draw no blood). c_b was fitted to 50 % at 0.5 mm, so
// the independent parts are the two ends. Tolerances: < 5 % at 0.25 mm, > 95 % at 1.0 mm.
TEST(InsertionValidation, PinpointBleedingStartsAroundHalfAMillimetre) {
  const auto at = [](double setting) {
    return mechanics::mean_channel(cheek(), test::device_from_toml(fmt::format("needle_length = \"{} mm\"", setting)))
        .bleeding_probability;
  };
  EXPECT_LT(at(0.25), 0.05);
  EXPECT_NEAR(at(0.5), 0.5, 0.05);
  EXPECT_GT(at(1.0), 0.95);
}

// CHECK: B-ROLL1 [CTX, SECONDARY], 192-needle roller, 15 passes: about 250 holes per cm2.
// Tolerance +/- 20 %.
TEST(InsertionValidation, RollerDensityAfterFifteenPasses) {
  const auto d = test::device_from_toml(R"(kind = "roller")");
  const auto f = device::generate_punctures(d, 25 * core::units::cm2, 15, 1, 1);
  const double per_cm2 = static_cast<double>(f.size()) / 25.0;
  EXPECT_NEAR(per_cm2, 250.0, 0.20 * 250.0);
}

// CHECK (by construction, see insertion.md section 1: the hand speeds were derived from it):
// a whole face (250 cm2) takes 10-20 minutes with a pen (4 passes) or a roller (15 passes).
TEST(InsertionValidation, WholeFaceTakesTenToTwentyMinutes) {
  const auto pen = test::device_from_toml(R"(kind = "pen")");
  const auto roller = test::device_from_toml(R"(kind = "roller")");
  for (const auto& [d, passes] : {std::pair{pen, 4}, std::pair{roller, 15}}) {
    const double minutes = device::expected_duration(d, 250 * core::units::cm2, passes).in(core::units::min);
    EXPECT_GE(minutes, 10.0);
    EXPECT_LE(minutes, 20.0);
  }
}

// KNOWN DISCREPANCY, kept as a test so that it stays visible: B-KAL1, 770 um DermaRoller in
// hairless rat skin, histology: 152.5 +/- 9.6 um (0.20 of the length). With the human pre-stress
// and rat geometry (t_e 30 um, t_d 0.6 mm, t_h 1.5 mm: assumptions) the model gives 0.40-0.51
// of the length: about twice too deep (insertion.md section 9, check 2). The test asserts the
// documented factor (1.5-3x) so a model change that closes or widens the gap is noticed.
TEST(InsertionValidation, KnownDiscrepancyRatRollerIsAboutTwiceTooDeep) {
  auto rat = cheek();
  rat.layers.stratum_corneum = 10 * um;
  rat.layers.viable_epidermis = 20 * um;
  rat.layers.papillary_dermis = 0.12 * mm;
  rat.layers.reticular_dermis = 0.48 * mm;
  rat.layers.hypodermis = 1.5 * mm;
  const auto d = test::device_from_toml(R"(kind = "roller"
needle_length = "0.77 mm")");
  const auto m = mechanics::mean_channel(rat, d);
  const double factor = m.depth_open.in(um) / 152.5;
  EXPECT_GT(factor, 1.5);
  EXPECT_LT(factor, 3.0);
}

}  // namespace
}  // namespace nw
