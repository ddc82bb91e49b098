#pragma once
// The [patient] table of a scenario: who is being treated, as screening and (later) the
// skin and outcome models need it.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "needlework/clinical/rules.hpp"
#include "needlework/core/config.hpp"
#include "needlework/core/date.hpp"
#include "needlework/core/units.hpp"

namespace nw::clinical {

enum class Sex { female, male };

struct Medication {
  std::string name;
  std::optional<core::Date> stopped;  // none = still taking it
};

struct Procedure {
  std::string name;
  core::Date date;
};

struct Patient {
  core::Time age;
  Sex sex = Sex::female;
  int fitzpatrick = 1;  // Fitzpatrick phototype 1..6
  bool pregnant = false;
  bool breastfeeding = false;
  std::vector<std::string> conditions;
  std::vector<Medication> medications;
  std::vector<Procedure> recent_procedures;
};

/// Schema of [patient]; the screening vocabulary comes from the rule set.
std::shared_ptr<const core::TableSpec> patient_spec(const RuleSet& rules);

/// Reads a [patient] table validated against patient_spec(). Adds a diagnostic for
/// combinations a schema cannot see (pregnant = true with sex = "male").
Patient patient_from(const core::ConfigTable& validated, std::vector<core::Diagnostic>& diagnostics);

}  // namespace nw::clinical
