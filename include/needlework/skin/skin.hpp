#pragma once
// The skin at a treated site: layer stack, mechanics and vessel depths for one person.
//
// Layer thicknesses come from the site library (data/skin/sites.toml, histology-equivalent;
// ultrasound epidermis corrected as documented there) for a reference adult of 35 yr, with
// relative age slopes applied beyond it (no slope below 35 yr: the dermis still thickens then):
//     t(age) = t_ref * (1 + slope * (age - 35 yr))
// Derived depths below the surface (docs/model/insertion.md section 7):
//     capillary loop apex  z_cap   = t_SC + t_VE + f_cap * t_pap
//     bleeding depth       z_b     = c_b * (t_SC + t_VE + t_pap)      (median over channels)
//     lower plexus         z_deep  = t_SC + t_VE + t_pap + t_ret
// Membrane tension of the dermis: T = sigma_0 * (t_pap + t_ret).

#include <memory>
#include <string>
#include <vector>

#include "needlework/core/config.hpp"
#include "needlework/core/units.hpp"

namespace nw::skin {

using core::Length;
using core::Pressure;

enum class Sex { female, male };

struct LayerStack {
  Length stratum_corneum;
  Length viable_epidermis;
  Length papillary_dermis;
  Length reticular_dermis;
  Length hypodermis;

  Length epidermis() const { return stratum_corneum + viable_epidermis; }
  Length dermis() const { return papillary_dermis + reticular_dermis; }
  /// Depth of the dermis-hypodermis junction below the surface.
  Length dermis_bottom() const { return epidermis() + dermis(); }
};

struct Mechanics {
  Pressure epidermis_modulus;
  Pressure dermis_modulus;
  Pressure hypodermis_modulus;
  Pressure prestress;  // in-plane dermal pre-stress sigma_0 (fitted, B-DON1)
};

/// Global tissue parameters of the insertion and bleeding models ([model] of sites.toml).
struct TissueModel {
  double capillary_loop_fraction = 0.25;  // f_cap
  double bleeding_factor = 1.47;          // c_b (fitted on the clinical bleeding end point)
  double bleeding_log_sd = 0.3;           // between-channel spread of z_b (lognormal sigma)
  core::Time retardation_time;            // Kelvin-Voigt tau of skin under a needle
  double depth_recoil = 0.08;             // rho_z
  double radial_recoil = 0.30;            // rho_r
  Length damage_rim;                      // crushed tissue around the track
  double poisson_ratio = 0.5;
};

/// The skin of one person at one site.
struct Skin {
  std::string site;
  LayerStack layers;
  Mechanics mechanics;
  TissueModel model;
  Length capillary_loop_depth;
  Length bleeding_depth;  // median z_b
  Length deep_plexus_depth;

  /// Name of the layer at depth z below the surface ("stratum_corneum" ... "hypodermis").
  std::string layer_at(Length z) const;
};

struct SiteRecord {
  std::string name;
  std::string region;    // face | neck | trunk | limb | scalp
  LayerStack layers[2];  // indexed by Sex
  LayerStack layers_sd[2];
  double age_slope_sc[2]{}, age_slope_epidermis[2]{}, age_slope_dermis[2]{};  // per year
  Mechanics mechanics;
};

/// The site library: every body site of the scenario vocabulary.
class SiteLibrary {
 public:
  SiteLibrary(std::vector<SiteRecord> sites, TissueModel model, core::Time reference_age);

  /// Schema of data/skin/sites.toml ("needlework-sites/1").
  static const core::TableSpec& spec();
  /// Builds the library from a validated sites file.
  static SiteLibrary from_config(const core::ConfigTable& validated);

  const std::vector<SiteRecord>& sites() const { return sites_; }
  const TissueModel& model() const { return model_; }
  core::Time reference_age() const { return reference_age_; }
  std::vector<std::string> site_names() const;
  /// The skin of a person of `sex` and `age` at `site`. Precondition: the site exists.
  Skin skin_at(const std::string& site, Sex sex, core::Time age) const;

 private:
  std::vector<SiteRecord> sites_;
  TissueModel model_;
  core::Time reference_age_;
};

}  // namespace nw::skin

namespace nw::skin {

enum class LesionShape { cone, box, bowl, groove, band, pit };

/// The local geometry a concern gives the treated skin (data/skin/lesions.toml).
struct Lesion {
  std::string name;
  std::string concern;
  LesionShape shape = LesionShape::bowl;
  core::Measure width;          // at the surface (SI: m)
  core::Measure depth;          // below the surrounding surface (m)
  core::Measure dermis_factor;  // dermal thickness under the lesion / normal dermis
  bool tethered = false;        // fibrous bands to the subcutis (rolling scars)
};

class LesionLibrary {
 public:
  explicit LesionLibrary(std::vector<Lesion> lesions) : lesions_(std::move(lesions)) {}
  static const core::TableSpec& spec();
  static LesionLibrary from_config(const core::ConfigTable& validated);

  const std::vector<Lesion>& lesions() const { return lesions_; }
  /// The lesion of a treated concern: acne scars by scar type ("" = mixed), wrinkles, stretch
  /// marks, enlarged pores; nullptr for concerns without a contour lesion (pigment, laxity ...).
  const Lesion* for_concern(const std::string& concern, const std::string& scar_type) const;

 private:
  std::vector<Lesion> lesions_;
};

std::string_view to_string(LesionShape s);

}  // namespace nw::skin
