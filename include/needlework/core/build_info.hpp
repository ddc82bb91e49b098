#pragma once
// Version, git revision and build options, recorded at configure time (cmake/Version.cmake).

#include <string>

namespace nw::core {

struct BuildInfo {
  std::string version;
  std::string git_revision;
  std::string options;
};

BuildInfo build_info();

}  // namespace nw::core
