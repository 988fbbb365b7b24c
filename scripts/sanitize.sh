#!/usr/bin/env bash
# The sanitizer job: a Debug build with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/, -O1 so simulations stay quick
# enough) that runs the quick test tier (ctest -L quick). Any report of either
# sanitizer fails the test it happens in.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DHWSIM_SANITIZE=ON \
  -DHWSIM_WERROR=ON -DHWSIM_BUILD_CUDA=OFF > /dev/null
cmake --build build-asan -j "$jobs"
# SystemC keeps its kernel objects until exit; leak checking would report them.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-asan
ctest -L quick --output-on-failure -j "$jobs"
