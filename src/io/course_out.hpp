#pragma once
// Outputs of the healing, outcome and safety stages of a course (summary.json sections tissue,
// outcomes and safety; one timeline CSV and two pictures per treated area). Internal to io.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "needlework/course/simulation.hpp"

namespace nw::io {

/// File names of one area's outputs (index from 1 in the order of [[treatment]]).
std::string timeline_csv_name(const course::AreaResult& area, std::size_t index);
std::string tissue_svg_name(const course::AreaResult& area, std::size_t index);
std::string outcome_svg_name(const course::AreaResult& area, std::size_t index);

/// summary.json `tissue` of one area: at_follow_up {...} (nominal person) and a few peaks.
nlohmann::ordered_json tissue_json(const course::AreaResult& area);
/// One entry of summary.json `outcomes`; null when the concern has no outcome model.
nlohmann::ordered_json outcome_json(const course::AreaResult& area, std::size_t index,
                                    const outcomes::OutcomeModel& model);
/// summary.json `safety` of one area.
nlohmann::ordered_json safety_json(const course::AreaResult& area);
/// The worst of the areas' safety sections (largest values; flags of every area, once each).
nlohmann::ordered_json pooled_safety_json(const nlohmann::ordered_json& by_area);

/// Lines of the human summary for one area (outcome, tissue, safety).
std::string course_text(const course::AreaResult& area);

/// Daily timeline of one area: outcome statistics over the virtual patients (treated and
/// untreated) and the nominal person's tissue state.
std::string timeline_csv(const course::AreaResult& area);
/// Tissue state of the nominal person over the course (SVG line chart).
std::string tissue_svg(const course::AreaResult& area);
/// The outcome over the course: median and 90% interval, treated and untreated (SVG).
std::string outcome_svg(const course::AreaResult& area);

}  // namespace nw::io
