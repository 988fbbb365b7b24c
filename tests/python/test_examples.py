"""The examples in examples/ run as a user would run them and write their
plots (small inputs: a 256-token layer, the roofline model for validation)."""
import os
import subprocess
import sys

import pytest

SOURCE = os.environ.get("HWSIM_SOURCE_DIR", ".")


def run_example(name, *args, cwd):
    script = os.path.join(SOURCE, "examples", name)
    p = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, cwd=cwd)
    assert p.returncode == 0, p.stderr
    return p.stdout


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def test_whatif_example(tmp_path):
    out = run_example("whatif_gemm_layer.py", "--tokens", "256", "--png", "w.png", cwd=tmp_path)
    lines = out.splitlines()
    assert "us with group_scaled_mma" in lines[0]
    assert lines[-3].startswith("baseline ") and lines[-2].startswith("group_scaled_mma ")
    assert png_size(tmp_path / "w.png") == (1000, 400)


@pytest.mark.parametrize("model", ["roofline"])
def test_validation_example(tmp_path, model):
    data = os.path.join(SOURCE, "validate", "data")
    out = run_example("validation_scatter.py", "--model", model, "--data", data, "--png", "v.png", cwd=tmp_path)
    assert "validation records of h100-sxm" in out and "gemm" in out
    assert png_size(tmp_path / "v.png") == (600, 600)
