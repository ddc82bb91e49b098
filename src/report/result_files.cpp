#include "result_files.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <system_error>

#include "needlework/core/error.hpp"

namespace nw::report::detail {

namespace fs = std::filesystem;

void read_failure(const fs::path& path, const std::string& reason) {
  core::raise(core::ErrorCode::io_read, fmt::arg("path", path.string()), fmt::arg("reason", reason));
}

std::optional<std::string> read_text(const fs::path& path, bool required) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    if (required) read_failure(path, "missing (not written by this run?)");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) read_failure(path, "read failed");
  return text.str();
}

nlohmann::ordered_json read_json(const fs::path& path) {
  const auto text = read_text(path, true);
  try {
    return nlohmann::ordered_json::parse(*text);
  } catch (const nlohmann::json::parse_error& e) {
    read_failure(path, fmt::format("not valid JSON ({})", e.what()));
  }
}

}  // namespace nw::report::detail
