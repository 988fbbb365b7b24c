#!/usr/bin/env bash
# e2e_report.sh HWSIM SOURCE_DIR OUT_DIR ARTIFACT_DIR
# Builds a report from the fixtures with the hwsim CLI, then opens it in
# headless Chromium with the network off (check_report.mjs). When this hwsim
# has the `study` command, it also runs a small real study on the simulator
# (two proposals at 1024 tokens) and one of the communication proposals on the
# training step (roofline), and checks their reports too. Missing node,
# Chromium or npm packages fail the test with a message saying what to install.
set -euo pipefail
hwsim=$1 src=$2 out=$3 artifacts=$4
command -v node >/dev/null || { echo "FAIL: node is not installed (scripts/setup.sh installs it)"; exit 1; }
[ -d "$src/node_modules/playwright-core" ] || { echo "FAIL: $src/node_modules is missing; run 'npm ci' in $src (scripts/setup.sh does)"; exit 1; }
fx=$src/tests/reports/fixtures
export SOURCE_DATE_EPOCH=1790000000
"$hwsim" report "$fx/study.json" "$fx/validation.json" "$fx/numerics.json" "$fx/run_gemm.json" \
  --data "$fx/data" --assets "$src/node_modules" --out "$out"
node "$src/tests/reports/check_report.mjs" "$out" "$fx/study.json" "$artifacts"

if "$hwsim" study --list >/dev/null 2>&1; then
  study=$out-study-results
  # A small real study on the simulator (two proposals, 1024 tokens, ~20 s), so
  # the page is checked on what the engine actually produces.
  "$hwsim" study group_scaled_mma transposed_gemm --tokens 1024 --jobs 2 --out "$study" >/dev/null
  "$hwsim" report "$study" --assets "$src/node_modules" --out "$out-study"
  node "$src/tests/reports/check_report.mjs" "$out-study" "$study/study.json" "$artifacts/study"
  # The communication proposals alone, on the training step (roofline compute, a few seconds):
  # the page then has the step section and no layer speed-up chart.
  step=$out-step-results
  "$hwsim" study comm_offload unified_scaleup_scaleout --model roofline --out "$step" >/dev/null
  "$hwsim" report "$step" --assets "$src/node_modules" --out "$out-step"
  node "$src/tests/reports/check_report.mjs" "$out-step" "$step/study.json" "$artifacts/step"
else
  echo "note: this hwsim has no 'study' command; the report was checked on the fixtures only"
fi
