#!/usr/bin/env bash
# README command 1: set up, build, and run the main job on the embedded H800 model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build/bin/hwsim gpus show h800-sxm
