// Verification tier, transport geometry D (docs/model/transport.md section 13): the 3D patch with
// the channels at their own positions on a lateral grid coarser than a channel.
//
//   1. the rasterised volume fractions hold each channel's volume (sampling error) and count
//      overlapping channels once;
//   2. a periodic lattice of channels placed like geometry C: the sub-grid patch converges to
//      the resolved unit cell C as the lateral grid is refined;
//   3. the real channels of a pen session: the delivered amount converges under lateral
//      refinement;
//   4. the real-position patch (1 cm2) against the fast axisymmetric cell B on vitamin C, 1 h,
//      cheek, 1.5 mm pen, default dose: delivered amount within 10 % (issue 4 point 7), mass
//      balance to 1e-10;
//   5. 1 versus 2 OpenMP threads bitwise equal.
//
// Each test prints its measured numbers on "[patch]" lines.

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "../unit/test_support.hpp"
#include "needlework/course/simulation.hpp"
#include "needlework/device/kinematics.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/scenario.hpp"
#include "needlework/mechanics/insertion.hpp"
#include "needlework/transport/transport.hpp"

namespace nw {
namespace {

using core::units::cm2;
using core::units::h;
using core::units::mm;
using core::units::ug_per_cm2;
using core::units::um;
using core::units::yr;
using transport::Geometry;

constexpr double kPi = 3.14159265358979323846;
constexpr std::uint64_t kSeed = 7;
constexpr int kPasses = 4;  // a pen session on the cheek (devices.toml: passes 4)

const transport::TissueRules& rules() { return io::bundled_tissue(); }

transport::Active active(const std::string& word) {
  return transport::active_from_record(*io::bundled_actives().find(word), rules());
}

double ug(core::ArealMass m) { return m.in(ug_per_cm2); }

skin::Skin cheek() { return io::bundled_sites().skin_at("cheek", skin::Sex::female, 35 * yr); }

device::Device pen() { return test::device_from_toml("kind = \"pen\"\nneedle_length = \"1.5 mm\""); }

// The scenario's default dose of an active: [topical] with only `active` given, validated with
// the scenario's own schema (vitamin C: 15 % w/v, 10 uL/cm2).
transport::Dose default_dose(const std::string& word) {
  const auto spec = io::scenario_spec(io::bundled_data());
  const auto raw = io::read_toml_text("active = \"" + word + "\"\n", "topical.toml");
  std::vector<core::Diagnostic> d;
  const auto v = core::validate(raw, *spec->find("topical")->table, d, "topical");
  if (core::has_errors(d)) throw core::Error(d);
  return transport::dose_from_topical(v);
}

// The channels of one pen session on a square of `area` (device::generate_punctures +
// mechanics::insert, as course::Simulation makes them).
skin::ChannelSet session_channels(core::Area area) {
  const auto dev = pen();
  const auto field = device::generate_punctures(dev, area, kPasses, kSeed, 1);
  return mechanics::insert(field, cheek(), dev, kSeed, 1);
}

// Inputs for one active, 1 h: the mean channel at the given density (geometries B, C, and the
// states of D) and, when given, the patch.
transport::TransportInputs inputs(const std::string& word, double density_per_cm2,
                                  std::optional<transport::ChannelPatch> patch = std::nullopt) {
  const auto skin = cheek();
  const auto dev = pen();
  transport::TransportInputs in;
  in.active = active(word);
  in.skin = skin;
  in.channel = transport::channel_geometry(mechanics::mean_channel(skin, dev), dev.needle, skin, density_per_cm2);
  in.patch = std::move(patch);
  in.dose = default_dose(word);
  in.duration = 1 * h;
  return in;
}

// A periodic lattice of per_side x per_side channels, each the mean channel, at the centres of
// squares of side 1 / sqrt(density): geometry C repeated.
transport::ChannelPatch lattice(std::size_t per_side, double density_per_cm2) {
  const auto skin = cheek();
  const auto dev = pen();
  const auto mean = mechanics::mean_channel(skin, dev);
  const double cell_m = 1.0 / std::sqrt(density_per_cm2 * 1e4);
  skin::ChannelSet set;
  set.area = core::Area::from_si(std::pow(cell_m * static_cast<double>(per_side), 2));
  set.resize(per_side * per_side);
  for (std::size_t j = 0; j < per_side; ++j) {
    for (std::size_t i = 0; i < per_side; ++i) {
      const std::size_t c = i + per_side * j;
      set.x_mm[c] = static_cast<float>((static_cast<double>(i) + 0.5) * cell_m * 1e3);
      set.y_mm[c] = static_cast<float>((static_cast<double>(j) + 0.5) * cell_m * 1e3);
      set.depth_um[c] = static_cast<float>(mean.depth_open.in(um));
      set.depth_max_um[c] = static_cast<float>(mean.depth_max.in(um));
    }
  }
  auto p = transport::channel_patch(set, dev.needle, skin);
  // float positions: put them back exactly on the lattice.
  for (std::size_t j = 0; j < per_side; ++j) {
    for (std::size_t i = 0; i < per_side; ++i) {
      p.x_m[i + per_side * j] = (static_cast<double>(i) + 0.5) * cell_m;
      p.y_m[i + per_side * j] = (static_cast<double>(j) + 0.5) * cell_m;
    }
  }
  p.depth_open_m.assign(p.size(), mean.depth_open.si());
  p.depth_max_m.assign(p.size(), mean.depth_max.si());
  return p;
}

transport::TransportResult run(const transport::TransportInputs& in, Geometry g, std::size_t cells,
                               double z_refinement = 1.0, double rtol = 1e-3) {
  transport::TransportOptions o;
  o.geometry = g;
  o.reference_intact = false;
  o.lateral_cells = cells;
  o.patch_cells = cells;
  o.z_refinement = z_refinement;
  o.rtol = rtol;
  return transport::simulate_transport(in, rules(), o);
}

double delivered(const transport::TransportResult& r) { return ug(r.samples.back().amounts.delivered()); }

// ------------------------------------------------------------------------------ rasterisation

// One channel alone in a patch, and the same channel twice: the lumen volume sum_cells f V equals
// pi int r_open(z)^2 dz within the in-plane sampling error, the mouth area pi (r0 + rim)^2; a
// second channel at the same place adds nothing; the result does not depend on where the channel
// sits relative to the grid (a channel across the periodic edge included).
TEST(PatchVerification, VolumeFractionsHoldTheChannelVolumeAndCountOverlapsOnce) {
  const auto base = lattice(1, 3800);  // the mean channel, for its radius profile and depths
  const double r0 = base.radius_above_tip(base.depth_max_m[0] * core::units::m).si();
  const double rim = rules().channel.damage_rim.si();
  const double d_open = base.depth_open_m[0];
  // Exact lumen volume of the profile r(z) = q(d_max - z), 0 <= z <= d_open (midpoint rule, 20,000 steps).
  double exact = 0;
  constexpr int kSteps = 20000;
  for (int k = 0; k < kSteps; ++k) {
    const double z = d_open * (k + 0.5) / kSteps;
    const double r = base.radius_above_tip((base.depth_max_m[0] - z) * core::units::m).si();
    exact += kPi * r * r * d_open / kSteps;
  }
  const double mouth_exact = kPi * (r0 + rim) * (r0 + rim);
  std::vector<double> faces;
  for (int k = 0; k <= 40; ++k) faces.push_back(1.5 * d_open * k / 40.0);
  for (const auto& [x, y, twice] : {std::tuple{300e-6, 300e-6, false}, std::tuple{237e-6, 311e-6, false},
                                    std::tuple{10e-6, 590e-6, false}, std::tuple{237e-6, 311e-6, true}}) {
    auto p = base;
    p.side = 600 * um;
    p.x_m = {x};
    p.y_m = {y};
    if (twice) {
      p.x_m.push_back(x);
      p.y_m.push_back(y);
      p.depth_open_m.push_back(p.depth_open_m[0]);
      p.depth_max_m.push_back(p.depth_max_m[0]);
    }
    const auto c = transport::patch_coverage(p, 8, faces, rules().channel.damage_rim);  // 75 um cells
    const double lumen = c.lumen_volume.si(), mouth = c.mouth_area.si();
    std::printf(
        "[patch] one channel at (%.0f, %.0f) um%s, 75 um cells: lumen %.5g nL (exact %.5g, %+.2g), mouth %.5g um2 "
        "(exact %.5g, %+.2g)\n",
        x * 1e6, y * 1e6, twice ? " twice" : "", lumen * 1e12, exact * 1e12, lumen / exact - 1, mouth * 1e12,
        mouth_exact * 1e12, mouth / mouth_exact - 1);
    EXPECT_NEAR(lumen / exact, 1.0, 0.01);
    EXPECT_NEAR(mouth / mouth_exact, 1.0, 0.01);
  }
}

// Geometry D without a patch, and a patch with a channel outside it or a decreasing radius
// profile, are rejected with Error internal naming the problem.
TEST(PatchVerification, InvalidPatchesAreRejected) {
  const auto expect_error = [](const std::function<void()>& f, const std::string& what) {
    try {
      f();
      ADD_FAILURE() << "no error for: " << what;
    } catch (const core::Error& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  auto o = transport::TransportOptions::patch();
  o.reference_intact = false;
  const auto in = inputs("vitamin_c", 3800);
  expect_error([&] { (void)transport::simulate_transport(in, rules(), o); }, "geometry D needs the channel patch");
  auto outside = lattice(1, 3800);
  outside.x_m[0] = 2 * outside.side.si();
  expect_error([&] { (void)transport::simulate_transport(inputs("vitamin_c", 3800, outside), rules(), o); },
               "channel 0 lies outside the patch");
  auto profile = lattice(1, 3800);
  profile.open_radius_m[3] = 0.5 * profile.open_radius_m[2];
  expect_error(
      [&] {
        (void)transport::patch_coverage(profile, 4, {0.0, 1e-4}, rules().channel.damage_rim);
      },
      "non-decreasing");
}

// ------------------------------------------------------------------------------ against C

// A 2 x 2 lattice of mean channels at the density of the cell (each at the centre of its unit
// square, as in geometry C): the sub-grid patch at 1, 2, 4 and 8 cells per lattice spacing (162,
// 81, 41 and 20 um) against the resolved unit cell C (16 cells per side, 10 um), same depth grid
// and time steps. Vitamin C (dose-limited) and HA 1 MDa (lumen-limited, the case where mixing
// lumen and tissue inside a coarse cell could matter), delivered at 1 h.
TEST(PatchVerification, LatticePatchConvergesToTheResolvedUnitCell) {
  const double rho = 3800;
  for (const char* w : {"vitamin_c", "hyaluronic_acid"}) {
    const auto c = run(inputs(w, rho), Geometry::unit_cell_3d, 16);
    std::printf("[patch] %s, C (16 x 16, 10 um): delivered %.6g ug/cm2, dermis %.5g, SC %.5g\n", w, delivered(c),
                ug(c.samples.back().amounts.dermis), ug(c.samples.back().amounts.stratum_corneum));
    double last = 0;
    for (const std::size_t per : {1, 2, 4, 8}) {
      const auto d = run(inputs(w, rho, lattice(2, rho)), Geometry::patch_3d, 2 * per);
      const double rel = delivered(d) / delivered(c) - 1;
      std::printf(
          "[patch] %s, lattice patch at %.1f um: delivered %.6g ug/cm2 (%+.3g vs C), dermis %.5g, SC %.5g, "
          "residual %.2g\n",
          w, 1e4 / std::sqrt(rho) / static_cast<double>(per), delivered(d), rel, ug(d.samples.back().amounts.dermis),
          ug(d.samples.back().amounts.stratum_corneum), d.mass_balance_residual);
      EXPECT_LT(std::abs(rel), std::string(w) == "vitamin_c" ? 1e-3 : 0.03) << w << " " << per;
      EXPECT_LT(d.mass_balance_residual, 1e-10);
      last = rel;
    }
    // The finest patch grid (20 um) is closest to the resolved cell.
    EXPECT_LT(std::abs(last), std::string(w) == "vitamin_c" ? 2e-4 : 0.01) << w;
  }
}

// ------------------------------------------------------------------------------ real channels

// The channels of a pen session on 3 mm x 3 mm (about 360 real channels), the patch settings of
// TransportOptions::patch() at 200, 100 and 50 um cells: the delivered amount at 1 h converges.
TEST(PatchVerification, RealChannelsConvergeUnderLateralRefinement) {
  const auto dev = pen();
  const auto patch = transport::channel_patch(session_channels(0.09 * cm2), dev.needle, cheek());
  for (const char* w : {"vitamin_c", "hyaluronic_acid"}) {
    const auto in = inputs(w, patch.density_per_cm2(), patch);
    std::vector<double> values;
    for (const std::size_t n : {15, 30, 60}) {
      auto o = transport::TransportOptions::patch();
      o.patch_cells = n;
      o.reference_intact = false;
      const auto r = transport::simulate_transport(in, rules(), o);
      values.push_back(delivered(r));
      std::printf(
          "[patch] %s, %zu real channels on 3 mm, %.0f um cells: delivered %.6g ug/cm2 (%zu cells, %zu steps)\n", w,
          patch.size(), 3000.0 / static_cast<double>(n), values.back(), r.stats.cells, r.stats.steps);
    }
    const double d1 = std::abs(values[1] / values[0] - 1), d2 = std::abs(values[2] / values[1] - 1);
    std::printf("[patch] %s: change 200 -> 100 um %.3g, 100 -> 50 um %.3g\n", w, d1, d2);
    // Vitamin C converged (measured 5e-5); HA 1 MDa converges slowly, from above (measured 2.7 % and
    // 2.2 %: the blend mixes lumen and tissue inside a coarse cell, section 13.4).
    EXPECT_LT(d2, std::string(w) == "vitamin_c" ? 1e-3 : 0.03) << w;
    EXPECT_LE(d2, d1 + 1e-4) << w;
  }
}

// Issue 4 point 7: one hour of vitamin C after a 1.5 mm pen session (4 passes) on the cheek,
// default dose (15 % w/v, 10 uL/cm2), on a 1 cm2 patch with its real channels (TransportOptions::
// patch(): 100 um cells) against the fast axisymmetric cell B at the session's channel density.
// Tolerance: 10 % on the delivered amount (transport.md section 6 allows 3 % between geometries
// for small molecules; measured below). Mass balance to 1e-10 of the dose.
TEST(PatchVerification, RealChannelPatchAgreesWithTheFastCell) {
  const auto dev = pen();
  const auto patch = transport::channel_patch(session_channels(1 * cm2), dev.needle, cheek());
  const auto in = inputs("vitamin_c", patch.density_per_cm2(), patch);
  auto fast = transport::TransportOptions::fast();
  fast.reference_intact = false;
  auto o = transport::TransportOptions::patch();
  o.reference_intact = false;
  const auto t0 = std::chrono::steady_clock::now();
  const auto b = transport::simulate_transport(in, rules(), fast);
  const auto t1 = std::chrono::steady_clock::now();
  const auto d = transport::simulate_transport(in, rules(), o);
  const auto t2 = std::chrono::steady_clock::now();
  const auto& sb = b.samples.back().amounts;
  const auto& sd = d.samples.back().amounts;
  const double rel = delivered(d) / delivered(b) - 1;
  std::printf(
      "[patch] vitamin C 1 h, %zu channels (%.0f /cm2): patch delivered %.6g ug/cm2 (SC %.4g, VE %.4g, dermis "
      "%.4g, hypodermis %.4g, systemic %.4g), fast cell %.6g (SC %.4g, dermis %.4g, systemic %.4g): %+.3g; "
      "residual %.2g; patch %zu cells %zu steps %.1f s, fast cell %.1f ms (%d threads)\n",
      patch.size(), patch.density_per_cm2(), delivered(d), ug(sd.stratum_corneum), ug(sd.viable_epidermis),
      ug(sd.dermis), ug(sd.hypodermis), ug(sd.systemic), delivered(b), ug(sb.stratum_corneum), ug(sb.dermis),
      ug(sb.systemic), rel, d.mass_balance_residual, d.stats.cells, d.stats.steps,
      std::chrono::duration<double>(t2 - t1).count(), std::chrono::duration<double, std::milli>(t1 - t0).count(),
      omp_get_max_threads());
  EXPECT_LT(std::abs(rel), 0.10);
  EXPECT_LT(d.mass_balance_residual, 1e-10);
  EXPECT_NEAR(ug(sd.total()), ug(*d.dose), 1e-10 * ug(*d.dose));
}

// A detailed course (MODEL.md section 0) runs its topical through the 3D patch with the real
// channels of a 1 cm2 corner of the area; a fast course through the fast axisymmetric cell. On
// examples/patients/01 (15 % vitamin C after a 1.5 mm pen session, cheek) the two deliver the
// same amount at 1 h and 24 h within 10 % (the tolerance of issue 4 point 7), and both balance
// mass to 1e-10 of the dose.
TEST(PatchVerification, DetailedCourseRunsThePatchAndAgreesWithTheFastCourse) {
  const auto data = io::bundled_data();
  const auto scenario =
      io::load_scenario(std::string(NW_SOURCE_DIR) + "/examples/patients/01_clear_candidate.toml", data);
  auto in = io::course_inputs(scenario);
  in.settings.virtual_patients = 1;
  auto detailed_in = in;
  detailed_in.settings.fidelity = course::Fidelity::detailed;
  core::NullSink quiet;
  const auto fast = course::Simulation(in, data.course_libraries()).prepare(0, quiet);
  const auto t0 = std::chrono::steady_clock::now();
  const auto detailed = course::Simulation(detailed_in, data.course_libraries()).prepare(0, quiet);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(fast.transport && detailed.transport);
  EXPECT_EQ(fast.transport->geometry, Geometry::axisymmetric_cell);
  EXPECT_EQ(detailed.transport->geometry, Geometry::patch_3d);
  ASSERT_EQ(fast.transport->samples.size(), detailed.transport->samples.size());
  for (std::size_t i = 0; i < fast.transport->samples.size(); ++i) {
    const auto& f = fast.transport->samples[i];
    const auto& d = detailed.transport->samples[i];
    const double a = f.amounts.delivered().in(ug_per_cm2), b = d.amounts.delivered().in(ug_per_cm2);
    std::printf("[patch] course, vitamin C at %.2f h: fast cell %.6g ug/cm2, detailed patch %.6g (%+.3g)\n",
                f.time.in(h), a, b, b / a - 1);
    EXPECT_NEAR(b, a, 0.10 * a) << f.time.in(h) << " h";
  }
  std::printf("[patch] detailed course transport (24 h, with the intact reference): %.1f s\n", seconds);
  EXPECT_LT(fast.transport->mass_balance_residual, 1e-10);
  EXPECT_LT(detailed.transport->mass_balance_residual, 1e-10);
}

// The same run on 1 and on 2 OpenMP threads gives bitwise the same amounts and step counts
// (3 mm x 3 mm of real channels, 100 um cells, vitamin C 1 h).
TEST(PatchVerification, OneAndTwoThreadsAreBitwiseEqual) {
  const auto dev = pen();
  const auto patch = transport::channel_patch(session_channels(0.09 * cm2), dev.needle, cheek());
  const auto in = inputs("vitamin_c", patch.density_per_cm2(), patch);
  auto o = transport::TransportOptions::patch();
  o.patch_cells = 30;
  o.reference_intact = false;
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = transport::simulate_transport(in, rules(), o);
  omp_set_num_threads(2);
  const auto two = transport::simulate_transport(in, rules(), o);
  omp_set_num_threads(before);
  const auto& a = one.samples.back().amounts;
  const auto& b = two.samples.back().amounts;
  const double va[] = {a.donor.si(),  a.stratum_corneum.si(), a.viable_epidermis.si(),
                       a.dermis.si(), a.hypodermis.si(),      a.systemic.si()};
  const double vb[] = {b.donor.si(),  b.stratum_corneum.si(), b.viable_epidermis.si(),
                       b.dermis.si(), b.hypodermis.si(),      b.systemic.si()};
  EXPECT_EQ(std::memcmp(va, vb, sizeof va), 0);
  EXPECT_EQ(one.stats.steps, two.stats.steps);
  EXPECT_EQ(one.stats.linear_iterations, two.stats.linear_iterations);
  std::printf("[patch] 1 vs 2 threads (%zu cells, %zu steps): amounts %s\n", one.stats.cells, one.stats.steps,
              std::memcmp(va, vb, sizeof va) == 0 ? "bitwise equal" : "DIFFER");
}

}  // namespace
}  // namespace nw
