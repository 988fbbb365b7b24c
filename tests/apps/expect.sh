#!/usr/bin/env bash
# expect.sh RC PATTERN [PATTERN...] -- COMMAND...
# Runs COMMAND; passes when it exits with RC and its combined output matches
# every extended-regex PATTERN (a pattern starting with '!' must NOT match).
set -u
rc_want=$1; shift
patterns=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do patterns+=("$1"); shift; done
shift
out=$("$@" 2>&1); rc=$?
fail=0
if [ "$rc" != "$rc_want" ]; then echo "exit code $rc, expected $rc_want"; fail=1; fi
for p in "${patterns[@]}"; do
  if [ "${p:0:1}" = "!" ]; then
    if printf '%s\n' "$out" | grep -Eq -- "${p:1}"; then echo "output matches forbidden /${p:1}/"; fail=1; fi
  else
    if ! printf '%s\n' "$out" | grep -Eq -- "$p"; then echo "output lacks /$p/"; fail=1; fi
  fi
done
if [ "$fail" != 0 ]; then printf -- '--- output ---\n%s\n' "$out"; exit 1; fi
exit 0
