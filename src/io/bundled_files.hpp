#pragma once
// Private to io: the data files compiled into the binary (see cmake/EmbedData.cmake).
#include <string_view>
#include <vector>

namespace nw::io::detail {
struct BundledFile {
  std::string_view path;  // relative to data/, e.g. "clinical/screening_rules.toml"
  std::string_view text;
};
const std::vector<BundledFile>& bundled_files();
}  // namespace nw::io::detail
