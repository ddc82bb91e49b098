// Validation model functions of the healing, outcome and safety stages. Each runs a bundled
// reference course (data/outcomes/courses/*.toml, a scenario file) through every stage:
// channels, transport of its topical, healing (docs/model/healing.md), outcomes and safety
// (docs/model/outcomes.md), for the nominal person; the compared quantity is read off the result.

#include <fmt/format.h>

#include <cmath>

#include "models.hpp"
#include "needlework/core/log.hpp"
#include "needlework/course/coupling.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/scenario.hpp"

namespace nw::validation::models {

course::AreaResult reference_course(const CaseInputs& in, const healing::Parameters& healing,
                                    const outcomes::OutcomeModel& outcomes, int fitzpatrick) {
  const auto data = io::bundled_data();
  const auto name = "outcomes/courses/" + in.text("course");
  if (!io::bundled_file(name)) in.fail("course", fmt::format("no bundled reference course data/{}", name));
  const auto scenario = io::load_bundled_scenario(name, data);
  auto inputs = io::course_inputs(scenario);
  if (fitzpatrick > 0) inputs.fitzpatrick = fitzpatrick;
  if (in.has("scar_type")) {
    inputs.areas.at(0).scar_type = in.text("scar_type");
  }
  core::NullSink quiet;
  const course::Libraries libs{data.sites, data.lesions, data.tissue, healing, outcomes};
  return course::Simulation(inputs, libs).run(quiet).areas.at(0);
}

course::AreaResult reference_course(const CaseInputs& in, int fitzpatrick) {
  return reference_course(in, io::bundled_healing(), io::bundled_outcomes(), fitzpatrick);
}

std::size_t day_index(const CaseInputs& in, const course::AreaResult& r) {
  const double day = in.number("day");
  const auto i = static_cast<std::size_t>(std::lround(day));
  if (r.healing.treated.empty() || i >= r.healing.treated.size() || std::abs(r.healing.treated[i].day - day) > 0.5) {
    in.fail("day", fmt::format("day {} is outside the reference course (last day {})", day,
                               r.healing.treated.empty() ? 0.0 : r.healing.treated.back().day));
  }
  return i;
}

namespace {

double score_change(const CaseInputs& in, bool relative) {
  const auto r = reference_course(in);
  const auto i = day_index(in, r);
  const auto& s = r.nominal_scores;
  if (s.treated.size() <= i) in.fail("course", "the reference course's concern has no outcome model");
  const double change = s.treated[i] - s.baseline;
  return relative ? change / s.baseline : change;
}

}  // namespace

core::DynQuantity outcome_relative_change(const CaseInputs& in) { return {score_change(in, true), core::dim::none}; }

core::DynQuantity outcome_absolute_change(const CaseInputs& in) { return {score_change(in, false), core::dim::none}; }

// The responder definition is the scale's (outcomes.toml, e.g. >= 1 grade better); the virtual
// patients are those of the course file's [simulation] table.
core::DynQuantity responder_fraction(const CaseInputs& in) {
  const auto r = reference_course(in);
  const auto i = day_index(in, r);
  if (r.cohort.size() <= i || r.virtual_patients < 2) {
    in.fail("course", "the reference course needs an outcome model and [simulation] virtual_patients >= 2");
  }
  return {r.cohort[i].responder_fraction, core::dim::none};
}

core::DynQuantity pih_probability_mean(const CaseInputs& in) {
  const auto first = static_cast<int>(in.integer("phototype_min"));
  const auto last = static_cast<int>(in.integer("phototype_max"));
  double sum = 0;
  for (int f = first; f <= last; ++f) sum += reference_course(in, f).safety.pih_probability;
  return {sum / (last - first + 1), core::dim::none};
}

core::DynQuantity erythema_time(const CaseInputs& in) {
  return {reference_course(in).healing.erythema_h * 3600.0, core::dim::time};
}

core::DynQuantity epidermal_damage_remaining(const CaseInputs& in) {
  const auto r = reference_course(in);
  const auto i = day_index(in, r);
  const int epi = static_cast<int>(healing::Compartment::epidermis);
  const double initial = r.injuries.at(0).damaged_fraction[epi];
  if (initial <= 0) in.fail("course", "the reference course damages no epidermis");
  return {r.healing.treated[i].damage[epi] / initial, core::dim::none};
}

}  // namespace nw::validation::models
