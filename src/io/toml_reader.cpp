#include "needlework/io/toml_reader.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace nw::io {

using core::ConfigArray;
using core::ConfigTable;
using core::ConfigValue;
using core::ErrorCode;
using core::SourceLoc;

namespace {

[[noreturn]] void fail(ErrorCode code, const SourceLoc& where, auto&&... args) {
  throw core::Error({core::make_diagnostic(code, where, "", args...)});
}

// Returns the offset of the first byte that is not valid UTF-8 (or a NUL), or npos.
std::size_t first_invalid_utf8(std::string_view s, const char** reason) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) {
      *reason = "a NUL byte";
      return i;
    }
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      *reason = "an invalid UTF-8 sequence";
      return i;
    }
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) {
        *reason = "an invalid UTF-8 sequence";
        return i;
      }
    }
    i += len;
  }
  return std::string_view::npos;
}

SourceLoc loc_of(const toml::source_region& r, const std::string& file) {
  return SourceLoc{file, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}

ConfigValue convert(const toml::node& node, const std::string& file);

ConfigTable convert_table(const toml::table& table, const std::string& file) {
  ConfigTable out;
  out.where = loc_of(table.source(), file);
  for (auto&& [key, value] : table) {
    out.set(std::string(key.str()), convert(value, file), loc_of(key.source(), file));
  }
  return out;
}

ConfigValue convert(const toml::node& node, const std::string& file) {
  const auto where = loc_of(node.source(), file);
  if (const auto* t = node.as_table()) return ConfigValue(convert_table(*t, file), where);
  if (const auto* a = node.as_array()) {
    ConfigArray items;
    for (const auto& item : *a) items.push_back(convert(item, file));
    return ConfigValue(std::move(items), where);
  }
  if (const auto* s = node.as_string()) return ConfigValue(std::string(s->get()), where);
  if (const auto* i = node.as_integer()) return ConfigValue(static_cast<std::int64_t>(i->get()), where);
  if (const auto* f = node.as_floating_point()) return ConfigValue(static_cast<double>(f->get()), where);
  if (const auto* b = node.as_boolean()) return ConfigValue(static_cast<bool>(b->get()), where);
  if (const auto* d = node.as_date()) {
    const auto& v = d->get();
    const auto parsed = core::parse_date(fmt::format("{:04d}-{:02d}-{:02d}", v.year, v.month, v.day));
    if (parsed) return ConfigValue(*parsed, where);
  }
  // Times and date-times are not used by needlework: keep their text so validation can name them.
  std::ostringstream text;
  if (const auto* t = node.as_time())
    text << *t;
  else if (const auto* dt = node.as_date_time())
    text << *dt;
  return ConfigValue(text.str(), where);
}

}  // namespace

std::string read_input_bytes(const std::filesystem::path& path, const std::string& display_name) {
  std::error_code ec;
  const SourceLoc file{display_name, 0, 0};
  if (!std::filesystem::exists(path, ec)) {
    fail(ErrorCode::cfg_no_file, file, fmt::arg("path", display_name), fmt::arg("reason", "no such file"));
  }
  if (std::filesystem::is_directory(path, ec)) {
    fail(ErrorCode::cfg_no_file, file, fmt::arg("path", display_name), fmt::arg("reason", "it is a directory"));
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxInputBytes) {
    fail(ErrorCode::cfg_too_large, file, fmt::arg("size", size), fmt::arg("limit", kMaxInputBytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::cfg_no_file, file, fmt::arg("path", display_name), fmt::arg("reason", std::strerror(errno)));
  std::string bytes;
  bytes.resize(kMaxInputBytes + 1);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (bytes.size() > kMaxInputBytes) {  // e.g. a pipe or a file that grew while reading
    fail(ErrorCode::cfg_too_large, file, fmt::arg("size", fmt::format("more than {}", kMaxInputBytes)),
         fmt::arg("limit", kMaxInputBytes));
  }
  return bytes;
}

ConfigTable read_toml_text(std::string_view text, const std::string& display_name) {
  const SourceLoc file{display_name, 0, 0};
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) fail(ErrorCode::cfg_empty, file);
  const char* reason = "";
  if (const auto bad = first_invalid_utf8(text, &reason); bad != std::string_view::npos) {
    fail(ErrorCode::cfg_binary, file, fmt::arg("reason", reason), fmt::arg("offset", bad));
  }
  try {
    const auto table = toml::parse(text, display_name);
    return convert_table(table, display_name);
  } catch (const toml::parse_error& e) {
    fail(ErrorCode::cfg_syntax, loc_of(e.source(), display_name), fmt::arg("reason", std::string(e.description())));
  }
}

ConfigTable read_toml_file(const std::filesystem::path& path, const std::string& display_name) {
  return read_toml_text(read_input_bytes(path, display_name), display_name);
}

}  // namespace nw::io
