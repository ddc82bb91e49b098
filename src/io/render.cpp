#include "needlework/io/render.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "needlework/core/text.hpp"

namespace nw::io {

using nlohmann::ordered_json;

namespace {

std::string decision_sentence(const clinical::ScreeningResult& r) {
  switch (r.decision) {
    case clinical::Action::treat:
      return fmt::format("treat: no contraindication found for a start on {}", r.planned_start.iso());
    case clinical::Action::treat_with_precautions:
      return fmt::format("treat with precautions: start on {} is possible once the precautions below are in place",
                         r.planned_start.iso());
    case clinical::Action::defer:
      return r.earliest_date
                 ? fmt::format(
                       "defer: earliest start {} (planned {}){}", r.earliest_date->iso(), r.planned_start.iso(),
                       std::any_of(r.reasons.begin(), r.reasons.end(),
                                   [](const auto& x) { return x.action == clinical::Action::defer && !x.until; })
                           ? ", and not before the open-ended reasons below have resolved"
                           : "")
                 : "defer: re-screen once the reasons below have resolved (no date can be computed)";
    case clinical::Action::refer:
      return "refer: another clinician must assess or clear the patient first";
    case clinical::Action::do_not_treat:
      return "do not treat";
  }
  return "";
}

}  // namespace

std::string screening_json(const clinical::ScreeningResult& r, const clinical::RuleSet& rules) {
  ordered_json reasons = ordered_json::array();
  for (const auto& x : r.reasons) {
    ordered_json sources = x.sources;
    ordered_json reason = {
        {"rule", x.rule},
        {"action", std::string(clinical::to_string(x.action))},
        {"severity", std::string(clinical::to_string(x.severity))},
        {"message", x.message},
        {"sources", sources},
        {"trigger", x.trigger},
        {"until", x.until ? ordered_json(x.until->iso()) : ordered_json(nullptr)},
        {"precautions", x.precautions},
        {"conflict", x.conflict.empty() ? ordered_json(nullptr) : ordered_json(x.conflict)},
    };
    reasons.push_back(std::move(reason));
  }
  ordered_json cited = ordered_json::object();
  for (const auto& x : r.reasons) {
    for (const auto& id : x.sources) {
      if (const auto* s = rules.find_source(id))
        cited[id] = {{"citation", s->citation}, {"tier", s->tier}, {"url", s->url}};
    }
  }
  const ordered_json j = {
      {"decision", std::string(clinical::to_string(r.decision))},
      {"earliest_date", r.earliest_date ? ordered_json(r.earliest_date->iso()) : ordered_json(nullptr)},
      {"planned_start", r.planned_start.iso()},
      {"reasons", reasons},
      {"sources", cited},
      {"disclaimer", std::string(kDisclaimer)},
  };
  return j.dump(2) + "\n";
}

std::string screening_text(const clinical::ScreeningResult& r, const clinical::RuleSet& rules,
                           const std::string& file) {
  std::string out = fmt::format("Screening of {}\n\nDecision: {}\n", file, decision_sentence(r));
  if (r.reasons.empty()) {
    out += "\nNo screening rule fired.\n";
  } else {
    out += fmt::format("\n{:<26} {:<23} {:<9} {:<11} {}\n", "rule", "action", "severity", "until", "sources");
    for (const auto& x : r.reasons) {
      out += fmt::format("{:<26} {:<23} {:<9} {:<11} {}\n", x.rule, clinical::to_string(x.action),
                         clinical::to_string(x.severity), x.until ? x.until->iso() : "-", core::join(x.sources, " "));
      out += fmt::format("    why: {}\n", x.trigger);
      out += core::wrap(x.message, "    ");
      for (const auto& step : x.precautions) out += core::wrap(fmt::format("- {}", step), "    ");
      if (!x.conflict.empty()) out += core::wrap(fmt::format("sources disagree: {}", x.conflict), "    ");
    }
    out += "\nSources:\n";
    std::vector<std::string> seen;
    for (const auto& x : r.reasons) {
      for (const auto& id : x.sources) {
        if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
        seen.push_back(id);
        if (const auto* s = rules.find_source(id))
          out += fmt::format("  [{}] (tier {}) {}\n", id, s->tier, s->citation);
      }
    }
  }
  out += fmt::format("\n{}", core::wrap(kDisclaimer, ""));
  return out;
}

std::string diagnostics_json(const std::vector<core::Diagnostic>& diagnostics) {
  ordered_json list = ordered_json::array();
  for (const auto& d : diagnostics) {
    list.push_back({{"file", d.where.file},
                    {"line", d.where.line},
                    {"column", d.where.column},
                    {"severity", d.severity == core::Severity::error ? "error" : "warning"},
                    {"code", std::string(core::error_info(d.code).id)},
                    {"key", d.key},
                    {"message", d.message},
                    {"text", core::format_diagnostic(d)}});
  }
  const ordered_json j = {{"valid", diagnostics.empty()}, {"diagnostics", list}};
  return j.dump(2) + "\n";
}

namespace {

std::string_view type_name(core::ParamType t) {
  switch (t) {
    case core::ParamType::boolean:
      return "boolean";
    case core::ParamType::integer:
      return "integer";
    case core::ParamType::real:
      return "real";
    case core::ParamType::quantity:
      return "quantity";
    case core::ParamType::word:
      return "word";
    case core::ParamType::text:
      return "text";
    case core::ParamType::date:
      return "date";
    case core::ParamType::table:
      return "table";
    case core::ParamType::table_array:
      return "table_array";
    case core::ParamType::word_list:
      return "word_list";
    case core::ParamType::text_list:
      return "text_list";
    case core::ParamType::any:
      return "any";
  }
  return "text";
}

ordered_json table_json(const core::TableSpec& spec) {
  ordered_json params = ordered_json::array();
  for (const auto& p : spec.params) {
    ordered_json q = {
        {"key", p.key}, {"type", std::string(type_name(p.type))}, {"doc", p.doc}, {"required", p.required}};
    if (!p.default_text.empty()) q["default"] = p.default_text;
    if (!p.example_text.empty()) q["example"] = p.example_text;
    if (!p.dimensions.empty()) q["dimension"] = core::si_expression(p.dimensions.front());
    if (p.min) q["min_si"] = *p.min;
    if (p.max) q["max_si"] = *p.max;
    if (!p.source.empty()) q["source"] = p.source;
    if (!p.words.empty()) {
      ordered_json w = ordered_json::array();
      for (const auto& x : p.words) w.push_back(x.word);
      q["words"] = w;
    }
    if (p.table) q["table"] = table_json(*p.table);
    params.push_back(std::move(q));
  }
  return {{"name", spec.name}, {"doc", spec.doc}, {"params", params}};
}

}  // namespace

std::string schema_json(const core::TableSpec& spec) { return table_json(spec).dump(2) + "\n"; }

}  // namespace nw::io
