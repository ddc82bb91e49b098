// Validation model functions of the insertion stage: depth reached, open depth, bleeding
// (docs/model/insertion.md sections 3-7 and 9; equations in include/needlework/mechanics/insertion.hpp).
// All use the mean channel (mean inputs), the model reference of the fast and detailed paths.

#include "models.hpp"
#include "needlework/device/kinematics.hpp"
#include "needlework/io/bundled.hpp"

namespace nw::validation::models {

skin::Skin case_skin(const CaseInputs& in) { return case_skin(in, io::bundled_sites()); }

skin::Skin case_skin(const CaseInputs& in, const skin::SiteLibrary& library) {
  auto s = in.skin(library);
  // Layer overrides (e.g. an animal skin no site describes); derived depths follow the layers.
  auto& l = s.layers;
  bool changed = false;
  const auto override_layer = [&](const char* key, core::Length& layer) {
    if (!in.has(key)) return;
    layer = in.get<core::dim::length>(key);
    changed = true;
  };
  override_layer("stratum_corneum", l.stratum_corneum);
  override_layer("viable_epidermis", l.viable_epidermis);
  override_layer("papillary_dermis", l.papillary_dermis);
  override_layer("reticular_dermis", l.reticular_dermis);
  override_layer("hypodermis", l.hypodermis);
  if (changed) {
    s.capillary_loop_depth = l.epidermis() + l.papillary_dermis * s.model.capillary_loop_fraction;
    s.bleeding_depth = (l.epidermis() + l.papillary_dermis) * s.model.bleeding_factor;
    s.deep_plexus_depth = l.dermis_bottom();
  }
  return s;
}

device::Device case_device(const CaseInputs& in) {
  auto d = in.device();
  if (in.has("puncture_force")) d.needle.puncture_force = in.get<core::dim::force>("puncture_force");
  if (in.has("grid_needles")) {
    d.needles = static_cast<int>(in.integer("grid_needles"));
    d.needle_offsets_mm =
        device::needle_layout(device::Layout::grid, d.needles, in.get<core::dim::length>("grid_footprint"));
  }
  return d;
}

mechanics::MeanChannel channel(const CaseInputs& in, const skin::Skin& skin) {
  return mechanics::mean_channel(skin, case_device(in));
}

core::DynQuantity depth_max(const CaseInputs& in) {
  return {channel(in, case_skin(in)).depth_max.si(), core::dim::length};
}

core::DynQuantity depth_open(const CaseInputs& in) {
  return {channel(in, case_skin(in)).depth_open.si(), core::dim::length};
}

core::DynQuantity open_depth_ratio(const CaseInputs& in) {
  const auto d = case_device(in);
  const auto m = mechanics::mean_channel(case_skin(in), d);
  return {m.depth_open.si() / d.needle_length.si(), core::dim::none};
}

core::DynQuantity bleeding_fraction(const CaseInputs& in) {
  return {channel(in, case_skin(in)).bleeding_probability, core::dim::none};
}

}  // namespace nw::validation::models
