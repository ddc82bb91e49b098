#pragma once
// report.html of `needlework simulate`: built from the files the command wrote into its output
// folder (summary.json, channels.csv, transport.csv, parameters.csv, effective_config.toml,
// provenance.json; outcome timelines when summary.json lists them), never from live objects,
// so `report` can rebuild it from a results folder alone.

#include <filesystem>
#include <string>

namespace nw::report {

/// The self-contained report page of the results in `dir`. Throws core::Error{io_read} naming the
/// file when a required file (summary.json, effective_config.toml, provenance.json) is missing or
/// malformed; optional files that are absent are said so in the page.
std::string simulation_report_html(const std::filesystem::path& dir);

/// Writes dir/report.html (atomically) and returns its path. Throws as above, or
/// core::Error{io_write}.
std::filesystem::path write_simulation_report(const std::filesystem::path& dir);

}  // namespace nw::report
