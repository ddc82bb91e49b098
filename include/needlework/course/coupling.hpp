#pragma once
// Coupling of the stages within one treatment course: what each session does to the tissue
// (channels -> healing::SessionInjury) and what the topical delivers (transport ->
// healing::ActiveDose), on the course's calendar.
//
// Damaged fraction of compartment k (viable epidermis, papillary, reticular dermis) after a
// session of n tracks per unit area, each damaging V_k inside the compartment of thickness h_k,
// with tracks placed independently (Poisson overlap, so the fraction saturates below 1):
//     phi_k = 1 - exp(-n V_k / h_k)                                                      (C1)
// V_k from mechanics::damaged_volume_between for the mean channel (fast) or summed over every
// channel of the session (detailed: phi_k = 1 - exp(-sum_i V_k,i / (A h_k))).
//
// Delivered amounts: a session-day application reaches the needled skin (the transport run with
// channels); a daily home application on the other days reaches intact skin (the reference run
// of the same transport, once per area); both reported at 24 h per compartment.

#include <vector>

#include "needlework/course/simulation.hpp"
#include "needlework/healing/healing.hpp"

namespace nw::course {

/// Days from the first session at which each session takes place.
std::vector<double> session_days(const Protocol& protocol);

/// Day of the last sample: last session + follow-up.
double end_day(const Protocol& protocol);

/// The injury of one session of `area` (session statistics of session 1; C1).
healing::SessionInjury session_injury(const AreaResult& area, const device::Device& device, Fidelity fidelity,
                                      double day);

/// The outcome stage's view of an area for the nominal person (site layers, concern, scale,
/// baseline, the lesion library's mean geometry).
outcomes::AreaContext outcome_context(const AreaResult& area);

/// Applications of the topical over the course for one area, with the amounts reaching each
/// compartment. Session-day applications use `area.transport` (needled); daily applications on
/// other days use its intact reference. Empty without a topical.
std::vector<healing::ActiveDose> active_doses(const AreaResult& area, const std::optional<Topical>& topical,
                                              const std::vector<double>& sessions, double end_day);

}  // namespace nw::course
