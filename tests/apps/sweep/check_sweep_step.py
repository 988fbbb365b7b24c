#!/usr/bin/env python3
"""A sweep of the DeepSeek-V3 training step end to end (examples/sweep-step-network.yaml
with the roofline kernel model, so that it takes seconds): the all-to-all as a proposal
axis (the baseline and comm_offload) against the NIC's bandwidth. Each point's outputs
must equal `hwsim step` run directly with the same GPU keys and --comm, a slower NIC
must give a slower step, and the sweep's report must chart it.
Usage: check_sweep_step.py HWSIM EXAMPLE WORKDIR"""
import csv
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweep_common import run  # noqa: E402


def direct(hwsim, work, row):
    """hwsim step's JSON for one point of the table."""
    out = os.path.join(work, f"direct_{row['index']}.json")
    comm = "deepep_sm" if row["proposal"] == "none" else row["proposal"]
    rc, text = run(hwsim, "step", "--model", "roofline", "--set", f"nic.effective_GBps={row['nic.effective_GBps']}",
                   "--comm", comm, "--json", out)
    assert rc == 0, text
    with open(out) as f:
        return json.load(f)


def main():
    hwsim, example, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rc, out = run(hwsim, "sweep", "run", example, "--out", os.path.join(work, "out"), "--jobs", "2")
    assert rc == 0, out
    with open(os.path.join(work, "out", "results.csv")) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 6, rows
    assert list(rows[0].keys())[:5] == ["index", "hash", "status", "proposal", "nic.effective_GBps"], rows[0]
    for r in rows:
        assert r["status"] == "ok", r
        d = direct(hwsim, work, r)
        assert float(r["step_s"]) == d["step_s"], (r, d["step_s"])
        assert float(r["dispatch_us"]) == d["dispatch"]["time_us"], r
        assert float(r["mfu"]) == d["mfu"], r
    for proposal in ("none", "comm_offload"):
        times = [float(r["step_s"]) for r in rows if r["proposal"] == proposal]
        assert times[0] > times[1] > times[2], (proposal, times)  # 20, 40, 80 GB/s: faster NIC, shorter step
    with open(os.path.join(work, "out", "sweep.json")) as f:
        assert json.load(f)["workload"] == "deepseek-v3-step"
    report = os.path.join(work, "report")
    rc, out = run(hwsim, "report", os.path.join(work, "out"), "--out", report, "--sweep-output", "step_s",
                  "--heatmap", "proposal,nic.effective_GBps")
    assert rc == 0, out
    with open(os.path.join(report, "summary.md")) as f:
        md = f.read()
    assert "hwsim sweep: deepseek-v3-step on h800-sxm" in md, md[:1000]
    assert "What moves step_s most" in md, md[:2000]
    print("step sweep: 6 points equal hwsim step's, the step shortens with the NIC's bandwidth")


if __name__ == "__main__":
    main()
