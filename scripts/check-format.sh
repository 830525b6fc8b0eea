#!/usr/bin/env bash
# Fails when a tracked C++ file (*.cpp, *.hpp) is not formatted as .clang-format
# says, and names the files. Fix them with: clang-format -i FILE...
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
  echo "check-format: clang-format is missing (Debian package clang-format; scripts/install-deps.sh)" >&2
  exit 1
fi
count=$(git ls-files '*.cpp' '*.hpp' | wc -l)
# One clang-format per batch of files; each violation is reported as
# "FILE:LINE:COL: error: code should be clang-formatted".
if report=$(git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run --Werror 2>&1); then
  echo "check-format: all $count C++ files are formatted"
  exit 0
fi
mapfile -t unformatted < <(printf '%s\n' "$report" | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' | sort -u)
if [ ${#unformatted[@]} -eq 0 ]; then
  printf '%s\n' "$report" >&2
  echo "check-format: clang-format failed" >&2
  exit 1
fi
echo "check-format: chưa định dạng / not formatted (${#unformatted[@]} of $count files):" >&2
printf '  %s\n' "${unformatted[@]}" >&2
echo "check-format: run: clang-format -i ${unformatted[*]}" >&2
exit 1
