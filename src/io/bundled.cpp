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

clinical::RuleSet load_bundled_rules() {
  constexpr std::string_view name = "clinical/screening_rules.toml";
  const auto text = bundled_file(name);
  try {
    if (!text) core::raise(core::ErrorCode::data_invalid, fmt::arg("path", name), fmt::arg("reason", "not bundled"));
    return rules_from_raw(read_toml_text(*text, std::string("data/") + std::string(name)));
  } catch (const core::Error& e) {
    if (e.code() == core::ErrorCode::data_invalid) throw;
    core::raise(core::ErrorCode::data_invalid, fmt::arg("path", name), fmt::arg("reason", e.what()));
  }
}

}  // namespace

const clinical::RuleSet& bundled_rules() {
  static const clinical::RuleSet rules = load_bundled_rules();
  return rules;
}

clinical::RuleSet load_rules_file(const std::filesystem::path& path) {
  return rules_from_raw(read_toml_file(path, path.string()));
}

}  // namespace nw::io
