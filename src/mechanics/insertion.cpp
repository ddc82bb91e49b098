#include "needlework/mechanics/insertion.hpp"

#include <algorithm>
#include <cmath>

#include "needlework/core/random.hpp"

namespace nw::mechanics {
namespace {

constexpr double kPi = 3.141592653589793;

// Everything about a device on a skin that does not change from needle to needle.
struct Setup {
  double a = 0, R = 0, k = 0, v = 0, tau = 0;
  bool clamped = false;
};

Setup setup(const skin::Skin& s, const device::Device& d) {
  const auto& l = s.layers;
  const auto& m = s.mechanics;
  const double te = l.epidermis().si(), td = l.dermis().si(), th = l.hypodermis.si();
  const double Ee = m.epidermis_modulus.si(), Ed = m.dermis_modulus.si(), Eh = m.hypodermis_modulus.si();
  Setup u;
  u.a = te * std::cbrt(Ee / (6.0 * Ed));
  const double T = m.prestress.si() * td;
  const double kappa = 1.0 / (td / Ed + th / Eh);
  const double ell = std::sqrt(T / kappa);
  double Rc = ell;  // free membrane unless something holds the skin near the needle
  switch (d.kind) {
    case device::Kind::pen:
      u.clamped = d.operator_prior.pressing_force.si() > d.needles * d.needle.puncture_force.si();
      if (u.clamped) Rc = d.aperture_radius.si();
      break;
    case device::Kind::roller:
      Rc = d.drum_width.si() / (2.0 * std::max(d.rings, 1));
      break;
    case device::Kind::stamp:
      Rc = d.min_needle_spacing().si() / 2.0;
      break;
    case device::Kind::none:
      break;
  }
  u.R = std::max(u.a, std::min(Rc, ell));
  u.k = 2 * kPi * T / (std::log(u.R / u.a) + 0.5) + 2 * Ed * u.a / (1 - s.model.poisson_ratio * s.model.poisson_ratio);
  const double L = d.needle_length.si();
  if (d.kind == device::Kind::pen) {
    const double As = d.stroke.si() / 2.0;
    u.v = 2 * kPi * d.frequency.si() * std::sqrt(std::max(0.0, 2 * As * std::min(L, d.stroke.si()) - L * L));
  } else {
    u.v = d.operator_prior.speed.si();
  }
  u.tau = s.model.retardation_time.si();
  return u;
}

double depth_max(const Setup& u, double L, double force) {
  const double dqs = force / u.k;
  const double dp = dqs * dqs / (dqs + u.v * u.tau);
  return std::max(0.0, L - dp);
}

// Slit length at depth z of a channel cut by a roller needle of reach dmax on a drum of radius Rd.
double slit_at(double Rd, double dmax, double z) {
  const double c = std::clamp((Rd + z) / (Rd + dmax), -1.0, 1.0);
  const double phi = std::acos(c);
  return 2.0 * std::abs(Rd * phi - (Rd + dmax) * std::sin(phi));
}

// Damaged volume between depths z_top and z_bottom below the surface: the needle track widened
// by the damage rim, plus the slit of a rolled channel, by 8-point Gauss-Legendre on the cone and
// on the shaft separately (zeta = dmax - z is the distance from the tip).
double damaged_volume(const device::Device& d, const skin::Skin& s, double dmax, double z_top, double z_bottom) {
  static constexpr double x[8] = {-0.9602898564975363, -0.7966664774136267, -0.5255324099163290, -0.1834346424956498,
                                  0.1834346424956498,  0.5255324099163290,  0.7966664774136267,  0.9602898564975363};
  static constexpr double w[8] = {0.1012285362903763, 0.2223810344533745, 0.3137066627712859, 0.3626837833783620,
                                  0.3626837833783620, 0.3137066627712859, 0.2223810344533745, 0.1012285362903763};
  const double rim = s.model.damage_rim.si();
  const double Rd = d.drum_diameter.si() / 2.0;
  const bool rolled = d.kind == device::Kind::roller;
  const auto integrand = [&](double zeta) {
    const double r = d.needle.radius_at(core::Length::from_si(zeta)).si() + rim;
    double area = kPi * r * r;
    if (rolled) area += slit_at(Rd, dmax, dmax - zeta) * 2.0 * r;
    return area;
  };
  const auto integrate = [&](double lo, double hi) {
    if (hi <= lo) return 0.0;
    double sum = 0;
    for (int i = 0; i < 8; ++i) sum += w[i] * integrand(0.5 * (hi - lo) * x[i] + 0.5 * (hi + lo));
    return 0.5 * (hi - lo) * sum;
  };
  const double lo = std::max(0.0, dmax - std::min(z_bottom, dmax));  // zeta range of the window
  const double hi = std::max(0.0, dmax - std::max(z_top, 0.0));
  const double cone = std::min(dmax, d.needle.cone_length().si());
  return integrate(lo, std::min(hi, cone)) + integrate(std::max(lo, cone), hi);
}

double damaged_volume(const device::Device& d, const skin::Skin& s, double dmax) {
  return damaged_volume(d, s, dmax, 0.0, dmax);
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

}  // namespace

MeanChannel mean_channel(const skin::Skin& s, const device::Device& d) {
  const auto u = setup(s, d);
  MeanChannel c;
  c.support_radius = core::Length::from_si(u.R);
  c.stiffness_n_per_m = u.k;
  c.needle_speed = core::Velocity::from_si(u.v);
  c.clamped = u.clamped;
  const double L = d.needle_length.si();
  const double dmax = depth_max(u, L, d.needle.puncture_force.si());
  c.deflection = core::Length::from_si(L - dmax);
  c.depth_max = core::Length::from_si(dmax);
  c.depth_open = c.depth_max * (1.0 - s.model.depth_recoil);
  c.surface_radius = d.needle.radius_at(c.depth_max) * (1.0 - s.model.radial_recoil);
  if (d.kind == device::Kind::roller && dmax > 0) {
    const double Rd = d.drum_diameter.si() / 2.0;
    c.tilt_deg = std::acos(Rd / (Rd + dmax)) * 180.0 / kPi;
    c.slit = core::Length::from_si(slit_at(Rd, dmax, 0.0));
  }
  c.damaged_volume_nl = damaged_volume(d, s, dmax) * 1e12;  // m^3 -> nL
  c.bleeding_probability =
      dmax > 0 ? normal_cdf(std::log(dmax / s.bleeding_depth.si()) / s.model.bleeding_log_sd) : 0.0;
  return c;
}

skin::ChannelSet insert(const device::PunctureField& field, const skin::Skin& s, const device::Device& d,
                        std::uint64_t seed, std::uint64_t session) {
  skin::ChannelSet c;
  c.area = field.area;
  c.needle_length = d.needle_length;
  c.resize(field.size());
  c.x_mm = field.x_mm;
  c.y_mm = field.y_mm;
  c.pass = field.pass;
  const auto u = setup(s, d);
  const double L = d.needle_length.si();
  const double F = d.needle.puncture_force.si(), cv = d.needle.puncture_force_cv;
  const double zb = s.bleeding_depth.si(), sb = s.model.bleeding_log_sd;
  const double keep_depth = 1.0 - s.model.depth_recoil, keep_radius = 1.0 - s.model.radial_recoil;
  const double Rd = d.drum_diameter.si() / 2.0;
  const core::RandomStream draws(seed, {.session = session, .stage = core::Stage::mechanics, .purpose = "channel"});
  // Depth varies between channels only through the puncture force (a few percent); the damaged
  // volume is taken proportional to depth around the mean channel's (first order in the spread).
  const double d_mean = depth_max(u, L, F);
  const double vol_per_depth = d_mean > 0 ? damaged_volume(d, s, d_mean) * 1e12 / d_mean : 0.0;
  const auto n = static_cast<std::int64_t>(field.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t ii = 0; ii < n; ++ii) {
    const auto i = static_cast<std::size_t>(ii);
    const auto b = draws.bits(i);
    const double u1 = 1.0 - b[0] * 0x1.0p-32, u2 = b[1] * 0x1.0p-32;
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double n1 = r * std::cos(2 * kPi * u2), n2 = r * std::sin(2 * kPi * u2);
    const double dmax = depth_max(u, L, F * std::max(0.05, 1.0 + cv * n1));
    c.depth_max_um[i] = static_cast<float>(dmax * 1e6);
    c.depth_um[i] = static_cast<float>(keep_depth * dmax * 1e6);
    c.surface_radius_um[i] =
        static_cast<float>(keep_radius * d.needle.radius_at(core::Length::from_si(dmax)).si() * 1e6);
    c.bled[i] = dmax > zb * std::exp(sb * n2) ? 1 : 0;
    c.damaged_volume_nl[i] = static_cast<float>(vol_per_depth * dmax);
    if (d.kind == device::Kind::roller && dmax > 0) {
      c.tilt_deg[i] = static_cast<float>(std::acos(Rd / (Rd + dmax)) * 180.0 / kPi);
      c.slit_um[i] = static_cast<float>(slit_at(Rd, dmax, 0.0) * 1e6);
    }
  }
  return c;
}

core::Length open_radius_at(const device::Needle& needle, const skin::Skin& skin, core::Length depth_max,
                            core::Length z) {
  const auto depth_open = depth_max * (1.0 - skin.model.depth_recoil);
  if (z < core::Length::from_si(0.0) || z > depth_open) return core::Length::from_si(0.0);
  return needle.radius_at(depth_max - z) * (1.0 - skin.model.radial_recoil);
}

core::Volume damaged_volume_between(const device::Device& device, const skin::Skin& skin, core::Length depth_max,
                                    core::Length z_top, core::Length z_bottom) {
  return core::Volume::from_si(damaged_volume(device, skin, depth_max.si(), z_top.si(), z_bottom.si()));
}

}  // namespace nw::mechanics
