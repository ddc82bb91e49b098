// Actives and tissue rules of the transport stage: schemas of data/transport/actives.toml and
// data/transport/tissue.toml, and the rules that turn an active's molecular weight, log P and
// size into per-layer coefficients (docs/model/transport.md sections 2-5; equations in
// actives.hpp).

#include "needlework/transport/actives.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace nw::transport {

namespace param = core::param;
using core::ConfigTable;
using core::ErrorCode;
using core::TableSpec;

namespace {

// Physical constants and the water properties quoted by the data files' rule strings
// (actives.toml header and [reference].free_diffusivity_rule). They are properties of water and
// SI constants, not model parameters; the rule strings carry their sources (SRC-RIB06).
constexpr double kBoltzmann = 1.380649e-23;          // J/K (exact, SI 2019)
constexpr double kCelsiusOffset = 273.15;            // K
constexpr double kWaterViscosity32C = 0.765e-3;      // Pa s at 32 C (actives.toml header)
constexpr double kGlucoseDiffusivity25C = 0.673e-9;  // m^2/s at 25 C (SRC-RIB06)
constexpr double kGlucoseMolarMass = 180.16e-3;      // kg/mol
constexpr double kTemperatureFactor25To32 = 1.191;   // (T/eta)(32 C) / (T/eta)(25 C), rule string
constexpr double kPi = 3.14159265358979323846;
constexpr double kCmPerS = 1e-2;  // m/s per cm/s
// Numerical flush: a Potts-Guy lipid permeability below 1e-30 m/s (4e-26 cm/h; macromolecules,
// where eq. 3 gives 1e-300 and less) is set to 0, so that "no intact route" is exact.
constexpr double kMinPermeability_m_per_s = 1e-30;

[[noreturn]] void inconsistent(const core::SourceLoc& where, const std::string& key, const std::string& message) {
  throw core::Error(std::vector<core::Diagnostic>{
      core::make_diagnostic(ErrorCode::cfg_consistency, where, key, fmt::arg("message", message))});
}

std::shared_ptr<TableSpec> table_of(const char* name, const char* doc, std::vector<core::ParamSpec> params) {
  return std::make_shared<TableSpec>(TableSpec{name, doc, std::move(params)});
}

core::ParamSpec rule_text(const char* key) { return param::text(key, "", "the rule in words (documentation)"); }

// ------------------------------------------------------------------------------- actives.toml

std::shared_ptr<const TableSpec> make_actives_spec() {
  using core::dim::diffusivity;
  using core::dim::frequency;
  using core::dim::length;
  using core::dim::mass_concentration;
  using core::dim::molar_mass;
  using core::dim::none;
  using core::dim::velocity;
  auto active = table_of(
      "active", "one topical active",
      {
          core::required(param::text("name", std::nullopt, "scenario word of [topical].active"), "\"vitamin_c\""),
          param::text("display_name", "", "name for reports"),
          param::text("class", "", "small_hydrophilic, macromolecule, ..."),
          param::text("note", "", "remarks"),
          param::measure("molecular_weight", molar_mass, "molecular weight"),
          param::measure("log_p", none, "octanol/water log P"),
          param::measure("water_solubility", mass_concentration, "caps the donor's aqueous-equivalent concentration"),
          param::measure("free_diffusivity", diffusivity, "diffusivity in water at the reference temperature"),
          param::measure("hydrodynamic_radius", length, "Stokes-Einstein or viscometric radius"),
          param::measure("typical_concentration", none, "usual strength of a serum"),
          param::measure("typical_dose", length, "usual volume applied per area"),
          param::measure("partition_stratum_corneum", none, "derived: K_sc (recomputed by the code)"),
          param::measure("partition_viable", none, "derived: K_v (recomputed)"),
          param::measure("hindrance_epidermis", none, "derived: D_epidermis / D_free (recomputed)"),
          param::measure("hindrance_dermis", none, "derived: D_dermis / D_free (recomputed)"),
          param::measure("kp_intact", velocity, "derived: intact SC permeability (recomputed)"),
          param::measure("kp_polar", velocity, "derived: polar-pathway permeability (recomputed)"),
          param::measure("capillary_clearance_rate", frequency, "derived: papillary clearance rate (recomputed)"),
      });
  auto reference =
      table_of("reference", "state the numbers describe",
               {
                   param::measure("temperature", none, "degrees Celsius"),
                   param::text("vehicle", "", "vehicle the numbers describe"),
                   param::text("free_diffusivity_rule", "", "rule for actives without a measured diffusivity"),
               });
  return table_of("", "needlework active library",
                  {
                      core::required(param::text("schema", std::nullopt, "format"), "\"needlework-actives/1\""),
                      param::any("source", "sources not defined elsewhere"),
                      core::required(param::table("reference", reference, "reference state"), ""),
                      param::any("aliases", "scenario word -> library name"),
                      param::table_array("active", active, "actives"),
                  });
}

// ------------------------------------------------------------------------------- tissue.toml

std::shared_ptr<const TableSpec> make_tissue_spec() {
  using core::dim::frequency;
  using core::dim::length;
  using core::dim::none;
  using core::dim::time;
  using core::dim::velocity;
  const auto hindrance = [](const char* name) {
    return table_of(name, "size-dependent hindrance of a viable layer",
                    {param::measure("small_molecule_hindrance", none, "F0 = D/D_free as r_h -> 0"),
                     param::measure("obstruction_radius", length, "r_c")});
  };
  auto reference = table_of("reference", "reference state", {param::measure("temperature", none, "degrees Celsius")});
  auto sc = table_of("stratum_corneum", "intact stratum corneum",
                     {
                         rule_text("rule_kp"),
                         rule_text("rule_partition"),
                         rule_text("rule_diffusivity"),
                         param::measure("potts_guy_intercept", none, "a, log10 kp in cm/s"),
                         param::measure("potts_guy_log_kow_slope", none, "b"),
                         param::measure("potts_guy_mw_slope", none, "c, per g/mol"),
                         param::measure("partition_floor", none, "lower bound of K_sc"),
                         param::measure("polar_porosity_over_tortuosity", none, "eps/tau of the polar pathway"),
                         param::measure("polar_path_length", length, "L_polar"),
                         param::measure("polar_pore_radius", length, "r_pore"),
                     });
  auto junction = table_of("dermal_epidermal_junction", "optional basement-membrane layer",
                           {
                               param::boolean("enabled", false, "add the layer"),
                               param::measure("thickness", length, "thickness"),
                               param::measure("relative_diffusivity", none, "D_DEJ / D_epidermis"),
                           });
  auto viable =
      table_of("viable_tissue", "viable epidermis, dermis, hypodermis",
               {
                   rule_text("rule_partition"),
                   rule_text("rule_diffusivity"),
                   param::measure("water_fraction", none, "f_w"),
                   param::measure("lipid_coefficient", none, "k_lip"),
                   param::measure("lipid_exponent", none, "n_lip"),
                   core::required(param::table("epidermis", hindrance("epidermis"), "viable epidermis"), ""),
                   core::required(param::table("dermis", hindrance("dermis"), "dermis"), ""),
                   core::required(param::table("hypodermis", hindrance("hypodermis"), "hypodermis"), ""),
                   core::required(param::table("dermal_epidermal_junction", junction, "optional junction layer"), ""),
               });
  auto channel = table_of("channel", "open micro-channel mouth and lumen",
                          {
                              rule_text("rule_mouth"),
                              rule_text("rule_lumen"),
                              rule_text("rule_conservation"),
                              param::measure("lumen_partition", none, "K_l"),
                              param::measure("lumen_hindrance", none, "h_l = D_lumen / D_free"),
                              param::measure("damage_rim_in_stratum_corneum", length, "extra SC ring treated as mouth"),
                          });
  auto barrier = table_of("barrier", "barrier state b(t)",
                          {rule_text("rule"), param::measure("half_life", time, "t_b, unoccluded"),
                           param::measure("recovered_fraction", none, "state read as recovered")});
  auto closure =
      table_of("closure", "channel lumen state c(t)",
               {rule_text("rule"), param::measure("reference_closure_time", time, "t_close at the reference radius"),
                param::measure("reference_radius", length, "r_ref"), param::measure("radius_exponent", none, "n")});
  auto occlusion = table_of("occlusion", "covered site",
                            {rule_text("rule"), param::measure("factor", none, "factor on both half-lives")});
  auto clearance = table_of("clearance", "capillary and lymphatic sink",
                            {
                                rule_text("rule"),
                                core::required(param::word("sink_layer", {{"papillary_dermis", "the capillary layer"}},
                                                           "", "layer holding the full capillary sink"),
                                               "\"papillary_dermis\""),
                                param::text("sink_layer_note", "", "remarks"),
                                param::measure("capillary_rate", frequency, "k_cap"),
                                param::measure("capillary_pore_radius", length, "r_cap"),
                                param::measure("reticular_fraction", none, "reticular sink / papillary sink"),
                                param::measure("lymphatic_rate", frequency, "k_lymph"),
                            });
  auto donor = table_of("donor", "vehicle on the skin",
                        {rule_text("rule"), param::measure("vehicle_partition", none, "vehicle/water partition"),
                         param::measure("evaporation_rate", velocity, "film thinning rate (option)"),
                         param::measure("non_volatile_fraction", none, "film fraction that stays")});
  return table_of(
      "", "needlework transport tissue rules",
      {
          core::required(param::text("schema", std::nullopt, "format"), "\"needlework-transport-tissue/1\""),
          param::any("source", "sources not defined elsewhere"),
          core::required(param::table("reference", reference, "reference state"), ""),
          core::required(param::table("stratum_corneum", sc, "intact stratum corneum"), ""),
          core::required(param::table("viable_tissue", viable, "viable tissue"), ""),
          core::required(param::table("channel", channel, "channels"), ""),
          core::required(param::table("barrier", barrier, "barrier state"), ""),
          core::required(param::table("closure", closure, "closure state"), ""),
          core::required(param::table("occlusion", occlusion, "occlusion"), ""),
          core::required(param::table("clearance", clearance, "clearance"), ""),
          core::required(param::table("donor", donor, "donor"), ""),
      });
}

// Reads measures of one table and records their sources under "table.key".
struct MeasureReader {
  TissueRules& rules;
  const ConfigTable& table;
  std::string path;
  double operator()(const char* key) const {
    const auto m = core::read_measure(table, key);
    rules.sources.emplace_back(path + "." + key, m.sources);
    return m.mean;
  }
};

}  // namespace

// ------------------------------------------------------------------------------- ActiveLibrary

ActiveLibrary::ActiveLibrary(std::vector<ActiveRecord> actives,
                             std::vector<std::pair<std::string, std::string>> aliases, double reference_temperature_c)
    : actives_(std::move(actives)), aliases_(std::move(aliases)), reference_temperature_c_(reference_temperature_c) {}

const TableSpec& ActiveLibrary::spec() {
  static const auto s = make_actives_spec();
  return *s;
}

ActiveLibrary ActiveLibrary::from_config(const ConfigTable& v) {
  std::vector<ActiveRecord> actives;
  for (const auto& item : v.get_array("active")) {
    const auto& t = *item.get_if<ConfigTable>();
    ActiveRecord r;
    r.name = t.get_text("name");
    for (const auto& other : actives) {
      if (other.name == r.name)
        inconsistent(t.where_of("name"), "active.name", fmt::format("active '{}' is listed twice", r.name));
    }
    r.display_name = t.get_text("display_name");
    r.active_class = t.get_text("class");
    const auto m = [&](const char* key) { return core::read_measure(t, key); };
    r.molecular_weight = m("molecular_weight");
    r.log_p = m("log_p");
    r.water_solubility = m("water_solubility");
    r.free_diffusivity = m("free_diffusivity");
    r.hydrodynamic_radius = m("hydrodynamic_radius");
    r.typical_concentration = m("typical_concentration");
    r.typical_dose = m("typical_dose");
    r.partition_stratum_corneum = m("partition_stratum_corneum");
    r.partition_viable = m("partition_viable");
    r.hindrance_epidermis = m("hindrance_epidermis");
    r.hindrance_dermis = m("hindrance_dermis");
    r.kp_intact = m("kp_intact");
    r.kp_polar = m("kp_polar");
    r.capillary_clearance_rate = m("capillary_clearance_rate");
    if (!(r.molecular_weight.mean > 0 && r.free_diffusivity.mean > 0 && r.hydrodynamic_radius.mean > 0 &&
          r.water_solubility.mean > 0)) {
      inconsistent(t.where, "active",
                   fmt::format("active '{}': molecular_weight, water_solubility, free_diffusivity and "
                               "hydrodynamic_radius must be > 0",
                               r.name));
    }
    actives.push_back(std::move(r));
  }
  std::vector<std::pair<std::string, std::string>> aliases;
  if (v.contains("aliases")) {
    const auto* table = v.find("aliases")->get_if<ConfigTable>();
    if (!table) inconsistent(v.where_of("aliases"), "aliases", "'aliases' must be a table of word = \"name\"");
    for (const auto& e : table->entries()) {
      const auto* target = e.value.get_if<std::string>();
      const std::string key = "aliases." + e.key;
      if (!target) inconsistent(e.value.where(), key, fmt::format("alias '{}' must name an active (a string)", e.key));
      const auto named = [&](const std::string& n) {
        return std::any_of(actives.begin(), actives.end(), [&](const ActiveRecord& r) { return r.name == n; });
      };
      if (!named(*target)) {
        inconsistent(e.value.where(), key, fmt::format("alias '{}' names no active: '{}'", e.key, *target));
      }
      if (named(e.key)) {
        inconsistent(e.key_where, key, fmt::format("alias '{}' shadows the active of the same name", e.key));
      }
      aliases.emplace_back(e.key, *target);
    }
  }
  const double temperature = core::read_measure(v.get_table("reference"), "temperature").mean;
  return ActiveLibrary(std::move(actives), std::move(aliases), temperature);
}

const ActiveRecord* ActiveLibrary::find(std::string_view word) const {
  std::string_view name = word;
  for (const auto& [alias, target] : aliases_) {
    if (alias == word) name = target;
  }
  for (const auto& r : actives_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::vector<std::string> ActiveLibrary::words() const {
  std::vector<std::string> out;
  for (const auto& r : actives_) out.push_back(r.name);
  for (const auto& a : aliases_) out.push_back(a.first);
  return out;
}

// ------------------------------------------------------------------------------- TissueRules

const TableSpec& TissueRules::spec() {
  static const auto s = make_tissue_spec();
  return *s;
}

TissueRules TissueRules::from_config(const ConfigTable& v) {
  TissueRules r;
  const auto reader = [&r](const ConfigTable& t, std::string path) { return MeasureReader{r, t, std::move(path)}; };
  r.reference_temperature_c = reader(v.get_table("reference"), "reference")("temperature");

  const auto& sct = v.get_table("stratum_corneum");
  const auto sc = reader(sct, "stratum_corneum");
  r.stratum_corneum.potts_guy_intercept = sc("potts_guy_intercept");
  r.stratum_corneum.potts_guy_log_kow_slope = sc("potts_guy_log_kow_slope");
  r.stratum_corneum.potts_guy_mw_slope = sc("potts_guy_mw_slope");
  r.stratum_corneum.partition_floor = sc("partition_floor");
  r.stratum_corneum.polar_porosity_over_tortuosity = sc("polar_porosity_over_tortuosity");
  r.stratum_corneum.polar_path_length = Length::from_si(sc("polar_path_length"));
  r.stratum_corneum.polar_pore_radius = Length::from_si(sc("polar_pore_radius"));

  const auto& vt = v.get_table("viable_tissue");
  const auto vr = reader(vt, "viable_tissue");
  r.viable.water_fraction = vr("water_fraction");
  r.viable.lipid_coefficient = vr("lipid_coefficient");
  r.viable.lipid_exponent = vr("lipid_exponent");
  const auto layer = [&](const char* name) {
    const auto lr = reader(vt.get_table(name), std::string("viable_tissue.") + name);
    return LayerHindrance{lr("small_molecule_hindrance"), Length::from_si(lr("obstruction_radius"))};
  };
  r.viable.epidermis = layer("epidermis");
  r.viable.dermis = layer("dermis");
  r.viable.hypodermis = layer("hypodermis");
  const auto& dej = vt.get_table("dermal_epidermal_junction");
  const auto jr = reader(dej, "viable_tissue.dermal_epidermal_junction");
  r.viable.junction_enabled = dej.get_bool("enabled");
  r.viable.junction_thickness = Length::from_si(jr("thickness"));
  r.viable.junction_relative_diffusivity = jr("relative_diffusivity");

  const auto ch = reader(v.get_table("channel"), "channel");
  r.channel.lumen_partition = ch("lumen_partition");
  r.channel.lumen_hindrance = ch("lumen_hindrance");
  r.channel.damage_rim = Length::from_si(ch("damage_rim_in_stratum_corneum"));

  const auto ba = reader(v.get_table("barrier"), "barrier");
  r.barrier.half_life = Time::from_si(ba("half_life"));
  r.barrier.recovered_fraction = ba("recovered_fraction");

  const auto cl = reader(v.get_table("closure"), "closure");
  r.closure.reference_closure_time = Time::from_si(cl("reference_closure_time"));
  r.closure.reference_radius = Length::from_si(cl("reference_radius"));
  r.closure.radius_exponent = cl("radius_exponent");

  r.occlusion_factor = reader(v.get_table("occlusion"), "occlusion")("factor");

  const auto cr = reader(v.get_table("clearance"), "clearance");
  r.clearance.capillary_rate = Frequency::from_si(cr("capillary_rate"));
  r.clearance.capillary_pore_radius = Length::from_si(cr("capillary_pore_radius"));
  r.clearance.reticular_fraction = cr("reticular_fraction");
  r.clearance.lymphatic_rate = Frequency::from_si(cr("lymphatic_rate"));

  const auto dn = reader(v.get_table("donor"), "donor");
  r.donor.vehicle_partition = dn("vehicle_partition");
  r.donor.evaporation_rate = Velocity::from_si(dn("evaporation_rate"));
  r.donor.non_volatile_fraction = dn("non_volatile_fraction");

  // Values the model divides by or takes logarithms of.
  const auto positive = [&](bool ok, const char* key, const char* what) {
    if (!ok) inconsistent(v.where, key, fmt::format("'{}' must be {}", key, what));
  };
  positive(r.stratum_corneum.partition_floor > 0, "stratum_corneum.partition_floor", "> 0");
  positive(r.stratum_corneum.polar_path_length.si() > 0 && r.stratum_corneum.polar_pore_radius.si() > 0,
           "stratum_corneum.polar_path_length", "> 0 (and polar_pore_radius > 0)");
  positive(r.viable.water_fraction > 0, "viable_tissue.water_fraction", "> 0");
  for (const auto* l : {&r.viable.epidermis, &r.viable.dermis, &r.viable.hypodermis}) {
    positive(l->small_molecule_hindrance > 0 && l->obstruction_radius.si() > 0, "viable_tissue.<layer>",
             "> 0 (small_molecule_hindrance and obstruction_radius)");
  }
  positive(r.channel.lumen_partition > 0 && r.channel.lumen_hindrance > 0, "channel.lumen_partition",
           "> 0 (and lumen_hindrance > 0)");
  positive(
      r.barrier.half_life.si() > 0 && r.closure.reference_closure_time.si() > 0 && r.closure.reference_radius.si() > 0,
      "barrier.half_life", "> 0 (and closure times and radius > 0)");
  positive(r.barrier.recovered_fraction > 0 && r.barrier.recovered_fraction < 1, "barrier.recovered_fraction",
           "between 0 and 1");
  positive(r.occlusion_factor > 0, "occlusion.factor", "> 0");
  positive(r.clearance.capillary_pore_radius.si() > 0, "clearance.capillary_pore_radius", "> 0");
  positive(r.donor.vehicle_partition > 0, "donor.vehicle_partition", "> 0");
  return r;
}

Time TissueRules::barrier_half_life(bool occluded) const {
  return barrier.half_life * (occluded ? occlusion_factor : 1.0);
}

Time TissueRules::recovery_time(Time half_life) const {
  return half_life * std::log2(1.0 / barrier.recovered_fraction);
}

Time TissueRules::closure_half_life(Length surface_radius, bool occluded) const {
  const double ratio = surface_radius.si() / closure.reference_radius.si();
  const Time t_close = closure.reference_closure_time * std::pow(std::max(ratio, 0.0), closure.radius_exponent);
  return t_close / std::log2(1.0 / barrier.recovered_fraction) * (occluded ? occlusion_factor : 1.0);
}

// ------------------------------------------------------------------------------- rules

double renkin_hindrance(double lambda) {
  if (!(lambda < 1)) return 0.0;
  const double l = std::max(lambda, 0.0);
  const double l3 = l * l * l;
  return (1 - l) * (1 - l) * (1 - 2.104 * l + 2.09 * l3 - 0.95 * l3 * l * l);
}

Diffusivity free_diffusivity_rule(MolarMass molecular_weight) {
  return Diffusivity::from_si(kGlucoseDiffusivity25C * std::cbrt(kGlucoseMolarMass / molecular_weight.si()) *
                              kTemperatureFactor25To32);
}

Length stokes_einstein_radius(Diffusivity free_diffusivity, double temperature_c) {
  if (std::abs(temperature_c - 32.0) > 1e-9) {
    core::raise(
        ErrorCode::internal,
        fmt::arg("reason", fmt::format("Stokes-Einstein radius: water viscosity is known at 32 C only (got {} C)",
                                       temperature_c)));
  }
  const double kt = kBoltzmann * (temperature_c + kCelsiusOffset);
  return Length::from_si(kt / (6 * kPi * kWaterViscosity32C * free_diffusivity.si()));
}

Diffusivity Active::diffusivity_stratum_corneum(Length sc_thickness) const {
  return Diffusivity::from_si(kp_intact.si() * sc_thickness.si() / partition_stratum_corneum);
}

Active derive_active(const ActiveInputs& in, const TissueRules& rules) {
  if (!(in.molecular_weight.si() > 0) || !std::isfinite(in.log_p)) {
    core::raise(ErrorCode::internal, fmt::arg("reason", "derive_active: molecular weight must be > 0, log P finite"));
  }
  Active a;
  a.name = in.name;
  a.display_name = in.display_name.empty() ? in.name : in.display_name;
  a.custom = in.name == "custom";
  a.molecular_weight = in.molecular_weight;
  a.log_p = in.log_p;
  a.water_solubility = in.water_solubility;
  a.free_diffusivity = in.free_diffusivity ? *in.free_diffusivity : free_diffusivity_rule(in.molecular_weight);
  a.hydrodynamic_radius = in.hydrodynamic_radius
                              ? *in.hydrodynamic_radius
                              : stokes_einstein_radius(a.free_diffusivity, rules.reference_temperature_c);
  const double kow = std::pow(10.0, in.log_p);
  const double mw_g_per_mol = in.molecular_weight.in(core::units::g_per_mol);
  const double rh = a.hydrodynamic_radius.si();

  // Stratum corneum (eq. 3-5).
  const auto& sc = rules.stratum_corneum;
  const double log_kp =
      sc.potts_guy_intercept + sc.potts_guy_log_kow_slope * in.log_p + sc.potts_guy_mw_slope * mw_g_per_mol;
  const double kp_lipid = std::pow(10.0, log_kp) * kCmPerS;
  a.kp_lipid = Velocity::from_si(kp_lipid < kMinPermeability_m_per_s ? 0.0 : kp_lipid);
  a.kp_polar = Velocity::from_si(sc.polar_porosity_over_tortuosity * a.free_diffusivity.si() *
                                 renkin_hindrance(rh / sc.polar_pore_radius.si()) / sc.polar_path_length.si());
  a.kp_intact = a.kp_lipid + a.kp_polar;
  a.partition_stratum_corneum = std::max(std::pow(kow, sc.potts_guy_log_kow_slope), sc.partition_floor);

  // Viable tissue (eq. 7-8).
  const auto& v = rules.viable;
  a.partition_viable = v.water_fraction * (1 + v.lipid_coefficient * std::pow(kow, v.lipid_exponent));
  const auto hindrance = [rh](const LayerHindrance& h) {
    return h.small_molecule_hindrance * std::exp(-rh / h.obstruction_radius.si());
  };
  a.hindrance_epidermis = hindrance(v.epidermis);
  a.hindrance_dermis = hindrance(v.dermis);
  a.hindrance_hypodermis = hindrance(v.hypodermis);

  // Clearance (eq. 14).
  const auto& c = rules.clearance;
  const double capillary = c.capillary_rate.si() * renkin_hindrance(rh / c.capillary_pore_radius.si());
  a.clearance_papillary = Frequency::from_si(capillary + c.lymphatic_rate.si());
  a.clearance_reticular = Frequency::from_si(c.reticular_fraction * capillary + c.lymphatic_rate.si());
  a.clearance_hypodermis = c.lymphatic_rate;
  return a;
}

Active active_from_record(const ActiveRecord& r, const TissueRules& rules) {
  ActiveInputs in;
  in.name = r.name;
  in.display_name = r.display_name;
  in.molecular_weight = MolarMass::from_si(r.molecular_weight.mean);
  in.log_p = r.log_p.mean;
  in.water_solubility = MassConcentration::from_si(r.water_solubility.mean);
  in.free_diffusivity = Diffusivity::from_si(r.free_diffusivity.mean);
  in.hydrodynamic_radius = Length::from_si(r.hydrodynamic_radius.mean);
  Active a = derive_active(in, rules);
  for (const auto* m :
       {&r.molecular_weight, &r.log_p, &r.water_solubility, &r.free_diffusivity, &r.hydrodynamic_radius}) {
    for (const auto& s : m->sources) {
      if (std::find(a.sources.begin(), a.sources.end(), s) == a.sources.end()) a.sources.push_back(s);
    }
  }
  return a;
}

Active resolve_active(const ConfigTable& topical, const ActiveLibrary& library, const TissueRules& rules) {
  const std::string& word = topical.get_text("active");
  if (word != "custom") {
    const auto* record = library.find(word);
    if (!record) {
      inconsistent(topical.where_of("active"), "topical.active",
                   fmt::format("'topical.active' = \"{}\" is not in the active library", word));
    }
    return active_from_record(*record, rules);
  }
  if (!(topical.contains("molecular_weight") && topical.contains("log_p"))) {
    inconsistent(topical.where_of("active"), "topical.active",
                 "'topical.active' is \"custom\": give 'topical.molecular_weight' and 'topical.log_p'");
  }
  ActiveInputs in;
  in.name = "custom";
  in.display_name = "custom active";
  in.molecular_weight = topical.get<core::dim::molar_mass>("molecular_weight");
  in.log_p = topical.get_real("log_p");
  if (topical.contains("free_diffusivity"))
    in.free_diffusivity = topical.get<core::dim::diffusivity>("free_diffusivity");
  Active a = derive_active(in, rules);
  a.sources = {"scenario", "SRC-RIB06"};
  return a;
}

// ------------------------------------------------------------------------------- [topical]

std::string_view to_string(Schedule schedule) { return schedule == Schedule::daily ? "daily" : "session"; }

std::shared_ptr<const TableSpec> topical_spec(const ActiveLibrary& library) {
  std::vector<core::WordSpec> active_words;
  for (const auto& w : library.words()) active_words.push_back({w, ""});
  active_words.push_back({"custom", "give molecular_weight and log_p"});
  auto concentration =
      param::quantity("concentration", core::dim::none, "15 %", "0 %", "100 %", "concentration of the active");
  concentration.dimensions.push_back(core::dim::mass_concentration);
  concentration.quantity_name = "a fraction or a mass concentration";
  auto dose =
      param::quantity("dose", core::dim::length, "10 uL/cm2", "0.1 uL/cm2", "1000 uL/cm2", "volume applied per area");
  dose.quantity_name = "a volume per area";
  auto mw = core::optional_(param::quantity("molecular_weight", core::dim::molar_mass, "", "1 g/mol", "10000000 g/mol",
                                            "custom actives: molecular weight"));
  mw.example_text = "\"236 g/mol\"";
  auto log_p = core::optional_(param::real("log_p", std::nullopt, -10, 10, "custom actives: octanol-water log P"));
  log_p.example_text = "2.45";
  auto diffusivity = core::optional_(param::quantity("free_diffusivity", core::dim::diffusivity, "", "1e-12 cm2/s",
                                                     "1e-3 cm2/s", "custom actives: diffusivity in water"));
  diffusivity.example_text = "\"6e-6 cm2/s\"";
  auto schedule = param::word(
      "schedule",
      core::word_specs(
          {{"session", "applied once right after needling"},
           {"daily", "a home product applied once a day for the course (e.g. minoxidil, tranexamic acid)"}}),
      "session", "session: once right after needling; daily: a home product once a day for the course");
  return table_of(
      "topical", "an active applied after needling or daily at home",
      {
          core::required(param::word("active", active_words, "", "library name, or custom"), "\"vitamin_c\""),
          concentration,
          dose,
          param::boolean("occluded", false, "covered after application (slows channel closure)"),
          schedule,
          mw,
          log_p,
          diffusivity,
      });
}

void check_topical(const ConfigTable& topical, std::vector<core::Diagnostic>& out) {
  if (topical.get_text("active") == "custom" && !(topical.contains("molecular_weight") && topical.contains("log_p"))) {
    out.push_back(core::make_diagnostic(
        ErrorCode::cfg_consistency, topical.where_of("active"), "topical.active",
        fmt::arg("message", "'topical.active' is \"custom\": give 'topical.molecular_weight' and 'topical.log_p'")));
  }
}

Schedule schedule_from_topical(const ConfigTable& topical) {
  return topical.get_text("schedule") == "daily" ? Schedule::daily : Schedule::session;
}

}  // namespace nw::transport
