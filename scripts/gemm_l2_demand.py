#!/usr/bin/env python3
"""The L2 read rate each measured cuBLASLt GEMM implies, beside the model's error on it.

For every scored H100 GEMM record whose configuration cuBLASLt recorded (tile and
cluster ids, decoded with validate/data/cublaslt_enums.txt), the bytes its CTAs must
read from L2 are the operand tiles' K-slices, each shared by the CTAs of a cluster
that multicast it (A by the CTAs along N, B by those along M):
    L2 bytes per FLOP = (tile_m / cluster_n + tile_n / cluster_m) * elem / (2 tile_m tile_n)
times the record's measured FLOP rate gives the L2 read rate the GPU sustained.
Prints each record and the model's median error in bins of that rate.

usage: gemm_l2_demand.py VALIDATION_JSON [--data validate/data]
(VALIDATION_JSON: `hwsim validate --gpu h100-sxm --out FILE`)
"""
import argparse
import json
import re
import statistics
from pathlib import Path

BINS = [(0, 4.5), (4.5, 6.0), (6.0, 7.0), (7.0, 99)]


def enum_tables(path):
    tiles, clusters = {}, {}
    for line in path.read_text().splitlines():
        m = re.match(r"\s*CUBLASLT_MATMUL_TILE_(\d+)x(\d+) = (\d+)", line)
        if m:
            tiles[m.group(3)] = (int(m.group(1)), int(m.group(2)))
        m = re.match(r"\s*CUBLASLT_CLUSTER_SHAPE_(\d+)x(\d+)x(\d+) = (\d+)", line)
        if m:
            clusters[m.group(4)] = (int(m.group(1)), int(m.group(2)))
    return tiles, clusters


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("validation")
    ap.add_argument("--data", default="validate/data")
    a = ap.parse_args()
    data = Path(a.data)
    tiles, clusters = enum_tables(data / "cublaslt_enums.txt")
    records = {}
    for f in sorted((data / "h100-sxm").glob("*.jsonl")):
        for line in f.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                records[r["id"]] = r
    gpu = next(g for g in json.loads(Path(a.validation).read_text())["gpus"] if g["gpu"] == "h100-sxm")
    rows = []
    for p in gpu["points"]:
        r = records.get(p["id"], {})
        m = re.search(r"tile_id=(\d+) .*cluster_shape_id=(\d+)", r.get("implementation_detail", ""))
        if not m or "sms" in r["params"] or m.group(2) not in clusters:
            continue
        tile_n, tile_m = tiles[m.group(1)]  # cuBLAS's M is the GEMM's N (hwbench computes D^T = B A^T)
        cluster_n, cluster_m = clusters[m.group(2)]
        elem = 2 if r["params"]["a_dtype"] == "bf16" else 1
        per_flop = (tile_m / cluster_n + tile_n / cluster_m) * elem / (2 * tile_m * tile_n)
        prm = r["params"]
        flops = 2 * prm["m"] * prm["n"] * prm["k"]
        rate = per_flop * flops / (p["measured_us"] * 1e-6) / 1e12
        err = 100 * (p["predicted_us"] / p["measured_us"] - 1)
        rows.append((rate, err, p["id"], f"{tile_m}x{tile_n}", f"{cluster_m}x{cluster_n}"))
    rows.sort()
    for rate, err, rid, tile, cl in rows:
        print(f"{rate:5.2f} TB/s {err:+6.1f}%  {rid}  tile {tile} (M x N) cluster {cl}")
    print("\nL2 read rate (TB/s) | records | median error | median |error|")
    for lo, hi in BINS:
        errs = [e for r, e, *_ in rows if lo <= r < hi]
        if errs:
            print(f"{lo:.1f}-{hi if hi < 99 else 'max':>4} | {len(errs)} | {statistics.median(errs):+.1f}% | "
                  f"{statistics.median(abs(e) for e in errs):.1f}%")
    print(f"highest: {rows[-1][0]:.2f} TB/s ({rows[-1][2]})")


if __name__ == "__main__":
    main()
