#pragma once
// The project's data files (data/), compiled into the binary so needlework runs from any
// folder, and the loaders that turn them into module data.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/clinical/rules.hpp"
#include "needlework/device/device.hpp"
#include "needlework/healing/model.hpp"
#include "needlework/outcomes/outcomes.hpp"
#include "needlework/planner/planning_data.hpp"
#include "needlework/skin/skin.hpp"
#include "needlework/transport/actives.hpp"

namespace nw::io {

/// Text of a bundled data file by its path under data/, e.g. "clinical/screening_rules.toml".
std::optional<std::string_view> bundled_file(std::string_view path);
std::vector<std::string> bundled_file_names();

/// The screening rules shipped with needlework. Throws core::Error{data_invalid} if the
/// bundled file fails its schema (a build defect, caught by the tests).
const clinical::RuleSet& bundled_rules();

/// The site library (data/skin/sites.toml) and device catalogue (data/device/devices.toml).
const skin::SiteLibrary& bundled_sites();
const device::Catalogue& bundled_devices();
/// The lesion geometries (data/skin/lesions.toml).
const skin::LesionLibrary& bundled_lesions();
/// The active library and tissue transport rules (data/transport/).
const transport::ActiveLibrary& bundled_actives();
const transport::TissueRules& bundled_tissue();
/// The healing model's parameters (data/healing/parameters.toml) and the outcome model
/// (data/outcomes/outcomes.toml).
const healing::Parameters& bundled_healing();
const outcomes::OutcomeModel& bundled_outcomes();

/// The planning data (data/clinical/planning.toml): bounds, standard protocols, aftercare,
/// alternatives, risks.
const planner::PlanningData& bundled_planning();

/// Loads a rules file from disk (for research on alternative rule sets, and for tests).
clinical::RuleSet load_rules_file(const std::filesystem::path& path);

}  // namespace nw::io
