// Unit and regression tests of the device, skin and insertion stages.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "needlework/core/config.hpp"
#include "needlework/course/simulation.hpp"
#include "needlework/device/device.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/scenario.hpp"
#include "needlework/io/toml_reader.hpp"
#include "test_support.hpp"

namespace nw {
namespace {

using core::units::mm;
using core::units::um;
using core::units::yr;

TEST(SiteLibrary, HasEveryScenarioSiteAndConsistentDerivedDepths) {
  const auto& sites = io::bundled_sites();
  const auto list = sites.site_names();
  const std::set<std::string> names(list.begin(), list.end());
  for (const char* s : {"forehead", "glabella", "periorbital", "nose", "cheek", "perioral", "chin", "jawline", "neck",
                        "chest", "hands", "abdomen", "thigh", "upper_arm", "forearm", "back", "scalp"}) {
    EXPECT_TRUE(names.count(s)) << s;
  }
  // The data file stores the derived depths at the reference age; the code recomputes them from
  // the layers by the documented rules. They must agree (to the file's rounding).
  const auto raw = io::read_toml_text(*io::bundled_file("skin/sites.toml"), "sites.toml");
  for (const auto& item : *raw.find("site")->get_if<core::ConfigArray>()) {
    const auto& site = *item.get_if<core::ConfigTable>();
    const auto name = *site.find("name")->get_if<std::string>();
    for (const auto sex : {skin::Sex::female, skin::Sex::male}) {
      const auto& t = *site.find(sex == skin::Sex::female ? "female" : "male")->get_if<core::ConfigTable>();
      const auto stored = [&](const char* key) {
        const auto& m = *t.find(key)->get_if<core::ConfigTable>();
        return core::parse_quantity(*m.find("mean")->get_if<std::string>()).value->si;
      };
      const auto s = sites.skin_at(name, sex, 35 * yr);
      EXPECT_NEAR(s.bleeding_depth.si(), stored("bleeding_depth"), 0.02 * stored("bleeding_depth")) << name;
      EXPECT_NEAR(s.deep_plexus_depth.si(), stored("deep_plexus_depth"), 0.02 * stored("deep_plexus_depth")) << name;
      EXPECT_NEAR(s.capillary_loop_depth.si(), stored("capillary_loop_depth"), 0.03 * stored("capillary_loop_depth"))
          << name;
    }
  }
}

TEST(SiteLibrary, DermisThinsWithAgeAndIsThickerInMen) {
  const auto& sites = io::bundled_sites();
  const auto young = sites.skin_at("cheek", skin::Sex::female, 30 * yr);
  const auto ref = sites.skin_at("cheek", skin::Sex::female, 35 * yr);
  const auto old = sites.skin_at("cheek", skin::Sex::female, 65 * yr);
  EXPECT_EQ(young.layers.dermis(), ref.layers.dermis());  // no slope below the reference age
  EXPECT_LT(old.layers.dermis(), ref.layers.dermis());
  EXPECT_GT(sites.skin_at("cheek", skin::Sex::male, 35 * yr).layers.dermis(), ref.layers.dermis());
  EXPECT_EQ(ref.layer_at(10 * um), "stratum_corneum");
  EXPECT_EQ(ref.layer_at(1 * mm), "reticular_dermis");
}

TEST(Lesions, AcneScarTypesDifferAsTheClassificationSays) {
  const auto& l = io::bundled_lesions();
  const auto* icepick = l.for_concern("acne_scars", "icepick");
  const auto* boxcar = l.for_concern("acne_scars", "boxcar");
  const auto* rolling = l.for_concern("acne_scars", "rolling");
  ASSERT_TRUE(icepick && boxcar && rolling);
  // Jacob 2001: icepick narrow (< 2 mm) and deep; boxcar 1.5-4 mm; rolling wider than 4-5 mm, tethered.
  EXPECT_LT(icepick->width.mean, 2e-3);
  EXPECT_GT(icepick->depth.mean, boxcar->depth.mean);
  EXPECT_GT(rolling->width.mean, boxcar->width.mean);
  EXPECT_TRUE(rolling->tethered);
  EXPECT_FALSE(icepick->tethered);
  EXPECT_EQ(l.for_concern("acne_scars", "")->name, "mixed");
  for (const char* c : {"wrinkles", "stretch_marks", "enlarged_pores"}) EXPECT_NE(l.for_concern(c, ""), nullptr) << c;
  EXPECT_EQ(l.for_concern("melasma", ""), nullptr);
}

TEST(Device, DefaultPenComesFromTheCatalogue) {
  const auto d = test::device_from_toml(R"(kind = "pen")");
  EXPECT_EQ(d.model, "generic");
  EXPECT_EQ(d.cartridge, "12");
  EXPECT_EQ(d.needles, 12);
  EXPECT_DOUBLE_EQ(d.frequency.in(core::units::Hz), 110.0);
  EXPECT_EQ(d.needle_offsets_mm.size(), 12U);
  EXPECT_GT(d.min_needle_spacing(), d.needle.shaft_diameter);
  // rho = N f / (v w) = 12 * 110 / (4 cm/s * 0.35 cm)
  EXPECT_NEAR(device::expected_density_per_cm2_per_pass(d), 12 * 110 / (4 * 0.35), 1e-9);
}

TEST(Device, ImpossibleSettingsAreConfigurationErrors) {
  struct Case {
    const char* toml;
    const char* message_part;
  };
  const Case cases[] = {
      {R"(model = "dermapen_md_2012"
needle_length = "2.75 mm")",
       "outside the 0.25-2.5 mm depth range of the \"dermapen_md_2012\" pen"},
      {R"(needles = 200)", "do not fit a 3.5 mm footprint"},
      {R"(kind = "roller"
frequency = "110 Hz")",
       "'device.frequency' applies only to pens"},
      {R"(kind = "roller"
model = "generic")",
       "is not a roller; roller models: 192, 540"},
      {R"(model = "skinpen_precision"
frequency = "150 Hz")",
       "above the 117 Hz the \"skinpen_precision\" pen offers"},
  };
  for (const auto& c : cases) {
    auto d = test::device_diagnostics(c.toml);
    std::erase_if(d, [](const core::Diagnostic& x) { return x.severity == core::Severity::warning; });
    ASSERT_EQ(d.size(), 1U) << c.toml;
    EXPECT_EQ(d[0].code, core::ErrorCode::cfg_consistency);
    EXPECT_NE(d[0].message.find(c.message_part), std::string::npos) << d[0].message;
    EXPECT_GT(d[0].where.line, 0) << c.toml;
  }
}

TEST(Device, UnusualSettingsWarnWithTheirOwnIds) {
  const auto ids = [](const std::string& toml) {
    std::vector<std::string> out;
    for (const auto& d : test::device_diagnostics(toml)) {
      EXPECT_EQ(d.severity, core::Severity::warning) << d.message;
      out.emplace_back(core::error_info(d.code).id);
    }
    return out;
  };
  EXPECT_TRUE(ids(R"(needle_length = "1.5 mm")").empty());
  EXPECT_EQ(ids(R"(needle_length = "2.0 mm")"), (std::vector<std::string>{"W-LABEL"}));
  EXPECT_EQ(ids(R"(needle_length = "2.75 mm")"), (std::vector<std::string>{"W-DEPTH", "W-LABEL"}));
  EXPECT_EQ(ids(R"(frequency = "40 Hz")"), (std::vector<std::string>{"W-FREQUENCY"}));
  EXPECT_EQ(ids(R"(cartridge = "nano")"), (std::vector<std::string>{"W-NEEDLES"}));
  EXPECT_EQ(ids("kind = \"roller\"\nneedle_length = \"2.0 mm\""), (std::vector<std::string>{"W-DEPTH"}));
}

TEST(Kinematics, GeneratedDensityMatchesTheClosedForm) {
  for (const char* toml : {R"(kind = "pen")", R"(kind = "roller")", R"(kind = "stamp")"}) {
    const auto d = test::device_from_toml(toml);
    const auto f = device::generate_punctures(d, 100 * core::units::cm2, 3, 7, 1);
    const double per_pass = static_cast<double>(f.size()) / 100.0 / 3.0;
    EXPECT_NEAR(per_pass, device::expected_density_per_cm2_per_pass(d),
                0.03 * device::expected_density_per_cm2_per_pass(d))
        << toml;
    EXPECT_TRUE(std::all_of(f.x_mm.begin(), f.x_mm.end(), [](float x) { return x >= 0 && x < 100.0f; }));
  }
}

TEST(Kinematics, SpacingOfARegularLatticeIsItsPitch) {
  device::PunctureField f;
  f.area = 1 * core::units::cm2;
  f.side = 10 * mm;
  for (int i = 0; i < 20; ++i) {
    for (int j = 0; j < 20; ++j) {
      f.x_mm.push_back(0.5f * static_cast<float>(i));
      f.y_mm.push_back(0.5f * static_cast<float>(j));
    }
  }
  f.pass.assign(f.x_mm.size(), 0);
  const auto s = device::nearest_neighbour_spacing(f);
  EXPECT_NEAR(s.mean_um, 500.0, 1e-3);
  EXPECT_NEAR(s.p10_um, 500.0, 1e-3);
}

// Regression anchors: the worked numbers of docs/model/insertion.md section 10 (female cheek,
// 35 yr, 12-needle pen at 110 Hz, face pressed), with the tolerance of their printed rounding.
// A pen whose stroke does not exceed its largest setting would meet the skin at rest at that
// setting (insertion.md section 2): the catalogue refuses it, naming the file, line and key.
TEST(Device, CatalogueRefusesAPenStrokeNotAboveItsLargestSetting) {
  std::string text(*io::bundled_file("device/devices.toml"));
  const std::string stroke = "stroke = { value = \"3.5 mm\"";
  const auto at = text.find(stroke);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, stroke.size(), "stroke = { value = \"3.0 mm\"");
  const auto raw = io::read_toml_text(text, "devices.toml");
  std::vector<core::Diagnostic> diagnostics;
  const auto validated = core::validate(raw, device::Catalogue::spec(), diagnostics);
  ASSERT_TRUE(diagnostics.empty());
  try {
    (void)device::Catalogue::from_config(validated);
    FAIL() << "a 3.0 mm stroke with a 3.0 mm largest setting was accepted";
  } catch (const core::Error& e) {
    ASSERT_EQ(e.diagnostics().size(), 1U);
    const auto& d = e.diagnostics()[0];
    EXPECT_EQ(d.code, core::ErrorCode::cfg_consistency);
    EXPECT_EQ(d.key, "pen.stroke");
    EXPECT_GT(d.where.line, 0);
    EXPECT_NE(d.message.find("\"generic\" pen's stroke 3 mm must exceed its largest setting 3 mm"), std::string::npos)
        << d.message;
  }
}

TEST(Insertion, MeanChannelReproducesTheWorkedNumbers) {
  const auto skin = io::bundled_sites().skin_at("cheek", skin::Sex::female, 35 * yr);
  struct Row {
    double setting_mm, depth_open_mm, p_bleed;
  };
  for (const Row r : {Row{0.25, 0.224, 0.01}, Row{0.5, 0.456, 0.50}, Row{1.0, 0.916, 0.99}, Row{1.5, 1.377, 1.00}}) {
    const auto d = test::device_from_toml(fmt::format("needle_length = \"{} mm\"", r.setting_mm));
    const auto m = mechanics::mean_channel(skin, d);
    EXPECT_TRUE(m.clamped);
    EXPECT_NEAR(m.depth_open.in(mm), r.depth_open_mm, 0.003) << r.setting_mm;
    EXPECT_NEAR(m.bleeding_probability, r.p_bleed, 0.015) << r.setting_mm;
  }
}

TEST(Insertion, RadiusProfileNarrowsTowardsTheTip) {
  const auto skin = io::bundled_sites().skin_at("cheek", skin::Sex::female, 35 * yr);
  const auto d = test::device_from_toml(R"(needle_length = "1.5 mm")");
  const auto m = mechanics::mean_channel(skin, d);
  EXPECT_NEAR(mechanics::open_radius_at(d.needle, skin, m.depth_max, 0 * um).si(), m.surface_radius.si(), 1e-12);
  double previous = 1.0;
  for (double z = 0; z <= m.depth_open.in(um); z += 50) {
    const double r = mechanics::open_radius_at(d.needle, skin, m.depth_max, z * um).si();
    EXPECT_LE(r, previous);
    previous = r;
  }
  EXPECT_EQ(mechanics::open_radius_at(d.needle, skin, m.depth_max, m.depth_open + 1 * um).si(), 0.0);
  // Below the 0.77 mm cone the shaft is cylindrical: 0.7 x 105 um near the surface.
  EXPECT_NEAR(mechanics::open_radius_at(d.needle, skin, m.depth_max, 100 * um).in(um), 0.7 * 105, 0.5);
}

TEST(Insertion, DamagedVolumeByDepthWindowsAddsUpToTheTrack) {
  const auto skin = io::bundled_sites().skin_at("cheek", skin::Sex::female, 35 * yr);
  for (const char* toml : {R"(needle_length = "1.5 mm")", R"(kind = "roller")"}) {
    const auto d = test::device_from_toml(toml);
    const auto m = mechanics::mean_channel(skin, d);
    const auto& l = skin.layers;
    const core::Length cuts[] = {0 * um, l.epidermis(), l.epidermis() + l.papillary_dermis, l.dermis_bottom(), 10 * mm};
    double sum_nl = 0, previous_per_um = 1e300;
    for (int k = 0; k + 1 < 5; ++k) {
      const double v = mechanics::damaged_volume_between(d, skin, m.depth_max, cuts[k], cuts[k + 1]).si() * 1e12;
      EXPECT_GE(v, 0.0);
      sum_nl += v;
      const double thickness_um = (std::min(cuts[k + 1], m.depth_max) - cuts[k]).in(um);
      if (thickness_um > 1) {  // the track narrows towards the tip: less damage per micrometre deeper
        EXPECT_LT(v / thickness_um, previous_per_um * 1.0000001) << toml << " window " << k;
        previous_per_um = v / thickness_um;
      }
    }
    // Exact for the pen's polynomial track; the roller's slit (an arccos) carries quadrature error.
    EXPECT_NEAR(sum_nl, m.damaged_volume_nl, 1e-4 * m.damaged_volume_nl) << toml;
    EXPECT_EQ(mechanics::damaged_volume_between(d, skin, m.depth_max, m.depth_max, 10 * mm).si(), 0.0);
  }
}

TEST(Insertion, RollerChannelsAreTiltedSlits) {
  const auto skin = io::bundled_sites().skin_at("cheek", skin::Sex::female, 35 * yr);
  const auto m = mechanics::mean_channel(skin, test::device_from_toml(R"(kind = "roller")"));
  EXPECT_NEAR(m.tilt_deg, 29.0, 1.0);                  // arccos(R_d / (R_d + d_max))
  EXPECT_NEAR(m.depth_open.in(mm) / 1.5, 0.85, 0.02);  // drum-supported
  EXPECT_GT(m.slit.in(um), 800.0);
}

TEST(Insertion, FastAndDetailedPathsAgree) {
  const auto skin = io::bundled_sites().skin_at("forehead", skin::Sex::male, 50 * yr);
  for (const char* toml : {R"(needle_length = "0.5 mm")", R"(kind = "roller")", R"(kind = "stamp")"}) {
    const auto d = test::device_from_toml(toml);
    const auto field = device::generate_punctures(d, 20 * core::units::cm2, 2, 3, 1);
    const auto c = mechanics::insert(field, skin, d, 3, 1);
    const auto m = mechanics::mean_channel(skin, d);
    double depth = 0, bled = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
      depth += c.depth_um[i];
      bled += c.bled[i];
    }
    const auto n = static_cast<double>(c.size());
    EXPECT_NEAR(depth / n, m.depth_open.in(um), 0.01 * m.depth_open.in(um)) << toml;
    EXPECT_NEAR(bled / n, m.bleeding_probability, 0.03) << toml;
  }
}

TEST(Simulation, SummaryOfTheBundledExampleIsSane) {
  const auto data = io::bundled_data();
  const auto s = io::load_scenario(std::string(NW_SOURCE_DIR) + "/examples/patients/01_clear_candidate.toml", data);
  course::CourseInputs in;
  in.seed = s.seed;
  in.age = s.patient.age;
  in.device = *s.device;
  in.areas = s.treatments;
  in.protocol = s.protocol;
  in.settings.virtual_patients = 8;
  core::MemorySink log;
  const auto r = course::Simulation(in, data.course_libraries()).run(log);
  ASSERT_EQ(r.areas.size(), 1U);
  const auto& st = r.pooled;
  EXPECT_NEAR(st.per_cm2_per_session, 4 * st.expected_per_cm2_per_pass, 0.03 * 4 * st.expected_per_cm2_per_pass);
  EXPECT_GT(st.coverage_fraction, 0.0);
  EXPECT_LT(st.coverage_fraction, 1.0);
  EXPECT_GT(st.spacing.mean_um, 0.0);
  EXPECT_LE(st.depth_p10_um, st.depth_mean_um);
  EXPECT_GE(st.depth_p90_um, st.depth_mean_um);
  EXPECT_GT(st.closure_half_life_h, 1.0);
  ASSERT_TRUE(r.areas[0].lesion.has_value());
  EXPECT_EQ(r.areas[0].lesion->name, "rolling");
}

}  // namespace
}  // namespace nw
