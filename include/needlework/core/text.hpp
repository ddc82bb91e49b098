#pragma once
// Small text helpers shared by the diagnostics.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nw::core {

/// Optimal string alignment distance (Levenshtein with adjacent transpositions).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word`, if it is close enough to be a plausible typo
/// (distance <= max(1, length / 3), case-insensitive).
std::optional<std::string> did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// Word-wraps `text` to `width` columns, each line starting with `indent`.
std::string wrap(std::string_view text, std::string_view indent, std::size_t width = 100);

/// `text` with &, <, >, " and ' replaced by entities and the control characters XML 1.0 forbids
/// removed: safe inside XML and HTML text and attribute values (SVG, XDMF, reports).
std::string xml_escape(std::string_view text);

/// "a, b, c" (each item quoted when `quote` is set).
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ", bool quote = false);

}  // namespace nw::core
