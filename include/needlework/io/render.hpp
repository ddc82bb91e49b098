#pragma once
// Text and JSON renderings of results for the CLI (nlohmann-json stays private to io).

#include <string>
#include <vector>

#include "needlework/clinical/rules.hpp"
#include "needlework/clinical/screening.hpp"
#include "needlework/core/error.hpp"

namespace nw::io {

inline constexpr std::string_view kDisclaimer =
    "needlework is a research and education tool, not a medical device. Its screening rules are an editorial synthesis "
    "of published sources, not a clinical guideline; a qualified practitioner makes the decision.";

/// screen --json, per PRODUCT.md: decision, earliest_date, reasons[{rule, action, severity,
/// message, sources}] plus trigger, until, conflict, precautions, planned_start, disclaimer.
std::string screening_json(const clinical::ScreeningResult& r, const clinical::RuleSet& rules);
/// A readable report for people: decision, table of reasons, disagreements, sources, disclaimer.
std::string screening_text(const clinical::ScreeningResult& r, const clinical::RuleSet& rules, const std::string& file);

/// {"valid": bool, "diagnostics": [{file, line, column, severity, code, key, message}]}
std::string diagnostics_json(const std::vector<core::Diagnostic>& diagnostics);

/// The parameter schema as JSON (config --defaults --json).
std::string schema_json(const core::TableSpec& spec);

}  // namespace nw::io
