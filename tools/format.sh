#!/usr/bin/env bash
# clang-format over every C++ file the project owns.
#   tools/format.sh           reformat in place
#   tools/format.sh --check   fail (and list) if anything is not formatted
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.cpp.in' 2>/dev/null | grep -v '^tests/layering/fixture/' || true)
if ((${#files[@]} == 0)); then
  mapfile -t files < <(find include src apps tests -name '*.cpp' -o -name '*.hpp' | grep -v '/fixture/')
fi
if [ "${1:-}" = "--check" ]; then
  clang-format --dry-run -Werror "${files[@]}"
  echo "format: ${#files[@]} files clean"
else
  clang-format -i "${files[@]}"
fi
