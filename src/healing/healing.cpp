// Summary changes of a healing result (healing.hpp; docs/model/healing.md, section 4).
//   collagen   = w_p C_p + (1 - w_p) C_r, C = (c1_0 x1 + c3_0 x3)/(c1_0 + c3_0) with the resting
//                I:III shares 80:15 (E rows) written here as weights 0.80 and 0.15
//   elastin    = w_p E_p + (1 - w_p) E_r
//   dermal density = mean of collagen and elastin aggregates weighted by their dry-mass shares
//   elasticity = geometric mean of the collagen I and elastin aggregates (proxy, see healing.md)
// each as 100 (treated / untreated - 1) at the same sample.

#include <cmath>

#include <fmt/format.h>

#include "needlework/core/error.hpp"
#include "needlework/healing/healing.hpp"

namespace nw::healing {

namespace {

// Resting shares of collagen types I and III in dermal collagen (MODEL.md section 5, E rows).
constexpr double kTypeIShare = 0.80;
constexpr double kTypeIIIShare = 0.15;
// Dry-mass shares of collagen and elastin in the dermis (~75 % and ~2-4 %; Uitto 1979 via
// docs/model/healing.md): weights of the dermal density aggregate.
constexpr double kCollagenMassShare = 0.75;
constexpr double kElastinMassShare = 0.03;

struct Aggregates {
  double collagen, collagen_i, elastin;
};

Aggregates aggregates(const TissueSample& s, double wp) {
  const auto dermal = [wp](const PerCompartment& v) { return wp * v[1] + (1 - wp) * v[2]; };
  const double c1 = dermal(s.collagen_i), c3 = dermal(s.collagen_iii);
  return {(kTypeIShare * c1 + kTypeIIIShare * c3) / (kTypeIShare + kTypeIIIShare), c1, dermal(s.elastin)};
}

double pct(double treated, double untreated) { return 100.0 * (treated / untreated - 1.0); }

}  // namespace

TissueChange change_at(const HealingResult& result, std::size_t index) {
  if (index >= result.treated.size() || index >= result.untreated.size()) {
    core::raise(core::ErrorCode::internal,
                fmt::arg("reason", fmt::format("change_at: sample {} of {} requested", index, result.treated.size())));
  }
  const auto& tr = result.treated[index];
  const auto& un = result.untreated[index];
  const auto a = aggregates(tr, result.papillary_weight);
  const auto b = aggregates(un, result.papillary_weight);
  TissueChange c;
  c.collagen_change_pct = pct(a.collagen, b.collagen);
  c.elastin_change_pct = pct(a.elastin, b.elastin);
  c.epidermal_thickness_change_pct = pct(tr.epidermal_thickness, un.epidermal_thickness);
  const auto density = [](const Aggregates& g) {
    return (kCollagenMassShare * g.collagen + kElastinMassShare * g.elastin) / (kCollagenMassShare + kElastinMassShare);
  };
  c.dermal_density_change_pct = pct(density(a), density(b));
  c.elasticity_change_pct = pct(std::sqrt(a.collagen_i * a.elastin), std::sqrt(b.collagen_i * b.elastin));
  return c;
}

}  // namespace nw::healing
