// Plan assembly: search boxes from the planning data, screening first, the search per area,
// the standard protocols beside it, the dated schedule, aftercare, alternatives and risks.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "needlework/planner/planner.hpp"

namespace nw::planner {

namespace {

double mm(core::Length l) { return l.in(core::units::mm); }
double weeks(core::Time t) { return t.in(core::units::wk); }

std::string label(const AreaRequest& r) { return fmt::format("{} ({})", r.treatment.site, r.treatment.concern); }

[[noreturn]] void inconsistent(const AreaRequest& r, const std::string& what) {
  throw core::Error({core::make_diagnostic(core::ErrorCode::cfg_consistency, core::SourceLoc{}, "treatment",
                                           fmt::arg("message", fmt::format("cannot plan {}: {}", label(r), what)))});
}

}  // namespace

DeviceDepth device_depth(const device::Device& d, const device::Catalogue& catalogue) {
  DeviceDepth out;
  if (d.kind == device::Kind::pen) {
    for (const auto& p : catalogue.pens) {
      if (p.name != d.model) continue;
      out.min_mm = std::max(mm(p.depth_min), mm(p.depth_step));  // a 0 mm setting makes no channels
      out.max_mm = mm(p.depth_max);
      out.step_mm = mm(p.depth_step);
      return out;
    }
  }
  if (d.kind != device::Kind::none) {
    const auto& l = catalogue.limits_for(d.kind);
    out.min_mm = mm(l.length_min);
    out.max_mm = mm(l.length_max);
  }
  return out;  // rollers and stamps: needle lengths on a 0.25 mm grid (devices.toml lists)
}

SearchSpace search_space(const AreaRequest& r, const PlanningData& data, const DeviceDepth& device,
                         const Preferences& preferences) {
  const auto* concern = data.concern(r.treatment.concern);
  if (!concern) inconsistent(r, "the planning data have no bounds for this concern");
  if (r.device.kind == device::Kind::none) inconsistent(r, "the device kind is 'none' (nothing to plan)");
  SearchSpace s;
  // Depth: the concern's range, within the site's, within the device's; fallbacks where unsourced.
  double lo = concern->depth_min ? mm(*concern->depth_min) : mm(data.depth_fallback_min);
  double hi = concern->depth_max ? mm(*concern->depth_max) : mm(data.depth_fallback_max);
  s.sources = concern->sources;
  s.notes.push_back(
      concern->depth_min
          ? fmt::format("depth {:g}-{:g} mm for {} ({})", lo, hi, concern->name, fmt::join(concern->sources, ", "))
          : fmt::format("no sourced depth for {}: fallback {:g}-{:g} mm", concern->name, lo, hi));
  if (const auto* site = data.site_depth(r.treatment.site, r.treatment.concern)) {
    lo = std::max(lo, mm(site->depth_min));
    hi = std::min(hi, mm(site->depth_max));
    s.notes.push_back(fmt::format("site {}: {:g}-{:g} mm (tier {}; {})", site->site, mm(site->depth_min),
                                  mm(site->depth_max), site->tier, fmt::join(site->sources, ", ")));
    s.sources.insert(s.sources.end(), site->sources.begin(), site->sources.end());
  } else {
    hi = std::min(hi, mm(data.depth_fallback_max));
    s.notes.push_back(fmt::format("no sourced depth for the {} site: capped at {:g} mm (label ceiling)",
                                  r.treatment.site, mm(data.depth_fallback_max)));
  }
  if (hi < lo) {
    // Concern and site disagree (e.g. scalp depths for a face site): the site limit wins.
    const auto* site = data.site_depth(r.treatment.site, r.treatment.concern);
    if (!site) inconsistent(r, "the depth ranges of the concern and the site do not overlap");
    lo = mm(site->depth_min);
    hi = mm(site->depth_max);
    s.notes.push_back("the concern's depths lie outside the site's: the site's range is used");
  }
  s.depth_min_mm = std::max(lo, device.min_mm);
  s.depth_max_mm = std::min(hi, device.max_mm);
  s.depth_step_mm = device.step_mm;
  if (s.depth_max_mm < s.depth_min_mm ||
      std::floor(s.depth_max_mm / s.depth_step_mm + 1e-9) < std::ceil(s.depth_min_mm / s.depth_step_mm - 1e-9)) {
    inconsistent(r, fmt::format("no setting of the device ({:g}-{:g} mm in {:g} mm steps) lies in {:g}-{:g} mm",
                                device.min_mm, device.max_mm, device.step_mm, lo, hi));
  }
  s.passes_min = concern->passes_min;
  s.passes_max = concern->passes_max;
  s.sessions_min = concern->sessions_min;
  s.sessions_max = std::min(concern->sessions_max, preferences.max_sessions);
  if (s.sessions_max < s.sessions_min) {
    s.notes.push_back(fmt::format("the patient accepts {} sessions; the sources start at {}: {} used",
                                  preferences.max_sessions, concern->sessions_min, preferences.max_sessions));
    s.sessions_min = s.sessions_max = std::max(preferences.max_sessions, 1);
  }
  s.interval_min_weeks = concern->interval_min ? weeks(*concern->interval_min) : weeks(data.interval_fallback_min);
  s.interval_max_weeks = concern->interval_max ? weeks(*concern->interval_max) : weeks(data.interval_fallback_max);
  s.topicals.push_back(no_topical());
  for (const auto& name : concern->topicals) s.topicals.push_back(*data.topical(name));
  return s;
}

std::shared_ptr<const core::TableSpec> preferences_spec() {
  namespace param = core::param;
  return std::make_shared<core::TableSpec>(
      core::TableSpec{"preferences",
                      "what the patient accepts (plan only)",
                      {
                          param::quantity("max_downtime", core::dim::time, "2 d", "0 d", "30 d",
                                          "downtime the patient accepts per session"),
                          param::integer("max_sessions", 6, 1, 20, "most sessions the patient accepts"),
                      }});
}

Preferences preferences_from(const core::ConfigTable& t) {
  Preferences p;
  p.max_downtime = t.get<core::dim::time>("max_downtime");
  p.max_sessions = static_cast<int>(t.get_int("max_sessions"));
  return p;
}

Constraints constraints_for(const AreaRequest& r, const PlanningData& data, const Preferences& preferences) {
  return Constraints{preferences.max_downtime.in(core::units::d), data.pih_limit(r.patient.fitzpatrick),
                     data.minutes_per_area_max.in(core::units::min)};
}

bool refuses(const clinical::ScreeningResult& s) {
  using clinical::Action;
  return s.decision == Action::do_not_treat || s.decision == Action::refer ||
         (s.decision == Action::defer && !s.earliest_date);
}

namespace {

bool applies(const RiskNote& risk, const AreaRequest& r, const Candidate& c) {
  const auto has = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  if (!risk.sites.empty() && !has(risk.sites, r.treatment.site)) return false;
  if (!risk.topicals.empty() && !has(risk.topicals, c.topical.active)) return false;
  if (risk.depth_min && c.needle_length_mm + 1e-9 < mm(*risk.depth_min)) return false;
  if (risk.fitzpatrick_min && r.patient.fitzpatrick < *risk.fitzpatrick_min) return false;
  return true;
}

Compared compare(const StandardProtocol& p, const AreaRequest& r, const SearchSpace& s, const Constraints& c,
                 const DeviceDepth& device, const Evaluator& evaluator, const PlanningData& data) {
  Compared out;
  out.protocol = &p;
  Candidate cand;
  const double published = mm(p.needle_length);
  cand.needle_length_mm =
      std::clamp(std::round(published / device.step_mm) * device.step_mm, device.min_mm, device.max_mm);
  if (std::abs(cand.needle_length_mm - published) > 1e-9) {
    out.adjustments.push_back(
        fmt::format("{:g} mm set to {:g} mm (the device's steps)", published, cand.needle_length_mm));
  }
  cand.passes = p.passes;
  cand.sessions = p.sessions;
  cand.interval_weeks = weeks(p.interval);
  cand.topical = *data.topical(p.topical);
  out.scored.candidate = cand;
  out.scored.evaluation = evaluator(r, cand, Cohort::virtual_patients);
  out.scored.violations = violations(out.scored.evaluation, c);
  if (cand.needle_length_mm > s.depth_max_mm + 1e-9)
    out.scored.violations.push_back(
        fmt::format("{:g} mm is beyond the {:g} mm limit for this site", cand.needle_length_mm, s.depth_max_mm));
  if (cand.sessions > s.sessions_max)
    out.scored.violations.push_back(
        fmt::format("{} sessions exceed the {} the patient accepts", cand.sessions, s.sessions_max));
  return out;
}

}  // namespace

Plan make_plan(const PlanInputs& in, const clinical::RuleSet& rules, const PlanningData& data,
               const device::Catalogue& catalogue, const Evaluator& evaluator, const SearchOptions& options,
               core::LogSink& log) {
  Plan plan;
  plan.screening = clinical::screen(in.patient, rules, in.planned_start);
  plan.start = in.planned_start;
  if (refuses(plan.screening)) {
    plan.refused = true;
    for (const auto& reason : plan.screening.reasons) {
      if (clinical::restrictiveness(reason.action) >= clinical::restrictiveness(clinical::Action::defer))
        plan.refusal_reasons.push_back(fmt::format("{}: {}", reason.rule, reason.message));
    }
    if (plan.screening.decision == clinical::Action::defer)
      plan.refusal_reasons.push_back("deferred without an end date: re-screen when the condition has resolved");
    return plan;
  }
  if (plan.screening.decision == clinical::Action::defer && plan.screening.earliest_date)
    plan.start = std::max(in.planned_start, *plan.screening.earliest_date);

  for (std::size_t a = 0; a < in.areas.size(); ++a) {
    const auto& r = in.areas[a];
    AreaPlan ap;
    ap.request = r;
    ap.concern = data.concern(r.treatment.concern);
    const auto device = device_depth(r.device, catalogue);
    ap.space = search_space(r, data, device, in.preferences);
    ap.constraints = constraints_for(r, data, in.preferences);
    const auto task = fmt::format("plan area {}/{} {}", a + 1, in.areas.size(), label(r));
    ap.result = search(r, ap.space, ap.constraints, evaluator, options, log, task);
    plan.evaluations += ap.result.evaluations;
    for (const auto& p : data.protocols) {
      if (p.concern != r.treatment.concern) continue;
      ap.compared.push_back(compare(p, r, ap.space, ap.constraints, device, evaluator, data));
      ++plan.evaluations;
    }
    for (const auto& risk : data.risks) {
      if (applies(risk, r, ap.result.best.candidate)) ap.risks.push_back(&risk);
    }
    plan.areas.push_back(std::move(ap));
  }

  // Dated schedule: session k of an area on start + k * interval (whole days); areas that fall
  // on the same day share a visit.
  std::map<core::Date, std::vector<std::size_t>> visits;
  for (std::size_t a = 0; a < plan.areas.size(); ++a) {
    const auto& best = plan.areas[a].result.best;
    if (!plan.areas[a].result.found_feasible) continue;
    for (int k = 0; k < best.candidate.sessions; ++k) {
      const auto offset = static_cast<double>(k) * best.candidate.interval_weeks * core::units::wk;
      visits[plan.start.plus(offset)].push_back(a);
    }
  }
  for (auto& [date, areas] : visits) plan.schedule.push_back({date, areas});

  const auto& conditions = in.patient.conditions;
  for (const auto& step : data.aftercare) {
    if (step.condition.empty() || std::find(conditions.begin(), conditions.end(), step.condition) != conditions.end())
      plan.aftercare.push_back(&step);
  }
  for (const auto& alt : data.alternatives) {
    const bool relevant = std::any_of(plan.areas.begin(), plan.areas.end(), [&](const AreaPlan& ap) {
      return std::find(alt.concerns.begin(), alt.concerns.end(), ap.request.treatment.concern) != alt.concerns.end();
    });
    if (relevant) plan.alternatives.push_back(&alt);
  }
  return plan;
}

}  // namespace nw::planner
