#!/usr/bin/env bash
# README command 1: set up, build, and run the main job: the what-if study of every
# DeepSeek-V3 proposal on the embedded H800 model, the validation against the committed
# Hopper measurements and the FP8 numerics error study, rendered into one report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

hwsim=build/bin/hwsim
out=out
mkdir -p "$out"
# The GPU the study runs on: its resolved description and roofline, computed from it.
$hwsim gpus show h800-sxm --no-sources --json "$out/h800-sxm.json"
$hwsim study --all --gpu h800-sxm --out "$out/study"
inputs=("$out/study")
if [ -d validate/data/h100-sxm ]; then
  $hwsim validate --data validate/data --whatif h100-sxm:h200-sxm --out "$out/validation.json"
  inputs+=("$out/validation.json")
fi
$hwsim numerics error --accumulator bits=16 --accumulator bits=19 --accumulator bits=23 \
  --json "$out/numerics.json" > /dev/null
inputs+=("$out/numerics.json")
$hwsim report "${inputs[@]}" --data validate/data --out "$out/report"
