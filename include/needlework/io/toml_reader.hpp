#pragma once
// Reading TOML files (scenarios and bundled data) into format-neutral ConfigTables.
// toml++ stays private to io: nothing else sees it.

#include <filesystem>
#include <string_view>

#include "needlework/core/config.hpp"

namespace nw::io {

/// Largest input file accepted (a scenario is a few kilobytes).
inline constexpr std::size_t kMaxInputBytes = 1 << 20;

/// Reads and parses a TOML file. Rejects, with one diagnostic each: a missing or unreadable
/// file, one larger than kMaxInputBytes, an empty one, one that is not UTF-8 text, and
/// malformed TOML. Throws core::Error carrying the diagnostic; `display_name` is the path
/// shown in diagnostics.
core::ConfigTable read_toml_file(const std::filesystem::path& path, const std::string& display_name);

/// Parses TOML text already in memory (same checks as read_toml_file after reading).
core::ConfigTable read_toml_text(std::string_view text, const std::string& display_name);

/// Reads a whole file as bytes (same size and existence checks); throws core::Error.
std::string read_input_bytes(const std::filesystem::path& path, const std::string& display_name);

}  // namespace nw::io
