#pragma once
// Clinical outcomes of one treated area: tissue change -> clinical scale, natural course of the
// untreated skin, virtual-patient statistics (docs/model/outcomes.md; data:
// data/outcomes/outcomes.toml and data/outcomes/published.toml).
//
// Governing equations (symbols as in outcomes.md; every arm uses its own tissue samples, values
// relative to the same skin's baseline):
//   matrix gain of compartment c     g_c = w_I (col_I,c - 1) + w_III (col_III,c - 1) + w_E (el_c - 1)     (1)
//   dermal lift under a lesion       dH  = g_D h_u,  g_D = (g_pap t_pap + g_ret t_ret) / t_D,
//                                    h_u = t_D clamp(min(f_d, 1 - d / t_D), 0, 1)     [m]
//   lesion fill fraction             I   = 1 - exp(-x) (x >= 0; -(1 - exp(x)) below),
//                                    x   = k_fill tau_t phi dH / D,  phi = w / (w + 2 d),
//                                    D   = d + (1 - f_d) t_D,  t_D = t_pap + t_ret               (2)
//   lesion scales (GB, Lemperle, striae, pores)   S = S0 (1 - I)                                  (3)
//   pigment scales                   S = S0 (1 - k_pig (1 - P)),  P = epidermal melanin / baseline (4)
//   hair count                       S = S0 (1 + k_hair F),  F = follicle stimulation           (5)
//   laxity grade                     S = S0 (1 - k_lax g_el),  g_el = mean over the dermis of
//                                    (el - 1 + col_I - 1) / 2                                   (6)
//   natural course (both arms)       S <- S (1 + a_p (1 - exp(-t / tau_p)) + a_age t / yr)        (7)
//   clamp to the scale's range [min, max].
//   PIH probability                  p = 1 - (1 - p0(F)) exp(-beta D_pih),
//                                    logit p0(F) = logit p0 + ln(OR_F) (F - 3)                   (8)
// w = lesion width, d = lesion depth, f_d = dermal thickness under the lesion / normal, tau_t =
// transmitted fraction for tethered lesions (1 otherwise), t_pap, t_ret = layer thicknesses at
// the site. Sources: outcomes.toml (per value) and published.toml (fits and checks).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "needlework/core/config.hpp"
#include "needlework/healing/healing.hpp"
#include "needlework/skin/skin.hpp"

namespace nw::outcomes {

enum class Better { lower, higher };
enum class ResponderKind { relative, absolute };
enum class Transfer { lesion_fill, pigment, hair, laxity };

/// One clinical scale ([[scale]] of outcomes.toml).
struct ScaleInfo {
  std::string name;
  std::string display;
  double min = 0, max = 0;
  Better better = Better::lower;
  ResponderKind responder_kind = ResponderKind::relative;
  double responder_threshold = 0;  // fraction of baseline (relative) or whole grades (absolute)
  std::string responder_note;
  core::Measure default_baseline;

  double clamp(double score) const;
  /// Improvement from `baseline` to `score` in the scale's good direction (points, > 0 = better).
  double improvement(double baseline, double score) const;
  /// Probability that the change from `baseline` to `score` is recorded as meeting the
  /// responder definition. Relative definitions (measured scores) give 0 or 1. Absolute ones
  /// count whole grades of an ordinal scale: the grader rounds a continuous severity, so a
  /// patient graded `baseline` lies anywhere in [baseline - 1/2, baseline + 1/2) (uniform), the
  /// model's relative change score / baseline moves that severity, and the result is the
  /// probability that the rounded grade moves by the threshold (outcomes.md section 4).
  double responder_probability(double baseline, double score) const;
};

/// One concern ([[concern]] of outcomes.toml).
struct ConcernInfo {
  std::string name;
  std::vector<std::string> scales;  // first = default scale
  Transfer transfer = Transfer::lesion_fill;
  core::Measure coefficient;  // k_fill, k_pig, k_hair or k_lax
  std::string coefficient_basis;
  core::Measure placebo;     // plateau fraction a_p
  double placebo_tau_s = 0;  // tau_p
  double ageing_per_yr = 0;  // a_age
  std::string evidence;      // RCT | controlled | case_series | expert_opinion | assumption
  std::vector<std::string> evidence_sources;
  std::string evidence_note;
};

enum class Intradermal { grade, not_for_intradermal, unknown };

struct ActiveSafety {
  std::string name;
  Intradermal intradermal = Intradermal::unknown;
  std::vector<std::string> sources;
  std::string note;
};

/// Post-inflammatory hyperpigmentation (docs/model/outcomes.md section 6):
///   p = 1 - (1 - p0(F)) exp(-beta D),  logit p0(F) = logit p0 + ln(OR_F) (F - 3)
/// D = healing pih_drive (integrated melanocyte activation above threshold: phototype, depth,
/// density, passes and the person's melanocyte gain act through it); p0(F) = sporadic PIH not
/// carried by the mean drive; beta fitted on ONE published rate (refit_pih_hazard).
struct PihModel {
  double floor_probability = 0.005;  // p0 at phototype III
  double floor_odds_ratio_per_phototype = 1.5;
  double hazard_per_drive = 0.1;  // beta
  double high_threshold = 0.1;
};

struct SafetyRules {
  double bleeding_pinpoint = 0.02;
  double bleeding_confluent = 0.5;
  double downtime_flag_s = 7 * 86400.0;
  double tram_track_roller_length_m = 1.5e-3;
  double tram_track_margin_m = 1e-4;
  std::vector<std::string> bone_sites;
};

/// The outcome library (data/outcomes/outcomes.toml, "needlework-outcomes/1").
class OutcomeModel {
 public:
  static const core::TableSpec& spec();
  /// Builds the model from a validated file. Throws core::Error (CFG-CONSISTENCY with the file
  /// location) if a concern names an unknown scale or a scale or concern repeats.
  static OutcomeModel from_config(const core::ConfigTable& validated);

  const std::vector<ScaleInfo>& scales() const { return scales_; }
  const std::vector<ConcernInfo>& concerns() const { return concerns_; }
  const std::vector<ActiveSafety>& actives() const { return actives_; }
  const PihModel& pih() const { return pih_; }
  const SafetyRules& safety() const { return safety_; }
  double matrix_weight_collagen_i() const { return w_col_i_; }
  double matrix_weight_collagen_iii() const { return w_col_iii_; }
  double matrix_weight_elastin() const { return w_elastin_; }
  const core::Measure& tether_transmission() const { return tether_; }

  /// nullptr if unknown.
  const ScaleInfo* scale(std::string_view name) const;
  const ConcernInfo* concern(std::string_view name) const;
  const ActiveSafety* active(std::string_view name) const;

  /// A copy with the coefficient of `concern` replaced (refits, sensitivity runs). Throws
  /// core::Error{internal} for an unknown concern.
  OutcomeModel with_coefficient(std::string_view concern, double value) const;

 private:
  std::vector<ScaleInfo> scales_;
  std::vector<ConcernInfo> concerns_;
  std::vector<ActiveSafety> actives_;
  PihModel pih_;
  SafetyRules safety_;
  double w_col_i_ = 0.8, w_col_iii_ = 0.15, w_elastin_ = 0.05;
  core::Measure tether_;
};

/// The geometry of the lesion a person has (sampled per virtual patient from the lesion library).
struct LesionGeometry {
  double width_m = 0;
  double depth_m = 0;
  double dermis_factor = 1;
  bool tethered = false;
};

/// The lesion library's mean geometry.
LesionGeometry mean_geometry(const skin::Lesion& lesion);

/// Everything the transfer function needs about one treated area and one person.
struct AreaContext {
  std::string site;
  std::string concern;
  std::string scar_type;           // acne_scars only ("" = mixed)
  std::string scale;               // "" = the concern's default scale
  std::optional<double> baseline;  // score; nullopt = the scale's population default
  double papillary_thickness_m = 0;
  double reticular_thickness_m = 0;
  std::optional<LesionGeometry> lesion;  // required for lesion_fill concerns
  double coefficient_factor = 1;         // per-person multiplier of the concern's coefficient
  double placebo_fraction = 0;           // per-person a_p (the concern's mean if not sampled)
  bool placebo_sampled = false;
};

/// Per-person outcome parameters of one virtual patient (seeded; Stage::outcomes streams keyed by
/// seed, patient index and purpose). Patient 0 with sample = false is the nominal person.
struct VirtualPerson {
  LesionGeometry lesion;
  double coefficient_factor = 1;
  double placebo_fraction = 0;
};
VirtualPerson sample_person(const ConcernInfo& concern, const skin::Lesion* lesion, std::uint64_t seed,
                            std::uint64_t patient);

/// Daily scores of one person: treated and untreated (natural course), same days as the healing
/// result's samples.
struct ScoreTimeline {
  std::string scale;
  double baseline = 0;
  std::vector<double> day;
  std::vector<double> treated;
  std::vector<double> untreated;
};

/// The score of one arm at one sample (eq. 2-7). Throws core::Error{cfg_consistency} if the
/// concern has no transfer function, the scale does not belong to the concern or a lesion
/// concern lacks its geometry.
double score_at(const OutcomeModel& model, const AreaContext& area, const healing::TissueSample& sample);
ScoreTimeline score_timeline(const OutcomeModel& model, const AreaContext& area, const healing::HealingResult& result);

/// The scale a context resolves to and its baseline (population default if none given).
const ScaleInfo& resolve_scale(const OutcomeModel& model, const AreaContext& area);
double resolve_baseline(const OutcomeModel& model, const AreaContext& area);

/// Median, 5th and 95th percentile (linear interpolation between order statistics, type 7).
struct Spread {
  double median = 0, p05 = 0, p95 = 0;
};
/// Sorts a copy, so the result does not depend on the order of `values`. Empty -> all zero.
Spread spread_of(std::vector<double> values);
double quantile(std::vector<double> values, double q);

/// Cohort statistics at one sample index over virtual patients (summary.json outcomes entry).
struct CohortOutcome {
  std::string scale;
  double baseline = 0;  // median baseline over patients
  Spread at_follow_up;
  Spread change;  // follow-up score minus baseline (points)
  double responder_fraction = 0;
  Spread untreated_at_follow_up;  // the control arm
  Spread net_effect;              // treated minus untreated at the same time (points)
  double untreated_responder_fraction = 0;
};
/// Precondition-free: sample index past the end uses each timeline's last sample; an empty
/// cohort gives zeros.
CohortOutcome cohort_statistics(const ScaleInfo& scale, const std::vector<ScoreTimeline>& patients,
                                std::size_t sample_index);

// ------------------------------------------------------------------------------------ safety

/// What the safety assessment reads about a course and a person (plain data; the course stage
/// fills it from the scenario, the device, the channels and the healing result).
struct SafetyInputs {
  int fitzpatrick = 3;
  std::string site;
  std::string device_kind;      // pen | roller | stamp | none
  bool roller_dragged = false;  // roller pressed/dragged with force (operator input)
  bool home_device = false;     // home use or non-sterile device
  double needle_length_m = 0;
  double open_depth_m = 0;               // mean open channel depth
  double dermis_bottom_m = 0;            // depth of the dermis-fat junction at the site
  double bleeding_fraction = 0;          // largest over sessions: channels that bled visibly
  std::string active;                    // topical library name, "" = none
  std::vector<std::string> conditions;   // scenario vocabulary (keloid_tendency, ...)
  std::vector<std::string> medications;  // ongoing medications (anticoagulant, ...)
  double erythema_h = 0;
  double downtime_days = 0;
  double pih_drive = 0;
};

struct SafetyFlag {
  std::string code;  // S-TRAM-TRACK, S-GRANULOMA, S-INFECTION, S-PIH-HIGH, S-KELOID, ...
  std::string message;
  std::vector<std::string> sources;
};

struct SafetyReport {
  double erythema_h = 0;
  double downtime_days = 0;
  double pih_probability = 0;
  double bleeding_fraction = 0;  // fraction of channels that bled visibly (largest session)
  std::string bleeding;          // none | pinpoint | confluent
  std::vector<SafetyFlag> flags;
};

/// Post-inflammatory hyperpigmentation probability (PihModel). Non-decreasing in phototype
/// and drive (strictly increasing in phototype); depth acts through the drive.
double pih_probability(const PihModel& pih, int fitzpatrick, double pih_drive);
/// The hazard beta that makes the mean probability over `people` (phototype, pih_drive of the
/// reference course) equal `target` (bisection on [0, 100]; NUM-FAIL if out of reach).
double refit_pih_hazard(const PihModel& pih, const std::vector<std::pair<int, double>>& people, double target);
SafetyReport assess_safety(const OutcomeModel& model, const SafetyInputs& in);

// ------------------------------------------------------------------------------- calibration

/// A reference course for a refit: its healing result (nominal person), the area, the day of
/// the published measurement (from the first session) and the published target.
struct RefitTarget {
  std::string concern;
  healing::HealingResult reference;
  AreaContext area;
  double day = 0;
  enum class Quantity { relative_change, absolute_change } quantity = Quantity::relative_change;
  double value = 0;  // relative (fraction) or absolute (points) change of the treated arm
};
/// The concern's coefficient that reproduces the target (bisection on [0, max of the
/// coefficient's range]; the prediction is monotone in the coefficient). Throws
/// core::Error{num_failure} if the target lies outside what the range can reach.
double refit_coefficient(const OutcomeModel& model, const RefitTarget& target);
/// The model's prediction for a target's quantity with the model's current coefficient.
double predicted(const OutcomeModel& model, const RefitTarget& target);

/// One row of data/outcomes/published.toml.
struct PublishedResult {
  std::string id, concern, scar_type, scale, role, quantity;
  double value = 0;
  std::string spread;
  std::int64_t n = 0;
  double day = 0;
  std::string protocol;
  std::vector<std::string> sources;
  std::string url, note;
};
const core::TableSpec& published_spec();
std::vector<PublishedResult> published_from_config(const core::ConfigTable& validated);
/// The refit target of a `fit` row (relative_change or absolute_change) for its reference
/// course: `reference` is the healing result of the row's protocol for the nominal person and
/// `area` the treated area, with the lesion geometry of the row's scar type (scale and scar
/// type are taken from the row). Throws
/// core::Error{internal} for a row whose quantity is not a change.
RefitTarget refit_target(const PublishedResult& row, healing::HealingResult reference, AreaContext area);

std::string_view to_string(Transfer t);
std::string_view to_string(Intradermal i);

}  // namespace nw::outcomes
