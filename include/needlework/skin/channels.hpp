#pragma once
// The micro-channels one session leaves in a treated area: written by mechanics, read by
// transport and healing. Structure of arrays, one entry per channel, in the order the
// punctures were made (pass, stroke, stamp, needle) so results do not depend on threads.

#include <cstdint>
#include <vector>

#include "needlework/core/units.hpp"

namespace nw::skin {

struct ChannelSet {
  core::Area area;                       // the treated area the positions lie in (a square patch)
  core::Length needle_length;            // nominal setting
  std::vector<float> x_mm, y_mm;         // entry point on the skin surface
  std::vector<std::uint8_t> pass;        // 0-based pass index
  std::vector<float> depth_max_um;       // deepest point the tip reached
  std::vector<float> depth_um;           // open channel depth after the needle leaves
  std::vector<float> surface_radius_um;  // open radius at the surface
  std::vector<float> tilt_deg;           // angle from the skin normal (roller needles enter tilted)
  std::vector<float> slit_um;            // surface slit length of a rolled channel (0 for pen and stamp)
  std::vector<float> damaged_volume_nl;  // crushed and torn tissue along the track
  std::vector<std::uint8_t> bled;        // 1 if the channel reached a vessel that bleeds visibly

  std::size_t size() const { return x_mm.size(); }
  void resize(std::size_t n) {
    for (auto* v :
         {&x_mm, &y_mm, &depth_max_um, &depth_um, &surface_radius_um, &tilt_deg, &slit_um, &damaged_volume_nl}) {
      v->resize(n);
    }
    pass.resize(n);
    bled.resize(n);
  }
};

}  // namespace nw::skin
