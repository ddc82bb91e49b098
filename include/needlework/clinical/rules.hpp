#pragma once
// Screening rules: the project's own synthesis of the clinical sources, kept as data
// (data/clinical/screening_rules.toml, bundled into the binary). Each rule says what triggers
// it, what to do (action), how strong the source basis is (severity), for how long a deferral
// lasts, and which sources support it; where sources disagree the conservative side is taken
// and the disagreement is kept in `conflict` so that screening can show it.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "needlework/core/config.hpp"
#include "needlework/core/units.hpp"

namespace nw::clinical {

/// Screening outcomes, ordered from least to most restrictive.
enum class Action { treat, treat_with_precautions, defer, refer, do_not_treat };

/// "treat", "treat-with-precautions", "defer", "refer", "do-not-treat".
std::string_view to_string(Action a);
/// Restrictiveness used to combine reasons: do-not-treat > refer > defer > precautions > treat.
int restrictiveness(Action a);

enum class RuleSeverity { absolute, relative, scope };
std::string_view to_string(RuleSeverity s);

enum class Trigger { pregnant, breastfeeding, condition, medication, procedure, age_below };
enum class MedicationStatus { any, ongoing, stopped };

struct Rule {
  std::string id;
  Trigger on = Trigger::condition;
  std::string word;  // condition / medication / procedure word
  MedicationStatus status = MedicationStatus::any;
  std::optional<core::Time> age;  // age_below
  Action action = Action::treat_with_precautions;
  RuleSeverity severity = RuleSeverity::relative;
  std::optional<core::Time> defer;  // counted from the event date; none = open-ended
  std::string message;
  std::vector<std::string> precautions;
  std::vector<std::string> sources;  // ids into RuleSet::sources
  std::string conflict;              // where sources disagree; may be empty
};

struct Source {
  std::string id;
  std::string citation;
  std::string tier;
  std::string url;
};

struct RuleSet {
  std::vector<Source> sources;
  std::vector<core::WordSpec> conditions;
  std::vector<core::WordSpec> medications;
  std::vector<core::WordSpec> procedures;
  std::vector<Rule> rules;

  const Source* find_source(std::string_view id) const;
};

/// The schema of a rules file ("needlework-rules/1").
const core::TableSpec& rules_spec();

/// Builds the rule set from a table validated against rules_spec(), checking what a schema
/// cannot (every word and source id declared, deferrals only on defer rules, no absolute rule
/// softer than defer-or-stricter ...). Problems are appended to `diagnostics`.
RuleSet ruleset_from(const core::ConfigTable& validated, std::vector<core::Diagnostic>& diagnostics);

}  // namespace nw::clinical
