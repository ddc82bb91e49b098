#pragma once
// Files written beside results: the effective configuration and the provenance record, and
// the atomic file writer every output goes through (a failed run never leaves half a file).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "needlework/core/config.hpp"

namespace nw::io {

/// Lower-case hex SHA-256 of `bytes` (OpenSSL).
std::string sha256_hex(std::string_view bytes);

/// Writes `content` to `path` via a temporary file in the same folder and a rename, creating
/// the folder if needed. Throws core::Error{io_write}.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

struct Provenance {
  std::string command;  // e.g. "simulate"
  std::string input_path;
  std::string input_sha256;
  std::uint64_t seed = 1;
  std::string created_utc;  // ISO 8601 timestamp; kept out of results tests compare
};

/// JSON text of a provenance record (version, git revision, build options, seed, input hash).
std::string provenance_json(const Provenance& p);

/// Writes DIR/effective_config.toml and DIR/provenance.json.
void write_run_record(const std::filesystem::path& dir, const core::ConfigTable& validated, const core::TableSpec& spec,
                      const Provenance& p);

/// Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" (for provenance only).
std::string utc_timestamp();

}  // namespace nw::io
