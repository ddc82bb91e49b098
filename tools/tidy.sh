#!/usr/bin/env bash
# clang-tidy over the library and the CLI (uses build/dev/compile_commands.json).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset dev >/dev/null
mapfile -t files < <(git ls-files 'src/*.cpp' 'apps/*.cpp')
clang-tidy -p build/dev --quiet "${files[@]}"
echo "tidy: ${#files[@]} files clean"
