#!/usr/bin/env python3
"""End-to-end checks of hwsim's result cache (docs/engine.md, "The result cache").

- `hwsim run --kernel gemm`, `hwsim run --workload deepseek-v3-layer` and a small
  `hwsim study` give byte-identical outputs with the cache disabled, cold and warm;
- a truncated entry and an entry with one byte flipped are reported on stderr,
  naming the file, and simulated again (same output, the entry rewritten);
- an entry filed under another simulator version is not served;
- --cache-max-mb keeps the folder under its bound;
- two processes filling one cache at once both succeed with the same output;
- a cache folder that cannot be created is a warning, and the run succeeds.

usage: check_result_cache.py --hwsim BIN
"""
import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

FAILURES = []
GEMM = ["run", "--kernel", "gemm", "--m", "1024", "--n", "2048", "--k", "1024", "--a-dtype", "fp8_e4m3",
        "--b-dtype", "fp8_e4m3", "--out-dtype", "bf16", "--scaling", "block_1x128_128x128", "--json"]
LAYER = ["run", "--workload", "deepseek-v3-layer", "--tokens", "256", "--json"]


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)


def run(hwsim, args, cache=None):
    """Runs hwsim; cache: None (--no-cache) or a folder. Returns (stdout, stderr)."""
    flags = ["--no-cache"] if cache is None else ["--cache", str(cache)]
    done = subprocess.run([hwsim, *args, *flags], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"hwsim {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout, done.stderr


def entries(cache):
    return sorted(Path(cache).glob("*/*/*.entry"))


def folder_bytes(cache):
    return sum(f.stat().st_size for f in Path(cache).rglob("*") if f.is_file())


def study_outputs(out):
    return {name: (out / name).read_bytes() for name in ("study.json", "kernels.csv", "summary.md", "config.json")}


def rewrite_entry(path, change):
    """Rewrites a well-formed entry with its payload changed by `change` (a dict -> dict)."""
    text = path.read_bytes()
    header, body = text.split(b"\n\n", 1)
    fields = dict(line.split(b" ", 1) for line in header.split(b"\n")[1:])
    key_bytes = int(fields[b"key-bytes"])
    key, payload = body[:key_bytes], body[key_bytes:]
    payload = json.dumps(change(json.loads(payload))).encode()
    body = key + payload
    path.write_bytes(b"hwsim-cache-entry 1\nkey-bytes %d\npayload-bytes %d\nsha256 %s\n\n" %
                     (len(key), len(payload), hashlib.sha256(body).hexdigest().encode()) + body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hwsim", required=True)
    hwsim = ap.parse_args().hwsim
    with tempfile.TemporaryDirectory(prefix="hwsim-result-cache-") as tmp:
        work = Path(tmp)

        # Disabled, cold, warm: the same bytes.
        for name, args in (("run --kernel gemm", GEMM), ("run --workload deepseek-v3-layer", LAYER)):
            cache = work / name.split()[-1]
            off, _ = run(hwsim, args)
            cold, cold_err = run(hwsim, args, cache)
            n = len(entries(cache))
            warm, warm_err = run(hwsim, args, cache)
            check(off == cold == warm and off.startswith("{"), f"{name}: identical output disabled, cold and warm")
            check(n > 0 and len(entries(cache)) == n, f"{name}: cold run filed {n} entries, warm run none more")
            check("warning" not in cold_err + warm_err, f"{name}: no warnings")

        study = ["study", "fused_cast_tma", "--no-sensitivity", "--tokens", "256", "--gpu", "h800-sxm"]
        outs = {}
        for label, cache in (("off", None), ("cold", work / "study-cache"), ("warm", work / "study-cache")):
            run(hwsim, [*study, "--out", str(work / f"study-{label}")], cache)
            outs[label] = study_outputs(work / f"study-{label}")
        check(outs["off"] == outs["cold"] == outs["warm"], "study: identical files disabled, cold and warm")

        # Damaged entries: reported, simulated again, rewritten.
        cache = work / "gemm"
        reference, _ = run(hwsim, GEMM)
        [entry] = entries(cache)
        good = entry.read_bytes()
        for damage, bad in (("truncated", good[:len(good) // 2]),
                            ("one byte flipped", good[:-20] + bytes([good[-20] ^ 1]) + good[-19:])):
            entry.write_bytes(bad)
            out, err = run(hwsim, GEMM, cache)
            check(out == reference, f"{damage} entry: the result is simulated again")
            check(f"entry '{entry}' is damaged" in err, f"{damage} entry: a warning names the file")
            check(entry.read_bytes() == good, f"{damage} entry: rewritten whole")

        # An entry filed under another version is not served: plant a doctored
        # result under a made-up version's folder, with the same key hash.
        version_dir = entry.parent.parent
        other = cache / "0000000000000000" / entry.parent.name / entry.name
        other.parent.mkdir(parents=True)
        other.write_bytes(good)
        rewrite_entry(other, lambda j: {**j, "time_us": 1.0})
        entry.unlink()
        out, _ = run(hwsim, GEMM, cache)
        check(out == reference and entry.exists(), "another version's entry is not served")
        # The doctoring itself is served when filed under this version (the test's own check).
        rewrite_entry(entry, lambda j: {**j, "time_us": 1.0})
        out, _ = run(hwsim, GEMM, cache)
        check(json.loads(out)["time_us"] != json.loads(reference)["time_us"], "a planted entry of this version is served")
        check(version_dir.name != "0000000000000000", "entries live under DIR/<simulator version>/")

        # The bound: a small folder stays under it.
        small = work / "small"
        out, _ = run(hwsim, [*LAYER, "--cache-max-mb", "1"], small)
        size = folder_bytes(small)
        check(0 < size <= 1 << 20 and out == run(hwsim, LAYER, work / "layer")[0],
              f"--cache-max-mb 1: folder {size} bytes <= 1 MiB, same output")

        # Two processes filling one cache at once.
        shared = work / "shared"
        procs = [subprocess.Popen([hwsim, *LAYER, "--cache", str(shared)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        results = [p.communicate() + (p.returncode,) for p in procs]
        layer_reference = run(hwsim, LAYER)[0]
        check(all(rc == 0 and out == layer_reference and "warning" not in err for out, err, rc in results),
              "two processes writing one cache at once: both succeed, same output")
        check(not list(shared.rglob("*.tmp")), "no temporary files left behind")

        # A folder that cannot be created: a warning, and the run goes on uncached.
        (work / "a-file").write_text("not a folder\n")
        out, err = run(hwsim, GEMM, work / "a-file" / "cache")
        check(out == reference and "warning: result cache: cannot create the folder" in err,
              "an unusable cache folder: a warning, same output")

    if FAILURES:
        print(f"{len(FAILURES)} result-cache check(s) failed")
        return 1
    print("result cache: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
