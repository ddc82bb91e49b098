#include "needlework/skin/skin.hpp"

#include <fmt/format.h>
#include <algorithm>

namespace nw::skin {

namespace param = core::param;
using core::ConfigTable;
using core::TableSpec;

std::string Skin::layer_at(Length z) const {
  const auto& l = layers;
  if (z < l.stratum_corneum) return "stratum_corneum";
  if (z < l.epidermis()) return "viable_epidermis";
  if (z < l.epidermis() + l.papillary_dermis) return "papillary_dermis";
  if (z < l.dermis_bottom()) return "reticular_dermis";
  return "hypodermis";
}

namespace {

constexpr const char* kLayerKeys[] = {"stratum_corneum", "viable_epidermis", "papillary_dermis", "reticular_dermis",
                                      "hypodermis"};

std::shared_ptr<const TableSpec> sex_spec(const char* name) {
  std::vector<core::ParamSpec> params;
  for (const char* k : kLayerKeys) params.push_back(param::measure(k, core::dim::length, "layer thickness"));
  for (const char* k : {"capillary_loop_depth", "bleeding_depth", "deep_plexus_depth"}) {
    params.push_back(param::measure(k, core::dim::length, "derived depth (recomputed by the code; kept for reading)"));
  }
  for (const char* k : {"stratum_corneum_age_slope", "epidermis_age_slope", "dermis_age_slope"}) {
    params.push_back(param::measure(k, core::dim::frequency, "relative change per year after the reference age"));
  }
  return std::make_shared<TableSpec>(TableSpec{name, "layers of one sex", params});
}

std::shared_ptr<const TableSpec> make_spec() {
  auto mechanics = std::make_shared<TableSpec>(
      TableSpec{"mechanics",
                "tissue mechanics",
                {
                    param::measure("epidermis_modulus", core::dim::pressure, "epidermis Young's modulus"),
                    param::measure("dermis_modulus", core::dim::pressure, "dermis modulus under normal loading"),
                    param::measure("hypodermis_modulus", core::dim::pressure, "hypodermis modulus"),
                    param::measure("prestress", core::dim::pressure, "in-plane dermal pre-stress"),
                }});
  auto site = std::make_shared<TableSpec>(TableSpec{
      "site",
      "a body site",
      {
          core::required(param::text("name", std::nullopt, "site name"), "\"cheek\""),
          core::required(param::word("region", {{"face", ""}, {"neck", ""}, {"trunk", ""}, {"limb", ""}, {"scalp", ""}},
                                     "", "body region"),
                         "\"face\""),
          param::text("clinical_area", "", "rules.json area id"),
          param::text("note", "", "remarks"),
          core::required(param::table("female", sex_spec("female"), "women"), ""),
          core::required(param::table("male", sex_spec("male"), "men"), ""),
          core::required(param::table("mechanics", mechanics, "mechanics"), ""),
      }});
  auto reference = std::make_shared<TableSpec>(TableSpec{
      "reference",
      "state the numbers describe",
      {
          core::required(param::quantity("age", core::dim::time, "", "18 yr", "90 yr", "reference age"), "\"35 yr\""),
          param::any("bmi", "reference body-mass index"),
          param::text("basis", "", "thickness basis"),
          param::text("note", "", "remarks"),
      }});
  auto doc_table = [](const char* name, std::vector<core::ParamSpec> extra) {
    std::vector<core::ParamSpec> params{param::text("rule", "", "the rule in words"),
                                        param::text("note", "", "remarks")};
    for (auto& p : extra) params.push_back(std::move(p));
    return std::make_shared<TableSpec>(TableSpec{name, "a model rule", params});
  };
  auto model = std::make_shared<TableSpec>(TableSpec{
      "model",
      "global model rules",
      {
          core::required(
              param::table("papillary_fraction",
                           doc_table("papillary_fraction",
                                     {param::measure("value", core::dim::none, "papillary share of the dermis")}),
                           ""),
              ""),
          core::required(param::table("capillary_loop_depth",
                                      doc_table("capillary_loop_depth",
                                                {param::measure("fraction", core::dim::none,
                                                                "loop apex depth into the papillary dermis")}),
                                      ""),
                         ""),
          core::required(
              param::table("bleeding_depth",
                           doc_table("bleeding_depth",
                                     {param::measure("c_bleed", core::dim::none, "bleeding depth factor"),
                                      param::measure("between_channel_cv", core::dim::none, "between-channel spread")}),
                           ""),
              ""),
          core::required(param::table("deep_plexus_depth", doc_table("deep_plexus_depth", {}), ""), ""),
          core::required(
              param::table(
                  "insertion",
                  std::make_shared<TableSpec>(TableSpec{
                      "insertion",
                      "insertion priors",
                      {
                          param::measure("retardation_time", core::dim::time, "Kelvin-Voigt retardation time"),
                          param::measure("depth_recoil", core::dim::none, "depth lost when the needle leaves"),
                          param::measure("radial_recoil", core::dim::none, "radius lost when the needle leaves"),
                          param::measure("damage_rim", core::dim::length, "crushed tissue around the track"),
                          param::measure("poisson_ratio", core::dim::none, "Poisson ratio"),
                      }}),
                  ""),
              ""),
      }});
  return std::make_shared<TableSpec>(
      TableSpec{"",
                "needlework site library",
                {
                    core::required(param::text("schema", std::nullopt, "format"), "\"needlework-sites/1\""),
                    param::any("source", "sources not in calibration.csv"),
                    core::required(param::table("reference", reference, "reference state"), ""),
                    param::any("corrections", "corrections already applied (documentation)"),
                    core::required(param::table("model", model, "model rules"), ""),
                    param::table_array("site", site, "sites"),
                }});
}

LayerStack read_layers(const ConfigTable& t, bool sd) {
  const auto get = [&](const char* key) {
    const auto m = core::read_measure(t, key);
    return Length::from_si(sd ? m.sd : m.mean);
  };
  return {get("stratum_corneum"), get("viable_epidermis"), get("papillary_dermis"), get("reticular_dermis"),
          get("hypodermis")};
}

}  // namespace

const TableSpec& SiteLibrary::spec() {
  static const auto s = make_spec();
  return *s;
}

SiteLibrary::SiteLibrary(std::vector<SiteRecord> sites, TissueModel model, core::Time reference_age)
    : sites_(std::move(sites)), model_(model), reference_age_(reference_age) {}

SiteLibrary SiteLibrary::from_config(const ConfigTable& v) {
  const auto& model = v.get_table("model");
  const auto& insertion = model.get_table("insertion");
  TissueModel m;
  m.capillary_loop_fraction = core::read_measure(model.get_table("capillary_loop_depth"), "fraction").mean;
  m.bleeding_factor = core::read_measure(model.get_table("bleeding_depth"), "c_bleed").mean;
  m.bleeding_log_sd = core::read_measure(model.get_table("bleeding_depth"), "between_channel_cv").mean;
  m.retardation_time = core::Time::from_si(core::read_measure(insertion, "retardation_time").mean);
  m.depth_recoil = core::read_measure(insertion, "depth_recoil").mean;
  m.radial_recoil = core::read_measure(insertion, "radial_recoil").mean;
  m.damage_rim = Length::from_si(core::read_measure(insertion, "damage_rim").mean);
  m.poisson_ratio = core::read_measure(insertion, "poisson_ratio").mean;
  std::vector<SiteRecord> sites;
  for (const auto& item : v.get_array("site")) {
    const auto& t = *item.get_if<ConfigTable>();
    SiteRecord r;
    r.name = t.get_text("name");
    r.region = t.get_text("region");
    for (const auto sex : {Sex::female, Sex::male}) {
      const auto& s = t.get_table(sex == Sex::female ? "female" : "male");
      const auto i = static_cast<int>(sex);
      r.layers[i] = read_layers(s, false);
      r.layers_sd[i] = read_layers(s, true);
      r.age_slope_sc[i] = core::read_measure(s, "stratum_corneum_age_slope").mean * core::units::yr.si();
      r.age_slope_epidermis[i] = core::read_measure(s, "epidermis_age_slope").mean * core::units::yr.si();
      r.age_slope_dermis[i] = core::read_measure(s, "dermis_age_slope").mean * core::units::yr.si();
    }
    const auto& mech = t.get_table("mechanics");
    const auto pressure = [&](const char* k) { return Pressure::from_si(core::read_measure(mech, k).mean); };
    r.mechanics = {pressure("epidermis_modulus"), pressure("dermis_modulus"), pressure("hypodermis_modulus"),
                   pressure("prestress")};
    sites.push_back(std::move(r));
  }
  return SiteLibrary(std::move(sites), m, v.get_table("reference").get<core::dim::time>("age"));
}

std::vector<std::string> SiteLibrary::site_names() const {
  std::vector<std::string> out;
  for (const auto& s : sites_) out.push_back(s.name);
  return out;
}

Skin SiteLibrary::skin_at(const std::string& site, Sex sex, core::Time age) const {
  const auto it = std::find_if(sites_.begin(), sites_.end(), [&](const SiteRecord& r) { return r.name == site; });
  if (it == sites_.end())
    core::raise(core::ErrorCode::internal, fmt::arg("reason", fmt::format("unknown site '{}'", site)));
  const auto i = static_cast<int>(sex);
  const double years = std::max(0.0, (age - reference_age_).in(core::units::yr));
  const auto scale = [years](double slope) { return std::max(0.2, 1.0 + slope * years); };
  Skin s;
  s.site = site;
  s.layers = it->layers[i];
  s.layers.stratum_corneum = s.layers.stratum_corneum * scale(it->age_slope_sc[i]);
  s.layers.viable_epidermis = s.layers.viable_epidermis * scale(it->age_slope_epidermis[i]);
  s.layers.papillary_dermis = s.layers.papillary_dermis * scale(it->age_slope_dermis[i]);
  s.layers.reticular_dermis = s.layers.reticular_dermis * scale(it->age_slope_dermis[i]);
  s.mechanics = it->mechanics;
  s.model = model_;
  const auto& l = s.layers;
  s.capillary_loop_depth = l.epidermis() + l.papillary_dermis * model_.capillary_loop_fraction;
  s.bleeding_depth = (l.epidermis() + l.papillary_dermis) * model_.bleeding_factor;
  s.deep_plexus_depth = l.dermis_bottom();
  return s;
}

}  // namespace nw::skin

namespace nw::skin {

namespace {

std::shared_ptr<const core::TableSpec> make_lesion_spec() {
  using core::TableSpec;
  auto lesion = std::make_shared<TableSpec>(TableSpec{
      "lesion",
      "a lesion geometry",
      {
          core::required(core::param::text("name", std::nullopt, "lesion name"), "\"icepick\""),
          core::required(core::param::text("concern", std::nullopt, "scenario concern"), "\"acne_scars\""),
          core::required(
              core::param::word("shape",
                                {{"cone", ""}, {"box", ""}, {"bowl", ""}, {"groove", ""}, {"band", ""}, {"pit", ""}},
                                "", "cross-section"),
              "\"cone\""),
          core::param::measure("width", core::dim::length, "surface width"),
          core::param::measure("depth", core::dim::length, "depth below the surrounding surface"),
          core::param::measure("dermis_factor", core::dim::none, "dermal thickness under the lesion / normal"),
          core::param::fact("tethered", "fibrous bands to the subcutis"),
      }});
  return std::make_shared<TableSpec>(
      TableSpec{"",
                "needlework lesion library",
                {
                    core::required(core::param::text("schema", std::nullopt, "format"), "\"needlework-lesions/1\""),
                    core::param::any("source", "sources"),
                    core::param::table_array("lesion", lesion, "lesions"),
                }});
}

LesionShape parse_shape(const std::string& s) {
  if (s == "cone") return LesionShape::cone;
  if (s == "box") return LesionShape::box;
  if (s == "groove") return LesionShape::groove;
  if (s == "band") return LesionShape::band;
  if (s == "pit") return LesionShape::pit;
  return LesionShape::bowl;
}

}  // namespace

std::string_view to_string(LesionShape s) {
  switch (s) {
    case LesionShape::cone:
      return "cone";
    case LesionShape::box:
      return "box";
    case LesionShape::bowl:
      return "bowl";
    case LesionShape::groove:
      return "groove";
    case LesionShape::band:
      return "band";
    case LesionShape::pit:
      return "pit";
  }
  return "bowl";
}

const core::TableSpec& LesionLibrary::spec() {
  static const auto s = make_lesion_spec();
  return *s;
}

LesionLibrary LesionLibrary::from_config(const core::ConfigTable& v) {
  std::vector<Lesion> lesions;
  for (const auto& item : v.get_array("lesion")) {
    const auto& t = *item.get_if<core::ConfigTable>();
    lesions.push_back({t.get_text("name"), t.get_text("concern"), parse_shape(t.get_text("shape")),
                       core::read_measure(t, "width"), core::read_measure(t, "depth"),
                       core::read_measure(t, "dermis_factor"), core::read_fact_text(t, "tethered") == "yes"});
  }
  return LesionLibrary(std::move(lesions));
}

const Lesion* LesionLibrary::for_concern(const std::string& concern, const std::string& scar_type) const {
  const std::string name = concern == "acne_scars"       ? (scar_type.empty() ? "mixed" : scar_type)
                           : concern == "wrinkles"       ? "wrinkle"
                           : concern == "stretch_marks"  ? "stretch_mark"
                           : concern == "enlarged_pores" ? "enlarged_pore"
                                                         : "";
  for (const auto& l : lesions_) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

}  // namespace nw::skin
