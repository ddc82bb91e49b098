#pragma once
// Shared helpers of the outcome tests: the bundled outcome data and lesion library, loaded the
// way io::load_bundled loads the other data files, and constructed healing results.

#include <stdexcept>
#include <string>
#include <vector>

#include "needlework/io/bundled.hpp"
#include "needlework/io/toml_reader.hpp"
#include "needlework/outcomes/outcomes.hpp"

namespace nw::outcomes::test {

template <typename Build>
auto load(const char* path, const core::TableSpec& spec, Build build) {
  const auto text = io::bundled_file(path);
  if (!text) throw std::runtime_error(std::string("not bundled: ") + path);
  const auto raw = io::read_toml_text(*text, std::string("data/") + path);
  std::vector<core::Diagnostic> diagnostics;
  const auto validated = core::validate(raw, spec, diagnostics);
  if (!diagnostics.empty()) throw core::Error(std::move(diagnostics));
  return build(validated);
}

inline const OutcomeModel& model() {
  static const auto m = load("outcomes/outcomes.toml", OutcomeModel::spec(), OutcomeModel::from_config);
  return m;
}

inline const std::vector<PublishedResult>& published() {
  static const auto p = load("outcomes/published.toml", published_spec(), published_from_config);
  return p;
}

/// A healing result over `days` days: the untreated arm stays at baseline (pigment
/// `untreated_pigment`, follicle stimulation `untreated_follicle`), the treated arm gains
/// `matrix_gain` of collagen I, III and elastin in the papillary and reticular dermis (linear
/// ramp to day `ramp_days`), and reaches `pigment` and `follicle` the same way.
struct Course {
  int days = 180;
  double ramp_days = 90;
  double matrix_gain = 0.2;
  double pigment = 1.0;
  double follicle = 0.0;
  double untreated_pigment = 1.0;
  double untreated_follicle = 0.0;
};

inline healing::TissueSample sample(double day, double gain, double pigment, double follicle) {
  healing::TissueSample s;
  s.day = day;
  for (int c = 0; c < healing::kCompartments; ++c) {
    s.collagen_i[c] = 1 + (c == 0 ? 0.0 : gain);
    s.collagen_iii[c] = 1 + (c == 0 ? 0.0 : gain);
    s.elastin[c] = 1 + (c == 0 ? 0.0 : gain);
    s.fibroblasts[c] = 1;
    s.mmp[c] = 1;
  }
  s.pigment = pigment;
  s.follicle_stimulation = follicle;
  return s;
}

inline healing::HealingResult constructed(const Course& c) {
  healing::HealingResult r;
  for (int d = 0; d <= c.days; ++d) {
    const double ramp = std::min(1.0, d / c.ramp_days);
    r.treated.push_back(sample(d, c.matrix_gain * ramp, 1 + (c.pigment - 1) * ramp, c.follicle * ramp));
    r.untreated.push_back(sample(d, 0.0, 1 + (c.untreated_pigment - 1) * ramp, c.untreated_follicle * ramp));
  }
  return r;
}

/// A cheek-like area (papillary 0.3 mm, reticular 1.5 mm) for a concern with the lesion
/// library's mean geometry of `scar_type` (if the concern has a lesion).
inline AreaContext area(const std::string& concern, const std::string& scar_type = "", const std::string& scale = "") {
  AreaContext a;
  a.site = "cheek";
  a.concern = concern;
  a.scar_type = scar_type;
  a.scale = scale;
  a.papillary_thickness_m = 0.3e-3;
  a.reticular_thickness_m = 1.5e-3;
  const std::string lesion_concern = concern == "rejuvenation" ? "wrinkles" : concern;
  if (const auto* l = io::bundled_lesions().for_concern(lesion_concern, scar_type)) a.lesion = mean_geometry(*l);
  return a;
}

}  // namespace nw::outcomes::test
