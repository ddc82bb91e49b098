#pragma once
// plan.html of `needlework plan`: built from the files the command wrote into its output folder
// (plan.json, provenance.json, effective_config.toml), never from live objects, so the page can
// be rebuilt from a plan folder alone.

#include <filesystem>
#include <string>

namespace nw::report {

/// The self-contained plan page of the plan in `dir`. Throws core::Error{io_read} naming the file
/// when plan.json or provenance.json is missing or malformed; an absent effective_config.toml is
/// said so in the page.
std::string plan_report_html(const std::filesystem::path& dir);

/// Writes dir/plan.html (atomically) and returns its path. Throws as above, or core::Error{io_write}.
std::filesystem::path write_plan_report(const std::filesystem::path& dir);

}  // namespace nw::report
