#pragma once
// Healing and remodelling of one treated area over a course (docs/model/healing.md).
//
// Interface contract between the stages (the model itself is described in healing.md and in
// model.hpp): course turns each session's channels and delivered actives into a SessionInjury;
// the healing model integrates the tissue state of three depth compartments from the first
// session to the end of the follow-up, for the treated skin and for the same skin untreated
// (natural course, topicals only when a control arm applies them), and returns daily samples.
// Outcomes read only this timeline.

#include <array>
#include <string>
#include <vector>

#include "needlework/core/units.hpp"

namespace nw::healing {

/// Depth compartments of the column: epidermis (viable), papillary dermis, reticular dermis.
enum class Compartment : int { epidermis = 0, papillary = 1, reticular = 2 };
inline constexpr int kCompartments = 3;
using PerCompartment = std::array<double, kCompartments>;

/// What one session does to one area.
struct SessionInjury {
  double day = 0;                     // session time from the first session (days)
  PerCompartment damaged_fraction{};  // damaged volume / compartment volume (0..1)
  double channels_per_cm2 = 0;        // open channels of the session
  double open_depth_um = 0;           // mean open channel depth
  double bleeding_fraction = 0;       // channels that bled visibly
  double bruising_fraction = 0;       // tips that reached the lower plexus
  double barrier_recovery_h = 0;      // TEWL recovery (transport rules)
  double closure_half_life_h = 0;     // channel closure (transport rules)
};

/// An active delivered to the tissue (course computes it through the transport stage).
/// One entry per application: the session-day serum or each daily home application.
struct ActiveDose {
  double day = 0;                         // application time from the first session (days)
  std::string active;                     // library name (tranexamic_acid, vitamin_c, minoxidil, ...)
  PerCompartment delivered_ug_per_cm2{};  // amount that reached each compartment within 24 h
  double cleared_ug_per_cm2 = 0;          // reached the systemic compartment
};

/// The person, as the healing model needs them. Multipliers are 1 for the nominal patient;
/// virtual patients draw them from the variability in data/healing/parameters.toml.
struct PatientFactors {
  double age_yr = 35;
  int fitzpatrick = 3;  // 1..6
  bool male = false;
  double response_gain = 1;      // fibroblast / matrix response to a given signal
  double inflammation_gain = 1;  // inflammatory response to a given damage
  double melanocyte_gain = 1;    // melanocyte activation by inflammation
  double turnover_gain = 1;      // matrix turnover and epidermal renewal rates
};

struct HealingInputs {
  std::vector<SessionInjury> sessions;      // in time order; may be empty (untreated control)
  std::vector<ActiveDose> actives;          // in time order; may be empty
  std::vector<ActiveDose> control_actives;  // applied to the untreated control (intact skin); may be empty
  double end_day = 0;                       // last sample (last session + follow-up)
  bool scalp = false;                       // follicle response reported
  PatientFactors patient;
};

/// State of the tissue at one time, relative to the same skin's baseline (1 = baseline) unless
/// stated otherwise.
struct TissueSample {
  double day = 0;
  PerCompartment damage{};           // damaged fraction remaining (0..1)
  PerCompartment inflammation{};     // inflammatory signal (0 = resting)
  PerCompartment growth_factor{};    // pro-fibrotic / mitogenic signal (0 = resting)
  PerCompartment fibroblasts{};      // activated fibroblast density (1 = resting)
  PerCompartment collagen_iii{};     // relative to baseline collagen III
  PerCompartment collagen_i{};       // relative to baseline collagen I
  PerCompartment elastin{};          // relative to baseline elastin
  PerCompartment mmp{};              // matrix metalloproteinase activity (1 = resting)
  double epidermal_thickness = 1;    // relative
  double barrier = 1;                // barrier function (1 = intact)
  double erythema = 0;               // visible redness index (0 = none, 1 = intense)
  double melanocyte_activation = 0;  // 0 = resting
  double pigment = 1;                // epidermal melanin relative to baseline
  double follicle_stimulation = 0;   // scalp: anagen drive above resting (0 = none)
};

/// Summary changes in percent, treated relative to untreated at the same time (summary.json
/// tissue.at_follow_up).
struct TissueChange {
  double collagen_change_pct = 0;
  double elastin_change_pct = 0;
  double epidermal_thickness_change_pct = 0;
  double dermal_density_change_pct = 0;
  double elasticity_change_pct = 0;
};

struct HealingResult {
  std::vector<TissueSample> treated;    // daily samples from day 0 to end_day
  std::vector<TissueSample> untreated;  // the same skin without needling (natural course)
  double erythema_h = 0;                // hours until erythema falls below the visible threshold
  double downtime_days = 0;             // days until erythema and oedema are socially acceptable
  double peak_inflammation = 0;         // over the course (papillary compartment)
  double pih_drive = 0;                 // integral of melanocyte activation above threshold
  double papillary_weight = 0.25;       // share of the papillary dermis in dermal aggregates (change_at)
  long solver_steps = 0;                // CVODE steps taken (treated + untreated), for performance reports
};

/// Changes at sample `index` of a result (treated versus untreated).
TissueChange change_at(const HealingResult& result, std::size_t index);

}  // namespace nw::healing
