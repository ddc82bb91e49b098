#pragma once
// The treated areas of a scenario ([[treatment]]) and the course protocol ([protocol]).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "needlework/core/config.hpp"
#include "needlework/core/date.hpp"
#include "needlework/core/units.hpp"

namespace nw::course {

struct Baseline {
  std::string scale;
  double value = 0;
};

struct TreatmentArea {
  std::string site;
  std::string concern;
  std::string scar_type;  // acne_scars only; "" otherwise
  std::optional<Baseline> baseline;
  core::Area area;
  int passes = 4;
};

struct Protocol {
  int sessions = 5;
  core::Time interval;
  core::Time follow_up;
  std::optional<core::Date> start;
};

enum class Fidelity { fast, detailed };

/// [simulation]: how the course is simulated.
struct Settings {
  Fidelity fidelity = Fidelity::fast;
  int virtual_patients = 200;  // 0: the nominal person only, no cohort (the planner's search; files need >= 1)
};

inline const char* to_string(Fidelity f) { return f == Fidelity::fast ? "fast" : "detailed"; }

/// Schema of one [[treatment]] table; `sites` is the site library's vocabulary.
std::shared_ptr<const core::TableSpec> treatment_spec(const std::vector<std::string>& sites);
std::shared_ptr<const core::TableSpec> protocol_spec();
std::shared_ptr<const core::TableSpec> settings_spec();

/// Reads validated tables; adds CFG-CONSISTENCY diagnostics for combinations a schema cannot
/// see (scar_type without acne_scars).
TreatmentArea treatment_from(const core::ConfigTable& validated, std::size_t index,
                             std::vector<core::Diagnostic>& diagnostics);
Protocol protocol_from(const core::ConfigTable& validated);
Settings settings_from(const core::ConfigTable& validated);

}  // namespace nw::course
