"""`pip install --no-build-isolation .` (README, docs/python.md): the wheel setup.py builds holds the
package and its extension, and the installed package, imported away from the build tree, gives the
CLI's time. (Until this test, the wheel was empty: setuptools never ran the step that copied the
package in.)"""
import json
import os
import subprocess
import sys
from pathlib import Path

GEMM = dict(m=512, n=1024, k=256, a_dtype="fp8_e4m3", b_dtype="fp8_e4m3", out_dtype="bf16",
            scaling="block_1x128_128x128")


def test_pip_install_runs_like_the_cli(cli, tmp_path):
    source = os.environ["HWSIM_SOURCE_DIR"]
    prefix = tmp_path / "prefix"
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--no-index",
                        "--disable-pip-version-check", "--prefix", str(prefix), source],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    inits = sorted(prefix.glob("**/hwsim/__init__.py"))
    assert len(inits) == 1, f"installed package not found under {prefix}: {inits}"
    site = inits[0].parent.parent
    assert list((site / "hwsim").glob("_hwsim*.so")), "the extension is missing from the installed package"

    code = ("import json, hwsim; r = hwsim.run(hwsim.gpu('h800-sxm'), 'gemm', **json.loads(__import__('sys').argv[1]));"
            "print(hwsim.__file__); print(repr(r.time_us))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    q = subprocess.run([sys.executable, "-c", code, json.dumps(GEMM)], capture_output=True, text=True, env=env,
                       cwd=tmp_path)
    assert q.returncode == 0, q.stderr
    where, time_us = q.stdout.split()
    assert Path(where).is_relative_to(site)  # the installed copy, not build/python

    out = tmp_path / "cli.json"
    args = [a for key, value in GEMM.items() for a in (f"--{key.replace('_', '-')}", value)]
    cli("run", "--gpu", "h800-sxm", "--kernel", "gemm", *args, "--out", out)
    assert float(time_us) == json.loads(out.read_text())["time_us"] > 0
