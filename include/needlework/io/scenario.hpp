#pragma once
// Scenario files ("needlework/1"): the schema assembled from the modules' declarations,
// loading with every problem reported at once, and the typed view the commands use.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "needlework/clinical/patient.hpp"
#include "needlework/clinical/rules.hpp"
#include "needlework/core/config.hpp"

namespace nw::io {

inline constexpr std::string_view kScenarioSchema = "needlework/1";

/// The whole scenario schema. [patient] is declared by clinical; [device], [[treatment]],
/// [topical], [protocol] and [preferences] are declared here until the modules that own them
/// (device, course, transport, planner) exist, and move there with them.
std::shared_ptr<const core::TableSpec> scenario_spec(const clinical::RuleSet& rules);

struct Scenario {
  std::string path;          // as given by the user (shown in diagnostics)
  std::string sha256;        // of the file's bytes
  core::ConfigTable config;  // validated: defaults filled, quantities in SI
  std::shared_ptr<const core::TableSpec> spec;
  std::uint64_t seed = 1;
  clinical::Patient patient;
  std::optional<core::Date> start;  // protocol.start, if given
};

/// Every problem in a scenario file (empty = valid). Never throws for bad input.
std::vector<core::Diagnostic> check_scenario(const std::filesystem::path& path, const clinical::RuleSet& rules);

/// Loads a valid scenario or throws core::Error carrying every diagnostic.
Scenario load_scenario(const std::filesystem::path& path, const clinical::RuleSet& rules);

/// The commented default scenario printed by `needlework config --defaults`.
std::string default_scenario(const clinical::RuleSet& rules);

}  // namespace nw::io
