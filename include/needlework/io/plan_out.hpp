#pragma once
// What `needlework plan` writes: plan.json (the contract of docs/PRODUCT.md: screening, areas,
// schedule, aftercare, alternatives, disclaimer, plus what a practitioner needs beside them:
// the standard protocols evaluated side by side, the search box with its sources, the
// expected course over time) and the short summary printed for people.

#include <filesystem>
#include <string>
#include <vector>

#include "needlework/clinical/rules.hpp"
#include "needlework/io/provenance.hpp"
#include "needlework/planner/planner.hpp"

namespace nw::io {

/// Disclaimer of every plan: not a medical device; predictions uncertain; evidence per concern.
inline constexpr std::string_view kPlanDisclaimer =
    "needlework is a research and education tool, not a medical device. The plan is a model prediction: each "
    "expected result is the median of virtual patients with its 90 % interval, the evidence behind each indication "
    "is stated with it, and the screening rules and protocol bounds are an editorial synthesis of published "
    "sources, not a clinical guideline. A qualified practitioner makes every decision.";

/// plan.json text (also what `plan --json` prints).
std::string plan_json(const planner::Plan& plan, const clinical::RuleSet& rules, const planner::PlanningData& data);
/// The short human summary.
std::string plan_text(const planner::Plan& plan, const clinical::RuleSet& rules, const std::string& file,
                      const std::filesystem::path& dir);
/// Writes DIR/plan.json and DIR/provenance.json; returns the paths written. Throws
/// core::Error{io_write}.
std::vector<std::filesystem::path> write_plan(const std::filesystem::path& dir, const std::string& json,
                                              const Provenance& provenance);

}  // namespace nw::io
