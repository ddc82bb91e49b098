// Validation model functions of the transport stage: barrier recovery and channel closure
// (docs/model/transport.md eq. 11-12), intact-skin permeability (eq. 1-6) and delivery through
// the channels on the fast axisymmetric cell (sections 1-6; include/needlework/transport/).

#include <fmt/format.h>

#include "models.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/transport/transport.hpp"

namespace nw::validation::models {

namespace {

const transport::TissueRules& rules() { return io::bundled_tissue(); }

transport::Active case_active(const CaseInputs& in) {
  const auto word = in.text("active");
  const auto* record = io::bundled_actives().find(word);
  if (!record) in.fail("active", fmt::format("unknown active \"{}\"", word));
  return transport::active_from_record(*record, rules());
}

bool occluded(const CaseInputs& in) { return in.has("occluded") && in.flag("occluded"); }

// The last sample of a finite dose applied right after needling with the case's device.
transport::TransportSample needled_sample(const CaseInputs& in) {
  const auto skin = case_skin(in);
  const auto d = case_device(in);
  const auto m = mechanics::mean_channel(skin, d);
  transport::TransportInputs t;
  t.active = case_active(in);
  t.skin = skin;
  t.channel = transport::channel_geometry(m, d.needle, skin, in.number("channels_per_cm2"));
  t.dose = transport::Dose::finite(in.get<core::dim::length>("dose"),
                                   in.get<core::dim::mass_concentration>("concentration"));
  t.occluded = occluded(in);
  t.duration = in.get<core::dim::time>("duration");
  return transport::simulate_transport(t, rules(), transport::TransportOptions::fast()).samples.back();
}

}  // namespace

core::Time barrier_recovery_time(const CaseInputs& in, const transport::TissueRules& r) {
  return r.recovery_time(r.barrier_half_life(occluded(in)));
}

core::Time closure_recovery_time(const CaseInputs& in, const transport::TissueRules& r) {
  const auto radius = in.get<core::dim::length>("surface_diameter") * 0.5;
  return r.recovery_time(r.closure_half_life(radius, occluded(in)));
}

core::DynQuantity barrier_recovery(const CaseInputs& in) {
  return {barrier_recovery_time(in, rules()).si(), core::dim::time};
}

core::DynQuantity closure_time(const CaseInputs& in) {
  return {closure_recovery_time(in, rules()).si(), core::dim::time};
}

core::DynQuantity pen_closure_time(const CaseInputs& in) {
  const auto m = channel(in, case_skin(in));
  return {rules().recovery_time(rules().closure_half_life(m.surface_radius, occluded(in))).si(), core::dim::time};
}

core::DynQuantity barrier_over_closure(const CaseInputs& in) {
  const auto m = channel(in, case_skin(in));
  const bool occ = occluded(in);
  return {rules().barrier_half_life(occ).si() / rules().closure_half_life(m.surface_radius, occ).si(), core::dim::none};
}

core::DynQuantity occlusion_delay(const CaseInputs& in) {
  const auto m = channel(in, case_skin(in));
  return {
      rules().closure_half_life(m.surface_radius, true).si() / rules().closure_half_life(m.surface_radius, false).si(),
      core::dim::none};
}

core::DynQuantity kp_intact(const CaseInputs& in) { return {case_active(in).kp_intact.si(), core::dim::velocity}; }

core::DynQuantity enhancement(const CaseInputs& in) {
  const auto s = needled_sample(in);
  if (s.enhancement_unbounded) in.fail("active", "has no intact route: the enhancement is unbounded");
  if (!s.enhancement) in.fail("active", "gave no enhancement (no intact reference)");
  return {*s.enhancement, core::dim::none};
}

core::DynQuantity fraction_of_dose(const CaseInputs& in) {
  const auto s = needled_sample(in);
  if (!s.fraction_of_dose) in.fail("dose", "is not a finite dose");
  return {*s.fraction_of_dose, core::dim::none};
}

}  // namespace nw::validation::models
