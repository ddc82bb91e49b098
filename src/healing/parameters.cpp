// Schema and reader of data/healing/parameters.toml (docs/model/healing.md, section 3).
// Every value is a sourced measure { mean, sd, source, basis, note }; times are written with
// their unit ("1.2 d") and converted to days here.

#include <cmath>
#include <memory>
#include <string>
#include <vector>

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
constexpr double kSecondsPerYear = 365.25 * kSecondsPerDay;
constexpr double kKgPerM2PerUgPerCm2 = 1e-5;

[[noreturn]] void inconsistent(const ConfigTable& table, const char* key, const std::string& message) {
  throw core::Error(std::vector<core::Diagnostic>{
      core::make_diagnostic(ErrorCode::cfg_consistency, table.where_of(key), key, fmt::arg("message", message))});
}

// One sourced measure of a table: its schema entry and the member of `Target` its mean goes to.
// The table is read in the order of its fields, each check as soon as its value is known, so the
// first problem of a file is the one reported.
template <class Target>
struct Field {
  const char* key;
  core::Dimension dimension;
  const char* doc;
  double Target::*member;
  bool positive = false;   // the value must be > 0
  double si_per_unit = 1;  // member = SI value / si_per_unit (kSecondsPerDay for a *_d member)
  // Consistency of this value with those read before it; throws core::Error{cfg_consistency}.
  void (*then)(const Target&, const ConfigTable&) = nullptr;
};

// A time held in days (> 0), a dimensionless value of any sign, a dimensionless value > 0.
template <class Target>
Field<Target> days(const char* key, const char* doc, double Target::*member) {
  return {key, core::dim::time, doc, member, true, kSecondsPerDay};
}
template <class Target>
Field<Target> number(const char* key, const char* doc, double Target::*member) {
  return {key, core::dim::none, doc, member};
}
template <class Target>
Field<Target> positive(const char* key, const char* doc, double Target::*member) {
  return {key, core::dim::none, doc, member, true};
}
template <class Target>
Field<Target> then(Field<Target> field, void (*check)(const Target&, const ConfigTable&)) {
  field.then = check;
  return field;
}

template <class Target>
std::vector<core::ParamSpec> specs_of(const std::vector<Field<Target>>& fields) {
  std::vector<core::ParamSpec> out;
  out.reserve(fields.size());
  for (const auto& f : fields) out.push_back(param::measure(f.key, f.dimension, f.doc));
  return out;
}

// Reads `fields` of `table` (known as `path` in messages) into `out`, recording their sources.
template <class Target>
void read_fields(Target& out, const ConfigTable& table, const std::string& path,
                 const std::vector<Field<Target>>& fields, decltype(Parameters::sources)& sources) {
  for (const auto& f : fields) {
    const auto m = core::read_measure(table, f.key);
    sources.emplace_back(path + "." + f.key, m.sources);
    if (f.positive && !(m.mean > 0)) inconsistent(table, f.key, fmt::format("'{}.{}' must be positive", path, f.key));
    out.*f.member = m.mean / f.si_per_unit;
    if (f.then) f.then(out, table);
  }
}

void fibroblast_max_at_least_one(const Parameters& p, const ConfigTable& table) {
  if (p.fibroblast_max < 1) inconsistent(table, "max_density", "'fibroblast.max_density' must be at least 1");
}

// Resting type I synthesis s1 = c1_0 ln2/t1 - phi c3_0/tau3 must stay positive.
void collagen_resting_synthesis_positive(const Parameters& p, const ConfigTable& table) {
  const double s1 = p.collagen_i_fraction * std::log(2.0) / p.collagen_i_half_life_d -
                    p.collagen_iii_maturation * p.collagen_iii_fraction / p.collagen_iii_turnover_time_d;
  if (!(s1 > 0) || p.collagen_iii_maturation < 0 || p.collagen_iii_maturation > 1) {
    inconsistent(table, "type_iii_maturation",
                 "'collagen.type_iii_maturation' must lie in 0..1 and leave a positive resting type I synthesis");
  }
}

// The stable (cross-linked) pool must turn over more slowly than the remodelling pool it comes from;
// with both positive the resting state (R = 1, S = 0) is stationary for any values.
void collagen_stable_pool_slower(const Parameters& p, const ConfigTable& table) {
  if (!(p.collagen_i_stable_half_life_d > p.collagen_i_half_life_d)) {
    inconsistent(table, "type_i_stable_half_life",
                 "'collagen.type_i_stable_half_life' must be longer than 'collagen.type_i_half_life'");
  }
}

void erythema_thresholds_ordered(const Parameters& p, const ConfigTable& table) {
  if (p.erythema_visible >= 1 || p.erythema_acceptable >= 1 || p.erythema_acceptable < p.erythema_visible) {
    inconsistent(table, "acceptable_threshold", "erythema thresholds must satisfy visible <= acceptable < 1");
  }
}

void papillary_weight_a_share(const Parameters& p, const ConfigTable& table) {
  if (p.papillary_weight < 0 || p.papillary_weight > 1) {
    inconsistent(table, "papillary_weight", "'dermis.papillary_weight' must lie in 0..1");
  }
}

// The Bateman curve of an active needs distinct absorption and residence times.
void active_times_differ(const ActiveAction& a, const ConfigTable& table) {
  if (std::abs(a.absorption_time_d - a.residence_time_d) < 1e-6) {
    inconsistent(table, "absorption_time", "'absorption_time' and 'residence_time' must differ");
  }
}

// A table of data/healing/parameters.toml read into Parameters.
struct Group {
  const char* name;
  const char* doc;
  std::vector<Field<Parameters>> fields;
};

// Every table of the file but [[active]], in file order.
const std::vector<Group>& groups() {
  using P = Parameters;
  static const std::vector<Group> all{
      {"damage",
       "damaged volume and its repair",
       {days("epidermal_repair_half_life", "t_D of the epidermis", &P::epidermal_repair_half_life_d),
        days("dermal_repair_half_life", "t_D of the dermis", &P::dermal_repair_half_life_d),
        positive("half_saturation", "D_half: damage giving half the maximal inflammatory drive",
                 &P::damage_half_saturation)}},
      {"inflammation",
       "inflammatory signal I",
       {days("time_constant", "tau_I: rise and resolution at low inflammation", &P::inflammation_time_d),
        number("prolongation", "kappa: resolution slows as 1/(1 + kappa I)", &P::inflammation_prolongation),
        number("bleeding_gain", "drive added per unit bleeding fraction (papillary)", &P::bleeding_inflammation),
        number("bruising_gain", "drive added per unit bruising fraction (reticular)", &P::bruising_inflammation)}},
      {"growth_factor",
       "pro-fibrotic / mitogenic signal G",
       {days("time_constant", "tau_G", &P::growth_factor_time_d),
        number("bleeding_bolus", "G added per unit bleeding fraction", &P::bleeding_growth_factor)}},
      {"fibroblast",
       "activated fibroblast density F",
       {days("time_constant", "tau_F", &P::fibroblast_time_d),
        positive("half_activation", "G_h", &P::fibroblast_half_activation),
        number("recruitment", "R", &P::fibroblast_recruitment),
        then(number("max_density", "F_max", &P::fibroblast_max), fibroblast_max_at_least_one),
        days("responsiveness_recovery_time", "tau_Z: recovery of the recruitable pool",
             &P::responsiveness_recovery_time_d),
        days("responsiveness_depletion_time", "tau_d: depletion per unit damage signal",
             &P::responsiveness_depletion_time_d)}},
      {"collagen",
       "collagen III and I",
       {positive("type_i_fraction", "c1_0: share of type I in resting dermal collagen", &P::collagen_i_fraction),
        positive("type_iii_fraction", "c3_0: share of type III", &P::collagen_iii_fraction),
        days("type_iii_turnover_time", "tau3 at rest", &P::collagen_iii_turnover_time_d),
        number("type_iii_maturation", "phi: share of type III turnover that matures into type I",
               &P::collagen_iii_maturation),
        days("type_i_half_life", "t1: half-life of the remodelling pool of type I at rest", &P::collagen_i_half_life_d),
        days("type_i_maturation_time", "t_m: time constant of new type I maturing into the stable pool",
             &P::collagen_i_maturation_time_d),
        then(days("type_i_stable_half_life", "t_s: half-life of the stable (cross-linked) pool of type I",
                  &P::collagen_i_stable_half_life_d),
             collagen_stable_pool_slower),
        number("type_iii_growth_factor_gain", "a3", &P::collagen_iii_growth_factor_gain),
        number("synthesis_gain", "sigma: synthesis of an activated fibroblast above a resting one",
               &P::collagen_synthesis_gain),
        then(number("matrix_feedback_exponent", "q: type III synthesis scales as (c1_0/c1)^q",
                    &P::matrix_feedback_exponent),
             collagen_resting_synthesis_positive)}},
      {"elastin",
       "elastin E",
       {days("time_constant", "tau_E", &P::elastin_time_d),
        number("synthesis_gain", "sigma_E: elastin synthesis of an activated fibroblast", &P::elastin_synthesis_gain)}},
      {"mmp",
       "matrix metalloproteinase activity M",
       {days("time_constant", "tau_M", &P::mmp_time_d), number("inflammation_gain", "m_I", &P::mmp_inflammation_gain),
        number("growth_factor_gain", "m_G", &P::mmp_growth_factor_gain)}},
      {"epidermis",
       "epidermal thickness T and barrier B",
       {days("time_constant", "tau_T", &P::epidermis_time_d),
        number("growth_factor_gain", "a_T", &P::epidermis_growth_factor_gain),
        number("matrix_gain", "b_T: thickening per unit papillary collagen gain", &P::epidermis_matrix_gain),
        {"barrier_recovery", core::dim::time, "fallback barrier recovery time", &P::barrier_recovery_h, true,
         kSecondsPerHour}}},
      {"erythema",
       "visible redness e = (I_p + I_r) / (I_p + I_r + K_e)",
       {positive("half_signal", "K_e", &P::erythema_half_signal),
        positive("visible_threshold", "e below which redness is not visible", &P::erythema_visible),
        then(positive("acceptable_threshold", "e below which the patient returns to social activity",
                      &P::erythema_acceptable),
             erythema_thresholds_ordered)}},
      {"pigment",
       "melanocyte activation A and melanin P",
       {days("activation_time", "tau_A", &P::melanocyte_time_d), number("activation_gain", "g_A", &P::melanocyte_gain),
        number("phototype_step", "beta: ln factor per Fitzpatrick step relative to type III", &P::phototype_step),
        number("reticular_weight", "w_r: weight of reticular inflammation in the drive", &P::reticular_pigment_weight),
        number("activation_threshold", "A_th for the PIH drive", &P::melanocyte_threshold),
        days("melanin_time", "tau_P", &P::pigment_time_d),
        number("activation_production_gain", "a_P", &P::pigment_activation_gain),
        number("renewal_gain", "a_R", &P::pigment_renewal_gain),
        number("thickness_renewal_gain", "a_N: melanin clearance per unit epidermal thickening",
               &P::pigment_thickness_gain),
        days("setpoint_recovery_time", "tau_Y: relaxation of the melanogenic set-point",
             &P::setpoint_recovery_time_d)}},
      {"follicle",
       "anagen drive H (scalp)",
       {days("time_constant", "tau_H", &P::follicle_time_d),
        number("wound_gain", "g_H: drive per unit dermal growth factor", &P::follicle_wound_gain)}},
      {"ageing",
       "natural drift of the untreated skin",
       {{"onset_age", core::dim::time, "age at which the loss starts", &P::ageing_onset_yr, false, kSecondsPerYear},
        number("collagen_loss_per_year", "fraction lost per year", &P::collagen_loss_per_yr),
        number("elastin_loss_per_year", "fraction lost per year", &P::elastin_loss_per_yr)}},
      {"dermis",
       "aggregates",
       {then(number("papillary_weight", "share of papillary dermis in aggregates", &P::papillary_weight),
             papillary_weight_a_share)}},
      {"variability",
       "between-person SD of the ln gains of PatientFactors",
       {number("response", "response_gain", &P::sd_ln_response),
        number("inflammation", "inflammation_gain", &P::sd_ln_inflammation),
        number("melanocyte", "melanocyte_gain", &P::sd_ln_melanocyte),
        number("turnover", "turnover_gain", &P::sd_ln_turnover)}},
  };
  return all;
}

// The measures of one [[active]] (its name is read first, as text).
const std::vector<Field<ActiveAction>>& active_fields() {
  using A = ActiveAction;
  static const std::vector<Field<A>> all{
      days("absorption_time", "uptake time constant", &A::absorption_time_d),
      then(days("residence_time", "local clearance", &A::residence_time_d), active_times_differ),
      {"ec50", core::dim::areal_mass, "level at half effect", &A::ec50_ug_per_cm2, true, kKgPerM2PerUgPerCm2},
      number("melanocyte_emax", "fraction of activation removed", &A::melanocyte_emax),
      number("pigment_emax", "fraction of melanin production removed", &A::pigment_emax),
      number("collagen_emax", "collagen synthesis added", &A::collagen_emax),
      number("follicle_emax", "anagen drive added", &A::follicle_emax),
  };
  return all;
}

std::shared_ptr<TableSpec> table_of(const char* name, const char* doc, std::vector<core::ParamSpec> params) {
  return std::make_shared<TableSpec>(TableSpec{name, doc, std::move(params)});
}

std::shared_ptr<const TableSpec> make_spec() {
  std::vector<core::ParamSpec> top{
      core::required(param::text("schema", std::nullopt, "format"), "\"needlework-healing/1\""),
      param::any("source", "sources not defined elsewhere"),
  };
  for (const auto& g : groups())
    top.push_back(core::required(param::table(g.name, table_of(g.name, g.doc, specs_of(g.fields)), ""), ""));
  auto active_params = specs_of(active_fields());
  active_params.insert(active_params.begin(),
                       core::required(param::text("name", std::nullopt, "library name"), "\"vitamin_c\""));
  top.push_back(param::table_array("active", table_of("active", "one delivered active", std::move(active_params)),
                                   "delivered actives and their effects"));
  return table_of("", "needlework healing parameters", std::move(top));
}

}  // namespace

const TableSpec& Parameters::spec() {
  static const auto s = make_spec();
  return *s;
}

Parameters Parameters::from_config(const ConfigTable& v) {
  Parameters p;
  for (const auto& g : groups()) read_fields(p, v.get_table(g.name), g.name, g.fields, p.sources);
  if (v.contains("active")) {
    for (const auto& item : v.get_array("active")) {
      const auto* at = item.get_if<ConfigTable>();
      if (!at) continue;
      ActiveAction act;
      act.name = at->get_text("name");
      read_fields(act, *at, "active." + act.name, active_fields(), p.sources);
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
