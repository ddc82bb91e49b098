#pragma once
// What `needlework simulate` writes: summary.json (the contract of docs/PRODUCT.md, with the
// sections of the stages modelled so far), channels.csv, the puncture map and depth
// distribution pictures, transport.csv and the uptake picture, the concentration fields
// (fields/transport_<area>_<site>.h5 + .xmf, io/fields.hpp) when a topical is applied, the
// effective configuration and provenance; and the short summary printed for people.

#include <filesystem>
#include <string>
#include <vector>

#include "needlework/course/simulation.hpp"
#include "needlework/io/provenance.hpp"
#include "needlework/io/scenario.hpp"

namespace nw::io {

/// summary.json text (also what `simulate --json` prints).
std::string summary_json(const course::CourseResult& result, const Scenario& scenario);
/// One row per channel of session 1, every area.
std::string channels_csv(const course::CourseResult& result);
/// Puncture map of a window of the first area (at most 10 mm x 10 mm), coloured by pass.
std::string puncture_map_svg(const course::CourseResult& result);
/// Distribution of open channel depths with the layer boundaries and the needle setting marked.
std::string depth_histogram_svg(const course::CourseResult& result);
/// Amount per layer over time (ug/cm2) for every area with a topical, with the intact reference.
std::string transport_csv(const course::CourseResult& result);
/// Uptake (delivered past the stratum corneum) over time, with and without needling.
std::string uptake_svg(const course::CourseResult& result, const std::string& active);
/// The bundled library parameters the run used: file, parameter, value, unit, sd, basis and
/// source ids, one row each (parameters.csv; src/io/parameters.cpp says which entries apply).
std::string parameters_csv(const Scenario& scenario);
/// The short human summary.
std::string simulation_text(const course::CourseResult& result, const Scenario& scenario,
                            const std::filesystem::path& dir);

/// Writes every output file into `dir` (created if needed); returns the paths written.
std::vector<std::filesystem::path> write_simulation(const std::filesystem::path& dir,
                                                    const course::CourseResult& result, const Scenario& scenario,
                                                    const Provenance& provenance);

}  // namespace nw::io
