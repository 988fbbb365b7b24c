#!/usr/bin/env python3
"""The Slurm backend through a real single-node Slurm (slurm_single_node.sh:
munged, slurmctld and slurmd started here, state under WORKDIR): the table
equals the local backend's byte for byte; a re-run submits only the missing
points; --no-wait returns at once and `sweep collect` writes the table later.
Exits 77 (skipped) only where Slurm cannot be started: not root, or the
packages missing (scripts/setup.sh installs them).

usage: check_sweep_slurm.py HWSIM WORKDIR
"""
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sweep_common import SWEEP, run  # noqa: E402

HERE = Path(__file__).resolve().parent


def main():
    hwsim, work = sys.argv[1], Path(sys.argv[2]).resolve()
    if os.geteuid() != 0 or not all(shutil.which(t) for t in ("munged", "slurmctld", "slurmd", "sbatch")):
        print("sweep slurm: skipped (needs root and Debian's slurm-wlm and munge)")
        sys.exit(77)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    spec = work / "sweep.yaml"
    spec.write_text(SWEEP)
    cache = ["--cache", str(work / "cache")]
    rc, conf = run(str(HERE / "slurm_single_node.sh"), "start", str(work / "slurm"))
    assert rc == 0, conf
    env = dict(os.environ, SLURM_CONF=conf.strip().splitlines()[-1])
    try:
        rc, out = run(hwsim, "sweep", "run", str(spec), "--out", str(work / "local"), *cache)
        assert rc == 0, out
        local = (work / "local" / "results.csv").read_bytes()
        rc, out = run(hwsim, "sweep", "run", str(spec), "--out", str(work / "s"), "--backend", "slurm",
                      "--points-per-task", "2", "--concurrency", "2", *cache, env=env)
        assert rc == 0 and "6 points as 3 Slurm array tasks" in out, out
        assert (work / "s" / "results.csv").read_bytes() == local, "slurm and local tables differ"
        # Two points lost: only they are submitted again, as one task.
        for p in sorted((work / "s" / "points").iterdir())[:2]:
            (p / "status.json").unlink()
        rc, out = run(hwsim, "sweep", "run", str(spec), "--out", str(work / "s"), "--backend", "slurm",
                      "--points-per-task", "2", *cache, env=env)
        assert rc == 0 and "2 points as 1 Slurm array tasks" in out, out
        assert (work / "s" / "results.csv").read_bytes() == local
        # --no-wait: submit, return, collect once the job has run.
        rc, out = run(hwsim, "sweep", "run", str(spec), "--out", str(work / "n"), "--backend", "slurm", "--no-wait",
                      *cache, env=env)
        assert rc == 0 and "hwsim sweep collect" in out, out
        for _ in range(120):
            rc, out = run(hwsim, "sweep", "status", str(work / "n"))
            if "6 done" in out:
                break
            time.sleep(0.5)
        rc, out = run(hwsim, "sweep", "collect", str(work / "n"))
        assert rc == 0 and "6 done" in out, out
        assert (work / "n" / "results.csv").read_bytes() == local, "collected table differs"
    finally:
        run(str(HERE / "slurm_single_node.sh"), "stop", str(work / "slurm"))
    print("sweep slurm: ok")


if __name__ == "__main__":
    main()
