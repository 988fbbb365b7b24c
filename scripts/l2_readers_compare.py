#!/usr/bin/env python3
"""The L2 ring microbenchmarks (hwbench's ubench_l2_sharing, ring and reader
patterns) beside the model's side of them (the tma_read kernel).

For every ring record of the given JSON Lines files, runs
`hwsim run --kernel tma_read` with the record's pattern, issuers, boxes in
flight and boxes per CTA, and prints the L2 read rate measured and modelled.
These records are calibration records: the table is how a mechanism's
constants are read off them, and how the patterns a constant was not read
from check it.

usage: l2_readers_compare.py [--hwsim BIN] [--gpu NAME] [--set KEY=VALUE ...]
                             [--jobs N] [--only SUBSTRING] FILE.jsonl ...
"""
import argparse
import concurrent.futures
import json
import subprocess
import sys

PARAMS = {"group": "readers", "lag": "lag_boxes", "grid": "grid_rows"}


def ring_records(paths, only):
    for path in paths:
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                p = r.get("params", {})
                if p.get("op") not in ("l2_sharing_ring", "l2_readers") or "measured" not in r:
                    continue
                if only and only not in r["id"]:
                    continue
                yield r


def tma_read_params(r):
    p = r["params"]
    issuers = p.get("issuers", 1)
    out = {
        "pattern": p["pattern"],
        "ctas": p["ctas"],
        "issuers": issuers,
        "boxes_in_flight": p["boxes_in_flight"] // issuers,
        "boxes": p.get("boxes_per_cta", 8000),
        "panels": p["tensor_bytes"] // (128 * 1024),
    }
    if p["pattern"] in PARAMS:
        out[PARAMS[p["pattern"]]] = p[PARAMS[p["pattern"]]]
    return out


def simulate(args, r):
    cmd = [args.hwsim, "run", "--gpu", args.gpu, "--no-cache", "--json", "--kernel", "tma_read"]
    for s in args.set:
        cmd += ["--set", s]
    for k, v in tma_read_params(r).items():
        cmd += ["--param", f"{k}={v}"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--hwsim", default="build/bin/hwsim")
    ap.add_argument("--gpu", default="h100-sxm")
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    records = list(ring_records(args.files, args.only))
    if not records:
        sys.exit("l2_readers_compare: no ring records in " + ", ".join(args.files))
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda r: simulate(args, r), records))
    print(f"| record | measured TB/s | model TB/s | model / measured |")
    print("|---|---:|---:|---:|")
    for r, m in zip(records, results):
        bytes_read = r["derived"]["l2_read_bytes"]
        measured = bytes_read / (r["measured"]["time_us_median"] * 1e6)
        model = bytes_read / (m["time_us"] * 1e6)
        name = r["id"].split("ubench_l2_sharing/")[-1]
        print(f"| {name} | {measured:.2f} | {model:.2f} | {model / measured:.3f} |")


if __name__ == "__main__":
    main()
