#include "needlework/course/coupling.hpp"

#include <algorithm>
#include <cmath>

#include "needlework/mechanics/insertion.hpp"

namespace nw::course {
namespace {

using core::units::d;

constexpr int kEpi = static_cast<int>(healing::Compartment::epidermis);
constexpr int kPap = static_cast<int>(healing::Compartment::papillary);
constexpr int kRet = static_cast<int>(healing::Compartment::reticular);

// Depth windows of the compartments below the surface [m].
struct Window {
  double top, bottom;
};

std::array<Window, healing::kCompartments> compartments(const skin::LayerStack& l) {
  const double sc = l.stratum_corneum.si(), ve = l.viable_epidermis.si(), pap = l.papillary_dermis.si(),
               ret = l.reticular_dermis.si();
  return {Window{sc, sc + ve}, Window{sc + ve, sc + ve + pap}, Window{sc + ve + pap, sc + ve + pap + ret}};
}

// Damaged volume inside each compartment per unit skin area [m^3/m^2 = m] for a session.
healing::PerCompartment damaged_depth(const AreaResult& r, const device::Device& dev, Fidelity fidelity) {
  const auto w = compartments(r.skin.layers);
  healing::PerCompartment v{};
  const auto track = [&](double depth_max_m, int k) {
    return mechanics::damaged_volume_between(dev, r.skin, core::Length::from_si(depth_max_m),
                                             core::Length::from_si(w[k].top), core::Length::from_si(w[k].bottom))
        .si();
  };
  if (fidelity == Fidelity::fast) {
    const double n_per_m2 = r.stats.per_cm2_per_session * 1e4;
    for (int k = 0; k < healing::kCompartments; ++k) v[k] = n_per_m2 * track(r.mean_channel.depth_max.si(), k);
    return v;
  }
  // Detailed: every channel's own reach (fixed order: the sum does not depend on threads).
  const double area_m2 = r.channels.area.si();
  for (std::size_t i = 0; i < r.channels.size(); ++i) {
    const double dmax = r.channels.depth_max_um[i] * 1e-6;
    for (int k = 0; k < healing::kCompartments; ++k) v[k] += track(dmax, k);
  }
  for (auto& x : v) x /= area_m2;
  return v;
}

}  // namespace

std::vector<double> session_days(const Protocol& p) {
  std::vector<double> days;
  for (int s = 0; s < p.sessions; ++s) days.push_back(s * p.interval.in(d));
  return days;
}

double end_day(const Protocol& p) { return (p.sessions - 1) * p.interval.in(d) + p.follow_up.in(d); }

healing::SessionInjury session_injury(const AreaResult& r, const device::Device& dev, Fidelity fidelity, double day) {
  healing::SessionInjury s;
  s.day = day;
  if (dev.kind == device::Kind::none || r.stats.channels == 0) return s;
  const auto w = compartments(r.skin.layers);
  const auto v = damaged_depth(r, dev, fidelity);
  for (int k = 0; k < healing::kCompartments; ++k) {
    const double h = w[k].bottom - w[k].top;
    s.damaged_fraction[k] = h > 0 ? 1.0 - std::exp(-v[k] / h) : 0.0;  // (C1)
  }
  s.channels_per_cm2 = r.stats.per_cm2_per_session;
  s.open_depth_um = r.stats.depth_mean_um;
  s.bleeding_fraction = r.stats.bleeding_fraction;
  s.bruising_fraction = r.stats.bruising_fraction;
  s.barrier_recovery_h = r.barrier_recovery_h;
  s.closure_half_life_h = r.stats.closure_half_life_h;
  return s;
}

outcomes::AreaContext outcome_context(const AreaResult& r) {
  outcomes::AreaContext area;
  area.site = r.treatment.site;
  area.concern = r.treatment.concern;
  area.scar_type = r.treatment.scar_type;
  if (r.treatment.baseline) {
    area.scale = r.treatment.baseline->scale;
    area.baseline = r.treatment.baseline->value;
  }
  area.papillary_thickness_m = r.skin.layers.papillary_dermis.si();
  area.reticular_thickness_m = r.skin.layers.reticular_dermis.si();
  if (r.lesion) area.lesion = outcomes::mean_geometry(*r.lesion);
  return area;
}

std::vector<healing::ActiveDose> active_doses(const AreaResult& r, const std::optional<Topical>& topical,
                                              const std::vector<double>& sessions, double last_day) {
  std::vector<healing::ActiveDose> doses;
  if (!topical || !r.transport || r.transport->samples.empty()) return doses;
  const auto& last = r.transport->samples.back();  // 24 h after application
  const auto dose_from = [&](const transport::LayerAmounts& a, double day) {
    healing::ActiveDose dose;
    dose.day = day;
    dose.active = topical->active.name;
    const auto ug = [](core::ArealMass m) { return m.in(core::units::ug_per_cm2); };
    dose.delivered_ug_per_cm2[kEpi] = ug(a.viable_epidermis);
    dose.delivered_ug_per_cm2[kPap] = ug(a.papillary_dermis);
    dose.delivered_ug_per_cm2[kRet] = ug(a.dermis - a.papillary_dermis);
    dose.cleared_ug_per_cm2 = ug(a.systemic);
    return dose;
  };
  const bool needled = r.stats.channels > 0;
  const auto& intact = last.intact ? *last.intact : last.amounts;
  if (topical->schedule != transport::Schedule::daily) {
    for (const double day : sessions) doses.push_back(dose_from(needled ? last.amounts : intact, day));
    return doses;
  }
  for (int day = 0; day <= static_cast<int>(std::floor(last_day)); ++day) {
    const bool session_day =
        std::any_of(sessions.begin(), sessions.end(), [&](double s) { return std::abs(s - day) < 0.5; });
    doses.push_back(dose_from(session_day && needled ? last.amounts : intact, day));
  }
  return doses;
}

}  // namespace nw::course
