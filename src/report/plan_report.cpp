#include "needlework/report/plan_report.hpp"
#include "needlework/core/text.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "needlework/io/provenance.hpp"
#include "needlework/report/html.hpp"
#include "result_files.hpp"

namespace nw::report {
namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

constexpr std::string_view kPlanFile = "plan.json";

using detail::find_path;
using detail::read_failure;
using detail::read_json;
using detail::read_text;
using detail::text_at;

double number_at(const Json& root, std::string_view path) {
  const auto* n = find_path(root, path);
  return n && n->is_number() ? n->get<double>() : std::nan("");
}

// A number of plan.json at `path`, tagged for the browser test; "–" where plan.json has none.
std::string num(const Json& plan, const std::string& path, double scale = 1, int significant = 3) {
  const auto* n = find_path(plan, path);
  if (!n || !n->is_number() || n->is_boolean()) return "–";
  return tagged_number(path, n->get<double>(), scale, significant, kPlanFile);
}

// "a, b, c" of a JSON array of strings (escaped).
std::string list_text(const Json* array, std::string_view separator = ", ") {
  if (!array || !array->is_array() || array->empty()) return "";
  std::string out;
  for (const auto& v : *array) {
    if (!out.empty()) out += separator;
    out += core::xml_escape(v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

std::string bullet_list(const Json* array) {
  if (!array || !array->is_array() || array->empty()) return "";
  std::string out = "<ul>\n";
  for (const auto& v : *array)
    out += "<li>" + core::xml_escape(v.is_string() ? v.get<std::string>() : v.dump()) + "</li>\n";
  return out + "</ul>\n";
}

std::string area_name(const Json& plan, std::size_t a) {
  const auto p = fmt::format("areas.{}", a);
  std::string name = fmt::format("{} ({}", text_at(plan, p + ".site"), text_at(plan, p + ".concern"));
  if (const auto scar = text_at(plan, p + ".scar_type"); !scar.empty()) name += ", " + scar;
  return name + ")";
}

std::size_t count_at(const Json& plan, std::string_view path) {
  const auto* n = find_path(plan, path);
  return n && n->is_array() ? n->size() : 0;
}

std::string topical_text(const Json& plan, const std::string& path) {
  const auto* t = find_path(plan, path);
  if (!t || !t->is_object()) return "none";
  return fmt::format("{} ({} {} %, {} µL/cm², {})", core::xml_escape(text_at(plan, path + ".name")),
                     core::xml_escape(text_at(plan, path + ".active")), num(plan, path + ".concentration_pct"),
                     num(plan, path + ".dose_ul_per_cm2"), core::xml_escape(text_at(plan, path + ".schedule")));
}

std::string topical_name(const Json& plan, const std::string& path) {
  const auto name = text_at(plan, path + ".topical.name");
  return name.empty() ? "none" : core::xml_escape(name);
}

// ------------------------------------------------------------------------------- sections
std::string screening_section(const Json& plan) {
  std::string out =
      fmt::format("<p class=\"decision\"><b>Decision: {}</b>", core::xml_escape(text_at(plan, "screening.decision")));
  if (const auto e = text_at(plan, "screening.earliest_date"); !e.empty())
    out += fmt::format("; earliest date {}", core::xml_escape(e));
  out += fmt::format("; planned start {}", core::xml_escape(text_at(plan, "screening.planned_start")));
  if (const auto s = text_at(plan, "start"); !s.empty()) out += fmt::format("; first session {}", core::xml_escape(s));
  out += ".</p>\n";
  if (plan.value("refused", false)) {
    out += "<p class=\"notice\"><b>No plan: screening refused the treatment.</b></p>\n" +
           bullet_list(find_path(plan, "refusal_reasons"));
  }
  const auto n = count_at(plan, "screening.reasons");
  if (n == 0) return out + "<p>No screening rule fired.</p>\n";
  out +=
      "<table><tr><th>rule</th><th>action</th><th>severity</th><th>reason</th><th>precautions</th><th>sources</th></"
      "tr>\n";
  for (std::size_t i = 0; i < n; ++i) {
    const auto p = fmt::format("screening.reasons.{}", i);
    out +=
        fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    core::xml_escape(text_at(plan, p + ".rule")), core::xml_escape(text_at(plan, p + ".action")),
                    core::xml_escape(text_at(plan, p + ".severity")), core::xml_escape(text_at(plan, p + ".message")),
                    list_text(find_path(plan, p + ".precautions"), "; "), list_text(find_path(plan, p + ".sources")));
  }
  return out + "</table>\n";
}

std::string interval_text(const Json& plan, const std::string& spread, double scale = 1) {
  return fmt::format("{} (90 % interval {} to {})", num(plan, spread + ".median", scale),
                     num(plan, spread + ".p05", scale), num(plan, spread + ".p95", scale));
}

Chart expected_chart(const Json& plan, std::size_t a) {
  const auto p = fmt::format("areas.{}.expected", a);
  Chart c;
  c.id = fmt::format("expected-{}", a);
  c.title = fmt::format("Expected course, {}", area_name(plan, a));
  c.x_label = "days after the first session";
  c.y_label = text_at(plan, p + ".scale");
  ChartSeries median{"median of virtual patients", {}, {}}, lo{"5th percentile", {}, {}, true},
      hi{"95th percentile", {}, {}, true};
  if (const auto* t = find_path(plan, p + ".over_time"); t && t->is_array()) {
    for (const auto& point : *t) {
      const double day = point.value("day", std::nan(""));
      median.x.push_back(day);
      lo.x.push_back(day);
      hi.x.push_back(day);
      median.y.push_back(point.value("median", std::nan("")));
      lo.y.push_back(point.value("p05", std::nan("")));
      hi.y.push_back(point.value("p95", std::nan("")));
    }
  }
  c.series = {median, lo, hi};
  c.caption = fmt::format(
      "From plan.json areas[{}].expected.over_time: the {} score of the planned course, median of the virtual "
      "patients with its 90 % interval (5th to 95th percentile). Baseline {}.",
      a, text_at(plan, p + ".scale"), text_at(plan, p + ".baseline"));
  return c;
}

Chart protocols_chart(const Json& plan, std::size_t a) {
  const auto p = fmt::format("areas.{}", a);
  Chart c;
  c.id = fmt::format("protocols-{}", a);
  c.kind = Chart::Kind::histogram;
  c.title = fmt::format("Expected improvement: plan and standard protocols, {}", area_name(plan, a));
  c.x_label = "0 = this plan; 1, 2, ... = standard protocols in the table's order";
  c.y_label = "median improvement at follow-up (%)";
  ChartSeries median{"median improvement", {0}, {number_at(plan, p + ".expected.improvement_pct.median")}};
  c.markers.push_back({0, "plan"});
  for (std::size_t i = 0; i < count_at(plan, p + ".compared"); ++i) {
    const auto q = fmt::format("{}.compared.{}", p, i);
    median.x.push_back(static_cast<double>(i + 1));
    median.y.push_back(number_at(plan, q + ".expected.improvement_pct.median"));
    c.markers.push_back({static_cast<double>(i + 1), text_at(plan, q + ".protocol")});
  }
  c.series = {median};
  c.caption = fmt::format(
      "From plan.json areas[{}].expected.improvement_pct and areas[{}].compared[*].expected.improvement_pct: the "
      "median improvement of the plan (bar 0) and of each standard protocol evaluated with the same model.",
      a, a);
  return c;
}

std::string area_section(Page& page, const Json& plan, std::size_t a) {
  const auto p = fmt::format("areas.{}", a);
  std::string out = fmt::format("<h3>{}</h3>\n", core::xml_escape(area_name(plan, a)));
  if (text_at(plan, p + ".feasible") == "false") {
    out += "<p class=\"notice\">No protocol meets every constraint; this is the least violating one:</p>\n" +
           bullet_list(find_path(plan, p + ".violations"));
  }
  out += "<table>\n";
  const auto row = [&out](const std::string& k, const std::string& v) {
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", core::xml_escape(k), v);
  };
  row("area", num(plan, p + ".area_cm2") + " cm²");
  row("device", core::xml_escape(text_at(plan, p + ".device")));
  row("needle length", num(plan, p + ".needle_length_mm") + " mm");
  row("passes", num(plan, p + ".passes"));
  row("sessions", fmt::format("{}, every {} weeks", num(plan, p + ".sessions"), num(plan, p + ".interval_weeks")));
  row("topical", topical_text(plan, p + ".topical"));
  row("time per session", num(plan, p + ".minutes_per_session") + " min");
  row("expected " + text_at(plan, p + ".expected.scale") + " at follow-up",
      fmt::format("{} from baseline {}", interval_text(plan, p + ".expected.at_follow_up"),
                  num(plan, p + ".expected.baseline")));
  row("expected improvement", interval_text(plan, p + ".expected.improvement_pct") + " %");
  if (const auto* r = find_path(plan, p + ".expected.responder_fraction"); r && r->is_number())
    row("responders", num(plan, p + ".expected.responder_fraction", 100) + " %");
  if (const auto* e = find_path(plan, p + ".evidence"); e && e->is_object()) {
    row("evidence", fmt::format("<b>{}</b>: {} ({})", core::xml_escape(text_at(plan, p + ".evidence.level")),
                                core::xml_escape(text_at(plan, p + ".evidence.summary")),
                                list_text(find_path(plan, p + ".evidence.sources"))));
  }
  out += "</table>\n";
  out += page.chart(expected_chart(plan, a));

  // Standard protocols side by side.
  out +=
      "<h4>Standard protocols compared</h4>\n<table><tr><th>#</th><th>protocol</th><th class=\"n\">needle (mm)</th>"
      "<th class=\"n\">passes</th><th class=\"n\">sessions</th><th class=\"n\">interval (wk)</th><th>topical</th>"
      "<th class=\"n\">improvement (%), median [p05, p95]</th><th class=\"n\">vs plan (% points)</th>"
      "<th class=\"n\">downtime (d)</th><th class=\"n\">PIH (%)</th><th>within the "
      "constraints</th><th>sources</th></tr>\n";
  out += fmt::format(
      "<tr class=\"plan\"><td>0</td><td><b>this plan</b></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
      "class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{} [{}, {}]</td><td class=\"n\">0</td><td "
      "class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td></td></tr>\n",
      num(plan, p + ".needle_length_mm"), num(plan, p + ".passes"), num(plan, p + ".sessions"),
      num(plan, p + ".interval_weeks"), topical_name(plan, p), num(plan, p + ".expected.improvement_pct.median"),
      num(plan, p + ".expected.improvement_pct.p05"), num(plan, p + ".expected.improvement_pct.p95"),
      num(plan, p + ".risks.0.downtime_days"), num(plan, p + ".risks.1.probability", 100),
      text_at(plan, p + ".feasible") == "false" ? "no" : "yes");
  for (std::size_t i = 0; i < count_at(plan, p + ".compared"); ++i) {
    const auto q = fmt::format("{}.compared.{}", p, i);
    const bool feasible = find_path(plan, q + ".feasible") && find_path(plan, q + ".feasible")->is_boolean() &&
                          find_path(plan, q + ".feasible")->get<bool>();
    out += fmt::format(
        "<tr><td>{}</td><td>{}<br><small>{}</small></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
        "class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{} [{}, {}]</td><td "
        "class=\"n\">{}</td><td "
        "class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>\n",
        i + 1, core::xml_escape(text_at(plan, q + ".name")), core::xml_escape(text_at(plan, q + ".note")),
        num(plan, q + ".needle_length_mm"), num(plan, q + ".passes"), num(plan, q + ".sessions"),
        num(plan, q + ".interval_weeks"), topical_name(plan, q), num(plan, q + ".expected.improvement_pct.median"),
        num(plan, q + ".expected.improvement_pct.p05"), num(plan, q + ".expected.improvement_pct.p95"),
        num(plan, q + ".median_improvement_vs_plan_pct"), num(plan, q + ".downtime_days"),
        num(plan, q + ".pih_probability", 100),
        feasible ? "yes" : "no: " + list_text(find_path(plan, q + ".violations"), "; "),
        list_text(find_path(plan, q + ".sources")));
  }
  out += "</table>\n";
  if (count_at(plan, p + ".compared") > 0) out += page.chart(protocols_chart(plan, a));

  // Risks.
  out +=
      "<h4>Risks</h4>\n<table><tr><th>risk</th><th class=\"n\">value</th><th class=\"n\">limit</th><th>what it "
      "is</th><th>sources</th></tr>\n";
  for (std::size_t i = 0; i < count_at(plan, p + ".risks"); ++i) {
    const auto q = fmt::format("{}.risks.{}", p, i);
    std::string value, limit;
    if (find_path(plan, q + ".downtime_days")) {
      value = num(plan, q + ".downtime_days") + " d";
      limit = num(plan, q + ".limit_days") + " d";
    } else if (find_path(plan, q + ".probability")) {
      value = num(plan, q + ".probability", 100) + " %";
      limit = num(plan, q + ".limit", 100) + " %";
    }
    out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>\n",
                       core::xml_escape(text_at(plan, q + ".risk")), value, limit,
                       core::xml_escape(text_at(plan, q + ".message")), list_text(find_path(plan, q + ".sources")));
  }
  return out + "</table>\n";
}

std::string schedule_section(const Json& plan) {
  const auto n = count_at(plan, "schedule");
  if (n == 0) return "<p>No sessions scheduled.</p>\n";
  std::string out = "<table><tr><th class=\"n\">visit</th><th>date</th><th>areas treated</th></tr>\n";
  for (std::size_t i = 0; i < n; ++i) {
    const auto p = fmt::format("schedule.{}", i);
    out += fmt::format("<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>\n", i + 1,
                       core::xml_escape(text_at(plan, p + ".date")), list_text(find_path(plan, p + ".areas")));
  }
  return out + "</table>\n";
}

std::string aftercare_section(const Json& plan) {
  const auto n = count_at(plan, "aftercare");
  if (n == 0) return "<p>No aftercare steps (no sessions planned).</p>\n";
  std::string out =
      "<table><tr><th class=\"n\">from day</th><th class=\"n\">to day</th><th>relative to</th><th>do</th><th>avoid</th>"
      "<th>when</th><th>sources</th></tr>\n";
  for (std::size_t i = 0; i < n; ++i) {
    const auto p = fmt::format("aftercare.{}", i);
    std::string when = core::xml_escape(text_at(plan, p + ".condition"));
    if (const auto c = text_at(plan, p + ".conflict"); !c.empty())
      when += (when.empty() ? "" : "; ") + fmt::format("<b>conflict:</b> {}", core::xml_escape(c));
    out += fmt::format(
        "<tr><td class=\"n\">{}</td><td "
        "class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        num(plan, p + ".day_from"), num(plan, p + ".day_to"), core::xml_escape(text_at(plan, p + ".relative_to")),
        bullet_list(find_path(plan, p + ".do")), bullet_list(find_path(plan, p + ".avoid")), when,
        list_text(find_path(plan, p + ".sources")));
  }
  return out + "</table>\n";
}

std::string alternatives_section(const Json& plan) {
  const auto n = count_at(plan, "alternatives");
  if (n == 0) return "<p>No alternatives listed for these concerns.</p>\n";
  std::string out =
      "<table><tr><th>treatment</th><th>evidence</th><th>compared with microneedling</th><th>downtime</th>"
      "<th>pigmentation risk</th><th>concerns</th><th>sources</th></tr>\n";
  for (std::size_t i = 0; i < n; ++i) {
    const auto p = fmt::format("alternatives.{}", i);
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                       core::xml_escape(text_at(plan, p + ".name")), core::xml_escape(text_at(plan, p + ".evidence")),
                       core::xml_escape(text_at(plan, p + ".compared")),
                       core::xml_escape(text_at(plan, p + ".downtime")), core::xml_escape(text_at(plan, p + ".pih")),
                       list_text(find_path(plan, p + ".concerns")), list_text(find_path(plan, p + ".sources")));
  }
  return out + "</table>\n";
}

// The planning parameters plan.json states per area: the search box and the constraints, with
// the notes and sources of the planning data (data/clinical/planning.toml).
std::string parameters_section(const Json& plan) {
  std::string out =
      "<p>The bounds the planner searched within and the constraints it kept, per area, from plan.json "
      "<code>areas[*].search</code> (bundled data/clinical/planning.toml and the patient's preferences).</p>\n";
  for (std::size_t a = 0; a < count_at(plan, "areas"); ++a) {
    const auto s = fmt::format("areas.{}.search", a);
    out += fmt::format("<h4>{}</h4>\n<table><tr><th>parameter</th><th class=\"n\">value</th><th>unit</th></tr>\n",
                       core::xml_escape(area_name(plan, a)));
    const auto range = [&](const std::string& label, const std::string& key, const std::string& unit) {
      out += fmt::format("<tr><td>{}</td><td class=\"n\">{} to {}</td><td>{}</td></tr>\n", core::xml_escape(label),
                         num(plan, fmt::format("{}.{}.0", s, key)), num(plan, fmt::format("{}.{}.1", s, key)),
                         core::xml_escape(unit));
    };
    const auto one = [&](const std::string& label, const std::string& key, const std::string& unit, double scale = 1) {
      out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n", core::xml_escape(label),
                         num(plan, fmt::format("{}.{}", s, key), scale), core::xml_escape(unit));
    };
    range("needle length", "depth_mm", "mm");
    one("needle length step", "depth_step_mm", "mm");
    range("passes", "passes", "");
    range("sessions", "sessions", "");
    range("interval", "interval_weeks", "weeks");
    one("max downtime per session", "constraints.max_downtime_days", "d");
    one("max PIH probability", "constraints.max_pih_probability", "%", 100);
    one("max minutes per session", "constraints.max_minutes_per_session", "min");
    one("settings compared in the search", "choices", "");
    one("candidates evaluated", "evaluations", "");
    out += fmt::format("<tr><td>topicals considered</td><td colspan=\"2\">{}</td></tr>\n",
                       list_text(find_path(plan, s + ".topicals")));
    out += "</table>\n" + bullet_list(find_path(plan, s + ".notes"));
  }
  const auto* sources = find_path(plan, "sources");
  if (sources && sources->is_object() && !sources->empty()) {
    out += "<h4>Sources cited by this plan</h4>\n<table><tr><th>id</th><th>tier</th><th>citation</th></tr>\n";
    for (const auto& [id, s] : sources->items()) {
      const auto url = s.value("url", std::string());
      out += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}{}</td></tr>\n", core::xml_escape(id),
          core::xml_escape(
              s.contains("tier") ? (s["tier"].is_string() ? s["tier"].get<std::string>() : s["tier"].dump()) : ""),
          core::xml_escape(s.value("citation", std::string())),
          url.empty() ? "" : fmt::format(" <small>{}</small>", core::xml_escape(url)));
    }
    out += "</table>\n";
  }
  return out;
}

std::string evidence_section(const Json& plan) {
  std::string out = "<div class=\"statement\">\n";
  out += fmt::format(
      "<p><b>What the numbers are.</b> Each expected result is the median of the model's virtual patients with its "
      "90 % interval (5th to 95th percentile); the planner compared {} candidate protocols in all, with few virtual "
      "patients per candidate, so the intervals are coarser than those of <code>simulate</code>. Skin, healing and "
      "outcome parameters are population values, not measurements of this person.</p>\n",
      num(plan, "evaluations"));
  for (std::size_t a = 0; a < count_at(plan, "areas"); ++a) {
    const auto p = fmt::format("areas.{}.evidence", a);
    if (text_at(plan, p + ".level").empty()) continue;
    out += fmt::format("<p><b>Evidence for {}:</b> {}. {}</p>\n", core::xml_escape(area_name(plan, a)),
                       core::xml_escape(text_at(plan, p + ".level")), core::xml_escape(text_at(plan, p + ".summary")));
  }
  out += fmt::format("<p>{}</p>\n", core::xml_escape(text_at(plan, "disclaimer")));
  out +=
      "<p><b>needlework is not a medical device.</b> It is a research and education tool; a qualified practitioner "
      "makes every treatment decision.</p>\n</div>\n";
  return out;
}

}  // namespace

std::string plan_report_html(const fs::path& dir) {
  const auto plan = read_json(dir / kPlanFile);
  const auto provenance = read_json(dir / "provenance.json");
  if (!plan.is_object() || !plan.contains("screening") || !plan.contains("areas") || !plan["areas"].is_array()) {
    read_failure(dir / kPlanFile, "no 'screening' or 'areas' (not written by `needlework plan`?)");
  }
  const auto config_text = read_text(dir / "effective_config.toml", false);

  Page page(fmt::format("needlework plan: {}", text_at(provenance, "input")),
            "Treatment plan proposed by `needlework plan`, rebuilt from plan.json. A research and education tool, not "
            "a medical device: a qualified practitioner makes every decision.");
  page.add_section("screening", "Screening", screening_section(plan));
  if (count_at(plan, "areas") > 0) {
    std::string areas;
    for (std::size_t a = 0; a < count_at(plan, "areas"); ++a) areas += area_section(page, plan, a);
    page.add_section("areas", "Plan per area", areas);
  }
  page.add_section("schedule", "Schedule", schedule_section(plan));
  page.add_section("aftercare", "Aftercare day by day", aftercare_section(plan));
  page.add_section("alternatives", "Alternatives", alternatives_section(plan));
  page.add_section("parameters", "Planning parameters and sources", parameters_section(plan));
  page.add_section("evidence", "Uncertainty and evidence", evidence_section(plan));
  page.add_section("config", "Effective configuration",
                   config_text ? "<p>effective_config.toml: the scenario with every default filled in, quantities in "
                                 "canonical units.</p>\n<pre>" +
                                     core::xml_escape(*config_text) + "</pre>\n"
                               : std::string("<p class=\"notice\">effective_config.toml is not in this folder.</p>\n"));
  page.add_section("provenance", "Provenance", detail::provenance_table(provenance));
  return page.render(detail::page_footer(text_at(plan, "disclaimer"), dir, provenance));
}

fs::path write_plan_report(const fs::path& dir) {
  const auto html = plan_report_html(dir);
  io::write_file_atomically(dir / "plan.html", html);
  return dir / "plan.html";
}

}  // namespace nw::report
