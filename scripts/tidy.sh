#!/usr/bin/env bash
# clang-tidy over hwsim's own C++ with the checks in .clang-tidy, using the
# compile database of build/ (scripts/setup.sh writes it).
#   scripts/tidy.sh [FILE...]     the files named, or every .cpp under sim/,
#                                 workloads/kernels/ and hw_proposals/
#   scripts/tidy.sh --gate [...]  exit 1 if a function is over the size limit
#                                 (the other checks only report)
# Not part of CI: parsing every translation unit takes minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
gate=0
if [ "${1:-}" = "--gate" ]; then gate=1; shift; fi
[ -f build/compile_commands.json ] || { echo "tidy: build/compile_commands.json missing; run scripts/setup.sh" >&2; exit 2; }
command -v clang-tidy >/dev/null || { echo "tidy: clang-tidy not found (Debian package clang-tidy)" >&2; exit 2; }
files=("$@")
if [ "${#files[@]}" -eq 0 ]; then
  mapfile -t files < <(git ls-files 'sim/*.cpp' 'workloads/kernels/*.cpp' 'hw_proposals/*.cpp')
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# GCC's LTO flags in the database mean nothing to clang.
printf '%s\n' "${files[@]}" | xargs -P "$(nproc 2>/dev/null || echo 2)" -n 4 \
  clang-tidy -p build --quiet --extra-arg=-Wno-ignored-optimization-argument --extra-arg=-Wno-unknown-warning-option \
  2>/dev/null | tee "$log" | grep -E "warning:|error:" || true
sizes=$(grep -c "readability-function-size" "$log" || true)
echo "tidy: ${#files[@]} files, $(grep -c 'warning:' "$log" || true) findings, ${sizes} over the function size limit"
if [ "$gate" = 1 ] && [ "$sizes" != 0 ]; then exit 1; fi
