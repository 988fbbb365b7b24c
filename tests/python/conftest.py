"""Shared fixtures of the Python package's tests: the hwsim CLI to compare
with (HWSIM_CLI, set by tests/python/CMakeLists.txt) and a scratch folder."""
import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def cli():
    exe = os.environ.get("HWSIM_CLI")
    if not exe:
        pytest.fail("HWSIM_CLI (the hwsim executable) is not set; run these tests through ctest")

    def run(*args, check=True):
        p = subprocess.run([exe, *[str(a) for a in args]], capture_output=True, text=True)
        if check and p.returncode != 0:
            raise AssertionError(f"hwsim {' '.join(map(str, args))} failed: {p.stderr}")
        return p

    return run


def cli_error(p) -> str:
    """The message of `hwsim: error: MESSAGE` on the CLI's stderr."""
    assert p.returncode == 1, p.stderr
    line = p.stderr.strip().splitlines()[-1]
    assert line.startswith("hwsim: error: "), line
    return line[len("hwsim: error: "):]
