#pragma once
// Model functions of the validation cases (internal to the validation module). Each runs the
// real stage on a case's inputs and returns the compared quantity in SI. Registered by name in
// the table of registry.cpp; the refits of refit.cpp reuse the same functions with one parameter
// replaced, so a fit and its case can never compute different things.

#include "needlework/core/units.hpp"
#include "needlework/course/simulation.hpp"
#include "needlework/mechanics/insertion.hpp"
#include "needlework/skin/skin.hpp"
#include "needlework/transport/actives.hpp"
#include "needlework/validation/validation.hpp"

namespace nw::validation::models {

using ModelFn = core::DynQuantity (*)(const CaseInputs&);

// device
core::DynQuantity puncture_density(const CaseInputs& in);  // punctures per cm2 (pure number)
core::DynQuantity face_time(const CaseInputs& in);         // needling time of inputs.area

// insertion
core::DynQuantity depth_max(const CaseInputs& in);
core::DynQuantity depth_open(const CaseInputs& in);
core::DynQuantity open_depth_ratio(const CaseInputs& in);  // d_open / setting
core::DynQuantity bleeding_fraction(const CaseInputs& in);

// transport
core::DynQuantity barrier_recovery(const CaseInputs& in);
core::DynQuantity closure_time(const CaseInputs& in);      // at inputs.surface_diameter
core::DynQuantity pen_closure_time(const CaseInputs& in);  // channel of the inputs' device and skin
core::DynQuantity barrier_over_closure(const CaseInputs& in);
core::DynQuantity occlusion_delay(const CaseInputs& in);
core::DynQuantity kp_intact(const CaseInputs& in);
core::DynQuantity enhancement(const CaseInputs& in);
core::DynQuantity fraction_of_dose(const CaseInputs& in);

// healing, outcomes, safety: bundled reference courses (data/outcomes/courses/), nominal person
core::DynQuantity outcome_relative_change(const CaseInputs& in);     // (score - baseline) / baseline at inputs.day
core::DynQuantity outcome_absolute_change(const CaseInputs& in);     // score - baseline at inputs.day (scale units)
core::DynQuantity responder_fraction(const CaseInputs& in);          // of the course's virtual patients at inputs.day
core::DynQuantity pih_probability_mean(const CaseInputs& in);        // mean over phototype_min..phototype_max
core::DynQuantity erythema_time(const CaseInputs& in);               // worst session's visible erythema
core::DynQuantity epidermal_damage_remaining(const CaseInputs& in);  // at inputs.day / after session 1

// ---- pieces shared with the refits
/// The reference course inputs.course (a file under data/outcomes/courses/), run through every
/// stage with the given libraries for the nominal person; `fitzpatrick` > 0 overrides the
/// file's phototype, inputs.scar_type (optional) the file's scar type.
course::AreaResult reference_course(const CaseInputs& in, const healing::Parameters& healing,
                                    const outcomes::OutcomeModel& outcomes, int fitzpatrick = 0);
course::AreaResult reference_course(const CaseInputs& in, int fitzpatrick = 0);
/// Index of the healing sample at inputs.day (fails the case if outside the course).
std::size_t day_index(const CaseInputs& in, const course::AreaResult& result);
/// The skin of the inputs with the layer overrides of the case (stratum_corneum ... hypodermis).
skin::Skin case_skin(const CaseInputs& in);
skin::Skin case_skin(const CaseInputs& in, const skin::SiteLibrary& library);
/// The device of the inputs with the needle overrides (puncture_force, grid_needles + grid_footprint).
device::Device case_device(const CaseInputs& in);
/// The mean channel of the case's device in `skin`.
mechanics::MeanChannel channel(const CaseInputs& in, const skin::Skin& skin);
/// Barrier recovery / closure times under `rules` (the bundled ones, or a refit's copy).
core::Time barrier_recovery_time(const CaseInputs& in, const transport::TissueRules& rules);
core::Time closure_recovery_time(const CaseInputs& in, const transport::TissueRules& rules);

}  // namespace nw::validation::models
