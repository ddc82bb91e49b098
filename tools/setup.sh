#!/usr/bin/env bash
# Installs whatever needlework needs that this Debian 12 machine lacks (apt-get, idempotent),
# installs the pinned front-end packages of web/ (npm ci: the chart library inlined into
# report.html, playwright-core for the browser tests), then configures and builds the
# optimised binary at build/release/needlework.
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
  chromium
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

# Node.js and npm: keep whatever node is already installed (e.g. from nodesource, which bundles
# npm); only a machine with neither gets Debian's.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup: installing nodejs npm"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends nodejs npm
fi

# web/node_modules from the lock file; skipped when it was installed from this very lock file
# and the files the build and the browser tests use are there.
lock_sum="$(sha256sum web/package-lock.json | cut -d' ' -f1)"
stamp=web/node_modules/.needlework-lock-sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ] &&
  [ -f web/node_modules/chart.js/dist/chart.umd.min.js ] && [ -f web/node_modules/playwright-core/package.json ]; then
  echo "setup: web/node_modules up to date"
else
  echo "setup: npm ci in web/"
  (cd web && npm ci --no-audit --no-fund)
  echo "$lock_sum" >"$stamp"
fi

if [ "${1:-}" = "--deps-only" ]; then exit 0; fi

cmake --preset release >/dev/null
cmake --build --preset release
echo "setup: built build/release/needlework"
