#pragma once
// Needle insertion: from a device setting and a patient's skin to the channels it leaves.
// Equations, parameters and the fit/check record: docs/model/insertion.md.
//
//   spreading radius  a      = t_e (E_e / (6 E_d))^(1/3)
//   membrane tension  T      = sigma_0 t_d
//   foundation        kappa  = 1 / (t_d/E_d + t_h/E_h),   reach ell = sqrt(T / kappa)
//   support radius    R      = max(a, min(R_c, ell))       R_c: what holds the skin near a needle
//   stiffness         k      = 2 pi T / (ln(R/a) + 1/2) + 2 E_d a / (1 - nu^2)
//   deflection        d_qs   = F_p / k,   at speed v:  d_p = d_qs^2 / (d_qs + v tau)
//   depth             d_max  = L - d_p,   open channel d_open = (1 - rho_z) d_max
//   radius            r_open(z) = (1 - rho_r) r_n(d_max - z)
//   bleeding          channel bleeds if d_max > z_b exp(sigma_b n),  n ~ N(0, 1)
// Pen needle speed at contact: v_n = 2 pi f sqrt(2 A_s L - L^2), A_s = stroke / 2.

#include <cstdint>

#include "needlework/core/units.hpp"
#include "needlework/device/device.hpp"
#include "needlework/device/kinematics.hpp"
#include "needlework/skin/channels.hpp"
#include "needlework/skin/skin.hpp"

namespace nw::mechanics {

/// The channel an average needle leaves (mean inputs): the fast path and the model reference.
struct MeanChannel {
  core::Length support_radius;   // R
  double stiffness_n_per_m = 0;  // k
  core::Velocity needle_speed;   // v at contact
  core::Length deflection;       // d_p
  core::Length depth_max;
  core::Length depth_open;
  core::Length surface_radius;  // open radius at the surface
  double tilt_deg = 0;
  core::Length slit;  // roller slit length at the surface
  double damaged_volume_nl = 0;
  double bleeding_probability = 0;  // P(d_max > z_b)
  bool clamped = false;             // pen face held the skin at the aperture
};

MeanChannel mean_channel(const skin::Skin& skin, const device::Device& device);

/// Inserts every puncture of `field`: per-needle puncture force and per-channel bleeding
/// threshold are drawn from their spreads (keyed by seed, session, stage mechanics, index).
skin::ChannelSet insert(const device::PunctureField& field, const skin::Skin& skin, const device::Device& device,
                        std::uint64_t seed, std::uint64_t session);

/// Open radius of a channel at depth z below the surface, for a channel whose tip reached
/// `depth_max`: r_open(z) = (1 - rho_r) r_n(d_max - z); zero below the open depth.
core::Length open_radius_at(const device::Needle& needle, const skin::Skin& skin, core::Length depth_max,
                            core::Length z);

/// Tissue damaged by one channel whose tip reached `depth_max` (track widened by the damage rim,
/// plus a roller's slit), between the depths z_top <= z_bottom below the surface. Summed over
/// adjacent windows it equals MeanChannel::damaged_volume_nl for the whole track.
core::Volume damaged_volume_between(const device::Device& device, const skin::Skin& skin, core::Length depth_max,
                                    core::Length z_top, core::Length z_bottom);

}  // namespace nw::mechanics
