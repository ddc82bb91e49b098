#pragma once
// The healing and remodelling model (docs/model/healing.md): parameters read from
// data/healing/parameters.toml and the integrator of the course.
//
// State per compartment k (epidermis e, papillary p, reticular r), time t in days:
//   D_k damage, I_k inflammation, G_k growth factor (all three compartments);
//   F_k fibroblasts, Z_k responsiveness, c3_k collagen III, c1_k collagen I, E_k elastin, M_k MMP
//   (dermis only); global: epidermal thickness T, melanocyte activation A, pigment P, follicle
//   drive H, PIH integral Q, melanogenic set-point Y; the barrier B is evaluated in closed form
//   (healing.md 2.7).
//   dD/dt = -ln2/t_D * D                               (repair; a session adds d(1-D))
//   dI/dt = [g_I S(D) - I/(1 + kappa I)]/tau_I       S(D) = D/(D + D_half)
//   dG/dt = (I - G)/tau_G
//   dF/dt = [ R g_R Z G/(G + G_h) (F_max - F) - (F - 1) ]/tau_F
//   dZ/dt = (1 - Z)/tau_Z - S(D) Z/tau_d          (Z: responsiveness, depleted by each wound)
//   dc3/dt = s3 Y (1 + a3 G) (c1_0/R)^q - c3 M/tau3      Y = (1 + sigma (F - 1)) V (synthesis)
//   dR/dt  = phi c3 M/tau3 + s1 Y - R M ln2/t1 - (R - 1)+/t_m   (tau3: III turnover; phi: III -> I)
//   dS/dt  = (R - 1)+/t_m - S ln2/t_s                    collagen I c1 = R + S (healing.md 2.5)
//            R: remodelling pool of type I (MMP turnover), S: new type I matured into the stable,
//            cross-linked pool (maturation time t_m, half-life t_s; 0 at rest)
//   dE/dt = (1 + sigma_E (F - 1) - M E)/tau_E ;  dM/dt = (1 + m_I I + m_G G - M)/tau_M
//   T, A, P, H: healing.md 2.7-2.10. Time constants of repair, matrix, epidermis and melanin are
//   divided by the patient's turnover_gain.
// with s3, s1 set so that the resting state (F = M = 1, G = 0, V = 1) is stationary. Sources:
// data/healing/parameters.toml (each value) and docs/model/healing.md (derivations).

#include <string>
#include <utility>
#include <vector>

#include "needlework/core/config.hpp"
#include "needlework/healing/healing.hpp"

namespace nw::healing {

/// How a delivered active acts (Emax model on its tissue level, a Bateman curve per dose).
struct ActiveAction {
  std::string name;              // library name (tranexamic_acid, vitamin_c, minoxidil)
  double absorption_time_d = 0;  // time constant of uptake after an application
  double residence_time_d = 0;   // time constant of local clearance
  double ec50_ug_per_cm2 = 0;    // level at half-maximal effect
  double melanocyte_emax = 0;    // fraction of melanocyte activation removed (epidermis level)
  double pigment_emax = 0;       // fraction of melanin production removed (epidermis level)
  double collagen_emax = 0;      // extra collagen synthesis, fraction (dermal levels)
  double follicle_emax = 0;      // anagen drive added (reticular level)
};

/// Model parameters (times in days; everything else dimensionless unless named).
struct Parameters {
  // damage
  double epidermal_repair_half_life_d = 0;
  double dermal_repair_half_life_d = 0;
  double damage_half_saturation = 0;
  // inflammation
  double inflammation_time_d = 0;
  double inflammation_prolongation = 0;
  double bleeding_inflammation = 0;
  double bruising_inflammation = 0;
  // growth factor
  double growth_factor_time_d = 0;
  double bleeding_growth_factor = 0;
  // fibroblasts
  double fibroblast_time_d = 0;
  double fibroblast_half_activation = 0;
  double fibroblast_recruitment = 0;
  double fibroblast_max = 0;
  double responsiveness_recovery_time_d = 0;   // tau_Z
  double responsiveness_depletion_time_d = 0;  // tau_d
  // collagen
  double collagen_i_fraction = 0;
  double collagen_iii_fraction = 0;
  double collagen_iii_turnover_time_d = 0;
  double collagen_iii_maturation = 0;
  double collagen_i_half_life_d = 0;         // t1: remodelling pool
  double collagen_i_maturation_time_d = 0;   // t_m: remodelling -> stable pool
  double collagen_i_stable_half_life_d = 0;  // t_s: stable (cross-linked) pool
  double collagen_iii_growth_factor_gain = 0;
  double collagen_synthesis_gain = 0;  // sigma: synthesis per activated fibroblast above resting
  double matrix_feedback_exponent = 0;
  // elastin and MMP
  double elastin_time_d = 0;
  double elastin_synthesis_gain = 0;  // sigma_E
  double mmp_time_d = 0;
  double mmp_inflammation_gain = 0;
  double mmp_growth_factor_gain = 0;
  // epidermis and barrier
  double epidermis_time_d = 0;
  double epidermis_growth_factor_gain = 0;
  double epidermis_matrix_gain = 0;
  double barrier_recovery_h = 0;  // used when a session gives none
  // erythema
  double erythema_half_signal = 0;
  double erythema_visible = 0;
  double erythema_acceptable = 0;
  // pigment
  double melanocyte_time_d = 0;
  double melanocyte_gain = 0;
  double phototype_step = 0;  // ln factor per Fitzpatrick step, relative to type III
  double reticular_pigment_weight = 0;
  double melanocyte_threshold = 0;
  double pigment_time_d = 0;
  double pigment_activation_gain = 0;
  double pigment_renewal_gain = 0;
  double pigment_thickness_gain = 0;    // a_N: melanin clearance per unit epidermal thickening
  double setpoint_recovery_time_d = 0;  // tau_Y: relaxation of the melanogenic set-point
  // follicles
  double follicle_time_d = 0;
  double follicle_wound_gain = 0;
  // ageing
  double ageing_onset_yr = 0;
  double collagen_loss_per_yr = 0;
  double elastin_loss_per_yr = 0;
  // aggregate of the dermis
  double papillary_weight = 0;
  // between-person variability (SD of ln gain)
  double sd_ln_response = 0;
  double sd_ln_inflammation = 0;
  double sd_ln_melanocyte = 0;
  double sd_ln_turnover = 0;

  std::vector<ActiveAction> actives;
  /// (table.key, source ids) of every value, for provenance.
  std::vector<std::pair<std::string, std::vector<std::string>>> sources;

  /// Schema of data/healing/parameters.toml.
  static const core::TableSpec& spec();
  /// From a table validated against spec(); throws core::Error{cfg_consistency} on values the
  /// model cannot use (a maturation share that leaves no collagen I synthesis, ...).
  static Parameters from_config(const core::ConfigTable& validated);
};

/// Integrates the course for the treated and the untreated skin. Throws core::Error{num_failure}
/// when CVODE fails and core::Error{internal} on inputs outside the contract (sessions out of
/// order, fractions outside 0..1, end_day negative).
HealingResult simulate_healing(const HealingInputs& inputs, const Parameters& parameters);

/// A virtual patient: the nominal factors with the four gains multiplied by exp(sd z_i), where
/// z are four standard normal draws (the course draws them from its seeded stream).
PatientFactors vary_patient(const PatientFactors& nominal, const Parameters& parameters,
                            const std::array<double, 4>& z);

/// Factor on melanocyte activation of a Fitzpatrick phototype (1 for type III).
double phototype_factor(int fitzpatrick, const Parameters& parameters);

}  // namespace nw::healing
