#!/usr/bin/env bash
# Fails when a tracked C++/CUDA file differs from what clang-format makes of it
# (.clang-format: Google style, 120 columns). Fix with:
#   git ls-files '*.cpp' '*.hpp' '*.cu' '*.cuh' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check_format: clang-format not found (Debian package clang-format)" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.cu' '*.cuh')
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! printf '%s\n' "${files[@]}" | xargs clang-format --dry-run --Werror 2> "$log"; then
  grep -E "^[^ ].*: error:" "$log" | cut -d: -f1 | sort -u | sed 's/^/check_format: not formatted: /' >&2
  echo "check_format: run clang-format -i on the files above" >&2
  exit 1
fi
echo "check_format: ${#files[@]} C++/CUDA files formatted"
