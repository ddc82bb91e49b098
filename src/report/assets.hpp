#pragma once
// The web assets compiled into the binary (cmake/EmbedData.cmake, nw_embed_assets in
// src/CMakeLists.txt): "chart.js" (the chart library's minified build from web/node_modules),
// "report.js" and "report.css" (src/report/assets/).

#include <string_view>

namespace nw::report::detail {

/// The bytes of an embedded asset; empty for an unknown name.
std::string_view asset(std::string_view name);

}  // namespace nw::report::detail
