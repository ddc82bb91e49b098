#include "needlework/io/plan_out.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "needlework/core/text.hpp"
#include "needlework/io/render.hpp"

namespace nw::io {

using nlohmann::ordered_json;

namespace {

ordered_json spread(const planner::Spread& s) { return {{"median", s.median}, {"p05", s.p05}, {"p95", s.p95}}; }

ordered_json topical_json(const planner::TopicalOption& t) {
  if (t.active.empty()) return nullptr;
  return {{"name", t.name},
          {"active", t.active},
          {"concentration_pct", t.concentration_pct},
          {"dose_ul_per_cm2", t.dose_ul_per_cm2},
          {"schedule", t.daily ? "daily" : "session"},
          {"sources", t.sources}};
}

ordered_json expected_json(const planner::Evaluation& e) {
  ordered_json timeline = ordered_json::array();
  for (const auto& p : e.timeline) {
    timeline.push_back({{"day", p.day}, {"median", p.score.median}, {"p05", p.score.p05}, {"p95", p.score.p95}});
  }
  return {{"scale", e.scale},
          {"baseline", e.baseline},
          {"at_follow_up", spread(e.at_follow_up)},
          {"improvement_pct", spread(e.improvement_pct)},
          {"responder_fraction", e.responder_fraction < 0 ? ordered_json(nullptr) : ordered_json(e.responder_fraction)},
          {"over_time", timeline}};
}

ordered_json protocol_json(const planner::Scored& s) {
  const auto& c = s.candidate;
  return {{"needle_length_mm", c.needle_length_mm},
          {"passes", c.passes},
          {"sessions", c.sessions},
          {"interval_weeks", c.interval_weeks},
          {"topical", topical_json(c.topical)},
          {"expected", expected_json(s.evaluation)},
          {"downtime_days", s.evaluation.downtime_days},
          {"pih_probability", s.evaluation.pih_probability},
          {"minutes_per_session", s.evaluation.minutes_per_session},
          {"feasible", s.feasible()},
          {"violations", s.violations}};
}

std::string device_word(const device::Device& d) {
  return d.kind == device::Kind::pen ? fmt::format("pen {} cartridge {}", d.model, d.cartridge)
                                     : fmt::format("{} {}", device::to_string(d.kind), d.model);
}

void cite(std::set<std::string>& ids, const std::vector<std::string>& more) { ids.insert(more.begin(), more.end()); }

}  // namespace

std::string plan_json(const planner::Plan& plan, const clinical::RuleSet& rules, const planner::PlanningData& data) {
  std::set<std::string> cited;
  ordered_json areas = ordered_json::array();
  for (const auto& ap : plan.areas) {
    const auto& best = ap.result.best;
    const auto& t = ap.request.treatment;
    ordered_json risks = ordered_json::array();
    risks.push_back({{"risk", "downtime"},
                     {"downtime_days", best.evaluation.downtime_days},
                     {"limit_days", ap.constraints.max_downtime_days},
                     {"message", "days until redness and swelling are socially acceptable, per session (model)"},
                     {"sources", ordered_json::array()}});
    risks.push_back({{"risk", "post_inflammatory_hyperpigmentation"},
                     {"probability", best.evaluation.pih_probability},
                     {"limit", ap.constraints.max_pih_probability},
                     {"message", "probability over the course (model); limit by phototype from planning.toml"},
                     {"sources", ordered_json::array()}});
    for (const auto* r : ap.risks) {
      risks.push_back({{"risk", r->id}, {"message", r->message}, {"sources", r->sources}});
      cite(cited, r->sources);
    }
    ordered_json compared = ordered_json::array();
    for (const auto& c : ap.compared) {
      auto row = protocol_json(c.scored);
      row["protocol"] = c.protocol->id;
      row["name"] = c.protocol->name;
      row["sources"] = c.protocol->sources;
      row["note"] = c.protocol->note;
      row["adjustments"] = c.adjustments;
      row["median_improvement_vs_plan_pct"] =
          c.scored.evaluation.improvement_pct.median - best.evaluation.improvement_pct.median;
      compared.push_back(std::move(row));
      cite(cited, c.protocol->sources);
    }
    cite(cited, ap.space.sources);
    ordered_json search = {{"depth_mm", {ap.space.depth_min_mm, ap.space.depth_max_mm}},
                           {"depth_step_mm", ap.space.depth_step_mm},
                           {"passes", {ap.space.passes_min, ap.space.passes_max}},
                           {"sessions", {ap.space.sessions_min, ap.space.sessions_max}},
                           {"interval_weeks", {ap.space.interval_min_weeks, ap.space.interval_max_weeks}},
                           {"topicals", ordered_json::array()},
                           {"constraints",
                            {{"max_downtime_days", ap.constraints.max_downtime_days},
                             {"max_pih_probability", ap.constraints.max_pih_probability},
                             {"max_minutes_per_session", ap.constraints.max_minutes}}},
                           {"notes", ap.space.notes},
                           {"choices", ap.result.choices},
                           {"evaluations", ap.result.evaluations}};
    for (const auto& o : ap.space.topicals) search["topicals"].push_back(o.name);
    ordered_json evidence = nullptr;
    if (ap.concern) {
      evidence = {
          {"level", ap.concern->evidence}, {"summary", ap.concern->evidence_note}, {"sources", ap.concern->sources}};
      cite(cited, ap.concern->sources);
    }
    areas.push_back({{"site", t.site},
                     {"concern", t.concern},
                     {"scar_type", t.scar_type.empty() ? ordered_json(nullptr) : ordered_json(t.scar_type)},
                     {"area_cm2", t.area.in(core::units::cm2)},
                     {"device", device_word(ap.request.device)},
                     {"needle_length_mm", best.candidate.needle_length_mm},
                     {"passes", best.candidate.passes},
                     {"sessions", best.candidate.sessions},
                     {"interval_weeks", best.candidate.interval_weeks},
                     {"topical", topical_json(best.candidate.topical)},
                     {"expected", expected_json(best.evaluation)},
                     {"risks", risks},
                     {"feasible", ap.result.found_feasible},
                     {"violations", best.violations},
                     {"minutes_per_session", best.evaluation.minutes_per_session},
                     {"evidence", evidence},
                     {"compared", compared},
                     {"search", search}});
  }
  ordered_json schedule = ordered_json::array();
  for (const auto& v : plan.schedule) {
    ordered_json names = ordered_json::array();
    for (const auto a : v.areas) {
      names.push_back(
          fmt::format("{} ({})", plan.areas[a].request.treatment.site, plan.areas[a].request.treatment.concern));
    }
    schedule.push_back({{"date", v.date.iso()}, {"areas", names}});
  }
  ordered_json aftercare = ordered_json::array();
  for (const auto* s : plan.aftercare) {
    aftercare.push_back({{"day_from", s->day_from},
                         {"day_to", s->day_to},
                         {"relative_to", s->day_from < 0 ? "next_session" : "session"},
                         {"do", s->dos},
                         {"avoid", s->avoids},
                         {"condition", s->condition.empty() ? ordered_json(nullptr) : ordered_json(s->condition)},
                         {"conflict", s->conflict.empty() ? ordered_json(nullptr) : ordered_json(s->conflict)},
                         {"sources", s->sources}});
    cite(cited, s->sources);
  }
  ordered_json alternatives = ordered_json::array();
  for (const auto* a : plan.alternatives) {
    alternatives.push_back({{"treatment", a->treatment},
                            {"name", a->name},
                            {"evidence", a->evidence},
                            {"compared", a->compared},
                            {"downtime", a->downtime},
                            {"pih", a->pih},
                            {"concerns", a->concerns},
                            {"sources", a->sources}});
    cite(cited, a->sources);
  }
  ordered_json sources = ordered_json::object();
  for (const auto& id : cited) {
    if (const auto* s = data.source(id)) sources[id] = {{"citation", s->citation}, {"tier", s->tier}, {"url", s->url}};
  }
  const ordered_json j = {
      {"screening", ordered_json::parse(screening_json(plan.screening, rules))},
      {"refused", plan.refused},
      {"refusal_reasons", plan.refusal_reasons},
      {"start", plan.refused ? ordered_json(nullptr) : ordered_json(plan.start.iso())},
      {"areas", areas},
      {"schedule", schedule},
      {"aftercare", aftercare},
      {"alternatives", alternatives},
      {"sources", sources},
      {"evaluations", plan.evaluations},
      {"disclaimer", std::string(kPlanDisclaimer)},
  };
  return j.dump(2) + "\n";
}

std::string plan_text(const planner::Plan& plan, const clinical::RuleSet& rules, const std::string& file,
                      const std::filesystem::path& dir) {
  if (plan.refused) {
    std::string out = screening_text(plan.screening, rules, file);
    out += "\nNo plan: screening refused the treatment.\n";
    for (const auto& r : plan.refusal_reasons) out += core::wrap(fmt::format("- {}", r), "  ");
    return out;
  }
  std::string out = fmt::format("Plan for {}\nScreening: {}", file, clinical::to_string(plan.screening.decision));
  if (plan.start != plan.screening.planned_start)
    out +=
        fmt::format(" (first session moved to {}, planned {})", plan.start.iso(), plan.screening.planned_start.iso());
  out += "\n";
  for (const auto& r : plan.screening.reasons) {
    out += core::wrap(fmt::format("- {} ({}): {}", r.rule, clinical::to_string(r.action), r.message), "  ");
    for (const auto& step : r.precautions) out += core::wrap(fmt::format("* {}", step), "    ");
  }
  for (const auto& ap : plan.areas) {
    const auto& b = ap.result.best;
    const auto& e = b.evaluation;
    const auto& t = ap.request.treatment;
    out += fmt::format("\n{} ({}, {:g} cm2)\n", t.site, t.concern, t.area.in(core::units::cm2));
    if (!ap.result.found_feasible) {
      out += "  no protocol meets the constraints; the least violating one:\n";
      for (const auto& v : b.violations) out += core::wrap(fmt::format("- {}", v), "    ");
    }
    out +=
        fmt::format("  plan      {:g} mm, {} passes, {} sessions every {:g} wk, topical {}; {:.1f} min per session\n",
                    b.candidate.needle_length_mm, b.candidate.passes, b.candidate.sessions, b.candidate.interval_weeks,
                    b.candidate.topical.name, e.minutes_per_session);
    out += fmt::format(
        "  expected  {} {:.3g} -> {:.3g} (90 % interval {:.3g}-{:.3g}); improvement {:.0f} % (p05 {:.0f}, "
        "p95 {:.0f}); downtime {:.1f} d, PIH {:.1f} %\n",
        e.scale, e.baseline, e.at_follow_up.median, e.at_follow_up.p05, e.at_follow_up.p95, e.improvement_pct.median,
        e.improvement_pct.p05, e.improvement_pct.p95, e.downtime_days, 100 * e.pih_probability);
    for (const auto& c : ap.compared) {
      const auto& ce = c.scored.evaluation;
      out += fmt::format(
          "  vs {:<28} improvement {:.0f} % (p05 {:.0f}, p95 {:.0f}), downtime {:.1f} d{}\n", c.protocol->id,
          ce.improvement_pct.median, ce.improvement_pct.p05, ce.improvement_pct.p95, ce.downtime_days,
          c.scored.feasible() ? "" : fmt::format("  [outside: {}]", core::join(c.scored.violations, "; ")));
    }
    if (ap.concern) out += fmt::format("  evidence  {}\n", ap.concern->evidence);
  }
  if (!plan.schedule.empty()) {
    out += fmt::format("\nSessions: {} visits, {} to {}\n", plan.schedule.size(), plan.schedule.front().date.iso(),
                       plan.schedule.back().date.iso());
  }
  out += fmt::format("{} model evaluations. Files in {}\n", plan.evaluations, dir.string());
  out += core::wrap(kPlanDisclaimer, "");
  return out;
}

std::vector<std::filesystem::path> write_plan(const std::filesystem::path& dir, const std::string& json,
                                              const Provenance& provenance) {
  const auto plan_path = dir / "plan.json";
  const auto provenance_path = dir / "provenance.json";
  write_file_atomically(plan_path, json);
  write_file_atomically(provenance_path, provenance_json(provenance));
  return {plan_path, provenance_path};
}

}  // namespace nw::io
