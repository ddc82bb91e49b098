#pragma once
// Devices: the catalogue of documented pens, cartridges, rollers and stamps
// (data/device/devices.toml, every value with a source), the [device] table of a scenario, and
// the resolved Device a simulation uses.
//
// Needle geometry: a cone of half-angle alpha from a tip of radius r_t to the shaft radius r_s:
//     r_n(zeta) = min(r_t + zeta * tan(alpha), r_s),   zeta = distance from the tip.
// Pen cartridges lay their needles in a footprint of diameter w (the swath of one stroke):
// `circle` layouts use a sunflower (Vogel) spiral, `grid` layouts a square grid.

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "needlework/core/config.hpp"
#include "needlework/core/units.hpp"

namespace nw::device {

using core::Force;
using core::Frequency;
using core::Length;
using core::Velocity;

enum class Kind { pen, roller, stamp, none };
enum class Layout { circle, grid };

std::string_view to_string(Kind k);

struct Needle {
  Length shaft_diameter;
  Length tip_radius;
  double cone_half_angle_rad = 0.0;
  Force puncture_force;            // mean force at which one tip pierces
  double puncture_force_cv = 0.3;  // needle-to-needle spread

  /// Radius at distance zeta from the tip.
  Length radius_at(Length zeta) const;
  /// Length of the conical part (tip to full shaft radius).
  Length cone_length() const;
};

struct Limits {
  Length length_min, length_max;  // error outside (min exclusive for pens)
  Frequency frequency_max;        // pens only
  int needles_min = 1, needles_max = 1000;
  // Plausibility: a setting outside these warns (W-DEPTH, W-LABEL, W-FREQUENCY, W-NEEDLES, W-HOME-DEVICE).
  std::optional<Length> length_warn_min, length_warn_max;
  std::optional<Length> label_length_max;  // pens: the only FDA-authorised label stops here
  std::optional<Length> home_length_max;   // rollers: disputed home-use maximum
  std::optional<Frequency> frequency_warn_min, frequency_warn_max;
  std::optional<int> needles_warn_min, needles_warn_max;
};

struct OperatorPrior {
  Velocity speed;  // pen hand speed, roller rolling speed, stamp press speed
  int passes = 1;
  Force pressing_force;
  double presses_per_cm2 = 0;  // stamps: presses per cm^2 per pass
};

struct Cartridge {
  std::string name;
  int needles = 12;
  Layout layout = Layout::circle;
  Length footprint_diameter;
  Length aperture_radius;
};

struct PenModel {
  std::string name;
  Length depth_min, depth_max;
  Frequency frequency_typical, frequency_max;
  Length stroke;
  std::string default_cartridge;
  Length depth_step;  // smallest change of the depth setting
};

struct RollerModel {
  std::string name;
  int needles = 192, rings = 8, needles_per_ring = 24;
  Length drum_diameter, drum_width, needle_length_default;
};

struct StampModel {
  std::string name;
  int needles = 35;
  Layout layout = Layout::circle;
  Length footprint_diameter, needle_length_default;
};

/// Everything in data/device/devices.toml that the model uses.
struct Catalogue {
  /// Limits of a device kind (pen, roller, stamp). Precondition: kind != none.
  const Limits& limits_for(Kind kind) const { return limits[static_cast<int>(kind)]; }
  Limits limits[3];  // pen, roller, stamp
  OperatorPrior operators[3];
  Needle needles[3];
  std::vector<Cartridge> cartridges;
  std::vector<PenModel> pens;
  std::vector<RollerModel> rollers;
  std::vector<StampModel> stamps;

  /// Schema of data/device/devices.toml ("needlework-devices/1").
  static const core::TableSpec& spec();
  static Catalogue from_config(const core::ConfigTable& validated);
};

/// The device a simulation uses: a catalogue model with the scenario's settings applied.
struct Device {
  Kind kind = Kind::pen;
  std::string model;
  std::string cartridge;  // pens
  int needles = 0;
  Length needle_length;                 // pen depth setting, or roller / stamp needle length
  Frequency frequency;                  // pens
  Length footprint_diameter;            // pen cartridge or stamp
  Length aperture_radius;               // pens: hole in the cartridge face around each needle
  Length stroke;                        // pens: total needle travel
  int rings = 0, needles_per_ring = 0;  // rollers
  Length drum_diameter, drum_width;     // rollers
  Needle needle;
  OperatorPrior operator_prior;
  std::vector<std::array<double, 2>> needle_offsets_mm;  // pen cartridge / stamp layout around its centre

  /// Smallest distance between two needles of the cartridge, stamp or drum.
  Length min_needle_spacing() const;
};

/// Needle positions (mm, centred) for `n` needles in a footprint of diameter `footprint`.
std::vector<std::array<double, 2>> needle_layout(Layout layout, int n, Length footprint);

/// Schema of the scenario's [device] table (vocabularies from the catalogue).
std::shared_ptr<const core::TableSpec> device_spec(const Catalogue& catalogue);

/// Resolves a validated [device] table against the catalogue. Settings no device offers
/// (a depth beyond the model's range, needles wider than their spacing, a frequency above the
/// model's maximum ...) are added to `diagnostics` as CFG-CONSISTENCY with their location.
Device device_from(const core::ConfigTable& validated, const Catalogue& catalogue,
                   std::vector<core::Diagnostic>& diagnostics);

}  // namespace nw::device
