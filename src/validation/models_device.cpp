// Validation model functions of the device stage: puncture density and needling time
// (docs/model/insertion.md sections 1-2; equations in include/needlework/device/kinematics.hpp).

#include "models.hpp"
#include "needlework/device/kinematics.hpp"

namespace nw::validation::models {

// Punctures per cm2 of one seeded session over inputs.area (the point process, not the mean
// formula: the data count holes). Seed 1, session 1: the field is a pure function of them.
core::DynQuantity puncture_density(const CaseInputs& in) {
  const auto d = in.device();
  const auto area = in.get<core::dim::area>("area");
  const auto field = device::generate_punctures(d, area, static_cast<int>(in.integer("passes")), 1, 1);
  return {static_cast<double>(field.size()) / area.in(core::units::cm2), core::dim::none};
}

core::DynQuantity face_time(const CaseInputs& in) {
  const auto d = in.device();
  const auto t = device::expected_duration(d, in.get<core::dim::area>("area"), static_cast<int>(in.integer("passes")));
  return {t.si(), core::dim::time};
}

}  // namespace nw::validation::models
