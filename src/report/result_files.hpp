#pragma once
// Reading the result files a report is built from (report.html of `simulate`, plan.html of
// `plan`), and the parts both pages build from them alike (provenance table, footer). Internal to
// the report module: nlohmann::json stays out of the public headers. Every read failure is
// core::Error{io_read} naming the file and the reason.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace nw::report::detail {

/// Throws core::Error{io_read} for `path` with `reason` ("missing ...", "not valid JSON ...").
[[noreturn]] void read_failure(const std::filesystem::path& path, const std::string& reason);

/// The bytes of the regular file `path`; std::nullopt if it does not exist and is not
/// `required`. Throws core::Error{io_read} if it is required and missing, or cannot be read.
std::optional<std::string> read_text(const std::filesystem::path& path, bool required);

/// The JSON document in the required file `path`, key order kept. Throws core::Error{io_read} if
/// the file is missing, unreadable or not valid JSON.
nlohmann::ordered_json read_json(const std::filesystem::path& path);

/// The node at a dotted path of `root` ("areas.0.expected.median": object keys, array indices
/// as whole numbers); nullptr if there is none. The pointer is into `root`.
const nlohmann::ordered_json* find_path(const nlohmann::ordered_json& root, std::string_view path);

/// The value at `path` as text: a string as it is, anything else as JSON; "" if absent or null.
std::string text_at(const nlohmann::ordered_json& root, std::string_view path);

/// The provenance section of a page: every entry of provenance.json (numbers tagged with their
/// key), then the version of the inlined chart library.
std::string provenance_table(const nlohmann::ordered_json& provenance);

/// The footer of a page built from the results folder `dir`: not a medical device with
/// `disclaimer`, and which folder, needlework version (from provenance.json) and chart library
/// built it.
std::string page_footer(std::string_view disclaimer, const std::filesystem::path& dir,
                        const nlohmann::ordered_json& provenance);

}  // namespace nw::report::detail
