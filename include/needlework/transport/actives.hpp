#pragma once
// Topical actives and the tissue-side rules of the transport stage (docs/model/transport.md,
// sections 2-5; data: data/transport/actives.toml and data/transport/tissue.toml).
//
// Intact stratum corneum (Potts-Guy split by Cleek-Bunge, polar pathway with Renkin hindrance):
//   log10 kp_lipid [cm/s] = a + b log10 Kow + c MW                                      (3)
//   kp_polar  = (eps/tau) D_free H(r_h / r_pore) / L_polar,  kp_intact = kp_lipid + kp_polar   (4)
//   H(l)      = (1 - l)^2 (1 - 2.104 l + 2.09 l^3 - 0.95 l^5) for l < 1, else 0       (Renkin)
//   K_sc      = max(Kow^b, K_floor)                                                     (5)
//   D_sc      = kp_intact h_sc / K_sc                       (site SC thickness h_sc)    (6)
// Viable tissue:
//   K_v       = f_w (1 + k_lip Kow^n_lip)                                               (7)
//   D_layer   = D_free F0_layer exp(-r_h / r_c,layer)   (epidermis, dermis, hypodermis) (8)
// Clearance (first-order sink on the free concentration u = C / K):
//   k_pap = k_cap H(r_h / r_cap) + k_lymph,  k_ret = f_ret k_cap H(r_h / r_cap) + k_lymph,
//   k_hyp = k_lymph, 0 in the epidermis                                                 (14)
// Free diffusivity (custom actives without a measurement, actives.toml [reference]):
//   D_free(32 C) = D_glc (180.16 g/mol / MW)^(1/3) x 1.191,   r_h = k T / (6 pi eta D_free)

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "needlework/core/config.hpp"
#include "needlework/core/units.hpp"

namespace nw::transport {

using core::Diffusivity;
using core::Frequency;
using core::Length;
using core::MassConcentration;
using core::MolarMass;
using core::Time;
using core::Velocity;

/// One [[active]] of actives.toml: the measured or prior inputs, and the derived values the
/// file stores for checking (the code recomputes every derived value, see derive_active()).
struct ActiveRecord {
  std::string name;          // the scenario word of [topical].active
  std::string display_name;  // e.g. "L-ascorbic acid"
  std::string active_class;  // small_hydrophilic | macromolecule | ...
  // inputs (SI in core::Measure)
  core::Measure molecular_weight;     // kg/mol
  core::Measure log_p;                // octanol/water
  core::Measure water_solubility;     // kg/m^3
  core::Measure free_diffusivity;     // m^2/s at the reference temperature
  core::Measure hydrodynamic_radius;  // m
  core::Measure typical_concentration;
  core::Measure typical_dose;  // volume per area (m)
  // derived values as stored in the file (for the consistency test only)
  core::Measure partition_stratum_corneum, partition_viable, hindrance_epidermis, hindrance_dermis;
  core::Measure kp_intact, kp_polar;       // m/s
  core::Measure capillary_clearance_rate;  // 1/s (papillary dermis)
};

/// The active library (data/transport/actives.toml, "needlework-actives/1").
class ActiveLibrary {
 public:
  ActiveLibrary(std::vector<ActiveRecord> actives, std::vector<std::pair<std::string, std::string>> aliases,
                double reference_temperature_c);

  /// Schema of data/transport/actives.toml.
  static const core::TableSpec& spec();
  /// Builds the library from a validated file. Throws core::Error (CFG-CONSISTENCY, with the
  /// location) if an alias names no active, an alias shadows an active or a name repeats.
  static ActiveLibrary from_config(const core::ConfigTable& validated);

  const std::vector<ActiveRecord>& actives() const { return actives_; }
  /// (scenario word, library name) pairs, in file order.
  const std::vector<std::pair<std::string, std::string>>& aliases() const { return aliases_; }
  /// The record for a scenario word (a name or an alias); nullptr if unknown.
  const ActiveRecord* find(std::string_view word) const;
  /// Every scenario word the library answers to (names, then aliases).
  std::vector<std::string> words() const;
  double reference_temperature_c() const { return reference_temperature_c_; }

 private:
  std::vector<ActiveRecord> actives_;
  std::vector<std::pair<std::string, std::string>> aliases_;
  double reference_temperature_c_ = 32.0;
};

/// Size-dependent hindrance of one viable layer (eq. 8).
struct LayerHindrance {
  double small_molecule_hindrance = 0;  // F0
  Length obstruction_radius;            // r_c
};

/// The tissue-side rules (data/transport/tissue.toml, "needlework-transport-tissue/1").
struct TissueRules {
  double reference_temperature_c = 0;
  struct StratumCorneum {
    double potts_guy_intercept = 0;      // a, log10 of cm/s
    double potts_guy_log_kow_slope = 0;  // b
    double potts_guy_mw_slope = 0;       // c, per g/mol
    double partition_floor = 0;          // K_floor
    double polar_porosity_over_tortuosity = 0;
    Length polar_path_length;
    Length polar_pore_radius;
  } stratum_corneum;
  struct Viable {
    double water_fraction = 0, lipid_coefficient = 0, lipid_exponent = 0;
    LayerHindrance epidermis, dermis, hypodermis;
    bool junction_enabled = false;  // optional dermal-epidermal junction layer
    Length junction_thickness;
    double junction_relative_diffusivity = 0;
  } viable;
  struct Channel {
    double lumen_partition = 0;  // K_l
    double lumen_hindrance = 0;  // h_l
    Length damage_rim;           // extra SC ring counted as mouth
  } channel;
  struct Barrier {
    Time half_life;                 // t_b, unoccluded
    double recovered_fraction = 0;  // state value read as "recovered" / "closed"
  } barrier;
  struct Closure {
    Time reference_closure_time;  // time to c = recovered_fraction at the reference radius
    Length reference_radius;
    double radius_exponent = 0;
  } closure;
  double occlusion_factor = 1;
  struct Clearance {
    Frequency capillary_rate;  // k_cap
    Length capillary_pore_radius;
    double reticular_fraction = 0;
    Frequency lymphatic_rate;  // k_lymph
  } clearance;
  struct Donor {
    double vehicle_partition = 1;
    Velocity evaporation_rate;
    double non_volatile_fraction = 0;
  } donor;
  /// (dotted key, source ids) of every quantity read, in file order (provenance).
  std::vector<std::pair<std::string, std::vector<std::string>>> sources;

  /// Schema of data/transport/tissue.toml.
  static const core::TableSpec& spec();
  static TissueRules from_config(const core::ConfigTable& validated);

  /// Barrier half-life t_b (x occlusion factor when occluded).
  Time barrier_half_life(bool occluded) const;
  /// Channel closure half-life t_c = (t_close,ref / log2(1 / f_rec)) (r0 / r_ref)^n (x occlusion).
  Time closure_half_life(Length surface_radius, bool occluded) const;
  /// Time for a state with half-life t to fall to the recovered fraction: t log2(1 / f_rec).
  Time recovery_time(Time half_life) const;
};

/// What identifies an active before the rules are applied.
struct ActiveInputs {
  std::string name;  // library name or "custom"
  std::string display_name;
  MolarMass molecular_weight;
  double log_p = 0;
  std::optional<MassConcentration> water_solubility;  // none: no activity cap
  std::optional<Diffusivity> free_diffusivity;        // none: the glucose-anchored rule
  std::optional<Length> hydrodynamic_radius;          // none: Stokes-Einstein from D_free
};

/// An active with every coefficient of the transport model (per layer).
struct Active {
  std::string name;
  std::string display_name;
  bool custom = false;
  MolarMass molecular_weight;
  double log_p = 0;
  std::optional<MassConcentration> water_solubility;
  Diffusivity free_diffusivity;
  Length hydrodynamic_radius;
  // stratum corneum
  Velocity kp_lipid, kp_polar, kp_intact;
  double partition_stratum_corneum = 0;
  // viable tissue
  double partition_viable = 0;
  double hindrance_epidermis = 0, hindrance_dermis = 0, hindrance_hypodermis = 0;
  // clearance of the free concentration, per layer
  Frequency clearance_papillary, clearance_reticular, clearance_hypodermis;
  /// Source ids of the inputs (library entries) and of the rules.
  std::vector<std::string> sources;

  /// D_sc = kp_intact h_sc / K_sc (eq. 6): the SC diffusivity on a site of SC thickness h_sc.
  Diffusivity diffusivity_stratum_corneum(Length sc_thickness) const;
  Diffusivity diffusivity_epidermis() const { return free_diffusivity * hindrance_epidermis; }
  Diffusivity diffusivity_dermis() const { return free_diffusivity * hindrance_dermis; }
  Diffusivity diffusivity_hypodermis() const { return free_diffusivity * hindrance_hypodermis; }
};

/// Renkin centreline hindrance H(lambda) (0 for lambda >= 1).
double renkin_hindrance(double lambda);
/// Glucose-anchored free diffusivity in water at 32 C (SRC-RIB06, actives.toml [reference]).
Diffusivity free_diffusivity_rule(MolarMass molecular_weight);
/// Stokes-Einstein radius in water at `temperature_c` (only 32 C has a water viscosity in the
/// data; other temperatures throw Error internal).
Length stokes_einstein_radius(Diffusivity free_diffusivity, double temperature_c);

/// Applies the rules of tissue.toml to an active's inputs (eq. 3-8, 14).
Active derive_active(const ActiveInputs& inputs, const TissueRules& rules);
/// The library entry's inputs (measured / prior values), then derive_active().
Active active_from_record(const ActiveRecord& record, const TissueRules& rules);

// ---- the scenario's [topical] table (declared here, read by io) -------------------------------

/// When a topical product is applied: once right after needling (`session`), or as a home
/// product once a day for the course (`daily`, e.g. minoxidil, tranexamic acid).
enum class Schedule { session, daily };
std::string_view to_string(Schedule schedule);

/// Schema of the scenario's [topical] table: `active` is a word of `library` (names and
/// aliases) or "custom"; concentration, dose, occluded, schedule and the custom active's inputs.
std::shared_ptr<const core::TableSpec> topical_spec(const ActiveLibrary& library);

/// CFG-CONSISTENCY diagnostics of a validated [topical] table that the schema cannot see
/// (a custom active needs molecular_weight and log_p); appended to `out`.
void check_topical(const core::ConfigTable& topical, std::vector<core::Diagnostic>& out);

/// `schedule` of a validated [topical] table.
Schedule schedule_from_topical(const core::ConfigTable& topical);

/// Resolves a validated scenario [topical] table: a library word (aliases included) or
/// "custom" with molecular_weight, log_p and optionally free_diffusivity. Throws core::Error
/// (CFG-CONSISTENCY, at the table's location) for an unknown word or an incomplete custom active.
Active resolve_active(const core::ConfigTable& topical, const ActiveLibrary& library, const TissueRules& rules);

}  // namespace nw::transport
