#!/usr/bin/env bash
# Installs what hwsim needs on Debian 12 (only the packages that are missing),
# then configures and builds into build/. Used by the README's two commands;
# arguments are passed to CMake (scripts/test.sh: warnings as errors, no link-time optimisation).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config git libsystemc-dev libboost-dev libeigen3-dev libfmt-dev
          catch2 nlohmann-json3-dev libyaml-cpp-dev zlib1g-dev chromium clang-format python3
          slurm-wlm munge clang libclang-rt-14-dev
          pybind11-dev python3-dev python3-numpy python3-pandas python3-pytest python3-matplotlib
          python3-setuptools)
# Node.js and npm install the reports' charting libraries (npm ci below); an existing node is kept.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "hwsim setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Vega, Vega-Lite and Vega-Embed (inlined into reports) and playwright-core (report
# tests), pinned by package-lock.json; installed when missing or out of date.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "hwsim setup: npm ci (charting libraries for reports)"
  npm ci --no-audit --no-fund
fi

jobs=$(nproc 2>/dev/null || echo 2)
# -O3 and link-time optimisation unless the caller says otherwise (scripts/test.sh builds without LTO),
# named every time so that a tree configured otherwise builds the main job with them again.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O3 -DNDEBUG" -DHWSIM_LTO=ON "$@"
cmake --build build -j "$jobs"
