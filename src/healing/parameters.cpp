// Schema and reader of data/healing/parameters.toml (docs/model/healing.md, section 3).
// Every value is a sourced measure { mean, sd, source, basis, note }; times are written with
// their unit ("1.2 d") and converted to days here.

#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "needlework/core/error.hpp"
#include "needlework/healing/model.hpp"

namespace nw::healing {

using core::ConfigTable;
using core::ErrorCode;
using core::TableSpec;
namespace param = core::param;

namespace {

constexpr double kSecondsPerDay = 86400.0;
constexpr double kSecondsPerHour = 3600.0;

std::shared_ptr<TableSpec> table_of(const char* name, const char* doc, std::vector<core::ParamSpec> params) {
  return std::make_shared<TableSpec>(TableSpec{name, doc, std::move(params)});
}

core::ParamSpec t(const char* key, const char* doc) { return param::measure(key, core::dim::time, doc); }
core::ParamSpec n(const char* key, const char* doc) { return param::measure(key, core::dim::none, doc); }

std::shared_ptr<const TableSpec> make_spec() {
  auto damage = table_of(
      "damage", "damaged volume and its repair",
      {t("epidermal_repair_half_life", "t_D of the epidermis"), t("dermal_repair_half_life", "t_D of the dermis"),
       n("half_saturation", "D_half: damage giving half the maximal inflammatory drive")});
  auto inflammation = table_of("inflammation", "inflammatory signal I",
                               {t("time_constant", "tau_I: rise and resolution at low inflammation"),
                                n("prolongation", "kappa: resolution slows as 1/(1 + kappa I)"),
                                n("bleeding_gain", "drive added per unit bleeding fraction (papillary)"),
                                n("bruising_gain", "drive added per unit bruising fraction (reticular)")});
  auto growth = table_of("growth_factor", "pro-fibrotic / mitogenic signal G",
                         {t("time_constant", "tau_G"), n("bleeding_bolus", "G added per unit bleeding fraction")});
  auto fibro =
      table_of("fibroblast", "activated fibroblast density F",
               {t("time_constant", "tau_F"), n("half_activation", "G_h"), n("recruitment", "R"),
                n("max_density", "F_max"), t("responsiveness_recovery_time", "tau_Z: recovery of the recruitable pool"),
                t("responsiveness_depletion_time", "tau_d: depletion per unit damage signal")});
  auto collagen =
      table_of("collagen", "collagen III and I",
               {n("type_i_fraction", "c1_0: share of type I in resting dermal collagen"),
                n("type_iii_fraction", "c3_0: share of type III"), t("type_iii_turnover_time", "tau3 at rest"),
                n("type_iii_maturation", "phi: share of type III turnover that matures into type I"),
                t("type_i_half_life", "t1 at rest"), n("type_iii_growth_factor_gain", "a3"),
                n("synthesis_gain", "sigma: synthesis of an activated fibroblast above a resting one"),
                n("matrix_feedback_exponent", "q: type III synthesis scales as (c1_0/c1)^q")});
  auto elastin = table_of(
      "elastin", "elastin E",
      {t("time_constant", "tau_E"), n("synthesis_gain", "sigma_E: elastin synthesis of an activated fibroblast")});
  auto mmp = table_of("mmp", "matrix metalloproteinase activity M",
                      {t("time_constant", "tau_M"), n("inflammation_gain", "m_I"), n("growth_factor_gain", "m_G")});
  auto epidermis = table_of("epidermis", "epidermal thickness T and barrier B",
                            {t("time_constant", "tau_T"), n("growth_factor_gain", "a_T"),
                             n("matrix_gain", "b_T: thickening per unit papillary collagen gain"),
                             param::measure("barrier_recovery", core::dim::time, "fallback barrier recovery time")});
  auto erythema = table_of("erythema", "visible redness e = (I_p + I_r) / (I_p + I_r + K_e)",
                           {n("half_signal", "K_e"), n("visible_threshold", "e below which redness is not visible"),
                            n("acceptable_threshold", "e below which the patient returns to social activity")});
  auto pigment = table_of("pigment", "melanocyte activation A and melanin P",
                          {t("activation_time", "tau_A"), n("activation_gain", "g_A"),
                           n("phototype_step", "beta: ln factor per Fitzpatrick step relative to type III"),
                           n("reticular_weight", "w_r: weight of reticular inflammation in the drive"),
                           n("activation_threshold", "A_th for the PIH drive"), t("melanin_time", "tau_P"),
                           n("activation_production_gain", "a_P"), n("renewal_gain", "a_R")});
  auto follicle = table_of("follicle", "anagen drive H (scalp)",
                           {t("time_constant", "tau_H"), n("wound_gain", "g_H: drive per unit dermal growth factor")});
  auto ageing = table_of(
      "ageing", "natural drift of the untreated skin",
      {param::measure("onset_age", core::dim::time, "age at which the loss starts"),
       n("collagen_loss_per_year", "fraction lost per year"), n("elastin_loss_per_year", "fraction lost per year")});
  auto dermis = table_of("dermis", "aggregates", {n("papillary_weight", "share of papillary dermis in aggregates")});
  auto variability = table_of("variability", "between-person SD of the ln gains of PatientFactors",
                              {n("response", "response_gain"), n("inflammation", "inflammation_gain"),
                               n("melanocyte", "melanocyte_gain"), n("turnover", "turnover_gain")});
  auto active = table_of("active", "one delivered active",
                         {core::required(param::text("name", std::nullopt, "library name"), "\"vitamin_c\""),
                          t("absorption_time", "uptake time constant"), t("residence_time", "local clearance"),
                          param::measure("ec50", core::dim::areal_mass, "level at half effect"),
                          n("melanocyte_emax", "fraction of activation removed"),
                          n("pigment_emax", "fraction of melanin production removed"),
                          n("collagen_emax", "collagen synthesis added"), n("follicle_emax", "anagen drive added")});
  return table_of("", "needlework healing parameters",
                  {
                      core::required(param::text("schema", std::nullopt, "format"), "\"needlework-healing/1\""),
                      param::any("source", "sources not defined elsewhere"),
                      core::required(param::table("damage", damage, ""), ""),
                      core::required(param::table("inflammation", inflammation, ""), ""),
                      core::required(param::table("growth_factor", growth, ""), ""),
                      core::required(param::table("fibroblast", fibro, ""), ""),
                      core::required(param::table("collagen", collagen, ""), ""),
                      core::required(param::table("elastin", elastin, ""), ""),
                      core::required(param::table("mmp", mmp, ""), ""),
                      core::required(param::table("epidermis", epidermis, ""), ""),
                      core::required(param::table("erythema", erythema, ""), ""),
                      core::required(param::table("pigment", pigment, ""), ""),
                      core::required(param::table("follicle", follicle, ""), ""),
                      core::required(param::table("ageing", ageing, ""), ""),
                      core::required(param::table("dermis", dermis, ""), ""),
                      core::required(param::table("variability", variability, ""), ""),
                      param::table_array("active", active, "delivered actives and their effects"),
                  });
}

[[noreturn]] void inconsistent(const ConfigTable& table, const char* key, const std::string& message) {
  throw core::Error(std::vector<core::Diagnostic>{
      core::make_diagnostic(ErrorCode::cfg_consistency, table.where_of(key), key, fmt::arg("message", message))});
}

// Reads measures of one table, records their sources, converts times to days.
struct Reader {
  Parameters& p;
  const ConfigTable& table;
  std::string path;
  double value(const char* key) const {
    const auto m = core::read_measure(table, key);
    p.sources.emplace_back(path + "." + key, m.sources);
    return m.mean;
  }
  double days(const char* key) const { return value(key) / kSecondsPerDay; }
  double positive(const char* key) const {
    const double v = value(key);
    if (!(v > 0)) inconsistent(table, key, fmt::format("'{}.{}' must be positive", path, key));
    return v;
  }
  double positive_days(const char* key) const { return positive(key) / kSecondsPerDay; }
};

}  // namespace

const TableSpec& Parameters::spec() {
  static const auto s = make_spec();
  return *s;
}

Parameters Parameters::from_config(const ConfigTable& v) {
  Parameters p;
  const auto reader = [&](const char* name) { return Reader{p, v.get_table(name), name}; };

  const auto d = reader("damage");
  p.epidermal_repair_half_life_d = d.positive_days("epidermal_repair_half_life");
  p.dermal_repair_half_life_d = d.positive_days("dermal_repair_half_life");
  p.damage_half_saturation = d.positive("half_saturation");

  const auto i = reader("inflammation");
  p.inflammation_time_d = i.positive_days("time_constant");
  p.inflammation_prolongation = i.value("prolongation");
  p.bleeding_inflammation = i.value("bleeding_gain");
  p.bruising_inflammation = i.value("bruising_gain");

  const auto g = reader("growth_factor");
  p.growth_factor_time_d = g.positive_days("time_constant");
  p.bleeding_growth_factor = g.value("bleeding_bolus");

  const auto f = reader("fibroblast");
  p.fibroblast_time_d = f.positive_days("time_constant");
  p.fibroblast_half_activation = f.positive("half_activation");
  p.fibroblast_recruitment = f.value("recruitment");
  p.fibroblast_max = f.value("max_density");
  if (p.fibroblast_max < 1) inconsistent(f.table, "max_density", "'fibroblast.max_density' must be at least 1");
  p.responsiveness_recovery_time_d = f.positive_days("responsiveness_recovery_time");
  p.responsiveness_depletion_time_d = f.positive_days("responsiveness_depletion_time");

  const auto c = reader("collagen");
  p.collagen_i_fraction = c.positive("type_i_fraction");
  p.collagen_iii_fraction = c.positive("type_iii_fraction");
  p.collagen_iii_turnover_time_d = c.positive_days("type_iii_turnover_time");
  p.collagen_iii_maturation = c.value("type_iii_maturation");
  p.collagen_i_half_life_d = c.positive_days("type_i_half_life");
  p.collagen_iii_growth_factor_gain = c.value("type_iii_growth_factor_gain");
  p.matrix_feedback_exponent = c.value("matrix_feedback_exponent");
  p.collagen_synthesis_gain = c.value("synthesis_gain");
  // Resting type I synthesis s1 = c1_0 ln2/t1 - phi c3_0/tau3 must stay positive.
  const double s1 = p.collagen_i_fraction * std::log(2.0) / p.collagen_i_half_life_d -
                    p.collagen_iii_maturation * p.collagen_iii_fraction / p.collagen_iii_turnover_time_d;
  if (!(s1 > 0) || p.collagen_iii_maturation < 0 || p.collagen_iii_maturation > 1) {
    inconsistent(c.table, "type_iii_maturation",
                 "'collagen.type_iii_maturation' must lie in 0..1 and leave a positive resting type I synthesis");
  }

  const auto el = reader("elastin");
  p.elastin_time_d = el.positive_days("time_constant");
  p.elastin_synthesis_gain = el.value("synthesis_gain");
  const auto m = reader("mmp");
  p.mmp_time_d = m.positive_days("time_constant");
  p.mmp_inflammation_gain = m.value("inflammation_gain");
  p.mmp_growth_factor_gain = m.value("growth_factor_gain");

  const auto e = reader("epidermis");
  p.epidermis_time_d = e.positive_days("time_constant");
  p.epidermis_growth_factor_gain = e.value("growth_factor_gain");
  p.epidermis_matrix_gain = e.value("matrix_gain");
  p.barrier_recovery_h = e.positive("barrier_recovery") / kSecondsPerHour;

  const auto er = reader("erythema");
  p.erythema_half_signal = er.positive("half_signal");
  p.erythema_visible = er.positive("visible_threshold");
  p.erythema_acceptable = er.positive("acceptable_threshold");
  if (p.erythema_visible >= 1 || p.erythema_acceptable >= 1 || p.erythema_acceptable < p.erythema_visible) {
    inconsistent(er.table, "acceptable_threshold", "erythema thresholds must satisfy visible <= acceptable < 1");
  }

  const auto pg = reader("pigment");
  p.melanocyte_time_d = pg.positive_days("activation_time");
  p.melanocyte_gain = pg.value("activation_gain");
  p.phototype_step = pg.value("phototype_step");
  p.reticular_pigment_weight = pg.value("reticular_weight");
  p.melanocyte_threshold = pg.value("activation_threshold");
  p.pigment_time_d = pg.positive_days("melanin_time");
  p.pigment_activation_gain = pg.value("activation_production_gain");
  p.pigment_renewal_gain = pg.value("renewal_gain");

  const auto fo = reader("follicle");
  p.follicle_time_d = fo.positive_days("time_constant");
  p.follicle_wound_gain = fo.value("wound_gain");

  const auto a = reader("ageing");
  p.ageing_onset_yr = a.value("onset_age") / (365.25 * kSecondsPerDay);
  p.collagen_loss_per_yr = a.value("collagen_loss_per_year");
  p.elastin_loss_per_yr = a.value("elastin_loss_per_year");

  p.papillary_weight = reader("dermis").value("papillary_weight");
  if (p.papillary_weight < 0 || p.papillary_weight > 1) {
    inconsistent(v.get_table("dermis"), "papillary_weight", "'dermis.papillary_weight' must lie in 0..1");
  }

  const auto var = reader("variability");
  p.sd_ln_response = var.value("response");
  p.sd_ln_inflammation = var.value("inflammation");
  p.sd_ln_melanocyte = var.value("melanocyte");
  p.sd_ln_turnover = var.value("turnover");

  if (v.contains("active")) {
    for (const auto& item : v.get_array("active")) {
      const auto* at = item.get_if<ConfigTable>();
      if (!at) continue;
      ActiveAction act;
      act.name = at->get_text("name");
      const Reader r{p, *at, "active." + act.name};
      act.absorption_time_d = r.positive_days("absorption_time");
      act.residence_time_d = r.positive_days("residence_time");
      if (std::abs(act.absorption_time_d - act.residence_time_d) < 1e-6) {
        inconsistent(*at, "absorption_time", "'absorption_time' and 'residence_time' must differ");
      }
      act.ec50_ug_per_cm2 = r.positive("ec50") / 1e-5;  // SI kg/m^2 -> ug/cm^2
      act.melanocyte_emax = r.value("melanocyte_emax");
      act.pigment_emax = r.value("pigment_emax");
      act.collagen_emax = r.value("collagen_emax");
      act.follicle_emax = r.value("follicle_emax");
      p.actives.push_back(std::move(act));
    }
  }
  return p;
}

PatientFactors vary_patient(const PatientFactors& nominal, const Parameters& p, const std::array<double, 4>& z) {
  PatientFactors out = nominal;
  out.response_gain *= std::exp(p.sd_ln_response * z[0]);
  out.inflammation_gain *= std::exp(p.sd_ln_inflammation * z[1]);
  out.melanocyte_gain *= std::exp(p.sd_ln_melanocyte * z[2]);
  out.turnover_gain *= std::exp(p.sd_ln_turnover * z[3]);
  return out;
}

double phototype_factor(int fitzpatrick, const Parameters& p) {
  return std::exp(p.phototype_step * static_cast<double>(fitzpatrick - 3));
}

}  // namespace nw::healing
