#pragma once
// Reading the result files a report is built from (report.html of `simulate`, plan.html of
// `plan`). Internal to the report module: nlohmann::json stays out of the public headers.
// Every failure is core::Error{io_read} naming the file and the reason.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace nw::report::detail {

/// Throws core::Error{io_read} for `path` with `reason` ("missing ...", "not valid JSON ...").
[[noreturn]] void read_failure(const std::filesystem::path& path, const std::string& reason);

/// The bytes of the regular file `path`; std::nullopt if it does not exist and is not
/// `required`. Throws core::Error{io_read} if it is required and missing, or cannot be read.
std::optional<std::string> read_text(const std::filesystem::path& path, bool required);

/// The JSON document in the required file `path`, key order kept. Throws core::Error{io_read} if
/// the file is missing, unreadable or not valid JSON.
nlohmann::ordered_json read_json(const std::filesystem::path& path);

}  // namespace nw::report::detail
