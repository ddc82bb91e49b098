#pragma once
// Planning data (data/clinical/planning.toml, "needlework-planning/1", bundled): the bounds the
// planner searches within, the standard protocols it is compared with, aftercare day by day,
// alternatives with their evidence and the risks of an area. Every entry carries source ids
// declared in the file's [[source]] list (or "assumption", with a note saying why).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/core/config.hpp"
#include "needlework/core/units.hpp"

namespace nw::planner {

struct SourceRef {
  std::string id, citation, tier, url;
};

/// Nominal needle-length limits of a body site (optionally only for some concerns).
struct SiteDepth {
  std::string site;
  std::vector<std::string> concerns;  // empty = any concern
  core::Length depth_min, depth_max;
  std::string tier;
  std::vector<std::string> sources;
  std::string note;
};

/// A topical the planner may choose (with its strength, dose and schedule).
struct TopicalOption {
  std::string name;    // planning name, e.g. "tranexamic_acid_daily"; "none" = no topical
  std::string active;  // active library name; "" for none
  double concentration_pct = 0;
  double dose_ul_per_cm2 = 0;
  bool daily = false;  // home application every day; else once right after needling
  std::vector<std::string> sources;
  std::string note;
};

/// Search bounds and evidence of one concern. Depth and interval bounds are optional: absent
/// ones fall back to [constraints] (and the site and device limits always apply).
struct ConcernBounds {
  std::string name;
  std::string indication;  // rules.json indication id
  std::optional<core::Length> depth_min, depth_max;
  int passes_min = 1, passes_max = 1;
  int sessions_min = 1, sessions_max = 1;
  std::optional<core::Time> interval_min, interval_max;
  std::vector<std::string> topicals;  // TopicalOption names; "none" is always a candidate too
  std::string evidence, evidence_note;
  std::vector<std::string> sources;
  std::string note;
};

/// A published protocol the plan is compared with.
struct StandardProtocol {
  std::string id, concern, name;
  core::Length needle_length;
  int passes = 4, sessions = 3;
  core::Time interval;
  std::string topical;  // TopicalOption name or "none"
  std::vector<std::string> sources;
  std::string note;
};

/// Aftercare for days [day_from, day_to] after a session (0 = session day); negative days count
/// back from the next session. `condition` restricts it to patients with that condition.
struct AftercareStep {
  int day_from = 0, day_to = 0;
  std::string condition;
  std::vector<std::string> dos, avoids;
  std::vector<std::string> sources;
  std::string conflict;
};

struct Alternative {
  std::string treatment, name;
  std::vector<std::string> concerns;
  std::string downtime, pih, evidence, compared;
  std::vector<std::string> sources;
};

/// A risk line; applies when every restriction given matches (none given = always).
struct RiskNote {
  std::string id, message;
  std::vector<std::string> sites, topicals;  // topicals: active names
  std::optional<core::Length> depth_min;
  std::optional<int> fitzpatrick_min;
  std::vector<std::string> sources;
};

struct PihLimit {
  int fitzpatrick_min = 1, fitzpatrick_max = 6;
  double max_probability = 0.1;
  std::vector<std::string> sources;
  std::string note;
};

struct PlanningData {
  std::vector<SourceRef> sources;
  core::Time minutes_per_area_max;
  core::Time minutes_per_area_typical_min;
  core::Length depth_fallback_min, depth_fallback_max;
  core::Time interval_fallback_min, interval_fallback_max;
  std::vector<PihLimit> pih_limits;
  std::vector<SiteDepth> site_depths;
  std::vector<ConcernBounds> concerns;
  std::vector<TopicalOption> topicals;
  std::vector<StandardProtocol> protocols;
  std::vector<AftercareStep> aftercare;
  std::vector<Alternative> alternatives;
  std::vector<RiskNote> risks;

  const ConcernBounds* concern(std::string_view name) const;
  const TopicalOption* topical(std::string_view name) const;  // "none" gives the empty option
  const SourceRef* source(std::string_view id) const;
  /// The site limits for a concern: the entry naming the concern, else the general entry, else none.
  const SiteDepth* site_depth(std::string_view site, std::string_view concern) const;
  /// PIH limit for a phototype (throws core::Error{internal} if the data leave it uncovered).
  double pih_limit(int fitzpatrick) const;

  /// Schema of the file ("needlework-planning/1").
  static const core::TableSpec& spec();
  /// Builds the data from a validated table; checks what a schema cannot (every source id
  /// declared, every topical and concern named exists, ranges ordered, each phototype covered
  /// once). Throws core::Error with every problem found (file:line:col).
  static PlanningData from_config(const core::ConfigTable& validated);
};

/// The option "none" (no topical).
TopicalOption no_topical();

}  // namespace nw::planner
