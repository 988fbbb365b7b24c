#!/usr/bin/env bash
# check_interrupt.sh HWSIM DATA_DIR SCRATCH
# SIGTERM during `hwsim validate` must stop its simulator processes and
# remove its hwsim_batches_<pid> folder (docs/reliability.md).
set -u
hwsim=$1 data=$2 scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch"
TMPDIR=$scratch "$hwsim" validate --data "$data" --gpu h100-sxm --jobs 2 --no-cache >/dev/null 2>&1 &
pid=$!
# Wait (at most 60 s) for the batch folder and a simulator process.
for _ in $(seq 600); do
  children=$(pgrep -P "$pid" || true)
  [ -d "$scratch/hwsim_batches_$pid" ] && [ -n "$children" ] && break
  sleep 0.1
done
if [ -z "${children:-}" ]; then echo "no simulator process started"; kill "$pid"; exit 1; fi
kill -TERM "$pid"
wait "$pid"; rc=$?
fail=0
if [ "$rc" != 143 ]; then echo "exit code $rc, expected 143 (128 + SIGTERM)"; fail=1; fi
for c in $children; do
  if kill -0 "$c" 2>/dev/null; then echo "simulator process $c still runs"; kill "$c"; fail=1; fi
done
left=$(ls -A "$scratch")
if [ -n "$left" ]; then echo "left behind: $left"; fail=1; fi
rm -rf "$scratch"
exit $fail
