#include "result_files.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>

#include "needlework/core/error.hpp"
#include "needlework/core/text.hpp"
#include "needlework/report/html.hpp"

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

const nlohmann::ordered_json* find_path(const nlohmann::ordered_json& root, std::string_view path) {
  const nlohmann::ordered_json* node = &root;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto dot = path.find('.', start);
    const auto part = path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (node->is_object()) {
      const auto it = node->find(std::string(part));
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      std::size_t i = 0;
      const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), i);
      if (ec != std::errc{} || end != part.data() + part.size() || i >= node->size()) return nullptr;
      node = &(*node)[i];
    } else {
      return nullptr;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return node;
}

std::string text_at(const nlohmann::ordered_json& root, std::string_view path) {
  const auto* n = find_path(root, path);
  if (!n || n->is_null()) return "";
  if (n->is_string()) return n->get<std::string>();
  return n->dump();
}

std::string provenance_table(const nlohmann::ordered_json& provenance) {
  std::string out = "<table>\n";
  for (const auto& [k, v] : provenance.items()) {
    const std::string shown = v.is_number() ? tagged_number(k, v.get<double>(), 1, 20, "provenance.json")
                                            : core::xml_escape(v.is_string() ? v.get<std::string>() : v.dump());
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", core::xml_escape(k), shown);
  }
  out += fmt::format("<tr><th>charts</th><td>Chart.js {} (MIT licence), inlined</td></tr>\n", chart_library_version());
  return out + "</table>\n";
}

std::string page_footer(std::string_view disclaimer, const fs::path& dir, const nlohmann::ordered_json& provenance) {
  return fmt::format(
      "<p><b>needlework is not a medical device.</b> {}</p>\n<p>Built from {} by needlework {}; charts drawn with "
      "Chart.js {}, inlined so this file opens offline.</p>",
      core::xml_escape(disclaimer), core::xml_escape(dir.string()),
      core::xml_escape(text_at(provenance, "needlework_version")), chart_library_version());
}

}  // namespace nw::report::detail
