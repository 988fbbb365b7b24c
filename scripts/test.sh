#!/usr/bin/env bash
# README command 2: set up and build with warnings as errors, check the C++
# format, run the whole test suite through CTest (tiers: ctest -L quick, slow,
# browser), then the quick tier and the fuzz corpora again under
# AddressSanitizer + UBSan. HWSIM_CI_FUZZ=1 adds the libFuzzer mutation step
# (scripts/fuzz.sh ci: a clang build of its own, about 7 more minutes on 2
# cores, which would take CI past its 20 minutes; docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/setup.sh -DHWSIM_WERROR=ON
bash scripts/check_format.sh
(cd build && ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)")
bash scripts/sanitize.sh
if [ "${HWSIM_CI_FUZZ:-0}" = 1 ]; then bash scripts/fuzz.sh ci; fi
echo "hwsim tests: all passed in $(( $(date +%s) - start )) s"
