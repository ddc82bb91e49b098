#include "needlework/clinical/screening.hpp"

#include <fmt/format.h>
#include <algorithm>

namespace nw::clinical {
namespace {

Reason reason_of(const Rule& rule, std::string trigger, std::optional<core::Date> until) {
  return Reason{rule.id,      rule.action,   rule.severity, std::move(trigger), rule.message, rule.precautions,
                rule.sources, rule.conflict, until};
}

// Keeps the reason whose deferral ends last (an open-ended one counts as later than any date).
void keep_latest(std::optional<Reason>& latest, std::optional<Reason> r) {
  if (!r) return;
  const bool later = !latest || (latest->until && (!r->until || *r->until > *latest->until));
  if (later) latest = std::move(r);
}

bool has(const std::vector<std::string>& list, const std::string& word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

// A dated deferral fires only if it has not ended by the planned start.
std::optional<Reason> dated(const Rule& rule, std::string trigger, core::Date event, core::Date start) {
  if (!rule.defer) return reason_of(rule, std::move(trigger), std::nullopt);
  const auto until = event.plus(*rule.defer);
  if (until <= start) return std::nullopt;
  return reason_of(rule, std::move(trigger), until);
}

std::optional<Reason> medication_reason(const Rule& rule, const Patient& patient, core::Date start) {
  std::optional<Reason> latest;
  for (const auto& m : patient.medications) {
    if (m.name != rule.word) continue;
    const bool ongoing = !m.stopped.has_value();
    if ((rule.status == MedicationStatus::ongoing && !ongoing) || (rule.status == MedicationStatus::stopped && ongoing))
      continue;
    std::optional<Reason> r;
    if (ongoing) {
      r = reason_of(rule, fmt::format("medication {} (ongoing)", m.name), std::nullopt);
    } else {
      r = dated(rule, fmt::format("medication {} (stopped {})", m.name, m.stopped->iso()), *m.stopped, start);
    }
    keep_latest(latest, std::move(r));
  }
  return latest;
}

std::optional<Reason> procedure_reason(const Rule& rule, const Patient& patient, core::Date start) {
  std::optional<Reason> latest;
  for (const auto& p : patient.recent_procedures) {
    if (p.name != rule.word) continue;
    keep_latest(latest, dated(rule, fmt::format("procedure {} on {}", p.name, p.date.iso()), p.date, start));
  }
  return latest;
}

}  // namespace

std::optional<Reason> apply_rule(const Rule& rule, const Patient& patient, core::Date start) {
  switch (rule.on) {
    case Trigger::pregnant:
      if (patient.pregnant) return dated(rule, "pregnant", start, start);
      return std::nullopt;
    case Trigger::breastfeeding:
      if (patient.breastfeeding) return dated(rule, "breastfeeding", start, start);
      return std::nullopt;
    case Trigger::condition:
      if (has(patient.conditions, rule.word)) return dated(rule, fmt::format("condition {}", rule.word), start, start);
      return std::nullopt;
    case Trigger::medication:
      return medication_reason(rule, patient, start);
    case Trigger::procedure:
      return procedure_reason(rule, patient, start);
    case Trigger::age_below:
      if (rule.age && patient.age < *rule.age) {
        return dated(rule, fmt::format("age {:.0f} yr", patient.age.in(core::units::yr)), start, start);
      }
      return std::nullopt;
  }
  return std::nullopt;
}

ScreeningResult screen(const Patient& patient, const RuleSet& rules, core::Date start) {
  ScreeningResult result;
  result.planned_start = start;
  for (const auto& rule : rules.rules) {
    if (auto r = apply_rule(rule, patient, start)) result.reasons.push_back(std::move(*r));
  }
  std::stable_sort(result.reasons.begin(), result.reasons.end(), [](const Reason& a, const Reason& b) {
    return restrictiveness(a.action) > restrictiveness(b.action);
  });
  for (const auto& r : result.reasons) {
    if (restrictiveness(r.action) > restrictiveness(result.decision)) result.decision = r.action;
  }
  if (result.decision == Action::defer) {
    for (const auto& r : result.reasons) {
      if (r.action == Action::defer && r.until && (!result.earliest_date || *r.until > *result.earliest_date)) {
        result.earliest_date = r.until;
      }
    }
  }
  return result;
}

}  // namespace nw::clinical
