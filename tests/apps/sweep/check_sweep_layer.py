#!/usr/bin/env python3
"""A layer sweep end to end: a proposal axis and a constraint, the outputs chosen
(the layer's phases were once read under the wrong key, so every layer point
failed). Each point's total must equal `hwsim run --workload deepseek-v3-layer`
with the same proposal, and the point the constraint excludes must not run.
Usage: check_sweep_layer.py HWSIM WORKDIR"""
import csv
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweep_common import run  # noqa: E402

SWEEP = """workload: {layer: deepseek-v3-layer, tokens: 128}
axes:
  proposal: {values: [none, fused_cast_tma, transposed_gemm]}
constraints:
  - "proposal != 'transposed_gemm'"
outputs: [total_us, backward_weight_us]
"""


def main():
    hwsim, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    spec = os.path.join(work, "layer.yaml")
    with open(spec, "w") as f:
        f.write(SWEEP)
    cache = ["--cache", os.path.join(work, "cache")]
    rc, out = run(hwsim, "sweep", "run", spec, "--out", os.path.join(work, "out"), "--jobs", "2")
    assert rc == 0, out
    with open(os.path.join(work, "out", "results.csv")) as f:
        rows = list(csv.DictReader(f))
    assert [r["proposal"] for r in rows] == ["none", "fused_cast_tma"], rows
    assert [r["index"] for r in rows] == ["0", "1"], rows
    assert list(rows[0].keys()) == ["index", "hash", "status", "proposal", "total_us", "backward_weight_us"], rows[0]
    for r in rows:
        assert r["status"] == "ok", r
        argv = [hwsim, "run", "--workload", "deepseek-v3-layer", "--tokens", "128", "--json", *cache]
        if r["proposal"] != "none":
            argv += ["--proposal", r["proposal"]]
        rc, out = run(*argv)
        assert rc == 0, out
        direct = json.loads(out)
        assert float(r["total_us"]) == direct["total_us"], (r, direct["total_us"])
        assert float(r["backward_weight_us"]) == direct["phases_us"]["backward_weight"], r
    assert rows[0]["total_us"] != rows[1]["total_us"], "the proposal changed nothing"
    # collect rebuilds the tables from the folder alone (sweep.json keeps the labels and the outputs).
    table = os.path.join(work, "out", "results.csv")
    with open(table, "rb") as f:
        before = f.read()
    os.unlink(table)
    rc, out = run(hwsim, "sweep", "collect", os.path.join(work, "out"))
    assert rc == 0, out
    with open(table, "rb") as f:
        assert f.read() == before, "collect wrote another table"
    # The sweep's report: a Pareto front, a tornado chart and the table, every number in a CSV.
    report = os.path.join(work, "report")
    rc, out = run(hwsim, "report", os.path.join(work, "out"), "--out", report, "--pareto", "backward_weight_us,total_us")
    assert rc == 0, out
    with open(os.path.join(report, "summary.md")) as f:
        md = f.read()
    assert "Pareto front: total_us against backward_weight_us" in md, md[:2000]
    assert "What moves total_us most" in md, md[:2000]
    with open(os.path.join(report, "csv", "sweep-tornado.csv")) as f:
        tornado = list(csv.DictReader(f))
    assert [r["axis"] for r in tornado] == ["proposal"], tornado
    lo, hi = sorted(rows, key=lambda r: float(r["total_us"]))[0], sorted(rows, key=lambda r: float(r["total_us"]))[-1]
    assert tornado[0]["low"] == lo["proposal"] and tornado[0]["high"] == hi["proposal"], (tornado, rows)
    assert "total_us ranges from" in md
    print("layer sweep: 2 points ok, the excluded point not run, totals equal hwsim run's")


if __name__ == "__main__":
    main()
