#!/usr/bin/env bash
# README command 2: set up and build with warnings as errors, check the C++
# format, run the whole test suite through CTest (tiers: ctest -L quick, slow,
# browser), then the quick tier and the fuzz corpora again under
# AddressSanitizer + UBSan, which also mutates the inputs of the eight fuzz
# targets for a fixed number of runs (scripts/sanitize.sh). HWSIM_CI_FUZZ=1
# adds the same eight in a build of their own (scripts/fuzz.sh ci).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
# Each step's wall time, so that CI's log shows where its minutes go (docs/performance.md, "CI time").
step() {
  local t0
  t0=$(date +%s)
  "$@"
  echo "hwsim tests: step '$*' took $(( $(date +%s) - t0 )) s"
}
# Without link-time optimisation: the tests need the same answers, not the ~11% faster simulations it gives,
# and the build is minutes shorter without it; as a unity build (sources compiled in batches of 8), which
# compiles the shared headers once per batch (docs/performance.md, "CI time").
step bash scripts/setup.sh -DHWSIM_WERROR=ON -DHWSIM_LTO=OFF -DHWSIM_UNITY_BUILD=ON
step bash scripts/check_format.sh
step ctest --test-dir build --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
step bash scripts/sanitize.sh
if [ "${HWSIM_CI_FUZZ:-0}" = 1 ]; then step bash scripts/fuzz.sh ci; fi
echo "hwsim tests: all passed in $(( $(date +%s) - start )) s"
