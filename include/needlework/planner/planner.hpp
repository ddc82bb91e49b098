#pragma once
// The treatment planner: per treated area, the protocol (depth, passes, sessions, interval,
// topical) that maximises the predicted improvement of the patient's concern within the
// clinical rules, the device limits and the patient's preferences (docs/planning.md).
//
// Problem, per area a with request R:
//     maximise   m(c) = median improvement of the concern (% of baseline, good direction)
//     over       c = (depth d, passes p, sessions n, interval w, topical t)
//     subject to d in [d_lo, d_hi]  (site limits, concern bounds, device range; device step)
//                p, n integers in the concern's bounds, n <= max_sessions (preferences)
//                w in [w_lo, w_hi] weeks (concern bounds), rounded to whole weeks
//                downtime(c) <= max_downtime,  PIH(c) <= limit(phototype),
//                minutes(c) <= minutes_per_area_max  (planning.toml [constraints])
// Method: for each discrete choice (p, n, t) NLopt's BOBYQA (Powell 2009, bound-constrained,
// derivative-free) maximises m - K * violation over the continuous (d, w), scaled to [0, 1]^2,
// from several starts (the centre and seeded random points); the optimum is rounded to the
// device's depth step and whole weeks and the neighbouring grid points are evaluated; the best
// feasible candidate over all choices wins (ties: fewer sessions, less downtime, fewer passes,
// shallower). Discrete choices run in parallel (OpenMP); each choice's random starts are keyed
// by (seed, choice), so the result is the same on any thread count, and enlarging a bound only
// adds choices (a larger max_sessions never gives a worse optimum).
//
// Two stages of evaluation. The search ranks candidates on the nominal person (Cohort::nominal:
// one healing course per candidate, milliseconds); the best candidate of each of the
// `finalists` best choices is then re-evaluated with the virtual patients (Cohort::virtual_patients:
// median and 90 % interval), and the best of those by that evaluation is the plan. The standard
// protocols it is compared with are evaluated with the virtual patients too. Downtime, PIH and
// needling time come from the nominal person in both stages, so feasibility does not change.
//
// The model that predicts m, downtime and PIH for a candidate is an Evaluator (the course
// simulation); tests use synthetic evaluators with a known optimum.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "needlework/clinical/patient.hpp"
#include "needlework/clinical/screening.hpp"
#include "needlework/core/config.hpp"
#include "needlework/core/date.hpp"
#include "needlework/core/log.hpp"
#include "needlework/course/treatment.hpp"
#include "needlework/device/device.hpp"
#include "needlework/planner/planning_data.hpp"

namespace nw::planner {

/// One protocol for one area.
struct Candidate {
  double needle_length_mm = 1.5;  // nominal needle length / pen depth setting
  int passes = 4;
  int sessions = 3;
  double interval_weeks = 4;
  TopicalOption topical = no_topical();
};

/// Median and 90 % interval.
struct Spread {
  double median = 0, p05 = 0, p95 = 0;
};

/// The expected score at a time after the first session (scale units).
struct OutcomePoint {
  double day = 0;
  Spread score;
};

/// What the outcome model predicts for a candidate.
struct Evaluation {
  Spread improvement_pct;              // of baseline, in the concern's good direction (> 0 = better)
  std::string scale;                   // clinical scale of the concern
  double baseline = 0;                 // scale units
  Spread at_follow_up;                 // scale units
  double responder_fraction = -1;      // -1 = not reported
  std::vector<OutcomePoint> timeline;  // days from the first session
  double downtime_days = 0;            // per session
  double pih_probability = 0;          // over the course
  double minutes_per_session = 0;      // needling time of the area
  bool feasible = true;                // false: the model cannot evaluate it (reasons say why)
  std::vector<std::string> reasons;
};

/// One treated area to plan, with what the outcome model needs besides the candidate.
struct AreaRequest {
  course::TreatmentArea treatment;  // site, concern, scar type, baseline, area
  device::Device device;            // kind, model, cartridge; needle_length is chosen
  clinical::Patient patient;        // age, sex, phototype (skin, virtual patients, PIH)
  course::Protocol protocol;        // follow_up (and start) of the scenario
  course::Settings settings;        // fidelity and number of virtual patients
  std::uint64_t seed = 1;           // the scenario's seed
};

/// Whom an evaluation predicts for: the nominal person (median = p05 = p95, no responder
/// fraction) or the virtual patients of the scenario's [simulation] settings.
enum class Cohort { nominal, virtual_patients };

/// Predicts the outcome of a candidate. Must be thread-safe and deterministic.
using Evaluator = std::function<Evaluation(const AreaRequest&, const Candidate&, Cohort)>;

struct Preferences {
  core::Time max_downtime = 2 * core::units::d;
  int max_sessions = 6;
};

/// Schema of the scenario's [preferences] table (plan only).
std::shared_ptr<const core::TableSpec> preferences_spec();
/// From the validated [preferences] table.
Preferences preferences_from(const core::ConfigTable& table);

/// The box the search explores for one area, with why each bound is what it is.
struct SearchSpace {
  double depth_min_mm = 0.25, depth_max_mm = 1.5, depth_step_mm = 0.25;
  int passes_min = 4, passes_max = 4;
  int sessions_min = 1, sessions_max = 1;
  double interval_min_weeks = 4, interval_max_weeks = 4;
  std::vector<TopicalOption> topicals;  // "none" first
  std::vector<std::string> notes;       // bounds and their sources, for the plan
  std::vector<std::string> sources;
};

struct Constraints {
  double max_downtime_days = 2;
  double max_pih_probability = 0.1;
  double max_minutes = 20;
};

struct SearchOptions {
  std::uint64_t seed = 1;
  int starts = 2;                // BOBYQA starts per discrete choice
  int max_evals_per_start = 30;  // NLopt evaluation budget per start
  int finalists = 4;             // best choices re-evaluated with the virtual patients
  int threads = 0;               // 0 = OpenMP default
};

/// Device depth step and range for a device (pen: the model's step; roller / stamp: the
/// lengths offered, approximated by their 0.25 mm grid).
struct DeviceDepth {
  double min_mm = 0.25, max_mm = 3.0, step_mm = 0.25;
};
DeviceDepth device_depth(const device::Device& d, const device::Catalogue& catalogue);

/// The search box of an area. Throws core::Error{cfg_consistency} naming the treatment when
/// the concern has no planning bounds or the site, concern and device ranges do not overlap.
SearchSpace search_space(const AreaRequest& request, const PlanningData& data, const DeviceDepth& device,
                         const Preferences& preferences);

Constraints constraints_for(const AreaRequest& request, const PlanningData& data, const Preferences& preferences);

/// A candidate with its evaluation and the constraints it breaks (empty = feasible).
struct Scored {
  Candidate candidate;
  Evaluation evaluation;
  std::vector<std::string> violations;
  bool feasible() const { return violations.empty(); }
};

/// Constraint violations of an evaluation (with the evaluator's own reasons).
std::vector<std::string> violations(const Evaluation& e, const Constraints& c);

struct SearchResult {
  Scored best;  // best feasible, else the least violating
  bool found_feasible = false;
  std::size_t evaluations = 0;         // evaluator calls, both stages
  std::size_t cohort_evaluations = 0;  // of which with the virtual patients
  std::size_t choices = 0;             // discrete (passes, sessions, topical) combinations
};

/// Searches one area. Progress goes to `log.progress(task, fraction)`.
SearchResult search(const AreaRequest& request, const SearchSpace& space, const Constraints& constraints,
                    const Evaluator& evaluator, const SearchOptions& options, core::LogSink& log,
                    const std::string& task);

/// A standard protocol evaluated like the plan.
struct Compared {
  const StandardProtocol* protocol = nullptr;
  Scored scored;
  std::vector<std::string> adjustments;  // e.g. depth clamped to the site limit
};

struct AreaPlan {
  AreaRequest request;
  SearchSpace space;
  Constraints constraints;
  SearchResult result;
  std::vector<Compared> compared;
  std::vector<const RiskNote*> risks;
  const ConcernBounds* concern = nullptr;
};

struct Visit {
  core::Date date;
  std::vector<std::size_t> areas;  // indices into Plan::areas
};

struct Plan {
  clinical::ScreeningResult screening;
  bool refused = false;  // do-not-treat, refer, or defer without a date
  std::vector<std::string> refusal_reasons;
  core::Date start;  // first session
  std::vector<AreaPlan> areas;
  std::vector<Visit> schedule;
  std::vector<const AftercareStep*> aftercare;
  std::vector<const Alternative*> alternatives;
  std::size_t evaluations = 0;
};

struct PlanInputs {
  clinical::Patient patient;
  std::vector<AreaRequest> areas;
  Preferences preferences;
  core::Date planned_start;  // protocol.start, or today
};

/// True when the screening decision refuses a plan now: do-not-treat, refer, or a deferral
/// without an earliest date (re-screen when resolved).
bool refuses(const clinical::ScreeningResult& s);

/// Screening, then the search per area, the standard protocols, the dated schedule (from the
/// planned start or a deferral's earliest date), aftercare, alternatives and risks.
Plan make_plan(const PlanInputs& inputs, const clinical::RuleSet& rules, const PlanningData& data,
               const device::Catalogue& catalogue, const Evaluator& evaluator, const SearchOptions& options,
               core::LogSink& log);

}  // namespace nw::planner
