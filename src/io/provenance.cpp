#include "needlework/io/provenance.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "needlework/core/build_info.hpp"
#include "needlework/core/error.hpp"

namespace nw::io {

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    core::raise(core::ErrorCode::internal, fmt::arg("reason", "SHA-256 failed"));
  }
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const auto fail = [&](const std::string& reason) {
    core::raise(core::ErrorCode::io_write, fmt::arg("path", path.string()), fmt::arg("reason", reason));
  };
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) fail(ec.message());
  }
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail("cannot open for writing");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      fail("write failed (disk full?)");
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    fail("cannot rename the temporary file into place");
  }
}

std::string provenance_json(const Provenance& p) {
  const auto build = core::build_info();
  const nlohmann::ordered_json j = {
      {"needlework_version", build.version},
      {"git_revision", build.git_revision},
      {"build_options", build.options},
      {"command", p.command},
      {"input", p.input_path},
      {"input_sha256", p.input_sha256},
      {"seed", p.seed},
      {"created_utc", p.created_utc},
      {"disclaimer", "needlework is a research and education tool, not a medical device."},
  };
  return j.dump(2) + "\n";
}

void write_run_record(const std::filesystem::path& dir, const core::ConfigTable& validated, const core::TableSpec& spec,
                      const Provenance& p) {
  write_file_atomically(dir / "effective_config.toml", core::render_effective(validated, spec));
  write_file_atomically(dir / "provenance.json", provenance_json(p));
}

std::string utc_timestamp() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now);
}

}  // namespace nw::io
