#!/usr/bin/env bash
# The sanitizer job: a Debug build with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/, -O1: at -O0 clang compiles the
# tree in about three quarters of the time, but the quick tier then runs for
# 132 s instead of 25-30 s, more than the build saves) of the unit-test programs of models/, sim/, workloads/comm,
# workloads/trace (the profiler-trace reader takes untrusted input),
# validate/ and the numerics, running their quick tier (ctest -L quick), and
# the fuzz targets of those parsers: each replays its committed corpus
# (tests/fuzz), then, with clang's libFuzzer, mutates it for a fixed number
# of runs (scripts/fuzz.sh ci-in). A report from either sanitizer fails the
# step it happens in. The CLI and report programs (and the sweep_spec and
# cli fuzz targets, which link the whole CLI) are left to the Release suite,
# to keep CI under 20 minutes on 2 cores.
#
# clang builds this tree in about half of GCC's time (GCC 12 -g1 -O1 with both
# sanitizers: tests/workloads/test_kernels.cpp 19.6 s of CPU, clang 14: 10.7 s),
# and its libFuzzer runtime lets the same objects serve the fuzz targets, so
# clang is used where scripts/setup.sh installed it (clang, libclang-rt-14-dev);
# otherwise GCC builds the tree and the mutation step is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
fuzzed=(gpu_spec records sweep_spec cli kernel_params trace numerics report)
targets=(test_models test_models_interconnect test_sim_config test_component_models test_sim_engine
         test_workloads_comm test_validate test_numerics test_trace "${fuzzed[@]/#/fuzz_replay_}")
config=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g1 -O1" -DHWSIM_SANITIZE=ON -DHWSIM_WERROR=ON
        -DHWSIM_BUILD_CUDA=OFF -DHWSIM_UNITY_BUILD=ON)
if bash scripts/fuzz.sh probe; then
  config+=(-DCMAKE_CXX_COMPILER=clang++ -DHWSIM_FUZZ=ON)
  targets+=("${fuzzed[@]/#/fuzz_}")
  compiler=clang++
else
  config+=(-DCMAKE_CXX_COMPILER=g++ -DHWSIM_FUZZ=OFF)
  compiler=g++
fi
# A tree configured with the other compiler is started afresh (CMake cannot switch one).
if [ -f build-asan/CMakeCache.txt ] && ! grep -q "^CMAKE_CXX_COMPILER:[A-Z]*=\(.*/\)\?$compiler\$" build-asan/CMakeCache.txt; then
  rm -rf build-asan
fi
cmake -S . -B build-asan "${config[@]}" -DHWSIM_SANITIZER_JOB="$(IFS=';'; echo "${targets[*]}")" > /dev/null
cmake --build build-asan -j "$jobs" --target hwsim_sanitizer_job  # one target: built in one parallel run
# SystemC keeps its kernel objects until exit; leak checking would report them.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
regex="^($(IFS='|'; echo "${targets[*]}")):"
(cd build-asan && ctest -L quick -R "$regex" --output-on-failure -j "$jobs")
if [ "$compiler" = clang++ ]; then bash scripts/fuzz.sh ci-in build-asan "${fuzzed[@]}"; fi
