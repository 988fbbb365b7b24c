#!/usr/bin/env python3
"""Issue 20's reproductions, each run against the hwsim binary (docs/reliability.md).

usage: check_issue20_reproductions.py HWSIM DATA_DIR SCRATCH [--assets NODE_MODULES] [--time-limit S] [-v]

Every bad input must exit non-zero with exactly one line on stderr, `hwsim: error: ...`, that names the
option, key or file (and line) and the expected range (each case's pattern), with no raw library text, within
--time-limit seconds (default 1), and leave nothing behind: no `*.tmp*` file or folder, no `hwsim_batches_*`
or `hwsim-jobs-*` folder in the scratch folder, nothing in TMPDIR. Interrupted runs (SIGINT, SIGTERM) must
exit with 128 + the signal within a second of it, stop every process they started and leave nothing behind.
Outputs through a symlink go to its target; a FIFO, a folder or a device as the output is refused.
Exits 0 when every case passes; otherwise prints each failure and exits 1.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

RAW_LIBRARY_TEXT = ("[json.exception", "yaml-cpp", "terminate called", "internal error", "what():", "bad_alloc",
                    "Segmentation", "Floating point exception", "Aborted", "core dumped")
DEBRIS = re.compile(r"(\.tmp\b|\.tmp\.|^hwsim_batches_|^hwsim-jobs-)")

MEMCPY_RECORD = {"id": "x/memcpy/ok", "gpu": "h100-sxm", "kernel": "memcpy", "params": {"bytes": 1048576},
                 "measured": {"time_us_median": 10}, "role": "validation"}


def record(**changes):
    r = json.loads(json.dumps(MEMCPY_RECORD))
    for key, value in changes.items():
        if value is None:
            r.pop(key, None)
        else:
            r[key] = value
    return json.dumps(r)


GEMM_2_40 = json.dumps({"id": "x/gemm/huge", "gpu": "h100-sxm", "kernel": "gemm",
                        "params": {"m": 2**40, "n": 256, "k": 256, "a_dtype": "bf16", "b_dtype": "bf16",
                                   "out_dtype": "bf16"},
                        "measured": {"time_us_median": 10}, "role": "validation"})

SWEEP = "workload:\n  kernel: memcpy\n  params: {bytes: 1048576}\naxes:\n  hbm.bandwidth_GBps: {values: [3000, 4000]}\n"
GPU_YAML_HEAD = "name: c\ninherits: h100-sxm\nparams:\n"


class Checker:
    def __init__(self, args):
        self.hwsim = os.path.abspath(args.hwsim)
        self.data = os.path.abspath(args.data)
        self.base = os.path.abspath(args.scratch)
        self.local = threading.local()  # the bad inputs run on two threads, each in a scratch folder of its own
        self.lock = threading.Lock()
        self.assets = os.path.abspath(args.assets) if args.assets else None
        self.limit = args.time_limit
        self.verbose = args.verbose
        self.failures = []
        self.count = 0

    # --- scratch folder ---------------------------------------------------------------------------------
    @property
    def scratch(self):
        return getattr(self.local, "scratch", self.base)

    def reset(self):
        shutil.rmtree(self.scratch, ignore_errors=True)
        os.makedirs(os.path.join(self.scratch, "tmp"))
        os.makedirs(os.path.join(self.scratch, "cache"))

    def path(self, name):
        return os.path.join(self.scratch, name)

    def write(self, name, text):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def env(self):
        e = dict(os.environ)
        e["TMPDIR"] = self.path("tmp")
        e["HWSIM_CACHE_DIR"] = self.path("cache")
        return e

    def debris(self):
        found = []
        for root, dirs, files in os.walk(self.scratch):
            for name in dirs + files:
                if DEBRIS.search(name):
                    found.append(os.path.relpath(os.path.join(root, name), self.scratch))
        tmp = self.path("tmp")
        found += [f"TMPDIR/{n}" for n in os.listdir(tmp)] if os.path.isdir(tmp) else ["TMPDIR removed"]
        return found

    def files(self):
        """Every path under the scratch folder but TMPDIR and the result cache."""
        found = set()
        for root, dirs, files in os.walk(self.scratch):
            dirs[:] = [d for d in dirs if os.path.join(root, d) not in (self.path("tmp"), self.path("cache"))]
            found.update(os.path.relpath(os.path.join(root, n), self.scratch) for n in dirs + files)
        return found

    def fail(self, name, why):
        with self.lock:
            self.failures.append(f"{name}: {why}")
            print(f"FAIL {name}: {why}", flush=True)

    # --- one bad input ----------------------------------------------------------------------------------
    def bad(self, name, args, pattern, setup=None, limit=None, writes=()):
        """Runs hwsim ARGS in a fresh scratch folder; expects a one-line error matching PATTERN and no output
        written (but the paths in WRITES: predict's records, each with its error)."""
        with self.lock:
            self.count += 1
        self.reset()
        if setup:
            setup()
        before = self.files()
        p, took = self.launch(name, args, "killed")
        if p is None:
            return
        lines = p.stderr.splitlines()
        why = []
        if p.returncode == 0:
            why.append("exit status 0")
        elif p.returncode < 0 or p.returncode > 128:
            why.append(f"died by a signal (status {p.returncode})")
        if len(lines) != 1:
            why.append(f"{len(lines)} lines on stderr, expected 1")
        if not lines or not lines[-1].startswith("hwsim: error: "):
            why.append("no 'hwsim: error:' line")
        if any(t in p.stderr for t in RAW_LIBRARY_TEXT):
            why.append("raw library or crash text")
        pat = pattern.replace("{s}", re.escape(self.scratch))
        if not re.search(pat, p.stderr):
            why.append(f"message does not match /{pat}/")
        if took > (limit or self.limit):
            why.append(f"took {took:.2f} s, more than {limit or self.limit} s")
        left = self.debris()
        if left:
            why.append(f"left behind {left}")
        written = sorted(self.files() - before - set(writes))
        if written:
            why.append(f"wrote {written} although it failed")
        if why:
            self.fail(name, "; ".join(why) + f"\n    stderr: {p.stderr.strip()[:600]!r}")
        elif self.verbose:
            print(f"ok   {name} ({took:.2f} s, rc {p.returncode}): {lines[0]}")

    # --- an interrupted run -----------------------------------------------------------------------------
    def descendants(self, pid):
        children = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
        found, todo = [], [pid]
        while todo:
            for c in children.get(todo.pop(), []):
                found.append(c)
                todo.append(c)
        return found

    @staticmethod
    def alive(pid):
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    def interrupt(self, name, args, sig, wait_for, settle=0.3, expect_rc=None, setup=None, check=None):
        """Starts hwsim ARGS, waits until WAIT_FOR(pid) holds (a child started, a folder exists), lets it
        run SETTLE s, sends SIG; expects exit 128 + SIG (or EXPECT_RC) within a second of it, every process
        it started gone and nothing left behind."""
        self.count += 1
        self.reset()
        if setup:
            setup()
        args = [a.replace("{s}", self.scratch) for a in args]
        p = subprocess.Popen([self.hwsim] + args, cwd=self.scratch, env=self.env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
        seen = set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and p.poll() is None:
            seen.update(self.descendants(p.pid))
            if wait_for(p.pid):
                break
            time.sleep(0.02)
        if p.poll() is not None:
            self.fail(name, f"finished (status {p.returncode}) before it could be interrupted")
            return
        end_settle = time.monotonic() + settle
        while time.monotonic() < end_settle and p.poll() is None:
            seen.update(self.descendants(p.pid))
            time.sleep(0.02)
        seen.update(self.descendants(p.pid))
        sent = time.monotonic()
        p.send_signal(sig)
        try:
            _, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
            self.fail(name, f"still running 10 s after {sig.name} (killed)")
        took = time.monotonic() - sent
        # Processes it started must be gone within the same second.
        orphan_deadline = sent + max(self.limit, 1.0)
        orphans = [c for c in seen if self.alive(c)]
        while orphans and time.monotonic() < orphan_deadline:
            time.sleep(0.02)
            orphans = [c for c in orphans if self.alive(c)]
        why = []
        want = expect_rc if expect_rc is not None else 128 + sig
        if p.returncode not in (want, -sig) or p.returncode == -sig:
            why.append(f"exit status {p.returncode}, expected {want}")
        if took > max(self.limit, 1.0):
            why.append(f"exited {took:.2f} s after {sig.name}")
        if orphans:
            why.append(f"processes still running after {sig.name}: {orphans}")
            for c in orphans:
                try:
                    os.kill(c, signal.SIGKILL)
                except OSError:
                    pass
        if any(t in err for t in RAW_LIBRARY_TEXT):
            why.append(f"raw library or crash text on stderr: {err.strip()[:300]!r}")
        left = self.debris()
        if left:
            why.append(f"left behind {left}")
        if check:
            problem = check()
            if problem:
                why.append(problem)
        if why:
            self.fail(name, "; ".join(why))
        elif self.verbose:
            print(f"ok   {name} (exit {p.returncode} {took:.2f} s after {sig.name}, "
                  f"{len(seen)} processes it started, all gone)")

    def has_child(self, pid):
        return bool(self.descendants(pid))

    def has_batches(self, pid):
        return bool(self.descendants(pid)) and any(n.startswith("hwsim_batches_") for n in os.listdir(self.path("tmp")))

    def launch(self, name, args, on_timeout):
        """Runs hwsim with ARGS ({s}: the scratch folder) in the scratch folder; (result, seconds), or
        (None, None) after a failure is recorded for a run still going after 30 s."""
        args = [a.replace("{s}", self.scratch) for a in args]
        start = time.monotonic()
        try:
            p = subprocess.run([self.hwsim] + args, cwd=self.scratch, env=self.env(), stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, errors="replace", timeout=30)
        except subprocess.TimeoutExpired:
            self.fail(name, f"still running after 30 s ({on_timeout})")
            return None, None
        return p, time.monotonic() - start

    # --- an output that is not a plain file ------------------------------------------------------------
    def output(self, name, args, setup, check):
        self.count += 1
        self.reset()
        setup()
        p, took = self.launch(name, args, "a FIFO opened for writing blocks?")
        if p is None:
            return
        why = []
        problem = check(p)
        if problem:
            why.append(problem)
        if took > self.limit:
            why.append(f"took {took:.2f} s")
        left = self.debris()
        if left:
            why.append(f"left behind {left}")
        if why:
            self.fail(name, "; ".join(why) + f"\n    stderr: {p.stderr.strip()[:400]!r}")
        elif self.verbose:
            print(f"ok   {name} ({took:.2f} s, rc {p.returncode})")


def parallel(c, jobs):
    """Runs JOBS two at a time (the test runs alone, on two cores or more), each thread in a scratch folder of
    its own."""
    def worker(i):
        c.local.scratch = os.path.join(c.base, f"w{i}")
        for job in jobs[i::2]:
            job()
        shutil.rmtree(c.scratch, ignore_errors=True)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("hwsim")
    ap.add_argument("data")
    ap.add_argument("scratch")
    ap.add_argument("--assets", help="node_modules folder for hwsim report (the report interrupt is skipped without)")
    ap.add_argument("--time-limit", type=float, default=1.0)
    ap.add_argument("--only", help="run only the cases whose name contains this text")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    c = Checker(args)
    only = args.only
    H = ["--gpu", "h100-sxm"]
    MEMCPY = ["run", "--kernel", "memcpy", "--bytes", "1048576"] + H
    GEMM = ["run", "--kernel", "gemm", "--m", "256", "--n", "256", "--k", "256", "--a-dtype", "bf16", "--b-dtype",
            "bf16", "--out-dtype", "bf16"] + H
    RANGE_BW = r"must be (a finite number )?in \[0\.001, 1000000\]$"

    def records(text, name="r.jsonl"):
        return lambda: c.write(name, text)

    def gpu_yaml(body, name="c.yaml"):
        return lambda: c.write(name, GPU_YAML_HEAD + body)

    cases = []

    def case(*a, **k):
        cases.append((a, k))

    # 1. validate/predict gates and --set.
    case("validate --set l2.slices=2^32", ["validate", "--data", c.data, "--set", "l2.slices=4294967296",
                                             "--max-median-error", "1"],
         r"^hwsim: error: --set l2\.slices: l2\.slices = 4294967296 must be in 1\.\.4096$")
    case("validate misspelled --set", ["validate", "--data", c.data, "--set", "l2.slicez=4"],
         r"^hwsim: error: --set l2\.slicez: unknown key 'l2\.slicez'; did you mean 'l2\.slices'\?$")
    case("predict misspelled --set", ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/p.jsonl", "--set",
                                      "hbm.bandwith_GBps=4800"],
         r"--set hbm\.bandwith_GBps: unknown key 'hbm\.bandwith_GBps'; did you mean 'hbm\.bandwidth_GBps'\?$",
         setup=records(record() + "\n"))
    case("predict --set l2.slices=2^32", ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/p.jsonl", "--set",
                                          "l2.slices=4294967296"],
         r"--set l2\.slices: l2\.slices = 4294967296 must be in 1\.\.4096$", setup=records(record() + "\n"))
    # Gates over nothing: a bound that is NaN passed every comparison; a GPU without records gated nothing; all
    # were found only after the whole run.
    GATE_PCT = r"expected PCT or GPU=PCT with PCT a finite number >= 0$"
    for g in ["nan", "-1", "1e400", "inf"]:
        case(f"validate --max-median-error {g}", ["validate", "--data", c.data, "--max-median-error", g],
             rf"^hwsim: error: --max-median-error {re.escape(g)}: " + GATE_PCT)
    case("validate --max-class-error h100-sxm=nan", ["validate", "--data", c.data, "--max-class-error", "h100-sxm=nan"],
         r"--max-class-error h100-sxm=nan: " + GATE_PCT)
    case("validate gate of a GPU without records", ["validate", "--data", c.data, "--max-median-error", "h100=15"],
         r"--max-median-error h100=15: GPU 'h100' has no records to score \(GPUs scored: h100-sxm, h200-sxm\)$")
    case("validate --max-speedup-error without --whatif", ["validate", "--data", c.data, "--max-speedup-error", "15"],
         r"--max-speedup-error 15: a bound on the what-if speed-ups needs --whatif BASE:TARGET$")
    case("validate --whatif of a GPU without records", ["validate", "--data", c.data, "--whatif", "h100-sxm:h300-sxm"],
         r"--whatif h100-sxm:h300-sxm: GPU 'h300-sxm' has no records to score")
    case("predict --max-seconds-per-record nan", ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/p.jsonl",
                                                   "--max-seconds-per-record", "nan"],
         r"--max-seconds-per-record nan: expected a number of seconds in \(0, 86400\]$", setup=records(record() + "\n"))
    case("predict --max-seconds-per-record 1e400", ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/p.jsonl",
                                                     "--max-seconds-per-record", "1e400"],
         r"--max-seconds-per-record 1e400: expected a number of seconds in \(0, 86400\]$", setup=records(record() + "\n"))
    # NaN fractions outside the GPU description: numerics quantize's synthetic outliers.
    for v in ["nan", "-1", "2", "1e400"]:
        case(f"numerics quantize --outlier-fraction {v}", ["numerics", "quantize", "--outlier-fraction", v],
             rf"^hwsim: error: --outlier-fraction {v}: expected a fraction in \[0, 1\]$")
    for v in ["nan", "inf", "0", "-5", "1e300"]:
        case(f"numerics quantize --outlier-scale {v}", ["numerics", "quantize", "--outlier-scale", v],
             rf"^hwsim: error: --outlier-scale {v}: expected a factor in \(0, 1000000\]$")
    # 2. out-of-range numbers: every spelling of infinity and NaN, huge and tiny rates.
    for v in ["inf", "-inf", "Infinity", ".inf", "1e308", "1e-300", "1e-12", "nan", ".nan", "1e400"]:
        case(f"hbm.bandwidth_GBps={v}", MEMCPY + ["--set", f"hbm.bandwidth_GBps={v}"],
             r"^hwsim: error: --set hbm\.bandwidth_GBps: hbm\.bandwidth_GBps = \S+ " + RANGE_BW)
    case("hbm.bandwidth=inf TB/s", MEMCPY + ["--set", "hbm.bandwidth=inf TB/s"],
         r"^hwsim: error: --set hbm\.bandwidth: hbm\.bandwidth_GBps = inf " + RANGE_BW)
    case("sm.count=inf", MEMCPY + ["--set", "sm.count=inf"], r"sm\.count.* 1\.\.4096$")
    case("bandwidth inf in a file", ["gpus", "show", "{s}/c.yaml"],
         r"c\.yaml:4: hbm\.bandwidth_GBps = inf " + RANGE_BW,
         setup=gpu_yaml("  hbm.bandwidth_GBps: {value: .inf, source: x}\n"))
    case("launch.overhead_us=1e15", MEMCPY + ["--set", "launch.overhead_us=1e15"],
         r"launch\.overhead_us = 1000000000000000 must be in \[0, 1000000\]$")
    case("sm.registers=2^32 (gpus show)", ["gpus", "show", "h100-sxm", "--set", "sm.registers=4294967296"],
         r"sm\.registers = 4294967296 must be in 1\.\.16777216$")
    case("sm.registers=2^32 in a file", ["run", "--gpu", "{s}/c.yaml", "--kernel", "memcpy", "--bytes", "1048576"],
         r"c\.yaml:4: sm\.registers = 4294967296 must be in 1\.\.16777216$",
         setup=gpu_yaml("  sm.registers: {value: 4294967296, source: x}\n"))
    case("--tile-m 4294967360", GEMM + ["--tile-m", "4294967360"],
         r"^hwsim: error: --tile-m 4294967360: expected a whole number in 1\.\.4096$")
    case("--param tile_m=4294967360", GEMM + ["--param", "tile_m=4294967360"],
         r"param tile_m = 4294967360 must be in 1\.\.16777216")
    case("duplicate YAML key", ["gpus", "show", "{s}/c.yaml"],
         r"c\.yaml:5: duplicate key 'params\.l2\.slices' \(first given at line 4\)$",
         setup=gpu_yaml("  l2.slices: {value: 4, source: x}\n  l2.slices: {value: 8, source: x}\n"))
    case("duplicate nested YAML key", ["gpus", "show", "{s}/c.yaml"],
         r"c\.yaml:6: duplicate key 'params\.l2\.slices' \(first given at line 5\)$",
         setup=gpu_yaml("  l2:\n    slices: {value: 4, source: x}\n    slices: {value: 8, source: x}\n"))
    case("duplicate JSON key in a record", ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/p.jsonl"],
         r"r\.jsonl:1: duplicate key 'role' in one JSON object$",
         setup=records(record()[:-1] + ', "role": "calibration"}\n'))
    case("duplicate nested JSON key in a record", ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/p.jsonl"],
         r"r\.jsonl:2: duplicate key 'bytes' in one JSON object$",
         setup=records(record() + "\n" + record(params={"bytes": 1024}).replace(
             '"bytes": 1024', '"bytes": 1024, "bytes": 2048') + "\n"))
    case("duplicate JSON key in validate data", ["validate", "--data", "{s}/data"],
         r"r\.jsonl:1: duplicate key 'role' in one JSON object$",
         setup=records(record()[:-1] + ', "role": "calibration"}\n', "data/h100-sxm/r.jsonl"))
    case("duplicate JSON key in numerics gemm --in", ["numerics", "gemm", "--in", "{s}/n.json", "--out", "{s}/o.json"],
         r"n\.json: duplicate key 'a' in one JSON object$", setup=records('{"a": [], "a": []}\n', "n.json"))
    for j in ["0", "-1", "-3", "257", "4294967296"]:
        case(f"run --jobs {j}", ["run", "--workload", "deepseek-v3-layer", "--jobs", j],
             rf"^hwsim: error: --jobs {j}: expected a whole number in 1\.\.256$")
    case("validate --jobs 0", ["validate", "--data", c.data, "--jobs", "0"], r"--jobs 0: expected a whole number")
    case("predict --jobs -1", ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/p.jsonl", "--jobs", "-1"],
         r"--jobs -1: expected a whole number in 1\.\.256$", setup=records(record() + "\n"))
    case("sweep run --jobs 0", ["sweep", "run", "{s}/s.yaml", "--out", "{s}/sw", "--jobs", "0"],
         r"--jobs 0: expected a whole number in 1\.\.\d+$",
         setup=records(SWEEP, "s.yaml"))
    case("sweep run --jobs -1", ["sweep", "run", "{s}/s.yaml", "--out", "{s}/sw", "--jobs", "-1"],
         r"--jobs -1: expected a whole number in 1\.\.\d+$",
         setup=records(SWEEP, "s.yaml"))
    case("study --jobs 0", ["study", "--jobs", "0", "--out", "{s}/st"], r"--jobs 0: expected a whole number in 1\.\.256$")
    case("trace predict --jobs 0", ["trace", "predict", "--in", "{s}/t.json", "--out", "{s}/t", "--jobs", "0"],
         r"--jobs 0: expected a whole number in 1\.\.256$", setup=records("{}", "t.json"))
    case("--chunk-bytes 2^40", MEMCPY + ["--chunk-bytes", "1099511627776"],
         r"^hwsim: error: --chunk-bytes 1099511627776: expected a whole number in 32\.\.1048576$")
    case("beside_hbm_GBps=-1", ["run", "--kernel", "memcpy", "--bytes", "1048576", "--param", "beside_hbm_GBps=-1"],
         r"param beside_hbm_GBps = -1 must be a number in \[0, 1000000\]$")
    case("beside_hbm_GBps=nan", ["run", "--kernel", "memcpy", "--bytes", "1048576", "--param", "beside_hbm_GBps=nan"],
         r"beside_hbm_GBps.*\[0, 1000000\]")
    for v in ["nan", ".nan", "NaN", "-nan"]:
        case(f"fraction {v}", MEMCPY + ["--set", f"hbm.read_efficiency_fraction={v}"],
             r"hbm\.read_efficiency_fraction = \S*nan must be a finite number in \(0, 1\]$")
    case("NaN fraction in a file", ["gpus", "show", "{s}/c.yaml"],
         r"c\.yaml:4: hbm\.read_efficiency_fraction = nan must be a finite number in \(0, 1\]$",
         setup=gpu_yaml("  hbm.read_efficiency_fraction: {value: .nan, source: x}\n"))
    case("empty records file", ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/p.jsonl"],
         r"--in {s}/r\.jsonl: the file holds no records$", setup=records(""))
    case("blank-lines records file", ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/p.jsonl"],
         r"r\.jsonl: the file holds no records$", setup=records("\n\n"))
    case("empty data folder", ["validate", "--data", "{s}/data"], r"--data {s}/data: no records \(\*\.jsonl\) under it$",
         setup=lambda: os.makedirs(c.path("data")))
    case("data folder of empty files", ["validate", "--data", "{s}/data"], r"data.*(no records|holds no records)",
         setup=records("", "data/h100-sxm/r.jsonl"))
    case("missing data folder", ["validate", "--data", "{s}/nowhere"], r"nowhere")
    # 3. crashes with no message.
    case("--trace-max-events 10", MEMCPY + ["--trace", "{s}/t.json", "--trace-max-events", "10"],
         r"^hwsim: error: --trace-max-events 10: expected a whole number in 1000\.\.100000000$")
    case("--trace-max-events 0", MEMCPY + ["--trace-max-events", "0"], r"--trace-max-events 0: expected a whole number")
    case("l2.slices=2^32", MEMCPY + ["--set", "l2.slices=4294967296"],
         r"^hwsim: error: --set l2\.slices: l2\.slices = 4294967296 must be in 1\.\.4096$")
    case("tma.max_inflight_per_sm=2^32", MEMCPY + ["--set", "tma.max_inflight_per_sm=4294967296"],
         r"tma\.max_inflight_per_sm = 4294967296 must be in 1\.\.65536$")
    case("clock 1e15 MHz", MEMCPY + ["--set", "clock.sm_MHz=1e15"],
         r"clock\.sm_MHz = 1000000000000000 must be in \[1, 10000\]$")
    case("clock 1e15 MHz as a quantity", MEMCPY + ["--set", "clock.sm=1e15 MHz"],
         r"clock\.sm_MHz = 1000000000000000 must be in \[1, 10000\]$")
    for opt, v in [("--m", "0"), ("--m", "-1"), ("--n", "-5"), ("--k", "0"), ("--m", "4294967296")]:
        case(f"numerics bench {opt} {v}", ["numerics", "bench", opt, v],
             rf"^hwsim: error: {opt} {v}: expected a whole number in 1\.\.\d+$")
    for field, value in [("params", [1, 2]), ("measured", "fast"), ("id", 5), ("gpu", None), ("kernel", 3),
                         ("params", {"bytes": "many"}), ("params", {"bytes": [1]}), ("params", {"bytes": None}),
                         ("measured", {"time_us_median": "fast"}), ("role", True)]:
        case(f"record {field}={json.dumps(value)}", ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/p.jsonl"],
             r"(r\.jsonl:1: |first: x/memcpy/ok: ).*(" + field + r"|bytes|time_us_median)", writes=("p.jsonl",),
             setup=records(record(**{field: value}) + "\n") if value is not None else records(record(gpu=None) + "\n"))
    case("record not an object", ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/p.jsonl"], r"r\.jsonl:2: ",
         setup=records(record() + "\n[1, 2]\n"))
    case("record wrong type in validate data", ["validate", "--data", "{s}/data"], r"r\.jsonl:1: .*time_us_median",
         setup=records(record(measured={"time_us_median": "fast"}) + "\n", "data/h100-sxm/r.jsonl"))
    case("list as a YAML key", ["gpus", "show", "{s}/c.yaml"], r"c\.yaml:4: a key must be a plain name, not a list or map$",
         setup=gpu_yaml("  ? [a, b]\n  : {value: 1, source: x}\n"))
    case("map as a YAML key", ["gpus", "show", "{s}/c.yaml"], r"c\.yaml:4: a key must be a plain name, not a list or map$",
         setup=gpu_yaml("  ? {a: 1}\n  : {value: 1, source: x}\n"))
    case("list as a top-level YAML key", ["gpus", "show", "{s}/c.yaml"], r"c\.yaml:1: a key must be a plain name",
         setup=lambda: c.write("c.yaml", "? [a]\n: 1\n" + GPU_YAML_HEAD + "  sm.count: {value: 132, source: x}\n"))
    case("list as a sweep axis key", ["sweep", "run", "{s}/s.yaml", "--out", "{s}/sw"],
         r"s\.yaml:5: axes: a key must be a plain name, not a list or map$",
         setup=records("workload:\n  kernel: memcpy\n  params: {bytes: 1048576}\naxes:\n  ? [a]\n  : {values: [1]}\n",
                       "s.yaml"))
    case("sweep axis value inf", ["sweep", "run", "{s}/s.yaml", "--out", "{s}/sw"],
         r"s\.yaml:5: hbm\.bandwidth_GBps\.values: expected a finite number in \[0\.001, 1000000\], got inf$",
         setup=records(SWEEP.replace("[3000, 4000]", "[inf, 4000]"), "s.yaml"))
    case("sweep axis key given twice", ["sweep", "run", "{s}/s.yaml", "--out", "{s}/sw"],
         r"s\.yaml:6: hbm\.bandwidth_GBps: given twice \(line 5 and here\)$",
         setup=records(SWEEP + "  hbm.bandwidth_GBps: {values: [5000]}\n", "s.yaml"))
    for opt, msg in [("pp=1000000000", r"pp: '1000000000' must be a whole number in 1\.\.1024$"),
                     ("seq=1000000000", r"seq: '1000000000' must be a whole number in 1\.\.131072$"),
                     ("global_batch_seqs=1000000000", r"global_batch_seqs: '1000000000' must be a whole number in "
                                                      r"1\.\.10000000$"),
                     ("skew_sigma=inf", r"skew_sigma: 'inf' must be a number in \(0, 10\]$")]:
        case(f"step --option {opt}", ["step", "--model", "roofline", "--option", opt], r"^hwsim: error: step option " + msg)
    # 4. size limits.
    case("run m=n=k=2^31", ["run", "--kernel", "gemm", "--m", "2147483648", "--n", "2147483648", "--k", "2147483648",
                            "--a-dtype", "bf16", "--b-dtype", "bf16", "--out-dtype", "bf16"] + H,
         r"param m = 2147483648 must be in 1\.\.16777216")
    case("run n=2^31", ["run", "--kernel", "gemm", "--m", "256", "--n", "2147483648", "--k", "256",
                        "--a-dtype", "bf16", "--b-dtype", "bf16", "--out-dtype", "bf16"] + H,
         r"param n = 2147483648 must be in 1\.\.16777216")
    case("copy larger than HBM", ["run", "--kernel", "memcpy", "--bytes", "100000000000"] + H,
         r"operands and results take 200 GB, more than hbm\.capacity_GB = 80$")
    case("bytes 2^40+16", ["run", "--kernel", "memcpy", "--bytes", "1099511627792"] + H,
         r"param bytes = 1099511627792 must be in 1\.\.1099511627776")
    case("predict record m=2^40 (only record)", ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/p.jsonl"],
         r"param m = 1099511627776 must be in 1\.\.16777216", setup=records(GEMM_2_40 + "\n"), writes=("p.jsonl",))
    # 5. outputs that are not plain files.
    case("--out to a FIFO", MEMCPY + ["--out", "{s}/fifo"], r"is not a regular file .*refusing to write over it$",
         setup=lambda: os.mkfifo(c.path("fifo")))
    case("--json to a FIFO", ["gpus", "show", "h100-sxm", "--json", "{s}/fifo"], r"is not a regular file",
         setup=lambda: os.mkfifo(c.path("fifo")))
    case("--trace to a FIFO", MEMCPY + ["--trace", "{s}/fifo"], r"is not a regular file",
         setup=lambda: os.mkfifo(c.path("fifo")))
    case("predict --out to a FIFO", ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/fifo"], r"is not a regular file",
         setup=lambda: (c.write("r.jsonl", record() + "\n"), os.mkfifo(c.path("fifo"))))
    case("validate --out to a FIFO", ["validate", "--data", c.data, "--gpu", "h100-sxm", "--out", "{s}/fifo"],
         r"is not a regular file", setup=lambda: os.mkfifo(c.path("fifo")))
    case("--out through a symlink to a FIFO", MEMCPY + ["--out", "{s}/link"], r"is not a regular file",
         setup=lambda: (os.mkfifo(c.path("fifo")), os.symlink("fifo", c.path("link"))))
    case("validate --update-doc a FIFO", ["validate", "--data", c.data, "--update-doc", "{s}/fifo"],
         r"--update-doc {s}/fifo: not a regular file \(a folder, device or FIFO\)$",
         setup=lambda: os.mkfifo(c.path("fifo")))
    case("validate --update-doc without a GPU's markers", ["validate", "--data", c.data, "--update-doc", "{s}/d.md"],
         r"--update-doc {s}/d\.md: markers '<!-- BEGIN validation h200-sxm -->' and '<!-- END validation "
         r"h200-sxm -->' not found$",
         setup=records("<!-- BEGIN validation h100-sxm -->\n<!-- END validation h100-sxm -->\n", "d.md"))
    # Inputs that are not regular files: a FIFO waited for a writer for good, /dev/zero never ended.
    for name, args, pattern in [
            ("numerics gemm --in a FIFO", ["numerics", "gemm", "--in", "{s}/fifo", "--out", "{s}/o.json"],
             r"^hwsim: error: {s}/fifo: not a regular file"),
            ("numerics gemm --in /dev/zero", ["numerics", "gemm", "--in", "/dev/zero", "--out", "{s}/o.json"],
             r"^hwsim: error: /dev/zero: not a regular file"),
            ("numerics check --data a FIFO", ["numerics", "check", "--data", "{s}/fifo"], r"fifo: not a regular file"),
            ("numerics evidence --data a FIFO", ["numerics", "evidence", "--data", "{s}/fifo"],
             r"fifo: not a regular file"),
            ("report of a FIFO", ["report", "{s}/fifo", "--out", "{s}/rep"],
             r"report: results file '{s}/fifo': not a regular file"),
            ("predict --in a FIFO", ["predict", "--in", "{s}/fifo", "--out", "{s}/p.jsonl"],
             r"cannot read records file '{s}/fifo': not a regular file"),
            ("trace predict --in a FIFO", ["trace", "predict", "--in", "{s}/fifo", "--out", "{s}/t"],
             r"^hwsim: error: {s}/fifo: not a regular file \(a folder, device or FIFO\)$"),
            ("gpus show a FIFO", ["gpus", "show", "{s}/fifo"], r"cannot read GPU description '{s}/fifo': not a regular")]:
        case(name, args, pattern, setup=lambda: os.mkfifo(c.path("fifo")))
    case("--out /dev/full", MEMCPY + ["--out", "/dev/full"], r"'/dev/full' is not a regular file")
    case("--out through a symlink to /dev/full", MEMCPY + ["--out", "{s}/link"], r"is not a regular file",
         setup=lambda: os.symlink("/dev/full", c.path("link")))
    case("--out a folder", MEMCPY + ["--out", "{s}"], r"is not a regular file")
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "fixtures")
    case("report --out a FIFO", ["report", fixtures, "--out", "{s}/fifo"], r"fifo",
         setup=lambda: os.mkfifo(c.path("fifo")))

    parallel(c, [lambda a=a, k=k: c.bad(*a, **k) for a, k in cases if only is None or only in a[0]])

    def symlink_check(p):
        if p.returncode != 0:
            return f"exit status {p.returncode}"
        if not os.path.islink(c.path("link")):
            return "the symlink was replaced"
        return None

    def symlink_setup():
        c.write("target.json", "old\n")
        os.symlink("target.json", c.path("link"))

    def symlink_written(p):
        problem = symlink_check(p)
        if problem:
            return problem
        with open(c.path("target.json"), encoding="utf-8") as f:
            text = f.read()
        return None if text != "old\n" and text.strip().startswith("{") else "the target was not written"

    if only is None or "symlink" in only:
        c.output("run --out through a symlink", MEMCPY + ["--out", "{s}/link"], symlink_setup, symlink_written)
        c.output("gpus show --json through a symlink", ["gpus", "show", "h100-sxm", "--json", "{s}/link"],
                 symlink_setup, symlink_written)
        c.output("predict --out through a symlink",
                 ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/link"],
                 lambda: (symlink_setup(), c.write("r.jsonl", record() + "\n")),
                 lambda p: symlink_check(p) or (None if '"predicted"' in open(c.path("target.json")).read()
                                                else "the target was not written"))
        c.output("--out through a dangling symlink", MEMCPY + ["--out", "{s}/link"],
                 lambda: os.symlink("target.json", c.path("link")), symlink_written)
        if c.assets and os.path.isdir(c.assets):
            def report_setup():
                c.write("real/index.html", "old\n")
                os.symlink("real", c.path("link"))

            def report_written(p):
                if p.returncode != 0:
                    return f"exit status {p.returncode}"
                if not os.path.islink(c.path("link")):
                    return "the symlink was replaced by a folder"
                with open(c.path("real/index.html"), encoding="utf-8") as f:
                    return None if f.read() != "old\n" else "the link's target still holds the old report"

            c.output("report --out through a symlink", ["report", fixtures, "--out", "{s}/link", "--assets", c.assets],
                     report_setup, report_written)

    # 5. interrupts: SIGINT and SIGTERM of a long run, validate, predict and report.
    LONG_GEMM = ["run", "--kernel", "gemm", "--m", "16384", "--n", "16384", "--k", "16384", "--a-dtype", "bf16",
                 "--b-dtype", "bf16", "--out-dtype", "bf16", "--out", "{s}/r.json", "--trace", "{s}/t.json"]
    started = lambda pid: True  # noqa: E731
    interrupts = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        n = sig.name
        interrupts += [
            (f"{n} run (kernel)", LONG_GEMM, sig, started, 0.3),
            (f"{n} run (layer, processes)", ["run", "--workload", "deepseek-v3-layer", "--jobs", "2", "--json"], sig,
             c.has_child, 0.15),
            (f"{n} validate", ["validate", "--data", c.data, "--jobs", "2", "--no-cache", "--out", "{s}/v.json"], sig,
             c.has_batches, 0.15),
        ]
        # study simulates each configuration in a process of its own and writes a result folder.
        interrupts.append((f"{n} study", ["study", "--all", "--no-sensitivity", "--out", "{s}/study"], sig,
                           c.has_child, 0.15))
        # bench runs each workload in a child process of its own, with a fresh result cache in TMPDIR.
        interrupts.append((f"{n} bench (workload in a child)", ["bench", "--only", "deepseek-v3 layer"], sig,
                           c.has_child, 0.15))
    interrupts.append(("SIGHUP validate", ["validate", "--data", c.data, "--jobs", "2", "--out", "{s}/v.json"],
                       signal.SIGHUP, c.has_batches, 0.15))
    jobs = [lambda i=i: c.interrupt(*i) for i in interrupts if only is None or only in i[0]]

    def predict_setup():
        lines = []
        for path in sorted(os.listdir(os.path.join(c.data, "h100-sxm"))):
            if path.endswith(".jsonl"):
                with open(os.path.join(c.data, "h100-sxm", path), encoding="utf-8") as f:
                    lines += [ln for ln in f if ln.strip()]
        c.write("r.jsonl", "".join(lines))

    for sig in (signal.SIGINT, signal.SIGTERM):
        name = f"{sig.name} predict"
        if only is None or only in name:
            jobs.append(lambda name=name, sig=sig: c.interrupt(
                name, ["predict", "--in", "{s}/r.jsonl", "--out", "{s}/p.jsonl", "--no-cache"], sig, c.has_child,
                0.15, setup=predict_setup,
                check=lambda: "a half-written --out" if os.path.exists(c.path("p.jsonl")) else None))
    parallel(c, jobs)

    # A report interrupted at several moments: the old report stays whole or the new one is complete.
    if c.assets and os.path.isdir(c.assets) and (only is None or "report" in only):
        # (From 30 ms on: a signal before main() blocks it ends the process by default, with nothing to undo.)
        for i, delay in enumerate([0.03, 0.05, 0.08, 0.12, 0.16]):
            c.count += 1
            c.reset()
            rep = c.path("rep")
            os.makedirs(rep)
            c.write("rep/index.html", "old report\n")
            p = subprocess.Popen([c.hwsim, "report", os.path.abspath(fixtures), "--out", rep, "--assets", c.assets],
                                 cwd=c.scratch, env=c.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True)
            time.sleep(delay)
            sig = signal.SIGTERM if i % 2 else signal.SIGINT
            p.send_signal(sig)
            sent = time.monotonic()
            _, err = p.communicate(timeout=10)
            took = time.monotonic() - sent
            why = []
            if p.returncode not in (0, 128 + sig):
                why.append(f"exit status {p.returncode}: {err.strip()[:300]!r}")
            if took > max(c.limit, 1.0):
                why.append(f"exited {took:.2f} s after the signal")
            left = c.debris() + [n for n in os.listdir(c.scratch) if n not in ("rep", "tmp", "cache")]
            if left:
                why.append(f"left behind {left}")
            index = os.path.join(rep, "index.html")
            if not os.path.isfile(index):
                why.append("no report folder (neither the old one nor the new)")
            elif p.returncode == 0 and open(index, encoding="utf-8").read() == "old report\n":
                why.append("exit 0 but the old report is still there")
            elif open(index, encoding="utf-8").read() != "old report\n" and \
                    not open(index, encoding="utf-8").read().rstrip().endswith("</html>"):
                why.append("the report folder holds neither the old report nor a whole new one")
            if why:
                c.fail(f"{sig.name} report after {delay} s", "; ".join(why))
            elif c.verbose:
                print(f"ok   {sig.name} report after {delay} s (exit {p.returncode})")

    shutil.rmtree(c.scratch, ignore_errors=True)
    print(f"{c.count - len(c.failures)} of {c.count} issue-20 reproductions pass")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
