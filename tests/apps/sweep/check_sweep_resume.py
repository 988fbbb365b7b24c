#!/usr/bin/env python3
"""A sweep interrupted and re-run ends with the same table, byte for byte, as
one run straight through; the re-run simulates only the missing points; a
killed run leaves its finished points usable; `sweep status` counts them.

usage: check_sweep_resume.py HWSIM WORKDIR
"""
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sweep_common import SWEEP, run  # noqa: E402


def main():
    hwsim, work = sys.argv[1], Path(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    spec = work / "sweep.yaml"
    spec.write_text(SWEEP)
    cache = ["--cache", str(work / "cache")]
    rc, out = run(hwsim, "sweep", "run", str(spec), "--out", str(work / "a"), *cache)
    assert rc == 0 and "6 points: 6 done, 0 failed, 0 pending" in out, out
    whole = (work / "a" / "results.csv").read_bytes()
    assert whole.count(b"\n") == 7 and b",ok," in whole, whole
    # Interrupt: forget two points' outcomes, as a crash mid-run would leave them.
    points = sorted((work / "a" / "points").iterdir())
    for p in points[:2]:
        (p / "status.json").unlink()
        (p / "result.json").unlink()
    rc, out = run(hwsim, "sweep", "status", str(work / "a"))
    assert rc == 0 and "6 points: 4 done, 0 failed, 2 pending" in out, out
    rc, out = run(hwsim, "sweep", "run", str(spec), "--out", str(work / "a"), *cache)
    assert rc == 0 and "2/2 run" in out, out
    assert (work / "a" / "results.csv").read_bytes() == whole, "the resumed table differs"
    # A re-run with nothing missing simulates nothing.
    rc, out = run(hwsim, "sweep", "run", str(spec), "--out", str(work / "a"), *cache)
    assert rc == 0 and " run," not in out and "6 done" in out, out
    # Killed half-way (SIGKILL: no cleanup at all), then resumed in a fresh folder.
    proc = subprocess.Popen([hwsim, "sweep", "run", str(spec), "--out", str(work / "b"), "--jobs", "1", "--no-cache"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rc, out = run(hwsim, "sweep", "run", str(spec), "--out", str(work / "b"), *cache)
    assert rc == 0, out
    assert (work / "b" / "results.csv").read_bytes() == whole, "the table after a kill differs"
    # Another sweep's folder is refused, and nothing in it changes.
    other = work / "other.yaml"
    other.write_text(SWEEP.replace("4800", "4000"))
    before = (work / "a" / "sweep.json").read_bytes()
    rc, out = run(hwsim, "sweep", "run", str(other), "--out", str(work / "a"), *cache)
    assert rc != 0 and "holds another sweep's points" in out, out
    assert (work / "a" / "sweep.json").read_bytes() == before
    print("sweep resume: ok")


if __name__ == "__main__":
    main()
