#include "needlework/planner/planning_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace nw::planner {

using core::ConfigTable;
using core::ErrorCode;
using core::TableSpec;
namespace param = core::param;

namespace {

using Spec = std::shared_ptr<const TableSpec>;

Spec make_spec() {
  const auto txt = [](const char* key, const char* doc) {
    return core::required(param::text(key, std::nullopt, doc), "\"...\"");
  };
  const auto sources = [] { return param::text_list("source", "source ids ([[source]] ids or \"assumption\")"); };
  const auto note = [] { return param::text("note", "", "remarks, disagreements"); };
  const auto length = [](const char* key, const char* doc, bool required) {
    auto p = param::quantity(key, core::dim::length, "", "0.05 mm", "5 mm", doc);
    return required ? core::required(p, "\"1.5 mm\"") : core::optional_(p);
  };
  const auto weeks = [](const char* key, const char* doc, bool required) {
    auto p = param::quantity(key, core::dim::time, "", "1 d", "52 wk", doc);
    return required ? core::required(p, "\"4 wk\"") : core::optional_(p);
  };
  const auto count = [](const char* key, const char* doc) {
    return core::required(param::integer(key, std::nullopt, 1, 52, doc), "4");
  };
  auto source = std::make_shared<TableSpec>(
      TableSpec{"source",
                "a publication or other source",
                {txt("id", "source id"), txt("citation", "citation"), txt("tier", "evidence tier (A, B, C)"),
                 param::text("url", "", "where it was read")}});
  auto constraints = std::make_shared<TableSpec>(
      TableSpec{"constraints",
                "limits every plan respects",
                {param::fact("minutes_per_area_max", "longest needling time per area and session"),
                 param::fact("minutes_per_area_typical_min", "typical shortest time (shown, not enforced)"),
                 param::fact("depth_fallback_min", "shallowest setting where no site or concern source gives one"),
                 param::fact("depth_fallback_max", "deepest setting where no site or concern source gives one"),
                 param::fact("interval_fallback_min", "shortest interval where the concern gives none"),
                 param::fact("interval_fallback_max", "longest interval where the concern gives none")}});
  auto fraction = core::required(
      param::quantity("max_probability", core::dim::none, "", "0 %", "100 %", "largest PIH probability accepted"),
      "\"10 %\"");
  auto pih = std::make_shared<TableSpec>(
      TableSpec{"pih_limit",
                "PIH probability accepted, by phototype",
                {core::required(param::integer("fitzpatrick_min", std::nullopt, 1, 6, "lowest phototype"), "1"),
                 core::required(param::integer("fitzpatrick_max", std::nullopt, 1, 6, "highest phototype"), "3"),
                 fraction, sources(), note()}});
  auto site = std::make_shared<TableSpec>(TableSpec{
      "site_depth",
      "needle-length limits of a body site",
      {txt("site", "site name (sites.toml)"), param::text_list("concerns", "only for these concerns (empty: any)"),
       length("depth_min", "shallowest setting", true), length("depth_max", "deepest setting", true),
       txt("tier", "evidence tier of the depth"), sources(), note()}});
  auto concern = std::make_shared<TableSpec>(
      TableSpec{"concern",
                "search bounds and evidence of a concern",
                {txt("name", "concern word of [[treatment]]"), txt("indication", "rules.json indication id"),
                 length("depth_min", "shallowest setting", false), length("depth_max", "deepest setting", false),
                 count("passes_min", "fewest passes"), count("passes_max", "most passes"),
                 count("sessions_min", "fewest sessions"), count("sessions_max", "most sessions"),
                 weeks("interval_min", "shortest interval", false), weeks("interval_max", "longest interval", false),
                 param::text_list("topicals", "[[topical]] names the planner may add"),
                 txt("evidence", "level of evidence in a word or two"),
                 txt("evidence_note", "the evidence in a sentence"), sources(), note()}});
  auto concentration = param::quantity("concentration", core::dim::none, "", "0 %", "100 %", "strength of the product");
  auto dose = param::quantity("dose", core::dim::length, "", "0.1 uL/cm2", "1000 uL/cm2", "volume per area");
  dose.quantity_name = "a volume per area";
  auto topical = std::make_shared<TableSpec>(
      TableSpec{"topical",
                "a topical the planner may choose",
                {txt("name", "planning name"), txt("active", "active library name (actives.toml)"),
                 core::required(concentration, "\"5 %\""), core::required(dose, "\"10 uL/cm2\""),
                 core::required(
                     param::word("schedule",
                                 core::word_specs({{"session", "once after needling"}, {"daily", "every day at home"}}),
                                 "", "when it is applied"),
                     "\"daily\""),
                 sources(), note()}});
  auto protocol = std::make_shared<TableSpec>(
      TableSpec{"protocol",
                "a published protocol the plan is compared with",
                {txt("id", "protocol id"), txt("concern", "concern word"), txt("name", "what a practitioner reads"),
                 length("needle_length", "needle length / depth setting", true), count("passes", "passes per session"),
                 count("sessions", "sessions"), weeks("interval", "interval between sessions", true),
                 txt("topical", "[[topical]] name or \"none\""), sources(), note()}});
  auto aftercare = std::make_shared<TableSpec>(TableSpec{
      "aftercare",
      "aftercare for a span of days",
      {core::required(param::integer("day_from", std::nullopt, -60, 60, "first day (0 = session day)"), "0"),
       core::required(param::integer("day_to", std::nullopt, -60, 60, "last day"), "0"),
       param::text("condition", "", "only for patients with this condition"), param::text_list("do", "what to do"),
       param::text_list("avoid", "what to avoid"), sources(), param::text("conflict", "", "where sources disagree")}});
  auto alternative = std::make_shared<TableSpec>(
      TableSpec{"alternative",
                "another treatment with its evidence",
                {txt("treatment", "id"), txt("name", "name"), param::text_list("concerns", "concerns it treats"),
                 txt("downtime", "downtime read"), txt("pih", "PIH risk read"), txt("evidence", "evidence level"),
                 txt("compared", "comparison with needling"), sources()}});
  auto risk = std::make_shared<TableSpec>(TableSpec{
      "risk",
      "a risk line of an area",
      {txt("id", "risk id"), txt("message", "what a practitioner reads"),
       param::text_list("sites", "only at these sites"), param::text_list("topicals", "only with these actives"),
       length("depth_min", "only at or beyond this setting", false),
       core::optional_(param::integer("fitzpatrick_min", std::nullopt, 1, 6, "only from this phototype")), sources()}});
  return std::make_shared<TableSpec>(
      TableSpec{"",
                "needlework planning data",
                {core::required(param::text("schema", std::nullopt, "file format"), "\"needlework-planning/1\""),
                 param::table("constraints", constraints, "limits"), param::table_array("pih_limit", pih, "PIH limits"),
                 param::table_array("site_depth", site, "depth by site"),
                 param::table_array("concern", concern, "bounds by concern"),
                 param::table_array("topical", topical, "topical candidates"),
                 param::table_array("protocol", protocol, "standard protocols"),
                 param::table_array("aftercare", aftercare, "aftercare"),
                 param::table_array("alternative", alternative, "alternatives"),
                 param::table_array("risk", risk, "risks"), param::table_array("source", source, "sources")}});
}

class Checker {
 public:
  explicit Checker(std::vector<core::Diagnostic>& out) : out_(out) {}
  void problem(const ConfigTable& t, std::string_view key, const std::string& what) {
    out_.push_back(core::make_diagnostic(ErrorCode::cfg_consistency, t.where_of(key), std::string(key),
                                         fmt::arg("message", what)));
  }
  void sources(const PlanningData& d, const ConfigTable& t, const std::vector<std::string>& ids) {
    if (ids.empty()) problem(t, "source", "every entry needs at least one source id");
    for (const auto& id : ids) {
      if (id != "assumption" && !d.source(id)) problem(t, "source", fmt::format("source '{}' is not declared", id));
    }
  }

 private:
  std::vector<core::Diagnostic>& out_;
};

std::vector<ConfigTable> tables(const ConfigTable& v, std::string_view key) {
  std::vector<ConfigTable> out;
  for (const auto& e : v.get_array(key)) out.push_back(*e.get_if<ConfigTable>());
  return out;
}

template <core::Dimension D>
std::optional<core::Quantity<D>> opt(const ConfigTable& t, std::string_view key) {
  if (!t.contains(key)) return std::nullopt;
  return t.get<D>(key);
}

}  // namespace

TopicalOption no_topical() { return TopicalOption{"none", "", 0, 0, false, {}, "no topical"}; }

const ConcernBounds* PlanningData::concern(std::string_view name) const {
  for (const auto& c : concerns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const TopicalOption* PlanningData::topical(std::string_view name) const {
  static const TopicalOption none = no_topical();
  if (name == "none") return &none;
  for (const auto& t : topicals) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const SourceRef* PlanningData::source(std::string_view id) const {
  for (const auto& s : sources) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const SiteDepth* PlanningData::site_depth(std::string_view site, std::string_view concern_name) const {
  const SiteDepth* general = nullptr;
  for (const auto& s : site_depths) {
    if (s.site != site) continue;
    if (s.concerns.empty()) {
      general = &s;
    } else if (std::find(s.concerns.begin(), s.concerns.end(), concern_name) != s.concerns.end()) {
      return &s;
    }
  }
  return general;
}

double PlanningData::pih_limit(int fitzpatrick) const {
  for (const auto& l : pih_limits) {
    if (fitzpatrick >= l.fitzpatrick_min && fitzpatrick <= l.fitzpatrick_max) return l.max_probability;
  }
  core::raise(ErrorCode::internal, fmt::arg("reason", fmt::format("no PIH limit for phototype {}", fitzpatrick)));
}

const TableSpec& PlanningData::spec() {
  static const auto spec = make_spec();
  return *spec;
}

PlanningData PlanningData::from_config(const ConfigTable& v) {
  std::vector<core::Diagnostic> diags;
  Checker check(diags);
  PlanningData d;
  if (v.get_text("schema") != "needlework-planning/1") {
    diags.push_back(core::make_diagnostic(ErrorCode::cfg_schema, v.where_of("schema"), "schema",
                                          fmt::arg("expected", "needlework-planning/1"),
                                          fmt::arg("got", v.get_text("schema"))));
    throw core::Error(std::move(diags));
  }
  for (const auto& t : tables(v, "source")) {
    d.sources.push_back({t.get_text("id"), t.get_text("citation"), t.get_text("tier"), t.get_text("url")});
  }
  if (!v.contains("constraints")) {
    check.problem(v, "constraints", "the [constraints] table is required");
    throw core::Error(std::move(diags));
  }
  const auto& c = v.get_table("constraints");
  for (const auto& e : c.entries()) check.sources(d, c.get_table(e.key), c.get_table(e.key).get_words("source"));
  d.minutes_per_area_max = core::Time::from_si(core::read_fact_quantity(c, "minutes_per_area_max", core::dim::time));
  d.minutes_per_area_typical_min =
      core::Time::from_si(core::read_fact_quantity(c, "minutes_per_area_typical_min", core::dim::time));
  d.depth_fallback_min = core::Length::from_si(core::read_fact_quantity(c, "depth_fallback_min", core::dim::length));
  d.depth_fallback_max = core::Length::from_si(core::read_fact_quantity(c, "depth_fallback_max", core::dim::length));
  d.interval_fallback_min = core::Time::from_si(core::read_fact_quantity(c, "interval_fallback_min", core::dim::time));
  d.interval_fallback_max = core::Time::from_si(core::read_fact_quantity(c, "interval_fallback_max", core::dim::time));
  if (d.depth_fallback_min > d.depth_fallback_max)
    check.problem(c, "depth_fallback_min", "fallback depths out of order");

  int covered[7] = {0, 0, 0, 0, 0, 0, 0};
  for (const auto& t : tables(v, "pih_limit")) {
    PihLimit l{static_cast<int>(t.get_int("fitzpatrick_min")), static_cast<int>(t.get_int("fitzpatrick_max")),
               t.get_quantity("max_probability").si, t.get_words("source"), t.get_text("note")};
    check.sources(d, t, l.sources);
    for (int f = l.fitzpatrick_min; f <= l.fitzpatrick_max; ++f) ++covered[f];
    d.pih_limits.push_back(std::move(l));
  }
  for (int f = 1; f <= 6; ++f) {
    if (covered[f] != 1) check.problem(v, "pih_limit", fmt::format("phototype {} must be covered exactly once", f));
  }
  for (const auto& t : tables(v, "site_depth")) {
    SiteDepth s{t.get_text("site"),
                t.get_words("concerns"),
                t.get<core::dim::length>("depth_min"),
                t.get<core::dim::length>("depth_max"),
                t.get_text("tier"),
                t.get_words("source"),
                t.get_text("note")};
    check.sources(d, t, s.sources);
    if (s.depth_min > s.depth_max)
      check.problem(t, "depth_min", fmt::format("site '{}': depth_min > depth_max", s.site));
    d.site_depths.push_back(std::move(s));
  }
  for (const auto& t : tables(v, "topical")) {
    TopicalOption o{t.get_text("name"),
                    t.get_text("active"),
                    t.get_quantity("concentration").si * 100.0,
                    t.get_quantity("dose").si / (core::units::uL.si() / core::units::cm2.si()),
                    t.get_text("schedule") == "daily",
                    t.get_words("source"),
                    t.get_text("note")};
    check.sources(d, t, o.sources);
    d.topicals.push_back(std::move(o));
  }
  std::set<std::string> concern_names;
  for (const auto& t : tables(v, "concern")) {
    ConcernBounds b;
    b.name = t.get_text("name");
    b.indication = t.get_text("indication");
    b.depth_min = opt<core::dim::length>(t, "depth_min");
    b.depth_max = opt<core::dim::length>(t, "depth_max");
    b.passes_min = static_cast<int>(t.get_int("passes_min"));
    b.passes_max = static_cast<int>(t.get_int("passes_max"));
    b.sessions_min = static_cast<int>(t.get_int("sessions_min"));
    b.sessions_max = static_cast<int>(t.get_int("sessions_max"));
    b.interval_min = opt<core::dim::time>(t, "interval_min");
    b.interval_max = opt<core::dim::time>(t, "interval_max");
    b.topicals = t.get_words("topicals");
    b.evidence = t.get_text("evidence");
    b.evidence_note = t.get_text("evidence_note");
    b.sources = t.get_words("source");
    b.note = t.get_text("note");
    check.sources(d, t, b.sources);
    if (b.passes_min > b.passes_max) check.problem(t, "passes_min", "passes_min > passes_max");
    if (b.sessions_min > b.sessions_max) check.problem(t, "sessions_min", "sessions_min > sessions_max");
    if (b.depth_min.has_value() != b.depth_max.has_value() || (b.depth_min && *b.depth_min > *b.depth_max))
      check.problem(t, "depth_min", "give both depth_min and depth_max, in order");
    if (b.interval_min.has_value() != b.interval_max.has_value() ||
        (b.interval_min && *b.interval_min > *b.interval_max))
      check.problem(t, "interval_min", "give both interval_min and interval_max, in order");
    for (const auto& name : b.topicals) {
      if (!d.topical(name)) check.problem(t, "topicals", fmt::format("topical '{}' is not declared", name));
    }
    if (!concern_names.insert(b.name).second) check.problem(t, "name", fmt::format("duplicate concern '{}'", b.name));
    d.concerns.push_back(std::move(b));
  }
  for (const auto& t : tables(v, "protocol")) {
    StandardProtocol p{t.get_text("id"),
                       t.get_text("concern"),
                       t.get_text("name"),
                       t.get<core::dim::length>("needle_length"),
                       static_cast<int>(t.get_int("passes")),
                       static_cast<int>(t.get_int("sessions")),
                       t.get<core::dim::time>("interval"),
                       t.get_text("topical"),
                       t.get_words("source"),
                       t.get_text("note")};
    check.sources(d, t, p.sources);
    if (!d.concern(p.concern)) check.problem(t, "concern", fmt::format("concern '{}' is not declared", p.concern));
    if (!d.topical(p.topical)) check.problem(t, "topical", fmt::format("topical '{}' is not declared", p.topical));
    d.protocols.push_back(std::move(p));
  }
  for (const auto& t : tables(v, "aftercare")) {
    AftercareStep a{static_cast<int>(t.get_int("day_from")),
                    static_cast<int>(t.get_int("day_to")),
                    t.get_text("condition"),
                    t.get_words("do"),
                    t.get_words("avoid"),
                    t.get_words("source"),
                    t.get_text("conflict")};
    check.sources(d, t, a.sources);
    if (a.day_from > a.day_to) check.problem(t, "day_from", "day_from > day_to");
    d.aftercare.push_back(std::move(a));
  }
  for (const auto& t : tables(v, "alternative")) {
    Alternative a{t.get_text("treatment"), t.get_text("name"),     t.get_words("concerns"), t.get_text("downtime"),
                  t.get_text("pih"),       t.get_text("evidence"), t.get_text("compared"),  t.get_words("source")};
    check.sources(d, t, a.sources);
    d.alternatives.push_back(std::move(a));
  }
  for (const auto& t : tables(v, "risk")) {
    RiskNote r{t.get_text("id"),
               t.get_text("message"),
               t.get_words("sites"),
               t.get_words("topicals"),
               opt<core::dim::length>(t, "depth_min"),
               t.contains("fitzpatrick_min") ? std::optional<int>(static_cast<int>(t.get_int("fitzpatrick_min")))
                                             : std::nullopt,
               t.get_words("source")};
    check.sources(d, t, r.sources);
    d.risks.push_back(std::move(r));
  }
  if (!diags.empty()) throw core::Error(std::move(diags));
  return d;
}

}  // namespace nw::planner
