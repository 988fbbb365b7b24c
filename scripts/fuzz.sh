#!/usr/bin/env bash
# The fuzz targets of tests/fuzz (docs/reliability.md, "Fuzzing"), built with
# clang's libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer into
# build-fuzz/.
#   scripts/fuzz.sh ci                  each target a fixed 2000 runs from its committed corpus, -seed=1;
#                                       skipped when clang's fuzzer runtime is absent
#   scripts/fuzz.sh ci-in DIR TARGET... the same runs with the targets a build folder of the sanitizer job
#                                       already holds (scripts/sanitize.sh: DIR/bin/fuzz_TARGET)
#   scripts/fuzz.sh probe               exit 0 when clang++ with the libFuzzer runtime is installed
#   scripts/fuzz.sh run TARGET [SECONDS] [libFuzzer options...]
#                                       fuzz one target longer (default 600 s), new inputs kept in
#                                       build-fuzz/corpus/TARGET, crashes in build-fuzz/crashes/
# TARGET is one of gpu_spec, records, sweep_spec, cli, kernel_params, trace, numerics, report (or all,
# for run).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(gpu_spec records sweep_spec cli kernel_params trace numerics report)
mode=${1:-ci}
jobs=$(nproc 2>/dev/null || echo 2)

# clang++ with the libFuzzer runtime (Debian: clang and libclang-rt-14-dev).
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
  > "$probe_dir/probe.cpp"
if ! command -v clang++ >/dev/null ||
   ! clang++ -fsanitize=fuzzer,address,undefined "$probe_dir/probe.cpp" -o "$probe_dir/probe" 2>/dev/null; then
  [ "$mode" = probe ] && exit 1
  echo "hwsim fuzz: SKIPPED: clang++ with the libFuzzer runtime is not installed (Debian: apt-get install clang libclang-rt-14-dev)"
  exit 0
fi
[ "$mode" = probe ] && exit 0

export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
corpus=tests/fuzz/corpus

# Each target in $bin: the committed corpus, then 2000 mutations of it, -seed=1; new inputs go to a
# scratch folder, not the corpus.
mutate_ci() {
  local bin=$1 t
  shift
  for t in "$@"; do
    mkdir -p "$probe_dir/$t"
    if ! "$bin/fuzz_$t" -runs=2000 -seed=1 -timeout=10 -rss_limit_mb=4096 -dict=tests/fuzz/$t.dict \
         -artifact_prefix="$probe_dir/" "$probe_dir/$t" $corpus/$t > "$probe_dir/$t.log" 2>&1; then
      cat "$probe_dir/$t.log"
      echo "hwsim fuzz: $t FAILED (the input is above; add it to tests/fuzz/corpus/$t once fixed)"
      exit 1
    fi
    echo "hwsim fuzz: $t passed ($(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$probe_dir/$t.log"))"
  done
}
if [ "$mode" = ci-in ]; then
  dir=${2:?usage: scripts/fuzz.sh ci-in DIR TARGET...}
  shift 2
  mutate_ci "$dir/bin" "$@"
  exit 0
fi

# The targets to build: all of them for ci, the ones fuzzed for run (each links only its parser's library).
list=("${targets[@]}")
if [ "$mode" = run ] && [ -n "${2:-}" ] && [ "$2" != all ]; then list=("$2"); fi
# One configuration for both modes, so that switching between them rebuilds nothing.
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
  -DHWSIM_FUZZ=ON -DHWSIM_BUILD_TESTS=OFF -DHWSIM_BUILD_CUDA=OFF > /dev/null
cmake --build build-fuzz -j "$jobs" --target "${list[@]/#/fuzz_}"

case "$mode" in
  ci)
    mutate_ci build-fuzz/bin "${targets[@]}"
    ;;
  run)
    which=${2:?usage: scripts/fuzz.sh run TARGET|all [SECONDS] [libFuzzer options...]}
    seconds=${3:-600}
    shift $(( $# < 3 ? $# : 3 ))
    mkdir -p build-fuzz/crashes
    for t in "${list[@]}"; do
      mkdir -p build-fuzz/corpus/$t
      build-fuzz/bin/fuzz_$t -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -dict=tests/fuzz/$t.dict \
        -artifact_prefix=build-fuzz/crashes/$t- -print_final_stats=1 "$@" build-fuzz/corpus/$t $corpus/$t
    done
    ;;
  *)
    echo "usage: scripts/fuzz.sh ci | ci-in DIR TARGET... | probe | run TARGET|all [SECONDS] [libFuzzer options...]" >&2
    exit 2
    ;;
esac
