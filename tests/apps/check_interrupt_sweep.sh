#!/usr/bin/env bash
# check_interrupt_sweep.sh HWSIM SCRATCH
# SIGTERM during `hwsim sweep run` (its points' `hwsim run` processes writing
# the result cache) must stop every point's process and leave no temporary
# file: no `*.tmp.<pid>` output, no `.<entry>.<pid>.<n>.tmp` cache entry and
# nothing in TMPDIR (docs/reliability.md).
set -u
hwsim=$1 scratch=$2
rm -rf "$scratch" && mkdir -p "$scratch/tmp"
cat > "$scratch/sweep.yaml" <<'YAML'
workload:
  kernel: gemm
  params: {m: 8192, n: 8192, k: 8192, a_dtype: bf16, b_dtype: bf16, out_dtype: bf16}
axes:
  hbm.bandwidth_GBps: {from: 3000, to: 5000, steps: 8}
YAML
TMPDIR=$scratch/tmp "$hwsim" sweep run "$scratch/sweep.yaml" --out "$scratch/out" --jobs 2 \
  --cache "$scratch/cache" >/dev/null 2>&1 &
pid=$!
# Wait (at most 60 s) for two points' processes, then let them simulate a moment.
for _ in $(seq 600); do
  children=$(pgrep -P "$pid" || true)
  [ "$(echo "$children" | wc -w)" -ge 2 ] && break
  sleep 0.1
done
if [ -z "${children:-}" ]; then echo "no point's process started"; kill "$pid"; exit 1; fi
sleep 1
kill -TERM "$pid"
wait "$pid"; rc=$?
fail=0
if [ "$rc" != 143 ]; then echo "exit code $rc, expected 143 (128 + SIGTERM)"; fail=1; fi
for c in $children; do
  if kill -0 "$c" 2>/dev/null; then echo "point process $c still runs"; kill "$c"; fail=1; fi
done
debris=$(find "$scratch" -name '*.tmp*')
if [ -n "$debris" ]; then echo "temporary files left behind: $debris"; fail=1; fi
left=$(ls -A "$scratch/tmp")
if [ -n "$left" ]; then echo "left behind in TMPDIR: $left"; fail=1; fi
rm -rf "$scratch"
exit $fail
