#include "needlework/io/bundled.hpp"

#include <fmt/format.h>

#include "bundled_files.hpp"
#include "needlework/io/toml_reader.hpp"

namespace nw::io {

std::optional<std::string_view> bundled_file(std::string_view path) {
  for (const auto& f : detail::bundled_files()) {
    if (f.path == path) return f.text;
  }
  return std::nullopt;
}

std::vector<std::string> bundled_file_names() {
  std::vector<std::string> out;
  for (const auto& f : detail::bundled_files()) out.emplace_back(f.path);
  return out;
}

namespace {

clinical::RuleSet rules_from_raw(const core::ConfigTable& raw) {
  std::vector<core::Diagnostic> diagnostics;
  const auto validated = core::validate(raw, clinical::rules_spec(), diagnostics);
  if (!diagnostics.empty()) throw core::Error(std::move(diagnostics));
  auto rules = clinical::ruleset_from(validated, diagnostics);
  if (!diagnostics.empty()) throw core::Error(std::move(diagnostics));
  return rules;
}

// Reads, validates and converts one bundled data file; any problem is a DATA-INVALID error
// naming the file (a build defect the tests catch).
template <typename Build>
auto load_bundled(std::string_view name, const core::TableSpec& spec, Build build) {
  const auto text = bundled_file(name);
  try {
    if (!text) core::raise(core::ErrorCode::data_invalid, fmt::arg("path", name), fmt::arg("reason", "not bundled"));
    const auto raw = read_toml_text(*text, std::string("data/") + std::string(name));
    std::vector<core::Diagnostic> diagnostics;
    const auto validated = core::validate(raw, spec, diagnostics);
    if (!diagnostics.empty()) throw core::Error(std::move(diagnostics));
    return build(validated);
  } catch (const core::Error& e) {
    if (e.code() == core::ErrorCode::data_invalid) throw;
    core::raise(core::ErrorCode::data_invalid, fmt::arg("path", name), fmt::arg("reason", e.what()));
  }
}

clinical::RuleSet load_bundled_rules() {
  return load_bundled("clinical/screening_rules.toml", clinical::rules_spec(), [](const core::ConfigTable& v) {
    std::vector<core::Diagnostic> diagnostics;
    auto rules = clinical::ruleset_from(v, diagnostics);
    if (!diagnostics.empty()) throw core::Error(std::move(diagnostics));
    return rules;
  });
}

}  // namespace

const clinical::RuleSet& bundled_rules() {
  static const clinical::RuleSet rules = load_bundled_rules();
  return rules;
}

const skin::SiteLibrary& bundled_sites() {
  static const auto sites = load_bundled("skin/sites.toml", skin::SiteLibrary::spec(), skin::SiteLibrary::from_config);
  return sites;
}

const device::Catalogue& bundled_devices() {
  static const auto devices =
      load_bundled("device/devices.toml", device::Catalogue::spec(), device::Catalogue::from_config);
  return devices;
}

const skin::LesionLibrary& bundled_lesions() {
  static const auto lesions =
      load_bundled("skin/lesions.toml", skin::LesionLibrary::spec(), skin::LesionLibrary::from_config);
  return lesions;
}

const transport::ActiveLibrary& bundled_actives() {
  static const auto actives =
      load_bundled("transport/actives.toml", transport::ActiveLibrary::spec(), transport::ActiveLibrary::from_config);
  return actives;
}

const transport::TissueRules& bundled_tissue() {
  static const auto tissue =
      load_bundled("transport/tissue.toml", transport::TissueRules::spec(), transport::TissueRules::from_config);
  return tissue;
}

const healing::Parameters& bundled_healing() {
  static const auto parameters =
      load_bundled("healing/parameters.toml", healing::Parameters::spec(), healing::Parameters::from_config);
  return parameters;
}

const outcomes::OutcomeModel& bundled_outcomes() {
  static const auto model =
      load_bundled("outcomes/outcomes.toml", outcomes::OutcomeModel::spec(), outcomes::OutcomeModel::from_config);
  return model;
}

const planner::PlanningData& bundled_planning() {
  static const auto planning =
      load_bundled("clinical/planning.toml", planner::PlanningData::spec(), planner::PlanningData::from_config);
  return planning;
}

clinical::RuleSet load_rules_file(const std::filesystem::path& path) {
  return rules_from_raw(read_toml_file(path, path.string()));
}

}  // namespace nw::io
