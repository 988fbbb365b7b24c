#!/usr/bin/env python3
"""Checks that hwsim's headline outputs equal the committed numbers.

Runs `hwsim bench`, the layer study of every compute proposal and the
DeepSeek-V3 training step on the H800 description, and compares each
simulated number with tests/apps/golden/expected.json. The simulator is
deterministic, so the numbers must agree to the last bits (relative 1e-12
allows for nothing but printing). A refactor must leave them unchanged; a
change that is meant to move them regenerates the file with --update and says
why in its commit.

With --validation FILE it compares the validation tables instead (per-GPU
overall and per-class errors, the what-if speed-ups) of a `hwsim validate`
output that the validation-gate test wrote.

usage: check_golden.py --hwsim BIN --work DIR [--update]
       check_golden.py --validation FILE [--update]
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

EXPECTED = Path(__file__).resolve().parent / "expected.json"
COMPUTE_PROPOSALS = ["fused_cast_tma", "group_scaled_mma", "accumulation_precision", "transposed_gemm",
                     "near_memory_compute", "combined"]
REL_TOL = 1e-12


def run(cmd):
    print("+ " + " ".join(cmd), flush=True)
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        sys.exit(f"check_golden: {cmd[1]} exited {done.returncode}:\n{done.stdout[-4000:]}")


def collect(hwsim, work):
    work.mkdir(parents=True, exist_ok=True)
    got = {}
    run([hwsim, "bench", "--gpu", "h800-sxm", "--kernels-only", "--json", str(work / "bench.json")])
    bench = json.loads((work / "bench.json").read_text())
    got["bench_h800_simulated_us"] = {c["kernel"]: c["simulated_us"] for c in bench["cases"]}
    run([hwsim, "study", *COMPUTE_PROPOSALS, "--gpu", "h800-sxm", "--no-sensitivity", "--out", str(work / "study")])
    study = json.loads((work / "study" / "study.json").read_text())
    layer = {"baseline_total_us": study["baseline"]["total_us"]}
    for p in study["proposals"]:
        layer[p["name"] + ".total_us"] = p["total_us"]
        layer[p["name"] + ".hbm_bytes_saved"] = p["hbm_bytes_saved"]
    got["layer_study_h800"] = layer
    run([hwsim, "step", "--gpu", "h800-sxm", "--json", str(work / "step.json")])
    step = json.loads((work / "step.json").read_text())
    got["step_h800"] = {"step_s": step["step_s"], "dispatch_us": step["dispatch"]["time_us"],
                        "combine_us": step["combine"]["time_us"]}
    return got


def validation_numbers(path):
    doc = json.loads(Path(path).read_text())
    rows = {}
    for g in doc["gpus"]:
        for stat in ("count", "median_abs_pct", "median_signed_pct", "mean_abs_pct", "max_abs_pct"):
            rows[f"{g['gpu']}.overall.{stat}"] = g["overall"][stat]
        for cls, c in sorted(g["classes"].items()):
            rows[f"{g['gpu']}.{cls}.median_abs_pct"] = c["median_abs_pct"]
    for c in doc["whatif"]["classes"]:
        rows[f"whatif.{c['class']}.predicted_speedup"] = c["predicted_speedup"]
    return {"validation_sim": rows}


def compare(expected, got):
    bad = []
    for section, rows in expected.items():
        if section not in got:
            continue  # the other mode's section
        for key, want in rows.items():
            have = got.get(section, {}).get(key)
            if have is None:
                bad.append(f"{section}.{key}: expected {want!r}, missing from the output")
            elif abs(have - want) > REL_TOL * max(abs(want), 1e-30):
                bad.append(f"{section}.{key}: expected {want!r}, got {have!r} ({(have - want) / want:+.3e} relative)")
        for key in got.get(section, {}):
            if key not in rows:
                bad.append(f"{section}.{key}: in the output but not in {EXPECTED.name} (run --update and say why)")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hwsim")
    ap.add_argument("--work")
    ap.add_argument("--validation", help="compare the tables of this hwsim validate output")
    ap.add_argument("--update", action="store_true", help="rewrite expected.json from this build")
    a = ap.parse_args()
    if a.validation:
        got = validation_numbers(a.validation)
    elif a.hwsim and a.work:
        got = collect(a.hwsim, Path(a.work))
    else:
        ap.error("give --hwsim and --work, or --validation")
    if a.update:
        merged = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
        merged.update(got)
        tmp = EXPECTED.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(merged, indent=1, sort_keys=True) + "\n")
        os.replace(tmp, EXPECTED)
        print(f"wrote {EXPECTED}")
        return 0
    expected = json.loads(EXPECTED.read_text())
    bad = compare(expected, got)
    bad += [f"{s}: section missing from {EXPECTED.name}" for s in got if s not in expected]
    for line in bad:
        print("golden mismatch: " + line)
    n = sum(len(v) for v in got.values())
    print(f"{n} numbers compared, {len(bad)} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
