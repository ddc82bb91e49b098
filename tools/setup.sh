#!/usr/bin/env bash
# Installs whatever needlework needs that this Debian 12 machine lacks (apt-get, idempotent),
# then configures and builds the optimised binary at build/release/needlework.
#   tools/setup.sh               install + build
#   tools/setup.sh --deps-only   install only
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake ninja-build g++ git pkg-config
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libfmt-dev libssl-dev
  libsundials-dev libhdf5-dev hdf5-tools libexpat1-dev libnlopt-cxx-dev
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  clang-format clang-tidy
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#packages[@]} packages present"
fi

if [ "${1:-}" = "--deps-only" ]; then exit 0; fi

cmake --preset release >/dev/null
cmake --build --preset release
echo "setup: built build/release/needlework"
