#!/usr/bin/env bash
# The sanitizer job: a Debug build with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/, -O1 so simulations stay quick
# enough) of the unit-test programs of models/, sim/, workloads/comm,
# workloads/trace (the profiler-trace reader takes untrusted input),
# validate/ and the numerics, running their quick tier (ctest -L quick), and
# the fuzz targets replaying their committed corpora (tests/fuzz). A
# report from either sanitizer fails the test it happens in. The CLI and
# report programs are left to the Release suite, to keep CI under 20 minutes
# on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
targets=(test_models test_models_interconnect test_sim_config test_component_models test_sim_engine
         test_workloads_comm test_validate test_numerics test_trace
         fuzz_replay_gpu_spec fuzz_replay_records fuzz_replay_kernel_params fuzz_replay_trace
         fuzz_replay_numerics fuzz_replay_report)
# -g1 (line tables: reports still name function, file and line) compiles in 50-65% of -g's time under the
# sanitizers (GCC 12: workloads/kernels/gemm.cpp 6.8 s against 12.9 s, tests/workloads/test_kernels.cpp 17 s
# against 26 s), which keeps CI within its 20 minutes.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g1 -O1" -DHWSIM_SANITIZE=ON \
  -DHWSIM_WERROR=ON -DHWSIM_BUILD_CUDA=OFF > /dev/null
cmake --build build-asan -j "$jobs" --target "${targets[@]}"
# SystemC keeps its kernel objects until exit; leak checking would report them.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-asan
regex="^($(IFS='|'; echo "${targets[*]}")):"
ctest -L quick -R "$regex" --output-on-failure -j "$jobs"
