#pragma once
// Candidacy screening: applies every rule of a RuleSet to a patient and combines the reasons.
//
// Combination: the most restrictive action wins (do-not-treat > refer > defer >
// treat-with-precautions > treat). A deferral counted from an event (a medication's stop date,
// a procedure's date, or the planned start for present conditions) ends on that date plus the
// rule's duration, rounded up to whole days; a deferral already over by the planned start does
// not fire. The earliest date of a `defer` decision is the latest end among the dated
// deferrals; open-ended ones ("until resolved") add no date and are listed as reasons.

#include <optional>
#include <string>
#include <vector>

#include "needlework/clinical/patient.hpp"
#include "needlework/clinical/rules.hpp"
#include "needlework/core/date.hpp"

namespace nw::clinical {

struct Reason {
  std::string rule;  // rule id
  Action action = Action::treat;
  RuleSeverity severity = RuleSeverity::relative;
  std::string trigger;  // what in the patient file fired it, e.g. "medication isotretinoin (stopped 2026-05-01)"
  std::string message;
  std::vector<std::string> precautions;
  std::vector<std::string> sources;
  std::string conflict;
  std::optional<core::Date> until;  // end of a dated deferral
};

struct ScreeningResult {
  Action decision = Action::treat;
  core::Date planned_start;
  std::optional<core::Date> earliest_date;  // set for `defer` when a dated deferral exists
  std::vector<Reason> reasons;              // most restrictive first
};

/// The reason `rule` gives for `patient` starting on `start`, or none if it does not fire.
std::optional<Reason> apply_rule(const Rule& rule, const Patient& patient, core::Date start);

/// Screens a patient for a course planned to start on `start`.
ScreeningResult screen(const Patient& patient, const RuleSet& rules, core::Date start);

}  // namespace nw::clinical
