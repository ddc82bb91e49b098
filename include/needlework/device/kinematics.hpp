#pragma once
// How the hand moves the device: a seeded spatial point process of punctures over a treated
// area (a square patch of the same area, periodic at its edges).
//
// Pen: per pass, parallel strokes about one cartridge footprint w apart (the nearest whole
// number of strokes that covers the patch, so side / round(side / w) apart; random phase), the hand at
// speed v, the cartridge stamping at f: stamps every v/f along a stroke, each centre jittered
// by the hand (normal, sd = hand_jitter * w), each stamp laying the N needles of its layout.
// Passes alternate stroke direction (cross-hatching). Mean density (MODEL.md section 2):
//     rho_pass = N f / (v w)          time = passes * A / (v w)
// Roller: strokes about one drum width W apart (same rule); each ring of needles lands every pi D / n_ring along
// the stroke:   rho_pass = N / (pi D W),   time = passes * A / (v W).
// Stamp: n_s presses per cm^2 per pass at uniform random centres and orientations:
//     rho_pass = N n_s,   time = presses * press cycle.
// Draws are keyed by (seed, session, stage device, pass and stroke, purpose): the field does
// not depend on the number of threads.

#include <cstdint>
#include <vector>

#include "needlework/core/units.hpp"
#include "needlework/device/device.hpp"

namespace nw::device {

/// Hand wobble as a fraction of the footprint (assumption, docs/model/insertion.md).
inline constexpr double kHandJitter = 0.25;
/// Time one stamp press takes, lift and reposition included (assumption).
inline constexpr double kStampCycleSeconds = 1.0;

struct PunctureField {
  core::Area area;
  core::Length side;  // the square patch is side x side
  int passes = 0;
  std::vector<float> x_mm, y_mm;
  std::vector<std::uint8_t> pass;
  core::Time duration;  // time the operator needs for the area

  std::size_t size() const { return x_mm.size(); }
};

/// Expected punctures per cm^2 per pass (closed form above; the fast path uses it).
double expected_density_per_cm2_per_pass(const Device& d);
/// Time the operator needs for `passes` over `area`.
core::Time expected_duration(const Device& d, core::Area area, int passes);

/// Generates the punctures of one session. Precondition: d.kind != none, passes >= 1.
PunctureField generate_punctures(const Device& d, core::Area area, int passes, std::uint64_t seed,
                                 std::uint64_t session);

struct SpacingStats {
  double mean_um = 0, p10_um = 0, median_um = 0;
};
/// Nearest-neighbour spacing over all punctures of the field.
SpacingStats nearest_neighbour_spacing(const PunctureField& f);

}  // namespace nw::device
