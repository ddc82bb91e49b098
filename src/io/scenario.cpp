#include "needlework/io/scenario.hpp"

#include <fmt/format.h>

#include "needlework/io/provenance.hpp"
#include "needlework/io/toml_reader.hpp"

namespace nw::io {

namespace param = core::param;
using core::ConfigTable;
using core::Diagnostic;
using core::ErrorCode;
using core::TableSpec;
using core::WordSpec;

namespace {

std::vector<WordSpec> words(std::initializer_list<std::pair<const char*, const char*>> list) {
  std::vector<WordSpec> out;
  for (const auto& [w, doc] : list) out.push_back({w, doc});
  return out;
}

std::shared_ptr<const TableSpec> device_spec() {
  auto needle_length = param::quantity("needle_length", core::dim::length, "1.5 mm", "0.1 mm", "3 mm",
                                       "pen: depth setting; roller / stamp: needle length");
  return std::make_shared<TableSpec>(TableSpec{
      "device",
      "the needling device",
      {
          param::word("kind",
                      words({{"pen", "motorised pen stamping a cartridge"},
                             {"roller", "drum roller"},
                             {"stamp", "fixed pattern pressed down"},
                             {"none", "no needling: topicals only (control arm)"}}),
                      "pen", "device type"),
          needle_length,
          param::integer("needles", 12, 1, 1000, "needles per cartridge, stamp or drum"),
          param::quantity("frequency", core::dim::frequency, "110 Hz", "1 Hz", "200 Hz", "pen stamping frequency"),
      }});
}

std::vector<WordSpec> site_words() {
  return words({{"forehead", ""},
                {"glabella", ""},
                {"periorbital", ""},
                {"nose", ""},
                {"cheek", ""},
                {"perioral", ""},
                {"chin", ""},
                {"jawline", ""},
                {"neck", ""},
                {"chest", ""},
                {"hands", ""},
                {"abdomen", ""},
                {"thigh", ""},
                {"upper_arm", ""},
                {"forearm", ""},
                {"back", ""},
                {"scalp", ""}});
}

std::vector<WordSpec> concern_words() {
  return words({{"acne_scars", ""},
                {"wrinkles", ""},
                {"enlarged_pores", ""},
                {"hyperpigmentation", ""},
                {"melasma", ""},
                {"uneven_tone", ""},
                {"laxity", ""},
                {"stretch_marks", ""},
                {"surgical_scar", ""},
                {"alopecia", ""},
                {"rejuvenation", ""},
                {"drug_delivery", ""}});
}

std::vector<WordSpec> scale_words() {
  return words({{"goodman_baron_quantitative", "acne scars, 0-84"},
                {"goodman_baron_qualitative", "acne scars, grade 1-4"},
                {"masi", "melasma area and severity index"},
                {"mmasi", "modified MASI"},
                {"lemperle_wrinkle", "wrinkle grade 0-5"},
                {"hair_count_per_cm2", "terminal hair density"},
                {"striae_grade", "stretch-mark grade"},
                {"pore_count", "visible pores per area"},
                {"melanin_index", "reflectance melanin index"},
                {"laxity_grade", "laxity grade"}});
}

std::shared_ptr<const TableSpec> treatment_spec() {
  auto baseline = std::make_shared<TableSpec>(TableSpec{
      "baseline",
      "the concern's score before treatment",
      {
          core::required(param::word("scale", scale_words(), "", "outcome scale"), "\"goodman_baron_quantitative\""),
          core::required(param::real("value", std::nullopt, 0, 1e6, "score on that scale"), "12"),
      }});
  auto baseline_param =
      param::table("baseline", baseline, "baseline score; absent = population default for the concern");
  baseline_param.example_text = R"({ scale = "goodman_baron_quantitative", value = 12 })";
  auto scar =
      core::optional_(param::word("scar_type", words({{"rolling", ""}, {"boxcar", ""}, {"icepick", ""}, {"mixed", ""}}),
                                  "", "acne_scars only: the dominant scar type"));
  scar.example_text = "\"rolling\"";
  return std::make_shared<TableSpec>(TableSpec{
      "treatment",
      "one treated area",
      {
          core::required(param::word("site", site_words(), "", "body site"), "\"cheek\""),
          core::required(param::word("concern", concern_words(), "", "what is being treated"), "\"acne_scars\""),
          scar,
          baseline_param,
          param::quantity("area", core::dim::area, "30 cm2", "0.5 cm2", "2000 cm2", "treated area"),
          param::integer("passes", 4, 1, 20, "passes over the area per session"),
      }});
}

std::shared_ptr<const TableSpec> topical_spec() {
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
  return std::make_shared<TableSpec>(TableSpec{
      "topical",
      "an active applied after needling or daily at home",
      {
          core::required(param::word("active",
                                     words({{"vitamin_c", ""},
                                            {"hyaluronic_acid", ""},
                                            {"tranexamic_acid", ""},
                                            {"minoxidil", ""},
                                            {"peptide", ""},
                                            {"caffeine", ""},
                                            {"lipophilic_reference", ""},
                                            {"custom", "give molecular_weight and log_p"}}),
                                     "", "library name, or custom"),
                         "\"vitamin_c\""),
          concentration,
          dose,
          param::boolean("occluded", false, "covered after application (slows channel closure)"),
          param::word("schedule",
                      words({{"session", "applied once right after needling"}, {"daily", "applied daily at home"}}),
                      "session", "when it is applied"),
          mw,
          log_p,
          diffusivity,
      }});
}

std::shared_ptr<const TableSpec> protocol_spec() {
  auto start = core::optional_(
      param::date("start", "first session; dates in screening and plans count from it (default: today)"));
  start.example_text = "\"2026-12-01\"";
  return std::make_shared<TableSpec>(
      TableSpec{"protocol",
                "the course of sessions",
                {
                    param::integer("sessions", 5, 1, 20, "number of sessions"),
                    param::quantity("interval", core::dim::time, "4 wk", "1 wk", "52 wk", "time between sessions"),
                    param::quantity("follow_up", core::dim::time, "6 mo", "0 d", "5 yr",
                                    "outcomes are reported this long after the last session"),
                    start,
                }});
}

std::shared_ptr<const TableSpec> preferences_spec() {
  return std::make_shared<TableSpec>(
      TableSpec{"preferences",
                "what the patient accepts (plan only)",
                {
                    param::quantity("max_downtime", core::dim::time, "2 d", "0 d", "30 d",
                                    "downtime the patient accepts per session"),
                    param::integer("max_sessions", 6, 1, 20, "most sessions the patient accepts"),
                }});
}

// Checks a schema cannot express: combinations of keys within the validated tree.
void check_consistency(const ConfigTable& root, std::vector<Diagnostic>& out) {
  const auto problem = [&out](core::SourceLoc where, std::string key, const std::string& message) {
    out.push_back(core::make_diagnostic(ErrorCode::cfg_consistency, std::move(where), std::move(key),
                                        fmt::arg("message", message)));
  };
  if (const auto* treatments = root.find("treatment")) {
    const auto& items = *treatments->get_if<core::ConfigArray>();
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto& t = *items[i].get_if<ConfigTable>();
      if (t.contains("scar_type") && t.get_text("concern") != "acne_scars") {
        problem(t.where_of("scar_type"), fmt::format("treatment[{}].scar_type", i),
                fmt::format("'treatment[{}].scar_type' applies only to concern \"acne_scars\" (concern is \"{}\")", i,
                            t.get_text("concern")));
      }
    }
  }
  if (root.contains("topical")) {
    const auto& t = root.get_table("topical");
    if (t.get_text("active") == "custom" && !(t.contains("molecular_weight") && t.contains("log_p"))) {
      problem(t.where_of("active"), "topical.active",
              "'topical.active' is \"custom\": give 'topical.molecular_weight' and 'topical.log_p'");
    }
  }
}

}  // namespace

std::shared_ptr<const TableSpec> scenario_spec(const clinical::RuleSet& rules) {
  auto seed = param::integer("seed", 1, 0, 4294967295, "random seed: same seed, same results");
  return std::make_shared<TableSpec>(TableSpec{
      "",
      "a needlework scenario",
      {
          core::required(param::text("schema", std::nullopt, "file format version"), "\"needlework/1\""),
          seed,
          core::required(param::table("patient", clinical::patient_spec(rules), "the person being treated"), ""),
          param::table("device", device_spec(), "the needling device (simulate, plan)"),
          param::table_array("treatment", treatment_spec(), "one table per treated area (simulate, plan)"),
          param::table("topical", topical_spec(), "a topical active (optional)"),
          param::table("protocol", protocol_spec(), "the course of sessions"),
          param::table("preferences", preferences_spec(), "the patient's preferences (plan)"),
      }});
}

namespace {

struct Loaded {
  Scenario scenario;
  std::vector<Diagnostic> diagnostics;
};

Loaded load(const std::filesystem::path& path, const clinical::RuleSet& rules) {
  Loaded out;
  auto& s = out.scenario;
  s.path = path.string();
  s.spec = scenario_spec(rules);
  ConfigTable raw;
  try {
    const auto bytes = read_input_bytes(path, s.path);
    s.sha256 = sha256_hex(bytes);
    raw = read_toml_text(bytes, s.path);
  } catch (const core::Error& e) {
    out.diagnostics = e.diagnostics();
    return out;
  }
  raw.where = core::SourceLoc{s.path, 1, 1};
  auto& diags = out.diagnostics;
  if (const auto* schema = raw.find("schema");
      schema && schema->get_if<std::string>() && *schema->get_if<std::string>() != kScenarioSchema) {
    diags.push_back(core::make_diagnostic(ErrorCode::cfg_schema, schema->where(), "schema",
                                          fmt::arg("expected", kScenarioSchema), fmt::arg("got", schema->to_text())));
  }
  s.config = core::validate(raw, *s.spec, diags);
  if (!diags.empty()) return out;
  check_consistency(s.config, diags);
  s.seed = static_cast<std::uint64_t>(s.config.get_int("seed"));
  s.patient = clinical::patient_from(s.config.get_table("patient"), diags);
  if (s.config.contains("protocol") && s.config.get_table("protocol").contains("start")) {
    s.start = s.config.get_table("protocol").get_date("start");
  }
  return out;
}

}  // namespace

std::vector<Diagnostic> check_scenario(const std::filesystem::path& path, const clinical::RuleSet& rules) {
  return load(path, rules).diagnostics;
}

Scenario load_scenario(const std::filesystem::path& path, const clinical::RuleSet& rules) {
  auto loaded = load(path, rules);
  if (!loaded.diagnostics.empty()) throw core::Error(std::move(loaded.diagnostics));
  return std::move(loaded.scenario);
}

std::string default_scenario(const clinical::RuleSet& rules) {
  return core::render_defaults(
      *scenario_spec(rules),
      "# needlework scenario with every key, its default and its documentation.\n"
      "# Quantities are strings with a unit (\"1.5 mm\", \"4 wk\"); required keys show an example.\n"
      "# needlework is a research and education tool, not a medical device.\n");
}

}  // namespace nw::io
