#pragma once
// Scenario files ("needlework/1"): the schema assembled from the modules' declarations,
// loading with every problem reported at once, and the typed view the commands use.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "needlework/clinical/patient.hpp"
#include "needlework/clinical/rules.hpp"
#include "needlework/core/config.hpp"
#include "needlework/course/simulation.hpp"
#include "needlework/course/treatment.hpp"
#include "needlework/device/device.hpp"
#include "needlework/skin/skin.hpp"
#include "needlework/transport/transport.hpp"

namespace nw::io {

inline constexpr std::string_view kScenarioSchema = "needlework/1";

/// The bundled data a scenario is validated and simulated against.
struct DataBundle {
  const clinical::RuleSet& rules;
  const skin::SiteLibrary& sites;
  const device::Catalogue& devices;
  const skin::LesionLibrary& lesions;
  const transport::ActiveLibrary& actives;
  const transport::TissueRules& tissue;
  const healing::Parameters& healing;
  const outcomes::OutcomeModel& outcomes;

  /// The libraries a course simulation reads.
  course::Libraries course_libraries() const { return {sites, lesions, tissue, healing, outcomes}; }
};

/// The data compiled into the binary.
DataBundle bundled_data();

/// The whole scenario schema: [patient] from clinical, [device] from device, [[treatment]]
/// and [protocol] from course, [topical] from transport; [preferences] is declared here until
/// the planner module that owns it exists.
std::shared_ptr<const core::TableSpec> scenario_spec(const DataBundle& data);

struct Scenario {
  std::string path;          // as given by the user (shown in diagnostics)
  std::string sha256;        // of the file's bytes
  core::ConfigTable config;  // validated: defaults filled, quantities in SI
  std::shared_ptr<const core::TableSpec> spec;
  std::uint64_t seed = 1;
  clinical::Patient patient;
  std::optional<device::Device> device;  // present when the file has [device]
  std::vector<course::TreatmentArea> treatments;
  course::Protocol protocol;
  course::Settings settings;
  std::vector<core::Diagnostic> warnings;  // plausibility warnings not acknowledged by the file
  struct Topical {
    transport::Active active;
    transport::Dose dose;
    bool occluded = false;
    transport::Schedule schedule = transport::Schedule::session;
  };
  std::optional<Topical> topical;  // present when the file has [topical]
};

/// Every problem in a scenario file: errors, and warnings the file does not acknowledge (a file
/// with warnings only is valid). Never throws for bad input.
std::vector<core::Diagnostic> check_scenario(const std::filesystem::path& path, const DataBundle& data);

/// Loads a valid scenario or throws core::Error carrying every diagnostic.
Scenario load_scenario(const std::filesystem::path& path, const DataBundle& data);

/// The course a scenario describes (device, areas, protocol, topical, patient factors, settings).
/// Precondition for simulating it: the scenario has [device] and at least one [[treatment]].
course::CourseInputs course_inputs(const Scenario& scenario);

/// A scenario bundled under data/ (e.g. "outcomes/courses/garg_boxcar.toml"): the reference
/// courses of the calibration. Throws core::Error like load_scenario (internal if absent).
Scenario load_bundled_scenario(std::string_view name, const DataBundle& data);

/// The commented default scenario printed by `needlework config --defaults`.
std::string default_scenario(const DataBundle& data);

}  // namespace nw::io
