#include "needlework/io/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "needlework/io/bundled.hpp"
#include "needlework/io/provenance.hpp"
#include "needlework/io/toml_reader.hpp"
#include "needlework/planner/planner.hpp"

namespace nw::io {

namespace param = core::param;
using core::ConfigTable;
using core::ConfigValue;
using core::Diagnostic;
using core::ErrorCode;
using core::TableSpec;
using core::WordSpec;

namespace {

// The effective configuration names what the catalogue filled in (model, cartridge, needle
// geometry, hand speed), not only what the file said.
void record_resolved_device(const device::Device& d, ConfigTable& t) {
  if (d.kind == device::Kind::none) return;
  const auto q = [](double si, core::Dimension dim) { return ConfigValue(core::DynQuantity{si, dim}); };
  t.set("model", ConfigValue(d.model));
  if (d.kind == device::Kind::pen) {
    t.set("cartridge", ConfigValue(d.cartridge));
    t.set("frequency", q(d.frequency.si(), core::dim::frequency));
  }
  t.set("needles", ConfigValue(static_cast<std::int64_t>(d.needles)));
  t.set("hand_speed", q(d.operator_prior.speed.si(), core::dim::velocity));
  t.set("shaft_diameter", q(d.needle.shaft_diameter.si(), core::dim::length));
  t.set("tip_radius", q(d.needle.tip_radius.si(), core::dim::length));
  t.set("cone_half_angle", q(d.needle.cone_half_angle_rad, core::dim::none));
}

// Home devices: needle lengths above the disputed home-use maximum warn (rules.json devices.home_rollers).
void check_home_device(const Scenario& s, const DataBundle& data, std::vector<Diagnostic>& out) {
  const auto& c = s.patient.conditions;
  if (!s.device || s.device->kind == device::Kind::none || std::find(c.begin(), c.end(), "home_device_use") == c.end())
    return;
  const auto limit = data.devices.limits_for(device::Kind::roller).home_length_max;
  if (!limit || s.device->needle_length <= *limit) return;
  const auto& device_table = s.config.get_table("device");
  out.push_back(core::make_diagnostic(
      ErrorCode::warn_home_device, device_table.where_of("needle_length"), "device.needle_length",
      fmt::arg("message",
               fmt::format("'device.needle_length' {:g} mm is above the {:g} mm home-use maximum, and the patient "
                           "lists home_device_use (sources disagree on that maximum: 0.3-1.0 mm)",
                           s.device->needle_length.in(core::units::mm), limit->in(core::units::mm)))));
}

}  // namespace

DataBundle bundled_data() {
  return {bundled_rules(),   bundled_sites(),  bundled_devices(), bundled_lesions(),
          bundled_actives(), bundled_tissue(), bundled_healing(), bundled_outcomes()};
}

std::shared_ptr<const TableSpec> scenario_spec(const DataBundle& data) {
  auto seed = param::integer("seed", 1, 0, 4294967295, "random seed: same seed, same results");
  std::vector<WordSpec> warnings;
  for (const auto& row : core::all_error_codes()) {
    if (core::is_warning(row.code)) warnings.push_back({std::string(row.id), std::string(row.help)});
  }
  auto acknowledge =
      param::word_list("acknowledge", warnings, "plausibility warnings the author has seen and accepts, by id");
  auto protocol = param::table("protocol", course::protocol_spec(), "the course of sessions");
  return std::make_shared<TableSpec>(TableSpec{
      "",
      "a needlework scenario",
      {
          core::required(param::text("schema", std::nullopt, "file format version"), "\"needlework/1\""),
          seed,
          acknowledge,
          core::required(param::table("patient", clinical::patient_spec(data.rules), "the person being treated"), ""),
          param::table("device", device::device_spec(data.devices), "the needling device (simulate, plan)"),
          param::table_array("treatment", course::treatment_spec(data.sites.site_names()),
                             "one table per treated area (simulate, plan)"),
          param::table("topical", transport::topical_spec(data.actives), "a topical active (optional)"),
          protocol,
          param::table("preferences", planner::preferences_spec(), "the patient's preferences (plan)"),
          param::table("simulation", course::settings_spec(), "how the course is simulated (simulate, plan)"),
      }});
}

namespace {

struct Loaded {
  Scenario scenario;
  std::vector<Diagnostic> diagnostics;
};

// Tables the file leaves out are filled with their defaults so the typed view is complete.
const ConfigTable& table_or_defaults(const ConfigTable& root, const TableSpec& root_spec, const char* key,
                                     ConfigTable& storage, std::vector<Diagnostic>& diagnostics) {
  if (root.contains(key)) return root.get_table(key);
  storage = core::validate(ConfigTable{}, *root_spec.find(key)->table, diagnostics, key);
  return storage;
}

// `bytes`: the file's content, or nullopt to read it from `path`.
Loaded load(const std::filesystem::path& path, const DataBundle& data, std::optional<std::string_view> text = {}) {
  Loaded out;
  auto& s = out.scenario;
  s.path = path.string();
  s.spec = scenario_spec(data);
  ConfigTable raw;
  try {
    const std::string bytes = text ? std::string(*text) : read_input_bytes(path, s.path);
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
  s.seed = static_cast<std::uint64_t>(s.config.get_int("seed"));
  s.patient = clinical::patient_from(s.config.get_table("patient"), diags);
  if (s.config.contains("device")) {
    s.device = device::device_from(s.config.get_table("device"), data.devices, diags);
    record_resolved_device(*s.device, s.config.get_table_mut("device"));
  }
  const auto& treatments = s.config.get_array("treatment");
  for (std::size_t i = 0; i < treatments.size(); ++i) {
    s.treatments.push_back(course::treatment_from(*treatments[i].get_if<ConfigTable>(), i, diags));
  }
  ConfigTable protocol_defaults;
  s.protocol = course::protocol_from(table_or_defaults(s.config, *s.spec, "protocol", protocol_defaults, diags));
  ConfigTable settings_defaults;
  s.settings = course::settings_from(table_or_defaults(s.config, *s.spec, "simulation", settings_defaults, diags));
  if (s.config.contains("topical")) transport::check_topical(s.config.get_table("topical"), diags);
  if (s.config.contains("topical") && !core::has_errors(diags)) {
    const auto& t = s.config.get_table("topical");
    try {
      s.topical =
          Scenario::Topical{transport::resolve_active(t, data.actives, data.tissue), transport::dose_from_topical(t),
                            t.get_bool("occluded"), transport::schedule_from_topical(t)};
    } catch (const core::Error& e) {
      if (!e.diagnostics().empty()) {
        for (const auto& d : e.diagnostics()) diags.push_back(d);
      } else {
        diags.push_back(
            core::make_diagnostic(ErrorCode::cfg_consistency, t.where, "topical", fmt::arg("message", e.what())));
      }
    }
  }
  check_home_device(s, data, diags);
  // Warnings leave the error list; those the file acknowledges are dropped.
  const auto acknowledged = s.config.get_words("acknowledge");
  std::vector<Diagnostic> errors;
  for (auto& d : diags) {
    if (d.severity == core::Severity::error) {
      errors.push_back(std::move(d));
    } else if (std::find(acknowledged.begin(), acknowledged.end(), core::error_info(d.code).id) == acknowledged.end()) {
      s.warnings.push_back(std::move(d));
    }
  }
  diags = std::move(errors);
  return out;
}

}  // namespace

std::vector<Diagnostic> check_scenario(const std::filesystem::path& path, const DataBundle& data) {
  auto loaded = load(path, data);
  auto all = std::move(loaded.diagnostics);
  for (auto& w : loaded.scenario.warnings) all.push_back(std::move(w));
  return all;
}

Scenario load_bundled_scenario(std::string_view name, const DataBundle& data) {
  const auto text = bundled_file(name);
  if (!text) {
    core::raise(core::ErrorCode::internal, fmt::arg("reason", fmt::format("no bundled scenario '{}'", name)));
  }
  auto loaded = load(fmt::format("data/{}", name), data, *text);
  if (!loaded.diagnostics.empty()) throw core::Error(std::move(loaded.diagnostics));
  return std::move(loaded.scenario);
}

Scenario load_scenario(const std::filesystem::path& path, const DataBundle& data) {
  auto loaded = load(path, data);
  if (!loaded.diagnostics.empty()) throw core::Error(std::move(loaded.diagnostics));
  return std::move(loaded.scenario);
}

course::CourseInputs course_inputs(const Scenario& scenario) {
  course::CourseInputs in;
  in.seed = scenario.seed;
  in.sex = scenario.patient.sex == clinical::Sex::male ? skin::Sex::male : skin::Sex::female;
  in.age = scenario.patient.age;
  if (scenario.device) in.device = *scenario.device;
  in.areas = scenario.treatments;
  in.protocol = scenario.protocol;
  in.settings = scenario.settings;
  in.fitzpatrick = scenario.patient.fitzpatrick;
  in.conditions = scenario.patient.conditions;
  for (const auto& m : scenario.patient.medications) {
    if (!m.stopped) in.medications.push_back(m.name);
  }
  if (scenario.topical) {
    in.topical = course::Topical{scenario.topical->active, scenario.topical->dose, scenario.topical->occluded,
                                 scenario.topical->schedule};
  }
  return in;
}

std::string default_scenario(const DataBundle& data) {
  return core::render_defaults(
      *scenario_spec(data),
      "# needlework scenario with every key, its default and its documentation.\n"
      "# Quantities are strings with a unit (\"1.5 mm\", \"4 wk\"); required keys show an example.\n"
      "# needlework is a research and education tool, not a medical device.\n");
}

}  // namespace nw::io
