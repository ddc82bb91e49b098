#!/usr/bin/env bash
# clang-tidy over the library and the CLI (uses build/dev/compile_commands.json).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset dev >/dev/null
mapfile -t files < <(git ls-files 'src/*.cpp' 'apps/*.cpp')
# GCC-only warning flags (-Wno-restrict) are unknown to clang: not an error here.
clang-tidy -p build/dev --quiet --extra-arg=-Wno-unknown-warning-option "${files[@]}"
echo "tidy: ${#files[@]} files clean"
