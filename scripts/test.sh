#!/usr/bin/env bash
# README command 2: set up and build with warnings as errors, check the C++
# format, run the whole test suite through CTest (tiers: ctest -L quick, slow,
# browser), then the quick tier again under AddressSanitizer + UBSan, then
# each fuzz target for a fixed number of runs from its committed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/setup.sh -DHWSIM_WERROR=ON
bash scripts/check_format.sh
(cd build && ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)")
bash scripts/sanitize.sh
bash scripts/fuzz.sh ci
echo "hwsim tests: all passed in $(( $(date +%s) - start )) s"
