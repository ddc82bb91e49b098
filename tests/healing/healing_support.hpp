#pragma once
// Helpers of the healing tests: the bundled parameters, loaded the way io loads bundled data,
// and a reference injury for a needle length (docs/model/healing.md, section 5).

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "needlework/healing/model.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/toml_reader.hpp"

namespace nw::test {

/// The bundled parameters; the environment variable NW_HEALING_TOML names another parameter file
/// to use instead (for refits: the printed "[healing...]" lines then show its figures).
inline const healing::Parameters& healing_parameters() {
  static const healing::Parameters p = [] {
    const char* alt = std::getenv("NW_HEALING_TOML");
    const auto text = io::bundled_file("healing/parameters.toml");
    if (!text) throw std::runtime_error("healing/parameters.toml is not bundled");
    const auto raw = alt ? io::read_toml_file(alt, alt) : io::read_toml_text(*text, "data/healing/parameters.toml");
    std::vector<core::Diagnostic> diagnostics;
    const auto validated = core::validate(raw, healing::Parameters::spec(), diagnostics);
    if (!diagnostics.empty()) throw core::Error(std::move(diagnostics));
    return healing::Parameters::from_config(validated);
  }();
  return p;
}

/// A pen session with `needle_mm` needles: open depth 60 % of the needle length, damaged radius
/// 60 um around each channel, `channels_per_cm2` channels (all passes), facial layer depths
/// epidermis 0-100 um, papillary 100-400 um, reticular 400-2000 um. Bleeding starts below the
/// capillary loops (200 um) and bruising below 1.5 mm.
inline healing::SessionInjury reference_injury(double day, double needle_mm, double channels_per_cm2 = 800) {
  constexpr double kPi = 3.14159265358979323846;
  const double depth_um = 600 * needle_mm;
  const double radius_cm = 60e-4;
  const double area_fraction = std::min(1.0, channels_per_cm2 * kPi * radius_cm * radius_cm);
  const double top[3] = {0, 100, 400}, bottom[3] = {100, 400, 2000};
  healing::SessionInjury s;
  s.day = day;
  for (int k = 0; k < 3; ++k) {
    const double overlap = std::clamp(depth_um - top[k], 0.0, bottom[k] - top[k]);
    s.damaged_fraction[k] = area_fraction * overlap / (bottom[k] - top[k]);
  }
  s.channels_per_cm2 = channels_per_cm2;
  s.open_depth_um = depth_um;
  s.bleeding_fraction = std::clamp((depth_um - 200) / 800, 0.0, 1.0);
  s.bruising_fraction = std::clamp((depth_um - 900) / 1000, 0.0, 1.0);
  s.barrier_recovery_h = 4.5;
  s.closure_half_life_h = 6;
  return s;
}

/// `n` sessions `interval_d` apart, followed until `end_day`.
inline healing::HealingInputs course(int n, double interval_d, double needle_mm, double end_day, int fitzpatrick = 3) {
  healing::HealingInputs in;
  for (int i = 0; i < n; ++i) in.sessions.push_back(reference_injury(i * interval_d, needle_mm));
  in.end_day = end_day;
  in.patient.fitzpatrick = fitzpatrick;
  return in;
}

}  // namespace nw::test
