// Unit tests of the transport stage (docs/model/transport.md): the data files and their rules,
// exact mass balance, agreement of the axisymmetric and 3D cells, enhancement ordering, the
// channel states and the speed of the fast cell. Measured numbers are printed on "[transport]"
// lines.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "needlework/io/bundled.hpp"
#include "needlework/io/scenario.hpp"
#include "needlework/io/toml_reader.hpp"
#include "needlework/mechanics/insertion.hpp"
#include "needlework/transport/actives.hpp"
#include "needlework/transport/transport.hpp"
#include "test_support.hpp"

namespace nw {
namespace {

using core::units::cm2;
using core::units::h;
using core::units::ug_per_cm2;
using core::units::uL;
using core::units::um;
using core::units::yr;
using transport::Geometry;

// The transport data files, loaded the way io::load_bundled loads the others.
template <typename Build>
auto load(const char* path, const core::TableSpec& spec, Build build) {
  const auto text = io::bundled_file(path);
  if (!text) throw std::runtime_error(std::string("not bundled: ") + path);
  const auto raw = io::read_toml_text(*text, std::string("data/") + path);
  std::vector<core::Diagnostic> diagnostics;
  const auto validated = core::validate(raw, spec, diagnostics);
  if (!diagnostics.empty()) throw core::Error(std::move(diagnostics));
  return build(validated);
}

const transport::ActiveLibrary& actives() {
  static const auto lib =
      load("transport/actives.toml", transport::ActiveLibrary::spec(), transport::ActiveLibrary::from_config);
  return lib;
}

const transport::TissueRules& tissue() {
  static const auto rules =
      load("transport/tissue.toml", transport::TissueRules::spec(), transport::TissueRules::from_config);
  return rules;
}

transport::Active active(const std::string& word) {
  const auto* r = actives().find(word);
  if (!r) throw std::runtime_error("no active " + word);
  return transport::active_from_record(*r, tissue());
}

// A [topical] table validated with the scenario's own schema.
core::ConfigTable topical_from_toml(const std::string& toml) {
  const auto spec = io::scenario_spec(io::bundled_data());
  const auto raw = io::read_toml_text(toml, "topical.toml");
  std::vector<core::Diagnostic> d;
  auto v = core::validate(raw, *spec->find("topical")->table, d, "topical");
  if (core::has_errors(d)) throw core::Error(d);
  return v;
}

// Female cheek at 35 yr, the default pen at 1.5 mm (open depth 1.376 mm, r0 73.5 um), channels
// at `density` per cm2 (transport.md section 9 uses 3,800), finite dose 10 uL/cm2.
transport::TransportInputs pen_inputs(const std::string& word, double concentration_kg_per_m3,
                                      double density_per_cm2 = 3800) {
  const auto skin = io::bundled_sites().skin_at("cheek", skin::Sex::female, 35 * yr);
  const auto dev = test::device_from_toml("kind = \"pen\"\nneedle_length = \"1.5 mm\"");
  const auto mean = mechanics::mean_channel(skin, dev);
  transport::TransportInputs in;
  in.active = active(word);
  in.skin = skin;
  in.channel = transport::channel_geometry(mean, dev.needle, skin, density_per_cm2);
  in.dose = transport::Dose::finite(10 * uL / cm2, core::MassConcentration::from_si(concentration_kg_per_m3));
  in.duration = 24 * h;
  in.output_times = {1 * h, 24 * h};
  return in;
}

// A concentration below the active's water solubility (ratios then do not depend on it): the
// typical strength, capped at 90 % of the solubility.
double unsaturated_concentration(const std::string& word) {
  const auto* r = actives().find(word);
  return std::min(r->typical_concentration.mean * 1000.0, 0.9 * r->water_solubility.mean);
}

double ug(core::ArealMass m) { return m.in(ug_per_cm2); }

void print(const char* label, const transport::TransportResult& r) {
  for (const auto& s : r.samples) {
    const auto& a = s.amounts;
    std::printf(
        "[transport] %s t = %4.1f h: donor %.4g, SC %.4g, VE %.4g, dermis %.4g, hypodermis %.4g, systemic %.4g; "
        "delivered %.4g ug/cm2 (%.4g of dose); intact %.4g; E %s; residual %.2g; b %.3f c %.3f\n",
        label, s.time.in(h), ug(a.donor), ug(a.stratum_corneum), ug(a.viable_epidermis), ug(a.dermis), ug(a.hypodermis),
        ug(a.systemic), ug(a.delivered()), s.fraction_of_dose.value_or(-1.0),
        s.intact ? ug(s.intact->delivered()) : -1.0,
        s.enhancement_unbounded ? "unbounded" : fmt::format("{:.4g}", s.enhancement.value_or(-1.0)).c_str(),
        s.mass_balance_residual, s.barrier_state, s.closure_state);
  }
}

// ------------------------------------------------------------------------------------- data

TEST(TransportData, FilesLoadAndValidate) {
  std::string problems;
  try {
    EXPECT_EQ(actives().actives().size(), 9U);
    EXPECT_EQ(actives().reference_temperature_c(), 32.0);
    EXPECT_EQ(tissue().reference_temperature_c, 32.0);
    EXPECT_NEAR(tissue().barrier.half_life.in(h), 1.35, 1e-12);
    EXPECT_NEAR(tissue().occlusion_factor, 17.5, 1e-12);
    EXPECT_FALSE(tissue().sources.empty());
  } catch (const core::Error& e) {
    problems = e.what();
    for (const auto& d : e.diagnostics()) problems += "\n" + core::format_diagnostic(d);
  }
  EXPECT_EQ(problems, "");
}

TEST(TransportData, EveryScenarioWordResolvesAndTheAliasMeansHighMolecularWeight) {
  for (const char* w : {"vitamin_c", "hyaluronic_acid", "tranexamic_acid", "minoxidil", "peptide", "caffeine",
                        "lipophilic_reference"}) {
    EXPECT_NE(actives().find(w), nullptr) << w;
  }
  ASSERT_NE(actives().find("hyaluronic_acid"), nullptr);
  EXPECT_EQ(actives().find("hyaluronic_acid")->name, "hyaluronic_acid_high");
  EXPECT_EQ(actives().find("no_such_active"), nullptr);
  const auto words = actives().words();
  EXPECT_NE(std::find(words.begin(), words.end(), "hyaluronic_acid"), words.end());
}

TEST(TransportData, BrokenAliasIsReportedWithItsLocation) {
  const std::string text = R"(schema = "needlework-actives/1"
[reference]
temperature = { mean = "32" }
[aliases]
retinol = "vitamin_a"
)";
  std::vector<core::Diagnostic> d;
  const auto validated = core::validate(io::read_toml_text(text, "mini.toml"), transport::ActiveLibrary::spec(), d);
  ASSERT_TRUE(d.empty());
  try {
    (void)transport::ActiveLibrary::from_config(validated);
    FAIL() << "an alias naming no active must be rejected";
  } catch (const core::Error& e) {
    ASSERT_EQ(e.diagnostics().size(), 1U);
    EXPECT_EQ(core::format_diagnostic(e.diagnostics()[0]),
              "mini.toml:5:11: error[CFG-CONSISTENCY]: alias 'retinol' names no active: 'vitamin_a'");
  }
}

// The file stores the derived values (rounded to 2-3 digits); the code recomputes them by the
// rules of tissue.toml: they must agree to 2 % (actives.toml header).
TEST(TransportRules, StoredDerivedValuesMatchTheRules) {
  double worst = 0;
  for (const auto& r : actives().actives()) {
    const auto a = transport::active_from_record(r, tissue());
    const auto check = [&](const char* what, double stored, double computed) {
      if (stored == 0) {
        EXPECT_EQ(computed, 0.0) << r.name << " " << what;
        return;
      }
      const double rel = std::abs(computed / stored - 1);
      worst = std::max(worst, rel);
      EXPECT_LT(rel, 0.02) << r.name << " " << what << ": stored " << stored << ", rule " << computed;
    };
    check("partition_stratum_corneum", r.partition_stratum_corneum.mean, a.partition_stratum_corneum);
    check("partition_viable", r.partition_viable.mean, a.partition_viable);
    check("hindrance_epidermis", r.hindrance_epidermis.mean, a.hindrance_epidermis);
    check("hindrance_dermis", r.hindrance_dermis.mean, a.hindrance_dermis);
    check("kp_intact", r.kp_intact.mean, a.kp_intact.si());
    check("kp_polar", r.kp_polar.mean, a.kp_polar.si());
    check("capillary_clearance_rate", r.capillary_clearance_rate.mean, a.clearance_papillary.si());
    // Where D_free comes from the glucose-anchored rule (source SRC-RIB06), the rule and the
    // Stokes-Einstein radius reproduce the stored values.
    const auto& src = r.free_diffusivity.sources;
    if (std::find(src.begin(), src.end(), "SRC-RIB06") != src.end()) {
      check("free_diffusivity (rule)", r.free_diffusivity.mean,
            transport::free_diffusivity_rule(core::MolarMass::from_si(r.molecular_weight.mean)).si());
      check("hydrodynamic_radius (Stokes-Einstein)", r.hydrodynamic_radius.mean,
            transport::stokes_einstein_radius(core::Diffusivity::from_si(r.free_diffusivity.mean), 32.0).si());
    }
  }
  std::printf("[transport] stored derived values vs the rules: worst relative difference %.3g\n", worst);
}

// transport.md section 9(b): kp_lipid = 10^(-6.3 - 0.05 - 1.185) cm/s = 1.05e-4 cm/h, with the
// polar term kp_intact = 1.18e-4 cm/h; lag time on the 17 um cheek SC 2.1 h.
TEST(TransportRules, PottsGuyForCaffeine) {
  const auto caffeine = active("caffeine");
  const auto cm_per_h = core::Velocity::from_si(1e-2 / 3600.0);
  EXPECT_NEAR(caffeine.kp_lipid / cm_per_h, 1.05e-4, 0.01 * 1.05e-4);
  EXPECT_NEAR(caffeine.kp_polar / cm_per_h, 1.24e-5, 0.02 * 1.24e-5);
  EXPECT_NEAR(caffeine.kp_intact / cm_per_h, 1.18e-4, 0.01 * 1.18e-4);
  EXPECT_NEAR(caffeine.partition_stratum_corneum, 0.89, 0.01);
  const auto cheek = io::bundled_sites().skin_at("cheek", skin::Sex::female, 35 * yr);
  const double h_sc = cheek.layers.stratum_corneum.si();
  const double lag_h =
      h_sc * h_sc / (6 * caffeine.diffusivity_stratum_corneum(cheek.layers.stratum_corneum).si()) / 3600;
  EXPECT_NEAR(lag_h, 2.1, 0.1);
  std::printf("[transport] caffeine: kp_lipid %.4g cm/h, kp_intact %.4g cm/h, SC lag %.2f h\n",
              caffeine.kp_lipid / cm_per_h, caffeine.kp_intact / cm_per_h, lag_h);
}

TEST(TransportRules, CustomActiveFromTheScenarioUsesTheSameRules) {
  // Caffeine's molecular weight and log P as a custom active: the glucose-anchored D_free and the
  // Stokes-Einstein radius give the library's caffeine coefficients.
  const auto custom = transport::resolve_active(
      topical_from_toml("active = \"custom\"\nmolecular_weight = \"194.19 g/mol\"\nlog_p = -0.07\n"), actives(),
      tissue());
  const auto caffeine = active("caffeine");
  EXPECT_TRUE(custom.custom);
  EXPECT_FALSE(custom.water_solubility.has_value());
  EXPECT_NEAR(custom.free_diffusivity / caffeine.free_diffusivity, 1.0, 0.01);
  EXPECT_NEAR(custom.hydrodynamic_radius / caffeine.hydrodynamic_radius, 1.0, 0.02);
  EXPECT_NEAR(custom.kp_intact / caffeine.kp_intact, 1.0, 0.01);
  EXPECT_NEAR(custom.clearance_papillary / caffeine.clearance_papillary, 1.0, 0.01);
  // A given free diffusivity is used as is.
  const auto given = transport::resolve_active(
      topical_from_toml(
          "active = \"custom\"\nmolecular_weight = \"500 g/mol\"\nlog_p = 1\nfree_diffusivity = \"5e-6 cm2/s\"\n"),
      actives(), tissue());
  EXPECT_DOUBLE_EQ(given.free_diffusivity.si(), 5e-10);
  // Library words, the alias included.
  const auto ha = transport::resolve_active(topical_from_toml("active = \"hyaluronic_acid\"\n"), actives(), tissue());
  EXPECT_EQ(ha.name, "hyaluronic_acid_high");
  EXPECT_EQ(ha.kp_intact.si(), 0.0);
  EXPECT_EQ(ha.kp_polar.si(), 0.0);
  // The dose: 15 % read w/v (150 mg/mL), 10 uL/cm2 -> 1,500 ug/cm2.
  const auto dose = transport::dose_from_topical(topical_from_toml("active = \"vitamin_c\"\n"));
  EXPECT_FALSE(dose.infinite);
  EXPECT_NEAR(dose.concentration.si(), 150.0, 1e-9);
  EXPECT_NEAR(ug(dose.amount()), 1500.0, 1e-9);
  const auto mg_ml = transport::dose_from_topical(
      topical_from_toml("active = \"caffeine\"\nconcentration = \"4 mg/mL\"\ndose = \"20 uL/cm2\"\n"));
  EXPECT_NEAR(ug(mg_ml.amount()), 80.0, 1e-9);
}

TEST(TransportRules, ChannelGeometryFollowsTheInsertionStage) {
  const auto in = pen_inputs("vitamin_c", 150);
  const auto& ch = *in.channel;
  // insertion.md section 10 / transport.md section 3: d_open 1.376 mm, r0 73.5 um, ~14 um at
  // the bottom; R = 1/sqrt(pi rho) = 91.5 um and the unit cell 162 um at 3,800 /cm2.
  EXPECT_NEAR(ch.depth_open.in(core::units::mm), 1.376, 0.005);
  EXPECT_NEAR(ch.surface_radius().in(um), 73.5, 0.5);
  EXPECT_NEAR(ch.radius_at(ch.depth_open).in(um), 14.0, 1.0);
  EXPECT_EQ(ch.radius_at(ch.depth_open * 1.01).si(), 0.0);
  EXPECT_NEAR(ch.cell_radius().in(um), 91.5, 0.1);
  EXPECT_NEAR(ch.cell_side().in(um), 162.2, 0.1);
  // Closure half-life (transport.md section 3): t_c = 18 h / log2(10) (73.5 / 35)^0.585 = 8.4 h.
  EXPECT_NEAR(tissue().closure_half_life(ch.surface_radius(), false).in(h), 8.4, 0.05);
  EXPECT_NEAR(tissue().recovery_time(tissue().barrier_half_life(false)).in(h), 4.48, 0.01);
}

// ------------------------------------------------------------------------------- mass balance

TEST(TransportModel, MassBalanceIsExactWithAndWithoutChannelsAndAcrossResealing) {
  struct Case {
    const char* label;
    const char* word;
    double concentration;
    bool channel;
    bool infinite;
  };
  double worst = 0;
  for (const Case cs : {Case{"intact, vitamin C", "vitamin_c", 150, false, false},
                        Case{"channels, vitamin C (b, c -> 0 over 24 h)", "vitamin_c", 150, true, false},
                        Case{"channels, testosterone (mouth K 1 -> 228)", "lipophilic_reference", 0.02, true, false},
                        Case{"channels, minoxidil 5 % (supersaturated donor)", "minoxidil", 50, true, false},
                        Case{"channels, HA 1 MDa", "hyaluronic_acid", 10, true, false},
                        Case{"channels, caffeine, infinite dose", "caffeine", 4, true, true}}) {
    auto in = pen_inputs(cs.word, cs.concentration);
    if (!cs.channel) in.channel.reset();
    if (cs.infinite) in.dose = transport::Dose::infinite_dose(core::MassConcentration::from_si(cs.concentration));
    in.output_times = {0.25 * h, 1 * h, 4 * h, 12 * h, 24 * h};
    auto o = transport::TransportOptions::fast();  // the balance is exact on any grid
    o.reference_intact = false;
    const auto r = transport::simulate_transport(in, tissue(), o);
    for (const auto& s : r.samples) {
      EXPECT_LT(s.mass_balance_residual, 1e-10) << cs.label << " at " << s.time.in(h) << " h";
      if (!cs.infinite) {
        EXPECT_NEAR(ug(s.amounts.total()), ug(*r.dose), 1e-10 * ug(*r.dose)) << cs.label;
      }
    }
    worst = std::max(worst, r.mass_balance_residual);
    std::printf("[transport] mass balance, %s: worst residual %.2g (%zu steps, %zu cells)\n", cs.label,
                r.mass_balance_residual, r.stats.steps, r.stats.cells);
  }
  std::printf("[transport] mass balance: worst residual over all cases %.2g\n", worst);
}

// Long runs (the 3D patch of a detailed course) report progress: once per output time, the
// fraction of output times done, increasing, ending at 1.
TEST(TransportModel, ProgressIsReportedAtEveryOutputTime) {
  auto in = pen_inputs("vitamin_c", 150);
  in.output_times = {0.25 * h, 1 * h, 4 * h};
  auto o = transport::TransportOptions::fast();
  std::vector<double> seen;
  o.progress = [&](double done) { seen.push_back(done); };
  const auto r = transport::simulate_transport(in, tissue(), o);
  ASSERT_EQ(seen.size(), r.samples.size());
  EXPECT_DOUBLE_EQ(seen.front(), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(seen.back(), 1.0);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST(TransportModel, SupersaturatedDonorIsCappedAtTheSolubility) {
  // Minoxidil 5 % (50 mg/mL) acts as a saturated 2.2 mg/mL solution (transport.md section 4):
  // on intact skin, whose uptake is far from using up the solid, it behaves as an infinite dose
  // at the solubility; an unsaturated film of the same volume at 2.2 mg/mL depletes and gives less.
  auto saturated = pen_inputs("minoxidil", 50);
  saturated.channel.reset();
  auto infinite = saturated;
  infinite.dose = transport::Dose::infinite_dose(core::MassConcentration::from_si(2.2));
  auto film = saturated;
  film.dose = transport::Dose::finite(10 * uL / cm2, core::MassConcentration::from_si(2.2));
  const auto a = transport::simulate_transport(saturated, tissue());
  const auto b = transport::simulate_transport(infinite, tissue());
  const auto c = transport::simulate_transport(film, tissue());
  for (std::size_t i = 0; i < a.samples.size(); ++i) {
    const auto uptake = [&](const transport::TransportResult& r) {
      return ug(r.samples[i].amounts.stratum_corneum + r.samples[i].amounts.delivered());
    };
    std::printf(
        "[transport] minoxidil intact uptake at %.0f h: 5 %% film %.4g, infinite dose at 2.2 mg/mL %.4g, "
        "2.2 mg/mL film %.4g ug/cm2\n",
        a.samples[i].time.in(h), uptake(a), uptake(b), uptake(c));
    EXPECT_NEAR(uptake(a) / uptake(b), 1.0, 0.03);
    EXPECT_GT(uptake(a), 1.1 * uptake(c));
  }
}

// ------------------------------------------------------------------------------ geometries

TEST(TransportModel, AxisymmetricAndUnitCellAgreeOnDeliveredAmount) {
  // Vitamin C (dose-limited) and HA 1 MDa (mouth- and lumen-limited, the geometry-sensitive case)
  // at 1 h: the (r, z) cell of equal area and the periodic square cell (transport.md section 6).
  for (const char* w : {"vitamin_c", "hyaluronic_acid"}) {
    auto in = pen_inputs(w, unsaturated_concentration(w));
    in.duration = 1 * h;
    in.output_times = {1 * h};
    transport::TransportOptions ob;
    ob.reference_intact = false;
    auto oc = ob;
    oc.geometry = Geometry::unit_cell_3d;
    oc.lateral_cells = 12;
    const auto b = transport::simulate_transport(in, tissue(), ob);
    const auto c = transport::simulate_transport(in, tissue(), oc);
    print((std::string("B (axisymmetric), ") + w).c_str(), b);
    print((std::string("C (3D unit cell), ") + w).c_str(), c);
    const auto& sb = b.samples.back().amounts;
    const auto& sc = c.samples.back().amounts;
    const double rel = std::abs(ug(sc.delivered()) / ug(sb.delivered()) - 1);
    std::printf(
        "[transport] B vs C at 1 h, %s: delivered %.5g vs %.5g ug/cm2 (%.2g relative); dermis %.4g vs %.4g; "
        "%zu vs %zu cells\n",
        w, ug(sb.delivered()), ug(sc.delivered()), rel, ug(sb.dermis), ug(sc.dermis), b.stats.cells, c.stats.cells);
    EXPECT_LT(rel, 0.05) << w;
    EXPECT_NEAR(ug(sc.dermis) / ug(sb.dermis), 1.0, 0.05) << w;
    EXPECT_NEAR(ug(sc.stratum_corneum) / ug(sb.stratum_corneum), 1.0, 0.05) << w;
  }
}

TEST(TransportModel, FastCellAgreesWithTheDefaultCell) {
  // Delivered amount of the fast cell within 5 % of the default cell (measured: <= 0.03 % for the
  // hydrophilic actives, 1 % for HA, 3 % for the lipophilic reference at 1 h, whose stratum
  // corneum amount at the mouth rim is resolution-sensitive).
  for (const char* w : {"vitamin_c", "hyaluronic_acid", "lipophilic_reference"}) {
    const auto in = pen_inputs(w, unsaturated_concentration(w));
    transport::TransportOptions o;
    o.reference_intact = false;
    auto f = transport::TransportOptions::fast();
    f.reference_intact = false;
    const auto d = transport::simulate_transport(in, tissue(), o);
    const auto q = transport::simulate_transport(in, tissue(), f);
    for (std::size_t i = 0; i < d.samples.size(); ++i) {
      const double rel = ug(q.samples[i].amounts.delivered()) / ug(d.samples[i].amounts.delivered()) - 1;
      std::printf(
          "[transport] fast (%zu cells) vs default (%zu cells), %s at %.0f h: delivered %.5g vs %.5g ug/cm2 "
          "(%+.2g)\n",
          q.stats.cells, d.stats.cells, w, d.samples[i].time.in(h), ug(q.samples[i].amounts.delivered()),
          ug(d.samples[i].amounts.delivered()), rel);
      EXPECT_LT(std::abs(rel), 0.05) << w;
    }
  }
}

// ------------------------------------------------------------------------------ enhancement

TEST(TransportModel, EnhancementOrdersAsTheModelPredicts) {
  std::map<std::string, transport::TransportResult> results;
  for (const char* w : {"vitamin_c", "caffeine", "minoxidil", "lipophilic_reference", "tranexamic_acid", "peptide",
                        "hyaluronic_acid"}) {
    results.emplace(w, transport::simulate_transport(pen_inputs(w, unsaturated_concentration(w)), tissue()));
  }
  const auto e = [&](const std::string& w, std::size_t i) { return results.at(w).samples[i].enhancement.value_or(-1); };
  for (const auto& [w, r] : results) {
    std::printf(
        "[transport] enhancement %-22s E(1 h) %s, E(24 h) %s; needled delivered %.3g / %.3g of dose, intact "
        "%.3g / %.3g\n",
        w.c_str(), r.samples[0].enhancement_unbounded ? "unbounded" : fmt::format("{:.4g}", e(w, 0)).c_str(),
        r.samples[1].enhancement_unbounded ? "unbounded" : fmt::format("{:.4g}", e(w, 1)).c_str(),
        *r.samples[0].fraction_of_dose, *r.samples[1].fraction_of_dose, r.samples[0].intact->delivered() / *r.dose,
        r.samples[1].intact->delivered() / *r.dose);
  }
  // 1 h is lag-dominated: large for every small molecule, the lipophilic reference included.
  for (const char* w : {"vitamin_c", "caffeine", "minoxidil", "lipophilic_reference"}) EXPECT_GT(e(w, 0), 100) << w;
  // 24 h (transport.md section 9a): large for hydrophilic, small where intact skin manages alone.
  EXPECT_GT(e("vitamin_c", 1), 3);
  EXPECT_GT(e("caffeine", 1), 3);
  EXPECT_LT(e("minoxidil", 1), 3);
  EXPECT_LT(e("lipophilic_reference", 1), 3);
  EXPECT_GT(e("peptide", 1), e("tranexamic_acid", 1));
  EXPECT_GT(e("tranexamic_acid", 1), e("caffeine", 1));
  EXPECT_GT(e("vitamin_c", 1), e("caffeine", 1));
  EXPECT_GT(e("caffeine", 1), std::max(e("minoxidil", 1), e("lipophilic_reference", 1)));
  // Each within a factor 2 of the worked numbers of section 9a (same data, dual-column model).
  const std::map<std::string, double> expected{{"vitamin_c", 13},  {"caffeine", 4.6},
                                               {"minoxidil", 1.5}, {"tranexamic_acid", 16},
                                               {"peptide", 70},    {"lipophilic_reference", 1.8}};
  for (const auto& [w, value] : expected) {
    EXPECT_GT(e(w, 1), value / 2) << w;
    EXPECT_LT(e(w, 1), value * 2) << w;
  }
  // Hyaluronic acid: no intact route, enhancement unbounded (null).
  const auto& ha = results.at("hyaluronic_acid");
  for (const auto& s : ha.samples) {
    EXPECT_TRUE(s.enhancement_unbounded);
    EXPECT_FALSE(s.enhancement.has_value());
  }
}

TEST(TransportModel, HyaluronicAcidDeliversNothingThroughIntactSkin) {
  auto in = pen_inputs("hyaluronic_acid", 10);
  const auto needled = transport::simulate_transport(in, tissue());
  in.channel.reset();
  const auto intact = transport::simulate_transport(in, tissue());
  print("HA 1 MDa, needled", needled);
  print("HA 1 MDa, intact", intact);
  const double dose = ug(*intact.dose);
  for (const auto& s : intact.samples) {
    // Nothing crosses: the stratum corneum holds at most round-off of the donor, and the
    // solver's conservation step scales the solution rather than shifting it (transport.md,
    // implementation notes, point 7), so the tissue below, which receives nothing, stays at zero
    // (below 1e-12 of the dose; it was -2e-8 with a shift).
    EXPECT_LE(ug(s.amounts.delivered()), 1e-12 * dose);
    EXPECT_LT(std::abs(ug(s.amounts.stratum_corneum)), 1e-6 * dose);
  }
  // No amount is negative in either run (a shift by the donor's mass error made the intact
  // delivery -2e-8 of the dose and the needled hypodermis -6e-10 before).
  for (const auto* r : {&needled, &intact}) {
    for (const auto& s : r->samples) {
      const auto& a = s.amounts;
      for (const auto m : {a.donor, a.stratum_corneum, a.viable_epidermis, a.dermis, a.hypodermis, a.systemic}) {
        EXPECT_GE(ug(m), 0.0) << "at " << s.time.in(h) << " h";
      }
    }
  }
  // Through the channels: ~49 % at 1 h, ~75 % at 24 h (transport.md 9a); at least 10 % at 1 h.
  EXPECT_GT(*needled.samples[0].fraction_of_dose, 0.10);
  EXPECT_NEAR(*needled.samples[0].fraction_of_dose, 0.49, 0.1);
  EXPECT_NEAR(*needled.samples[1].fraction_of_dose, 0.75, 0.1);
}

// ------------------------------------------------------------------------------ states

TEST(TransportModel, OcclusionDelaysBarrierRecoveryAndClosure) {
  auto open = pen_inputs("hyaluronic_acid", 10);
  auto covered = open;
  covered.occluded = true;
  const auto a = transport::simulate_transport(open, tissue());
  const auto b = transport::simulate_transport(covered, tissue());
  EXPECT_NEAR(b.barrier_half_life / a.barrier_half_life, 17.5, 1e-9);
  EXPECT_NEAR(b.closure_half_life / a.closure_half_life, 17.5, 1e-9);
  EXPECT_NEAR(a.closure_half_life.in(h), 8.4, 0.05);
  EXPECT_GT(b.samples.back().closure_state, a.samples.back().closure_state);
  EXPECT_NEAR(b.samples.back().barrier_state, std::exp2(-24 / 23.625), 1e-9);
  EXPECT_LT(a.samples.back().barrier_state, 1e-3);
  // Channels that stay open take up more of the macromolecule (transport.md 9a: 91 % vs 75 %).
  EXPECT_GT(*b.samples.back().fraction_of_dose, *a.samples.back().fraction_of_dose + 0.05);
  std::printf(
      "[transport] HA 1 MDa 24 h: unoccluded %.3g of dose (t_b %.2f h, t_c %.2f h, b %.3g, c %.3g); "
      "occluded %.3g (t_b %.1f h, t_c %.1f h, b %.3g, c %.3g)\n",
      *a.samples.back().fraction_of_dose, a.barrier_half_life.in(h), a.closure_half_life.in(h),
      a.samples.back().barrier_state, a.samples.back().closure_state, *b.samples.back().fraction_of_dose,
      b.barrier_half_life.in(h), b.closure_half_life.in(h), b.samples.back().barrier_state,
      b.samples.back().closure_state);
}

TEST(TransportModel, LongAfterNeedlingTheChannelsAreGoneAndSkinIsIntact) {
  // Applied 10 days after needling (b, c ~ 1e-9): the needled cell equals intact skin.
  auto in = pen_inputs("caffeine", 21);
  in.application_delay = 240 * h;
  const auto r = transport::simulate_transport(in, tissue());
  for (const auto& s : r.samples) EXPECT_NEAR(*s.enhancement, 1.0, 0.01) << s.time.in(h) << " h";
}

// ------------------------------------------------------------------------------ speed

TEST(TransportModel, FastCellRunsOneHourOfVitaminCInMilliseconds) {
  auto in = pen_inputs("vitamin_c", 150);
  in.duration = 1 * h;
  in.output_times = {1 * h};
  auto o = transport::TransportOptions::fast();
  o.reference_intact = false;
  double best_ms = 1e9, best_with_reference_ms = 1e9;
  transport::TransportResult r;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    r = transport::simulate_transport(in, tissue(), o);
    const auto t1 = std::chrono::steady_clock::now();
    auto with_reference = o;
    with_reference.reference_intact = true;
    (void)transport::simulate_transport(in, tissue(), with_reference);
    const auto t2 = std::chrono::steady_clock::now();
    best_ms = std::min(best_ms, std::chrono::duration<double, std::milli>(t1 - t0).count());
    best_with_reference_ms =
        std::min(best_with_reference_ms, std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  std::printf(
      "[transport] fast cell, vitamin C, 1 h: %.2f ms (best of 5; %zu cells, %zu steps, %zu linear "
      "iterations); with the intact reference run %.2f ms; delivered %.5g ug/cm2\n",
      best_ms, r.stats.cells, r.stats.steps, r.stats.linear_iterations, best_with_reference_ms,
      ug(r.samples.back().amounts.delivered()));
#ifdef NDEBUG
  EXPECT_LT(best_ms, 50.0);  // target 10 ms in Release; headroom for a loaded machine
#endif
}

}  // namespace
}  // namespace nw
