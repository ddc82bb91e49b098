// The validation registry: the cases file (schema, loader), the table of model functions, the
// status rules and the case runner. See include/needlework/validation/validation.hpp.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>

#include "models.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/toml_reader.hpp"
#include "needlework/validation/validation.hpp"

namespace nw::validation {

namespace param = core::param;
using core::ConfigTable;
using core::TableSpec;

namespace {

// ------------------------------------------------------------------ the model table
// One line per model function: "<stage>.<name>" -> function (models.hpp). Adding a case for a
// new stage = one function in src/validation/models_<stage>.cpp + one line here + one [[case]].
struct ModelEntry {
  std::string_view name;
  models::ModelFn fn;
};
constexpr ModelEntry kModels[] = {
    {"device.puncture_density", models::puncture_density},
    {"device.face_time", models::face_time},
    {"insertion.depth_max", models::depth_max},
    {"insertion.depth_open", models::depth_open},
    {"insertion.open_depth_ratio", models::open_depth_ratio},
    {"insertion.bleeding_fraction", models::bleeding_fraction},
    {"transport.barrier_recovery", models::barrier_recovery},
    {"transport.closure_time", models::closure_time},
    {"transport.pen_closure_time", models::pen_closure_time},
    {"transport.barrier_over_closure", models::barrier_over_closure},
    {"transport.occlusion_delay", models::occlusion_delay},
    {"transport.kp_intact", models::kp_intact},
    {"transport.enhancement", models::enhancement},
    {"transport.fraction_of_dose", models::fraction_of_dose},
    {"healing.erythema_time", models::erythema_time},
    {"healing.epidermal_damage_remaining", models::epidermal_damage_remaining},
    {"outcomes.relative_change", models::outcome_relative_change},
    {"outcomes.absolute_change", models::outcome_absolute_change},
    {"outcomes.responder_fraction", models::responder_fraction},
    {"safety.pih_probability_mean", models::pih_probability_mean},
};

models::ModelFn find_model(std::string_view name) {
  for (const auto& m : kModels)
    if (m.name == name) return m.fn;
  return nullptr;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

// ------------------------------------------------------------------ schema
std::shared_ptr<const TableSpec> range_spec(const char* name, const char* doc) {
  return std::make_shared<TableSpec>(
      TableSpec{name,
                doc,
                {
                    core::optional_(param::real("value", std::nullopt, -1e300, 1e300, "value in the case's unit")),
                    core::optional_(param::real("min", std::nullopt, -1e300, 1e300, "lower end in the case's unit")),
                    core::optional_(param::real("max", std::nullopt, -1e300, 1e300, "upper end in the case's unit")),
                }});
}

TableSpec make_spec() {
  auto tolerance = std::make_shared<TableSpec>(TableSpec{
      "tolerance",
      "the acceptance rule",
      {
          core::required(param::word("rule",
                                     core::word_specs({{"relative", "|m - v| <= value |v|"},
                                                       {"absolute", "|m - v| <= value"},
                                                       {"factor", "v / value <= m <= v value"},
                                                       {"bounds", "min <= m <= max"},
                                                       {"data_range", "inside the data's [min, max]"}}),
                                     "", "tolerance rule"),
                         "\"relative\""),
          core::optional_(param::real("value", std::nullopt, 0, 1e300, "relative fraction, absolute amount or factor")),
          core::optional_(param::real("min", std::nullopt, -1e300, 1e300, "bounds: lower end")),
          core::optional_(param::real("max", std::nullopt, -1e300, 1e300, "bounds: upper end")),
      }});
  auto text = [](const char* key, const char* doc) {
    return core::required(param::text(key, std::nullopt, doc), "\"\"");
  };
  auto kase = std::make_shared<TableSpec>(TableSpec{
      "case",
      "one comparison of the model with data",
      {
          text("id", "unique case id"),
          text("row", "calibration row id or source id"),
          text("stage", "stage the case checks"),
          core::required(
              param::word("role", core::word_specs({{"fit", "fit source, reproduced"}, {"check", "not fitted"}}), "",
                          "fit or check"),
              "\"check\""),
          text("quantity", "what is compared"),
          text("condition", "conditions of the measurement and of the model run"),
          text("source", "citation of the row"),
          text("data_text", "the row's value as written"),
          text("unit", "display unit (\"\" = pure number)"),
          core::required(param::table("data", range_spec("data", "data value or range"), "the data"), ""),
          core::required(param::table("tolerance", tolerance, "the tolerance rule"), ""),
          param::word("expect",
                      core::word_specs({{"pass", "within tolerance"}, {"known_discrepancy", "documented gap"}}), "pass",
                      "expected status"),
          param::table("gap", range_spec("gap", "model / data band of a known discrepancy"), "documented gap"),
          param::text("explanation", "", "why (known discrepancies), or remarks"),
          text("model", "registered model function"),
          param::any("inputs", "what the model function runs"),
      }});
  auto fit = std::make_shared<TableSpec>(TableSpec{
      "fit",
      "a fitted parameter to refit",
      {
          text("parameter", "registered refit"),
          text("case", "the case it is fitted on"),
          core::required(param::real("tolerance", std::nullopt, 0, 1, "allowed |refit / bundled - 1|"), "0.02"),
      }});
  return TableSpec{"",
                   "needlework validation cases",
                   {
                       core::required(param::text("schema", std::nullopt, "format"), "\"needlework-validation/1\""),
                       param::table_array("case", kase, "comparisons"),
                       param::table_array("fit", fit, "fitted parameters"),
                   }};
}

std::optional<double> opt_real(const ConfigTable& t, std::string_view key) {
  if (!t.contains(key)) return std::nullopt;
  return t.get_real(key);
}

core::Diagnostic problem(const core::SourceLoc& where, const std::string& key, const std::string& message) {
  return core::make_diagnostic(core::ErrorCode::cfg_consistency, where, key, fmt::arg("message", message));
}

CaseSet build(const ConfigTable& raw, const std::string& file) {
  std::vector<core::Diagnostic> d;
  const auto validated = core::validate(raw, cases_spec(), d);
  if (core::has_errors(d)) throw core::Error(std::move(d));
  CaseSet set;
  set.file = file;
  if (validated.get_text("schema") != "needlework-validation/1") {
    d.push_back(core::make_diagnostic(core::ErrorCode::cfg_schema, validated.where_of("schema"), "schema",
                                      fmt::arg("expected", "needlework-validation/1"),
                                      fmt::arg("got", validated.get_text("schema"))));
  }
  // Raw [[case]] tables keep the inputs exactly as written.
  const core::ConfigArray* raw_cases = raw.contains("case") ? raw.find("case")->get_if<core::ConfigArray>() : nullptr;
  const auto& cases = validated.get_array("case");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& t = *cases[i].get_if<ConfigTable>();
    const std::string key = fmt::format("case[{}]", i);
    Case c;
    c.where = cases[i].where();
    c.id = t.get_text("id");
    c.row = t.get_text("row");
    c.stage = t.get_text("stage");
    c.role = t.get_text("role");
    c.quantity = t.get_text("quantity");
    c.condition = t.get_text("condition");
    c.source = t.get_text("source");
    c.unit = t.get_text("unit");
    c.model = t.get_text("model");
    c.explanation = t.get_text("explanation");
    c.expect_discrepancy = t.get_text("expect") == "known_discrepancy";
    const auto& data = t.get_table("data");
    c.data = DataValue{opt_real(data, "value"), opt_real(data, "min"), opt_real(data, "max"), t.get_text("data_text")};
    if (!c.data.value && !c.data.min && !c.data.max)
      d.push_back(problem(t.where_of("data"), key + ".data", "the data needs a value, a min or a max"));
    if (!c.unit.empty() && !core::parse_unit(c.unit).value)
      d.push_back(problem(t.where_of("unit"), key + ".unit",
                          fmt::format("unit \"{}\": {}", c.unit, core::parse_unit(c.unit).error)));
    const auto& tol = t.get_table("tolerance");
    const std::string rule = tol.get_text("rule");
    c.tolerance.value = opt_real(tol, "value").value_or(0.0);
    c.tolerance.min = opt_real(tol, "min");
    c.tolerance.max = opt_real(tol, "max");
    if (rule == "relative") c.tolerance.kind = ToleranceKind::relative;
    if (rule == "absolute") c.tolerance.kind = ToleranceKind::absolute;
    if (rule == "factor") c.tolerance.kind = ToleranceKind::factor;
    if (rule == "bounds") c.tolerance.kind = ToleranceKind::bounds;
    if (rule == "data_range") c.tolerance.kind = ToleranceKind::data_range;
    const bool needs_value = rule == "relative" || rule == "absolute" || rule == "factor";
    if (needs_value && (!tol.contains("value") || !c.data.value))
      d.push_back(problem(t.where_of("tolerance"), key + ".tolerance",
                          fmt::format("rule \"{}\" needs tolerance.value and data.value", rule)));
    if (rule == "factor" && c.tolerance.value < 1)
      d.push_back(problem(t.where_of("tolerance"), key + ".tolerance", "a factor tolerance must be >= 1"));
    if (rule == "bounds" && !c.tolerance.min && !c.tolerance.max)
      d.push_back(problem(t.where_of("tolerance"), key + ".tolerance", "rule \"bounds\" needs min or max"));
    if (rule == "data_range" && !c.data.min && !c.data.max)
      d.push_back(
          problem(t.where_of("tolerance"), key + ".tolerance", "rule \"data_range\" needs data.min or data.max"));
    if (c.expect_discrepancy) {
      if (!t.contains("gap") || !t.get_table("gap").contains("min") || !t.get_table("gap").contains("max")) {
        d.push_back(problem(t.where_of("expect"), key + ".gap", "a known discrepancy needs gap = { min, max }"));
      } else {
        c.gap_min = t.get_table("gap").get_real("min");
        c.gap_max = t.get_table("gap").get_real("max");
      }
      if (c.explanation.empty())
        d.push_back(problem(t.where_of("expect"), key + ".explanation", "a known discrepancy needs its explanation"));
    }
    if (!find_model(c.model)) {
      std::vector<std::string> names = model_names();
      d.push_back(problem(t.where_of("model"), key + ".model",
                          fmt::format("no model function \"{}\"; registered: {}", c.model, fmt::join(names, ", "))));
    }
    const ConfigTable* in = raw_cases && i < raw_cases->size() ? (*raw_cases)[i].get_if<ConfigTable>() : nullptr;
    if (in && in->contains("inputs")) {
      if (const auto* inputs = in->find("inputs")->get_if<ConfigTable>()) c.inputs = *inputs;
    }
    if (set.find(c.id))
      d.push_back(problem(t.where_of("id"), key + ".id", fmt::format("duplicate case id \"{}\"", c.id)));
    set.cases.push_back(std::move(c));
  }
  const auto refits = refit_names();
  for (const auto& f : validated.get_array("fit")) {
    const auto& t = *f.get_if<ConfigTable>();
    FitSpec s{t.get_text("parameter"), t.get_text("case"), t.get_real("tolerance")};
    if (std::find(refits.begin(), refits.end(), s.parameter) == refits.end())
      d.push_back(problem(t.where_of("parameter"), "fit.parameter",
                          fmt::format("no refit \"{}\"; registered: {}", s.parameter, fmt::join(refits, ", "))));
    if (!set.find(s.case_id))
      d.push_back(problem(t.where_of("case"), "fit.case", fmt::format("no case \"{}\" in this file", s.case_id)));
    set.fits.push_back(std::move(s));
  }
  if (core::has_errors(d)) throw core::Error(std::move(d));
  return set;
}

CaseSet load_bundled() {
  const char* name = "validation/cases.toml";
  try {
    const auto text = io::bundled_file(name);
    if (!text) core::raise(core::ErrorCode::data_invalid, fmt::arg("path", name), fmt::arg("reason", "not bundled"));
    return build(io::read_toml_text(*text, std::string("data/") + name), std::string("data/") + name);
  } catch (const core::Error& e) {
    if (e.code() == core::ErrorCode::data_invalid) throw;
    std::string reason = e.what();
    for (const auto& diag : e.diagnostics()) reason += fmt::format("\n{}", core::format_diagnostic(diag));
    core::raise(core::ErrorCode::data_invalid, fmt::arg("path", name), fmt::arg("reason", reason));
  }
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// ------------------------------------------------------------------ public
std::string_view to_string(Status s) {
  switch (s) {
    case Status::pass:
      return "pass";
    case Status::fail:
      return "fail";
    case Status::known_discrepancy:
      return "known_discrepancy";
  }
  return "fail";
}

const TableSpec& cases_spec() {
  static const TableSpec spec = make_spec();
  return spec;
}

std::vector<std::string> model_names() {
  std::vector<std::string> out;
  for (const auto& m : kModels) out.emplace_back(m.name);
  return out;
}

const Case* CaseSet::find(std::string_view id) const {
  for (const auto& c : cases)
    if (c.id == id) return &c;
  return nullptr;
}

const CaseSet& bundled_cases() {
  static const CaseSet set = load_bundled();
  return set;
}

CaseSet load_cases_file(const std::filesystem::path& path) {
  return build(io::read_toml_file(path, path.string()), path.string());
}

double DataValue::reference() const {
  if (value) return *value;
  if (min && max) return 0.5 * (*min + *max);
  if (max) return *max;
  return min.value_or(0.0);
}

std::pair<double, double> Tolerance::interval(const DataValue& d) const {
  const double v = d.value.value_or(0.0);
  switch (kind) {
    case ToleranceKind::relative:
      return {v - value * std::abs(v), v + value * std::abs(v)};
    case ToleranceKind::absolute:
      return {v - value, v + value};
    case ToleranceKind::factor:
      return v >= 0 ? std::pair{v / value, v * value} : std::pair{v * value, v / value};
    case ToleranceKind::bounds:
      return {min.value_or(-kInf), max.value_or(kInf)};
    case ToleranceKind::data_range:
      return {d.min.value_or(-kInf), d.max.value_or(kInf)};
  }
  return {0, 0};
}

std::string Tolerance::describe(const DataValue& d, std::string_view unit) const {
  const std::string u = unit.empty() ? "" : fmt::format(" {}", unit);
  const auto bounds = interval(d);
  const double lo = bounds.first, hi = bounds.second;
  const auto num = [&](double x) { return fmt::format("{:.4g}{}", x, u); };
  const auto range = [&]() {
    if (std::isinf(lo)) return fmt::format("<= {}", num(hi));
    if (std::isinf(hi)) return fmt::format(">= {}", num(lo));
    return fmt::format("{:.4g}-{}", lo, num(hi));
  };
  switch (kind) {
    case ToleranceKind::relative:
      return fmt::format("+/- {:.4g} % ({})", 100 * value, range());
    case ToleranceKind::absolute:
      return value == 0 ? fmt::format("exactly {}", num(d.value.value_or(0.0)))
                        : fmt::format("+/- {} ({})", num(value), range());
    case ToleranceKind::factor:
      return fmt::format("x/ {:.4g} ({})", value, range());
    case ToleranceKind::bounds:
      return range();
    case ToleranceKind::data_range:
      return fmt::format("data range ({})", range());
  }
  return "";
}

Status decide(const Case& c, double m) {
  const auto [lo, hi] = c.tolerance.interval(c.data);
  if (std::isfinite(m) && m >= lo && m <= hi) return Status::pass;
  if (c.expect_discrepancy && std::isfinite(m)) {
    const double ratio = m / c.data.reference();
    if (ratio >= c.gap_min && ratio <= c.gap_max) return Status::known_discrepancy;
  }
  return Status::fail;
}

CaseResult run_case(const Case& c) {
  const auto fn = find_model(c.model);
  if (!fn) core::raise(core::ErrorCode::internal, fmt::arg("reason", fmt::format("no model function '{}'", c.model)));
  const auto t0 = std::chrono::steady_clock::now();
  const core::DynQuantity q = fn(CaseInputs(c));
  CaseResult r;
  r.seconds = seconds_since(t0);
  double scale = 1.0;
  core::Dimension dim{};
  if (!c.unit.empty()) {
    const auto u = core::parse_unit(c.unit);
    scale = u.value->si;
    dim = u.value->dimension;
  }
  if (!(q.dimension == dim))
    core::raise(core::ErrorCode::internal,
                fmt::arg("reason", fmt::format("case '{}': model '{}' returns {}, the case's unit '{}' is {}", c.id,
                                               c.model, core::describe(q.dimension), c.unit, core::describe(dim))));
  r.c = c;
  r.model = q.si / scale;
  r.status = decide(c, r.model);
  const double ref = c.data.reference();
  r.ratio = ref != 0 ? r.model / ref : std::numeric_limits<double>::quiet_NaN();
  std::tie(r.lo, r.hi) = c.tolerance.interval(c.data);
  r.tolerance_text = c.tolerance.describe(c.data, c.unit);
  return r;
}

std::vector<CaseResult> run_cases(const std::vector<Case>& cases, core::LogSink& log) {
  std::vector<CaseResult> out;
  out.reserve(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    log.progress("validation cases", static_cast<double>(i) / static_cast<double>(cases.size()));
    log.log(core::LogLevel::info, fmt::format("case {}/{}: {} ({})", i + 1, cases.size(), cases[i].id, cases[i].model));
    out.push_back(run_case(cases[i]));
  }
  log.progress("validation cases", 1.0);
  return out;
}

bool all_ok(const std::vector<CaseResult>& cases, const std::vector<FitResult>& fits) {
  return std::all_of(cases.begin(), cases.end(), [](const CaseResult& r) { return r.status != Status::fail; }) &&
         std::all_of(fits.begin(), fits.end(), [](const FitResult& f) { return f.within; });
}

// ------------------------------------------------------------------ inputs
const core::ConfigValue& CaseInputs::at(std::string_view key) const {
  const auto* v = case_.inputs.find(key);
  if (!v) fail(key, "is required by model '" + case_.model + "'");
  return *v;
}

void CaseInputs::fail(std::string_view key, const std::string& message) const {
  const auto* v = case_.inputs.find(key);
  throw core::Error({core::make_diagnostic(
      core::ErrorCode::cfg_consistency, v ? v->where() : case_.where, fmt::format("case.inputs.{}", key),
      fmt::arg("message", fmt::format("case '{}': inputs.{} {}", case_.id, key, message)))});
}

core::DynQuantity CaseInputs::quantity(std::string_view key, core::Dimension d) const {
  const auto& v = at(key);
  const auto* s = v.get_if<std::string>();
  if (!s) fail(key, fmt::format("expects {} as a string with a unit; got {}", core::describe(d), v.to_text()));
  const auto q = core::parse_quantity(*s, d == core::dim::none);
  if (!q.value) fail(key, fmt::format("\"{}\": {}", *s, q.error));
  if (!(q.value->dimension == d))
    fail(key,
         fmt::format("expects {}; got \"{}\", which is {}", core::describe(d), *s, core::describe(q.value->dimension)));
  return *q.value;
}

double CaseInputs::number(std::string_view key) const {
  const auto& v = at(key);
  if (const auto* i = v.get_if<std::int64_t>()) return static_cast<double>(*i);
  if (const auto* x = v.get_if<double>()) return *x;
  return quantity(key, core::dim::none).si;
}

std::int64_t CaseInputs::integer(std::string_view key) const {
  const auto& v = at(key);
  if (const auto* i = v.get_if<std::int64_t>()) return *i;
  fail(key, fmt::format("expects an integer; got {}", v.to_text()));
}

bool CaseInputs::flag(std::string_view key) const {
  const auto& v = at(key);
  if (const auto* b = v.get_if<bool>()) return *b;
  fail(key, fmt::format("expects true or false; got {}", v.to_text()));
}

std::string CaseInputs::text(std::string_view key) const {
  const auto& v = at(key);
  if (const auto* s = v.get_if<std::string>()) return *s;
  fail(key, fmt::format("expects a string; got {}", v.to_text()));
}

device::Device CaseInputs::device(std::string_view key) const {
  const auto& v = at(key);
  const auto* t = v.get_if<ConfigTable>();
  if (!t) fail(key, fmt::format("expects a table (a scenario's [device]); got {}", v.to_text()));
  const auto& catalogue = io::bundled_devices();
  std::vector<core::Diagnostic> d;
  const auto validated = core::validate(*t, *device::device_spec(catalogue), d, "case.inputs.device");
  if (core::has_errors(d)) throw core::Error(std::move(d));
  auto dev = device::device_from(validated, catalogue, d);
  if (core::has_errors(d)) throw core::Error(std::move(d));
  return dev;
}

skin::Skin CaseInputs::skin() const { return skin(io::bundled_sites()); }

skin::Skin CaseInputs::skin(const skin::SiteLibrary& lib) const {
  const auto site = text("site");
  const auto names = lib.site_names();
  if (std::find(names.begin(), names.end(), site) == names.end())
    fail("site", fmt::format("unknown site \"{}\"", site));
  const auto sex_word = text("sex");
  if (sex_word != "female" && sex_word != "male") fail("sex", "expects \"female\" or \"male\"");
  return lib.skin_at(site, sex_word == "male" ? skin::Sex::male : skin::Sex::female, get<core::dim::time>("age"));
}

}  // namespace nw::validation
