#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds with warnings as errors, runs
# every CTest tier, and checks formatting.
#   tools/test.sh          the dev preset (Debug), all tiers
#   tools/test.sh asan     AddressSanitizer + UBSan build, fast tiers
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-dev}"

tools/setup.sh --deps-only
tools/format.sh --check
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset" -j2
