#include "needlework/clinical/rules.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <set>

namespace nw::clinical {

using core::ConfigTable;
using core::ErrorCode;
using core::TableSpec;
namespace param = core::param;

std::string_view to_string(Action a) {
  switch (a) {
    case Action::treat:
      return "treat";
    case Action::treat_with_precautions:
      return "treat-with-precautions";
    case Action::defer:
      return "defer";
    case Action::refer:
      return "refer";
    case Action::do_not_treat:
      return "do-not-treat";
  }
  return "treat";
}

int restrictiveness(Action a) { return static_cast<int>(a); }

std::string_view to_string(RuleSeverity s) {
  switch (s) {
    case RuleSeverity::absolute:
      return "absolute";
    case RuleSeverity::relative:
      return "relative";
    case RuleSeverity::scope:
      return "scope";
  }
  return "relative";
}

const Source* RuleSet::find_source(std::string_view id) const {
  for (const auto& s : sources) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

namespace {

std::vector<core::WordSpec> words(std::initializer_list<const char*> list) {
  std::vector<core::WordSpec> out;
  for (const char* w : list) out.push_back({w, ""});
  return out;
}

std::shared_ptr<const TableSpec> make_rules_spec() {
  auto source = std::make_shared<TableSpec>(TableSpec{
      "source",
      "a publication or other source",
      {
          core::required(param::text("id", std::nullopt, "source id, e.g. S48"), "\"S48\""),
          core::required(param::text("citation", std::nullopt, "citation"), "\"...\""),
          core::required(
              param::text("tier", std::nullopt, "evidence tier: A review/guideline, B primary/label, C clinic"),
              "\"A\""),
          param::text("url", "", "where it can be read"),
      }});
  auto word = std::make_shared<TableSpec>(
      TableSpec{"word",
                "a screening word",
                {
                    core::required(param::text("word", std::nullopt, "the word used in scenario files"), "\"sunburn\""),
                    core::required(param::text("doc", std::nullopt, "what it means"), "\"...\""),
                }});
  auto rule = std::make_shared<TableSpec>(TableSpec{
      "rule",
      "a screening rule",
      {
          core::required(param::text("id", std::nullopt, "rule id"), "\"pregnancy\""),
          core::required(
              param::word("on",
                          words({"pregnant", "breastfeeding", "condition", "medication", "procedure", "age_below"}), "",
                          "what triggers the rule"),
              "\"condition\""),
          core::optional_(param::text("word", std::nullopt, "the condition, medication or procedure word")),
          param::word("status", words({"any", "ongoing", "stopped"}), "any",
                      "medications: ongoing (no stop date), stopped, or any"),
          core::optional_(param::quantity("age", core::dim::time, "", "0 yr", "120 yr", "age_below: the age limit")),
          core::required(param::word("action", words({"do-not-treat", "refer", "defer", "treat-with-precautions"}), "",
                                     "what to do"),
                         "\"defer\""),
          core::required(
              param::word("severity", words({"absolute", "relative", "scope"}), "", "strength of the source basis"),
              "\"relative\""),
          core::optional_(
              param::quantity("defer", core::dim::time, "", "1 d", "10 yr", "deferral counted from the event date")),
          core::required(param::text("message", std::nullopt, "what a practitioner reads"), "\"...\""),
          param::text_list("precautions", "concrete steps for treat-with-precautions"),
          param::text_list("sources", "source ids"),
          param::text("conflict", "", "where sources disagree and which side the rule takes"),
      }});
  return std::make_shared<TableSpec>(
      TableSpec{"",
                "needlework screening rules",
                {
                    core::required(param::text("schema", std::nullopt, "file format"), "\"needlework-rules/1\""),
                    param::table_array("source", source, "sources"),
                    param::table_array("condition", word, "condition words"),
                    param::table_array("medication", word, "medication words"),
                    param::table_array("procedure", word, "procedure words"),
                    param::table_array("rule", rule, "rules"),
                }});
}

Action parse_action(const std::string& s) {
  if (s == "do-not-treat") return Action::do_not_treat;
  if (s == "refer") return Action::refer;
  if (s == "defer") return Action::defer;
  return Action::treat_with_precautions;
}

Trigger parse_trigger(const std::string& s) {
  if (s == "pregnant") return Trigger::pregnant;
  if (s == "breastfeeding") return Trigger::breastfeeding;
  if (s == "medication") return Trigger::medication;
  if (s == "procedure") return Trigger::procedure;
  if (s == "age_below") return Trigger::age_below;
  return Trigger::condition;
}

std::vector<core::WordSpec> read_words(const ConfigTable& t, std::string_view key) {
  std::vector<core::WordSpec> out;
  for (const auto& v : t.get_array(key)) {
    const auto& w = *v.get_if<ConfigTable>();
    out.push_back({w.get_text("word"), w.get_text("doc")});
  }
  return out;
}

class RuleChecker {
 public:
  RuleChecker(const RuleSet& set, std::vector<core::Diagnostic>& out) : set_(set), out_(out) {}

  void check(const Rule& r, const ConfigTable& t) {
    const auto problem = [&](std::string_view key, std::string message) {
      out_.push_back(core::make_diagnostic(ErrorCode::cfg_consistency, t.where_of(key), fmt::format("rule.{}", key),
                                           fmt::arg("message", fmt::format("rule '{}': {}", r.id, message))));
    };
    const auto* vocabulary = r.on == Trigger::condition    ? &set_.conditions
                             : r.on == Trigger::medication ? &set_.medications
                             : r.on == Trigger::procedure  ? &set_.procedures
                                                           : nullptr;
    if (vocabulary) {
      const bool declared =
          std::any_of(vocabulary->begin(), vocabulary->end(), [&](const auto& w) { return w.word == r.word; });
      if (!declared) problem("word", fmt::format("word '{}' is not declared in the vocabulary", r.word));
    } else if (!r.word.empty()) {
      problem("word", "only condition, medication and procedure rules take a word");
    }
    if (r.on == Trigger::age_below && !r.age) problem("age", "age_below rules need 'age'");
    if (r.status != MedicationStatus::any && r.on != Trigger::medication)
      problem("status", "only medication rules take a status");
    if (r.defer && r.action != Action::defer) problem("defer", "only defer rules take a deferral");
    if (r.severity == RuleSeverity::absolute && restrictiveness(r.action) < restrictiveness(Action::defer)) {
      problem("action", "an absolute contraindication must defer, refer or not treat");
    }
    if (r.sources.empty() && r.conflict.empty())
      problem("sources", "a rule without sources must say why in 'conflict'");
    for (const auto& id : r.sources) {
      if (!set_.find_source(id)) problem("sources", fmt::format("source '{}' is not declared", id));
    }
    if (!ids_.insert(r.id).second) problem("id", "duplicate rule id");
  }

 private:
  const RuleSet& set_;
  std::vector<core::Diagnostic>& out_;
  std::set<std::string> ids_;
};

}  // namespace

const TableSpec& rules_spec() {
  static const auto spec = make_rules_spec();
  return *spec;
}

RuleSet ruleset_from(const ConfigTable& validated, std::vector<core::Diagnostic>& diagnostics) {
  RuleSet set;
  if (validated.get_text("schema") != "needlework-rules/1") {
    diagnostics.push_back(core::make_diagnostic(ErrorCode::cfg_schema, validated.where_of("schema"), "schema",
                                                fmt::arg("expected", "needlework-rules/1"),
                                                fmt::arg("got", validated.get_text("schema"))));
    return set;
  }
  for (const auto& v : validated.get_array("source")) {
    const auto& s = *v.get_if<ConfigTable>();
    set.sources.push_back({s.get_text("id"), s.get_text("citation"), s.get_text("tier"), s.get_text("url")});
  }
  set.conditions = read_words(validated, "condition");
  set.medications = read_words(validated, "medication");
  set.procedures = read_words(validated, "procedure");
  RuleChecker checker(set, diagnostics);
  for (const auto& v : validated.get_array("rule")) {
    const auto& t = *v.get_if<ConfigTable>();
    Rule r;
    r.id = t.get_text("id");
    r.on = parse_trigger(t.get_text("on"));
    if (t.contains("word")) r.word = t.get_text("word");
    const auto& status = t.get_text("status");
    r.status = status == "ongoing"   ? MedicationStatus::ongoing
               : status == "stopped" ? MedicationStatus::stopped
                                     : MedicationStatus::any;
    if (t.contains("age")) r.age = t.get<core::dim::time>("age");
    r.action = parse_action(t.get_text("action"));
    const auto& severity = t.get_text("severity");
    r.severity = severity == "absolute" ? RuleSeverity::absolute
                 : severity == "scope"  ? RuleSeverity::scope
                                        : RuleSeverity::relative;
    if (t.contains("defer")) r.defer = t.get<core::dim::time>("defer");
    r.message = t.get_text("message");
    r.precautions = t.get_words("precautions");
    r.sources = t.get_words("sources");
    r.conflict = t.get_text("conflict");
    checker.check(r, t);
    set.rules.push_back(std::move(r));
  }
  return set;
}

}  // namespace nw::clinical
