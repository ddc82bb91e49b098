#pragma once
// Helpers shared by the tests: a device built from a [device] TOML snippet the way a scenario
// builds it (bundled catalogue, full validation), and a scratch folder per test process.

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "needlework/device/device.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/toml_reader.hpp"

namespace nw::test {

/// An empty folder under the system's temporary directory, named for the test and this process
/// (ctest -j runs test processes side by side; a shared name made them delete each other's files).
inline std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("nw_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::vector<core::Diagnostic> device_diagnostics(const std::string& toml, device::Device* out = nullptr) {
  const auto& catalogue = io::bundled_devices();
  const auto raw = io::read_toml_text(toml, "device.toml");
  std::vector<core::Diagnostic> d;
  const auto validated = core::validate(raw, *device::device_spec(catalogue), d, "device");
  if (core::has_errors(d)) return d;
  auto dev = device::device_from(validated, catalogue, d);
  if (out) *out = dev;
  return d;
}

/// The resolved device; throws core::Error if the snippet has errors (warnings are allowed).
inline device::Device device_from_toml(const std::string& toml) {
  device::Device d;
  const auto diagnostics = device_diagnostics(toml, &d);
  if (core::has_errors(diagnostics)) throw core::Error(diagnostics);
  return d;
}

}  // namespace nw::test
